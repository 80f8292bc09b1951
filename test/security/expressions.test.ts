import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as elements from "bpmn-elements";
import request from "supertest";
import { EngineDefinition, EngineDeployment, EngineInstance } from "../../server/db/models/engineModels.js";
import { safeExpressions } from "../../server/engine/expressions.js";
import { buildUser, loginAs, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { admin, engine, isolateEngineTests } from "../engine/helpers.js";

const app = () => testApp().app;

/** A path where a payload that ran would leave a file (no dots: the payload's path syntax splits on them). */
function markerPath(): string {
  return path.join(os.tmpdir(), `xinyongpwn${randomBytes(6).toString("hex")}`);
}

/**
 * Code execution through bpmn-elements' own resolver (checked below to work there): Function built from a path,
 * run by String.prototype.replace because the placeholder sits inside other text.
 */
function payload(marker: string): string {
  const body = `Function\`return process\\x2egetBuiltinModule\\x28'fs'\\x29\\x2ewriteFileSync\\x28'${marker}','x'\\x29\`\`\``;
  return `x\${environment.constructor.constructor("${body}")}`;
}

/** Other shapes a hostile designer might try; each must be refused, none may call anything. */
const OTHER_EXPRESSIONS = [
  "${environment.constructor}",
  "${constructor.constructor}",
  "${__proto__}",
  "${a.__proto__.polluted}",
  "${environment.services.x}",
  "${environment.variables.constructor}",
  "${content.constructor.constructor}",
  "${properties.__proto__}",
  "${toString()}",
  "${approved == true}",
  "${a ? b : c}",
  "${items[0].constructor}",
  "${'str'}",
  "${a.b(c)}",
  "${a[b]}",
];

const xmlAttr = (s: string) => s.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");
const xmlText = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
const decimal = (s: string) => [...s].map((c) => `&#${c.codePointAt(0)};`).join("");
const hex = (s: string) => [...s].map((c) => `&#x${c.codePointAt(0)!.toString(16)};`).join("");
/** Only the characters a text scan looks for, encoded. */
const partial = (s: string) => xmlAttr(s).replaceAll("$", "&#36;").replaceAll("{", "&#x7B;");
/** CDATA splits the placeholder where a scan would look for it (element text only). */
const cdataSplit = (s: string) => {
  const i = s.indexOf("${");
  return `${xmlText(s.slice(0, i))}$<![CDATA[{]]>${xmlText(s.slice(i + 2, i + 10))}<![CDATA[${s.slice(i + 10)}]]>`;
};

const ENCODINGS: Record<string, { attr: (s: string) => string; text: (s: string) => string }> = {
  plain: { attr: xmlAttr, text: xmlText },
  "decimal character references": { attr: decimal, text: decimal },
  "hex character references": { attr: hex, text: hex },
  "only $ and { encoded": { attr: partial, text: partial },
  "CDATA split": { attr: partial, text: cdataSplit },
};

const NS =
  'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="http://x"';

/** A process with the hostile value in one place the engine evaluates; `element` is the id the error must name. */
interface Place {
  name: string;
  element: string;
  xml(key: string, attr: string, text: string): string;
}

const flow = (inner: string, extra = "") =>
  `<?xml version="1.0" encoding="UTF-8"?><definitions ${NS} id="d">${extra}<process id="KEY" isExecutable="true">` +
  `<startEvent id="start"/>${inner}<endEvent id="end"/></process></definitions>`;

const PLACES: Place[] = [
  {
    name: "a sequence-flow condition without language",
    element: "hostileFlow",
    xml: (key, _a, text) =>
      flow(
        `<exclusiveGateway id="gw" default="otherFlow"/><sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>` +
          `<sequenceFlow id="hostileFlow" sourceRef="gw" targetRef="end"><conditionExpression xsi:type="tFormalExpression">${text}</conditionExpression></sequenceFlow>` +
          `<sequenceFlow id="otherFlow" sourceRef="gw" targetRef="end"/>`,
      ).replace("KEY", key),
  },
  {
    name: "a timer duration",
    element: "hostileTimer",
    xml: (key, _a, text) =>
      flow(
        `<intermediateCatchEvent id="hostileTimer"><timerEventDefinition><timeDuration xsi:type="tFormalExpression">${text}</timeDuration></timerEventDefinition></intermediateCatchEvent>` +
          `<sequenceFlow id="f0" sourceRef="start" targetRef="hostileTimer"/><sequenceFlow id="f1" sourceRef="hostileTimer" targetRef="end"/>`,
      ).replace("KEY", key),
  },
  {
    name: "a message name",
    element: "hostileMessage",
    xml: (key, attr) =>
      flow(
        `<intermediateCatchEvent id="wait"><messageEventDefinition messageRef="hostileMessage"/></intermediateCatchEvent>` +
          `<sequenceFlow id="f0" sourceRef="start" targetRef="wait"/><sequenceFlow id="f1" sourceRef="wait" targetRef="end"/>`,
        `<message id="hostileMessage" name="${attr}"/>`,
      ).replace("KEY", key),
  },
  {
    name: "a user task's camunda:assignee",
    element: "hostileTask",
    xml: (key, attr) =>
      flow(
        `<userTask id="hostileTask" camunda:assignee="${attr}"/>` +
          `<sequenceFlow id="f0" sourceRef="start" targetRef="hostileTask"/><sequenceFlow id="f1" sourceRef="hostileTask" targetRef="end"/>`,
      ).replace("KEY", key),
  },
  {
    name: "a user task's camunda:dueDate",
    element: "hostileTask",
    xml: (key, attr) =>
      flow(
        `<userTask id="hostileTask" camunda:candidateGroups="scjgj" camunda:dueDate="${attr}"/>` +
          `<sequenceFlow id="f0" sourceRef="start" targetRef="hostileTask"/><sequenceFlow id="f1" sourceRef="hostileTask" targetRef="end"/>`,
      ).replace("KEY", key),
  },
  {
    name: "a multi-instance loop cardinality",
    element: "hostileLoop",
    xml: (key, _a, text) =>
      flow(
        `<task id="hostileLoop"><multiInstanceLoopCharacteristics><loopCardinality xsi:type="tFormalExpression">${text}</loopCardinality></multiInstanceLoopCharacteristics></task>` +
          `<sequenceFlow id="f0" sourceRef="start" targetRef="hostileLoop"/><sequenceFlow id="f1" sourceRef="hostileLoop" targetRef="end"/>`,
      ).replace("KEY", key),
  },
  {
    name: "a signal name",
    element: "hostileSignal",
    xml: (key, attr) =>
      flow(
        `<intermediateThrowEvent id="throw"><signalEventDefinition signalRef="hostileSignal"/></intermediateThrowEvent>` +
          `<sequenceFlow id="f0" sourceRef="start" targetRef="throw"/><sequenceFlow id="f1" sourceRef="throw" targetRef="end"/>`,
        `<signal id="hostileSignal" name="${attr}"/>`,
      ).replace("KEY", key),
  },
  {
    name: "an error code",
    element: "hostileError",
    xml: (key, attr) =>
      flow(
        `<endEvent id="errEnd"><errorEventDefinition errorRef="hostileError"/></endEvent><sequenceFlow id="f0" sourceRef="start" targetRef="errEnd"/>`,
        `<error id="hostileError" name="e" errorCode="${attr}"/>`,
      )
        .replace('<endEvent id="end"/>', "")
        .replace("KEY", key),
  },
  {
    name: "a call activity's calledElement",
    element: "hostileCall",
    xml: (key, attr) =>
      flow(
        `<callActivity id="hostileCall" calledElement="${attr}"/>` +
          `<sequenceFlow id="f0" sourceRef="start" targetRef="hostileCall"/><sequenceFlow id="f1" sourceRef="hostileCall" targetRef="end"/>`,
      ).replace("KEY", key),
  },
  {
    name: "a conditional event's condition",
    element: "hostileCondition",
    xml: (key, _a, text) =>
      flow(
        `<intermediateCatchEvent id="hostileCondition"><conditionalEventDefinition><condition xsi:type="tFormalExpression">${text}</condition></conditionalEventDefinition></intermediateCatchEvent>` +
          `<sequenceFlow id="f0" sourceRef="start" targetRef="hostileCondition"/><sequenceFlow id="f1" sourceRef="hostileCondition" targetRef="end"/>`,
      ).replace("KEY", key),
  },
];

function deployRest(u: TestUser, fileName: string, xml: string) {
  return request(app())
    .post("/engine-rest/deployment/create")
    .auth(u.username, u.password)
    .field("deployment-name", "hostile")
    .attach("data", Buffer.from(xml), { filename: fileName, contentType: "application/octet-stream" });
}

async function storedVersions(key: string): Promise<number> {
  return EngineDefinition.count({ where: { key } });
}

describe("security: BPMN expressions never run code", () => {
  isolateEngineTests();
  let deptAdmin: TestUser;
  let platformAdmin: TestUser;
  const markers: string[] = [];
  const marker = () => {
    const m = markerPath();
    markers.push(m);
    return m;
  };
  before(async () => {
    deptAdmin = await buildUser({ roles: ["dept_admin", "reviewer"] });
    platformAdmin = await buildUser({ roles: ["admin"] });
  });
  afterEach(() => {
    for (const m of markers) assert.equal(existsSync(m), false, `a payload ran: ${m} exists`);
  });
  after(() => {
    for (const m of markers) rmSync(m, { force: true });
  });

  it("the payload of these tests does run through bpmn-elements' default resolver (so the tests below can fail)", () => {
    const m = marker();
    const env = new elements.Environment({ variables: {} });
    env.resolveExpression(payload(m), { content: {} });
    assert.equal(existsSync(m), true);
    rmSync(m);
    markers.pop();
  });

  it("the engine's resolver refuses the payload and every other non-path shape without calling anything", () => {
    const env = new elements.Environment({ variables: { a: { b: 1 }, items: [{ x: 1 }] } });
    const resolver = safeExpressions();
    for (const expr of [payload(marker()), ...OTHER_EXPRESSIONS]) {
      assert.throws(() => resolver.resolveExpression(expr, { environment: env }), /不允许|不能访问|只能/, expr);
    }
    // Plain paths still work, through own properties only.
    assert.equal(resolver.resolveExpression("${a.b}", { environment: env }), 1);
    assert.equal(resolver.resolveExpression("${environment.variables.items[0].x}", { environment: env }), 1);
    assert.equal(resolver.resolveExpression("共 ${a.b} 件", { environment: env }), "共 1 件");
    assert.equal(resolver.resolveExpression("${a.toString}", { environment: env }), undefined);
    assert.equal(resolver.resolveExpression("${a.missing.deeper}", { environment: env }), undefined);
    assert.equal(resolver.resolveExpression("${true}", { environment: env }), true);
  });

  for (const place of PLACES) {
    for (const [encoding, enc] of Object.entries(ENCODINGS)) {
      it(`refuses ${place.name} with the payload (${encoding}) at deploy, naming the element, storing nothing`, async () => {
        const key = `hostile-${randomBytes(4).toString("hex")}`;
        const value = payload(marker());
        const xml = place.xml(key, enc.attr(value), enc.text(value));
        const res = await deployRest(deptAdmin, `${key}.bpmn`, xml);
        assert.equal(res.status, 400, `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        assert.equal(res.body.type, "ParseException");
        assert.match(res.body.message, /[\u4e00-\u9fff]/);
        const details = JSON.stringify(res.body.details ?? res.body);
        assert.match(details, new RegExp(place.element), details.slice(0, 400));
        assert.match(details, /表达式|不允许/);
        assert.equal(await storedVersions(key), 0);
      });
    }
  }

  for (const expr of OTHER_EXPRESSIONS) {
    it(`refuses the condition ${expr} at deploy`, async () => {
      const key = `hostile-${randomBytes(4).toString("hex")}`;
      const res = await deployRest(deptAdmin, `${key}.bpmn`, PLACES[0]!.xml(key, "", xmlText(expr)));
      assert.equal(res.status, 400);
      assert.match(JSON.stringify(res.body.details), /hostileFlow/);
      assert.equal(await storedVersions(key), 0);
    });
  }

  it("refuses the payload through the admin upload page too", async () => {
    const agent = await loginAs(platformAdmin);
    const key = `hostile-${randomBytes(4).toString("hex")}`;
    const xml = PLACES[1]!.xml(key, "", decimal(payload(marker())));
    const res = await agent
      .post("/admin/processes/deployments")
      .set("x-csrf-token", agent.csrf)
      .set("accept", "application/json")
      .attach("file", Buffer.from(xml), { filename: `${key}.bpmn`, contentType: "application/octet-stream" });
    assert.equal(res.status, 400, res.text.slice(0, 300));
    assert.match(res.text, /hostileTimer/);
    assert.equal(await storedVersions(key), 0);
  });

  it("deploys ${...} in documentation and vendor extensions (nothing evaluates them) and plain paths anywhere", async () => {
    const key = `benign-${randomBytes(4).toString("hex")}`;
    const xml = flow(
      `<userTask id="t" camunda:candidateGroups="\${departmentCode}" camunda:dueDate="\${due}"><documentation>见 \${anything(at).all}</documentation></userTask>` +
        `<sequenceFlow id="f0" sourceRef="start" targetRef="t"/><sequenceFlow id="f1" sourceRef="t" targetRef="end"/>`,
    ).replace("KEY", key);
    const res = await deployRest(deptAdmin, `${key}.bpmn`, xml);
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 400));
  });

  it("refuses a NUL or other control character in a name (&#0;) with a Chinese message naming the element", async () => {
    for (const ref of ["&#0;", "&#x1;", "&#x1B;"]) {
      const key = `nul-${randomBytes(4).toString("hex")}`;
      const xml = flow(
        `<userTask id="nulTask" name="审核${ref}任务"/><sequenceFlow id="f0" sourceRef="start" targetRef="nulTask"/><sequenceFlow id="f1" sourceRef="nulTask" targetRef="end"/>`,
      ).replace("KEY", key);
      const res = await deployRest(deptAdmin, `${key}.bpmn`, xml);
      assert.equal(res.status, 400, `${ref}: ${JSON.stringify(res.body).slice(0, 300)}`);
      assert.match(JSON.stringify(res.body.details), /nulTask.*控制字符/);
      assert.equal(await storedVersions(key), 0);
    }
  });

  it("refuses a BPMN file over the tag limit before parsing it, with a Chinese 400", async () => {
    const key = `huge-${randomBytes(4).toString("hex")}`;
    let inner = "";
    for (let i = 0; i < 6000; i++)
      inner += `<task id="t${i}"/><sequenceFlow id="s${i}" sourceRef="${i ? `t${i - 1}` : "start"}" targetRef="t${i}"/>`;
    const res = await deployRest(deptAdmin, `${key}.bpmn`, flow(inner).replace("KEY", key));
    assert.equal(res.status, 400);
    assert.match(res.body.message + JSON.stringify(res.body.details ?? ""), /上限/);
    assert.equal(await storedVersions(key), 0);
  });

  it("deploys and starts a process with a long key (its id falls back to a bare id), refuses a key over 255 characters", async () => {
    const key = `long-process-key-${randomBytes(8).toString("hex")}-for-the-id-column`;
    const res = await deployRest(
      deptAdmin,
      `${key}.bpmn`,
      flow('<sequenceFlow id="f0" sourceRef="start" targetRef="end"/>').replace("KEY", key),
    );
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    const id = Object.keys(res.body.deployedProcessDefinitions as object)[0]!;
    assert.ok(id.length <= 64);
    const started = await engine().startProcess({ key, actor: admin() });
    assert.equal(started.state, "COMPLETED");
    const tooLong = "k".repeat(256);
    const refused = await deployRest(
      deptAdmin,
      "long.bpmn",
      flow('<sequenceFlow id="f0" sourceRef="start" targetRef="end"/>').replace("KEY", tooLong),
    );
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /255/);
  });

  it("refuses a literal multi-instance cardinality above what one step may run", async () => {
    const key = `mi-${randomBytes(4).toString("hex")}`;
    const res = await deployRest(deptAdmin, `${key}.bpmn`, PLACES[5]!.xml(key, "", "100000"));
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body.details), /hostileLoop.*100000/);
    assert.equal(await storedVersions(key), 0);
  });

  it("a definition stored without the deploy checks still cannot run the payload: the start fails and nothing runs", async () => {
    // Defence in depth: a row written straight into the database (an old deployment, a restored backup).
    for (const place of [PLACES[0]!, PLACES[1]!, PLACES[2]!, PLACES[3]!]) {
      const key = `bypass-${randomBytes(4).toString("hex")}`;
      const value = payload(marker());
      const xml = place.xml(key, xmlAttr(value), xmlText(value));
      const deploymentId = randomUUID();
      await EngineDeployment.create({
        id: deploymentId,
        name: "bypass",
        source: null,
        tenantId: null,
        actor: "test",
        deployedAt: new Date(),
      });
      await EngineDefinition.create({
        id: `${key}:1:${randomUUID()}`,
        deploymentId,
        key,
        version: 1,
        name: null,
        resourceName: `${key}.bpmn`,
        xml,
        xmlHash: randomBytes(16).toString("hex"),
        deployedAt: new Date(),
      });
      await engine()
        .startProcess({ key, businessKey: `BK-${randomBytes(4).toString("hex")}`, actor: admin() })
        .then(
          () => undefined,
          () => undefined,
        );
      assert.equal(await EngineInstance.count({ where: { definitionKey: key, state: "ACTIVE" } }), 0, place.name);
    }
  });
});
