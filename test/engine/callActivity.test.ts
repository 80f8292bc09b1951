import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { createApp } from "../../server/app.js";
import { ManualClock } from "../../server/clock.js";
import type { Database } from "../../server/db/database.js";
import { initModels } from "../../server/db/models/index.js";
import type { EngineRuntime } from "../../server/engine/index.js";
import { createLogger } from "../../server/logger.js";
import { buildUser, loginAs, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { openTestDatabase } from "../helpers/testDatabase.js";
import { admin, engine, isolateEngineTests } from "./helpers.js";

const uniq = () => `t${randomBytes(4).toString("hex")}-`;
const app = () => testApp().app;
const NS =
  'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';

/** The called process: start -> (a user task `name` for `${officer}`, or nothing) -> end. */
function childXml(key: string, task: string | null = "check"): string {
  const body = task
    ? `<sequenceFlow id="c1" sourceRef="cs" targetRef="${task}" /><userTask id="${task}" name="子流程审查" camunda:assignee="\${officer}" /><sequenceFlow id="c2" sourceRef="${task}" targetRef="ce" />`
    : `<sequenceFlow id="c1" sourceRef="cs" targetRef="ce" />`;
  return `<?xml version="1.0" encoding="UTF-8"?><definitions ${NS} id="d_${key.replace(/\W/g, "_")}" targetNamespace="http://x">
  <process id="${key}" name="子流程" isExecutable="true"><startEvent id="cs" />${body}<endEvent id="ce" /></process></definitions>`;
}

/** The caller: start -> call (the call activity, attributes and mappings given) -> after (admin's task) -> end. */
function parentXml(key: string, call: string, extra = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?><definitions ${NS} id="d_${key.replace(/\W/g, "_")}" targetNamespace="http://x">
  <process id="${key}" name="主流程" isExecutable="true">
    <startEvent id="start" /><sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    ${call}
    <sequenceFlow id="f2" sourceRef="call" targetRef="after" />
    <userTask id="after" name="汇总" camunda:assignee="admin" /><sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    ${extra}
    <endEvent id="end" />
  </process></definitions>`;
}

function callActivity(childKey: string, attrs = "", mappings = ""): string {
  return `<callActivity id="call" name="专项审查" calledElement="${childKey}" ${attrs}>
    <extensionElements>
      <camunda:in businessKey="#{execution.processBusinessKey}" />
      <camunda:in source="reviewer" target="officer" />
      <camunda:in sourceExpression="\${applicant.name}" target="applicantName" />
      <camunda:out source="verdict" target="childVerdict" />
      ${mappings}
    </extensionElements>
  </callActivity>`;
}

async function deploy(rt: EngineRuntime, files: { key: string; xml: string }[]): Promise<string[]> {
  const d = await rt.deploy({ name: files[0]!.key, files: files.map((f) => ({ name: `${f.key}.bpmn`, xml: f.xml })), actor: admin() });
  return d.deployedProcessDefinitions.map((x) => x.id);
}

async function refusal(rt: EngineRuntime, key: string, xml: string): Promise<string> {
  try {
    await deploy(rt, [{ key, xml }]);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail("the deployment was accepted");
}

class Restarts {
  private opened: Database[] = [];
  readonly clock = new ManualClock(testApp().clock.now());
  private current: EngineRuntime = engine();

  async next(): Promise<EngineRuntime> {
    this.current.clearCaches();
    const { config } = testApp();
    const db = await openTestDatabase(config.databaseUrl);
    this.opened.push(db);
    const created = createApp({ config, db, logger: createLogger("silent"), clock: this.clock });
    this.current = created.locals.context.engine;
    return this.current;
  }

  async close(): Promise<void> {
    for (const db of this.opened) await db.close();
    initModels(testApp().db.sequelize);
  }
}

describe("call activities (calledElement, bindings, camunda:in / camunda:out, businessKey)", () => {
  isolateEngineTests();
  let boss: TestUser;
  before(async () => {
    boss = await buildUser({ roles: ["admin"] });
  });

  it("starts the child with the mapped variables and the business key; the child is visible from the parent; the parent goes on when it ends", async () => {
    const rt = engine();
    const childKey = `${uniq()}child`;
    const parentKey = `${uniq()}parent`;
    await deploy(rt, [{ key: childKey, xml: childXml(childKey) }]);
    await deploy(rt, [{ key: parentKey, xml: parentXml(parentKey, callActivity(childKey)) }]);
    const parent = await rt.startProcess({
      key: parentKey,
      businessKey: "BK-CALL-1",
      variables: { reviewer: "zhang", applicant: { name: "示范食品" }, secret: "不传" },
      actor: admin(),
    });
    assert.equal(parent.state, "ACTIVE");
    const [child] = await rt.findInstances({ processDefinitionKey: childKey, state: "ACTIVE", keyPrefix: childKey });
    assert.ok(child);
    assert.equal(child.superInstanceId, parent.id);
    assert.equal(child.businessKey, "BK-CALL-1");
    assert.deepEqual(child.variables, { officer: "zhang", applicantName: "示范食品" });

    // Camunda's superProcessInstance / subProcessInstance queries.
    const subs = await request(app())
      .get("/engine-rest/process-instance")
      .query({ superProcessInstance: parent.id })
      .auth(boss.username, boss.password)
      .expect(200);
    assert.deepEqual(
      (subs.body as { id: string }[]).map((i) => i.id),
      [child.id],
    );
    const sup = await request(app())
      .get("/engine-rest/process-instance")
      .query({ subProcessInstance: child.id })
      .auth(boss.username, boss.password)
      .expect(200);
    assert.deepEqual(
      (sup.body as { id: string }[]).map((i) => i.id),
      [parent.id],
    );
    const hist = await request(app())
      .get(`/engine-rest/history/process-instance/${child.id}`)
      .auth(boss.username, boss.password)
      .expect(200);
    assert.equal((hist.body as { superProcessInstanceId: string }).superProcessInstanceId, parent.id);

    // The console shows the link both ways.
    const agent = await loginAs(boss);
    const parentPage = await agent.get(`/admin/instances/${parent.id}`).expect(200);
    assert.match(parentPage.text, new RegExp(`data-testid="called-instances"[\\s\\S]*href="/admin/instances/${child.id}"`));
    const childPage = await agent.get(`/admin/instances/${child.id}`).expect(200);
    assert.match(childPage.text, new RegExp(`href="/admin/instances/${parent.id}" data-testid="super-instance"`));
    assert.match(childPage.text, /上级流程/);

    // The parent waits at the call activity, no task of its own.
    assert.equal((await rt.findTasks({ processInstanceId: parent.id })).length, 0);
    const [task] = await rt.findTasks({ processInstanceId: child.id });
    assert.equal(task?.assignee, "zhang");
    await rt.completeTask(task.id, { actor: "test", variables: { verdict: "通过", childOnly: 1 } });

    assert.equal((await rt.getInstance(child.id))?.state, "COMPLETED");
    const after = await rt.getInstance(parent.id);
    assert.equal(after?.state, "ACTIVE");
    assert.equal(after?.variables.childVerdict, "通过");
    assert.equal(after?.variables.childOnly, undefined, "only camunda:out mappings come back");
    assert.deepEqual(
      (await rt.findTasks({ processInstanceId: parent.id })).map((t) => t.taskDefinitionKey),
      ["after"],
    );
    const events = (await rt.history(parent.id)).filter((h) => h.activityId === "call");
    assert.deepEqual(events.map((h) => h.event).sort(), ["activity.end", "activity.start", "call.ended", "call.started"]);
    assert.equal(events.find((h) => h.event === "call.started")?.detail?.calledInstanceId, child.id);
  });

  it('variables="all" both ways, and a child that ends at once lets the parent pass in the same step', async () => {
    const rt = engine();
    const childKey = `${uniq()}child`;
    const parentKey = `${uniq()}parent`;
    await deploy(rt, [{ key: childKey, xml: childXml(childKey, null) }]);
    const call = `<callActivity id="call" name="直通" calledElement="\${target}"><extensionElements><camunda:in variables="all" /><camunda:out variables="all" /></extensionElements></callActivity>`;
    await deploy(rt, [{ key: parentKey, xml: parentXml(parentKey, call) }]);
    const parent = await rt.startProcess({ key: parentKey, variables: { target: childKey, a: 1 }, actor: admin() });
    assert.deepEqual(
      (await rt.findTasks({ processInstanceId: parent.id })).map((t) => t.taskDefinitionKey),
      ["after"],
    );
    const children = await rt.findInstances({ keyPrefix: childKey });
    assert.equal(children.length, 1);
    assert.equal(children[0]!.state, "COMPLETED");
    assert.deepEqual(children[0]!.variables, { target: childKey, a: 1 });
  });

  it("binding version and deployment call the version they name; latest the newest", async () => {
    const rt = engine();
    const childKey = `${uniq()}child`;
    const byVersion = `${uniq()}parent-v`;
    const byDeployment = `${uniq()}parent-d`;
    const byLatest = `${uniq()}parent-l`;
    // Version 1 of the child is deployed together with the deployment-bound parent; version 2 alone afterwards.
    await deploy(rt, [
      { key: byDeployment, xml: parentXml(byDeployment, callActivity(childKey, 'camunda:calledElementBinding="deployment"')) },
      { key: childKey, xml: childXml(childKey, "v1task") },
    ]);
    await deploy(rt, [{ key: childKey, xml: childXml(childKey, "v2task") }]);
    await deploy(rt, [
      {
        key: byVersion,
        xml: parentXml(byVersion, callActivity(childKey, 'camunda:calledElementBinding="version" camunda:calledElementVersion="1"')),
      },
    ]);
    await deploy(rt, [{ key: byLatest, xml: parentXml(byLatest, callActivity(childKey)) }]);
    const taskOf = async (key: string) => {
      const parent = await rt.startProcess({ key, variables: { reviewer: "li", applicant: { name: "x" } }, actor: admin() });
      const [child] = await rt.findInstances({ superProcessInstance: parent.id });
      return (await rt.findTasks({ processInstanceId: child!.id }))[0]?.taskDefinitionKey;
    };
    assert.equal(await taskOf(byVersion), "v1task");
    assert.equal(await taskOf(byDeployment), "v1task");
    assert.equal(await taskOf(byLatest), "v2task");
  });

  it("after a restart while the child waits, completing the child moves the parent on", async () => {
    const restarts = new Restarts();
    try {
      let rt = await restarts.next();
      const childKey = `${uniq()}child`;
      const parentKey = `${uniq()}parent`;
      await deploy(rt, [{ key: childKey, xml: childXml(childKey) }]);
      await deploy(rt, [{ key: parentKey, xml: parentXml(parentKey, callActivity(childKey)) }]);
      const parent = await rt.startProcess({ key: parentKey, variables: { reviewer: "wang", applicant: { name: "x" } }, actor: admin() });
      rt = await restarts.next();
      const [child] = await rt.findInstances({ superProcessInstance: parent.id });
      const [task] = await rt.findTasks({ processInstanceId: child!.id });
      rt = await restarts.next();
      await rt.completeTask(task!.id, { actor: "test", variables: { verdict: "退回" } });
      rt = await restarts.next();
      assert.equal((await rt.getInstance(parent.id))?.variables.childVerdict, "退回");
      assert.deepEqual(
        (await rt.findTasks({ processInstanceId: parent.id })).map((t) => t.taskDefinitionKey),
        ["after"],
      );
    } finally {
      await restarts.close();
    }
  });

  it("cancelling the parent cancels the child; the child alone cannot be cancelled while its parent waits; a boundary timer cancels the child", async () => {
    const rt = engine();
    const childKey = `${uniq()}child`;
    const parentKey = `${uniq()}parent`;
    await deploy(rt, [{ key: childKey, xml: childXml(childKey) }]);
    const extra = `<boundaryEvent id="late" attachedToRef="call"><timerEventDefinition><timeDuration>P3D</timeDuration></timerEventDefinition></boundaryEvent><sequenceFlow id="f4" sourceRef="late" targetRef="end" />`;
    await deploy(rt, [{ key: parentKey, xml: parentXml(parentKey, callActivity(childKey), extra) }]);
    const vars = { reviewer: "zhao", applicant: { name: "x" } };

    const p1 = await rt.startProcess({ key: parentKey, variables: vars, actor: admin() });
    const [c1] = await rt.findInstances({ superProcessInstance: p1.id });
    await assert.rejects(rt.cancelInstance(c1!.id, { actor: "test", reason: "x" }), /请取消上级流程实例/);
    await rt.cancelInstance(p1.id, { actor: "test", reason: "申请撤回" });
    assert.equal((await rt.getInstance(c1!.id))?.state, "EXTERNALLY_TERMINATED");
    assert.equal((await rt.findTasks({ processInstanceId: c1!.id })).length, 0);

    const p2 = await rt.startProcess({ key: parentKey, variables: vars, actor: admin() });
    const [c2] = await rt.findInstances({ superProcessInstance: p2.id });
    testApp().clock.advance(3 * 24 * 60 * 60 * 1000 + 1000);
    const fired = await rt.runDueJobs();
    assert.equal(fired, 1, JSON.stringify(await rt.findJobs({})));
    assert.equal((await rt.getInstance(p2.id))?.state, "COMPLETED");
    assert.equal((await rt.getInstance(c2!.id))?.state, "EXTERNALLY_TERMINATED");
  });

  it("a parallel multi-instance call activity starts one child per item, each with its item mapped in; the parent goes on after the last", async () => {
    const rt = engine();
    const childKey = `${uniq()}child`;
    const parentKey = `${uniq()}parent`;
    await deploy(rt, [{ key: childKey, xml: childXml(childKey) }]);
    const call = `<callActivity id="call" name="分别审查" calledElement="${childKey}">
      <multiInstanceLoopCharacteristics camunda:collection="\${items}" camunda:elementVariable="item" />
      <extensionElements><camunda:in sourceExpression="\${item}" target="officer" /></extensionElements>
    </callActivity>`;
    await deploy(rt, [{ key: parentKey, xml: parentXml(parentKey, call) }]);
    const parent = await rt.startProcess({ key: parentKey, variables: { items: ["a", "b"] }, actor: admin() });
    const children = await rt.findInstances({ superProcessInstance: parent.id });
    assert.equal(children.length, 2);
    const tasks = (await Promise.all(children.map((c) => rt.findTasks({ processInstanceId: c.id })))).flat();
    assert.deepEqual(tasks.map((t) => t.assignee).sort(), ["a", "b"]);
    await rt.completeTask(tasks[0]!.id, { actor: "test" });
    assert.equal((await rt.findTasks({ processInstanceId: parent.id })).length, 0);
    await rt.completeTask(tasks[1]!.id, { actor: "test" });
    assert.deepEqual(
      (await rt.findTasks({ processInstanceId: parent.id })).map((t) => t.taskDefinitionKey),
      ["after"],
    );
  });

  it("a called key that does not exist is a 400 in Chinese and nothing is stored", async () => {
    const rt = engine();
    const parentKey = `${uniq()}parent`;
    await deploy(rt, [{ key: parentKey, xml: parentXml(parentKey, callActivity(`${uniq()}missing`)) }]);
    await assert.rejects(
      rt.startProcess({ key: parentKey, variables: { reviewer: "x", applicant: {} }, actor: admin() }),
      (err: Error & { status?: number }) => {
        assert.equal(err.status, 400);
        assert.match(err.message, /调用活动「专项审查」（call）调用的流程 .* 不存在/);
        return true;
      },
    );
    assert.equal((await rt.findInstances({ keyPrefix: parentKey })).length, 0);
  });

  it("deploy refuses a call activity without calledElement, a version binding without a version, and mappings it cannot run", async () => {
    const rt = engine();
    const key = `${uniq()}refused`;
    assert.match(await refusal(rt, key, parentXml(key, '<callActivity id="call" name="调用" />')), /元素 call（调用）.*缺少被调用的流程/);
    assert.match(
      await refusal(
        rt,
        key,
        parentXml(key, '<callActivity id="call" name="调用" calledElement="x" camunda:calledElementBinding="version" />'),
      ),
      /calledElementVersion 必须是/,
    );
    assert.match(
      await refusal(
        rt,
        key,
        parentXml(
          key,
          '<callActivity id="call" name="调用" calledElement="x"><extensionElements><camunda:in source="a" /></extensionElements></callActivity>',
        ),
      ),
      /camunda:in 映射需要 target/,
    );
    assert.match(
      await refusal(
        rt,
        key,
        parentXml(key, '<callActivity id="call" name="调用" calledElement="x" camunda:calledElementBinding="versionTag" />'),
      ),
      /暂不支持按版本标签调用/,
    );
  });
});
