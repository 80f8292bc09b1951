import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { admin, engine, isolateEngineTests } from "./helpers.js";

const NS =
  'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="http://x"';
const uniq = () => `p-${randomBytes(4).toString("hex")}`;

/** start -> gateway -(condition)-> endYes, default -> endNo. */
const branching = (key: string, condition: string) =>
  `<?xml version="1.0"?><definitions ${NS} id="d"><process id="${key}" isExecutable="true"><startEvent id="s"/>` +
  `<exclusiveGateway id="g" default="no"/><endEvent id="endYes"/><endEvent id="endNo"/><sequenceFlow id="f0" sourceRef="s" targetRef="g"/>` +
  `<sequenceFlow id="yes" sourceRef="g" targetRef="endYes">${condition}</sequenceFlow><sequenceFlow id="no" sourceRef="g" targetRef="endNo"/>` +
  `</process></definitions>`;

const refusal = async (xml: string): Promise<string> => {
  const err = await engine()
    .deploy({ name: "t", files: [{ name: "t.bpmn", xml }], actor: admin() })
    .then(
      () => null,
      (e: unknown) => e as { errors?: { message: string }[] },
    );
  assert.ok(err, "the deployment was accepted");
  return JSON.stringify(err.errors ?? err);
};

describe("engine: deploy answers for the BPMN real tools write", () => {
  isolateEngineTests();

  for (const uri of [
    "https://www.omg.org/spec/DMN/20191111/FEEL/",
    "http://www.omg.org/spec/DMN/20180521/FEEL/",
    "https://www.omg.org/spec/DMN/20191111/FEEL",
    "http://www.omg.org/spec/FEEL/20140401",
  ]) {
    it(`accepts and evaluates a condition in FEEL named by ${uri}`, async () => {
      const key = uniq();
      const cond = `<conditionExpression xsi:type="tFormalExpression" language="${uri}">amount &gt; 100</conditionExpression>`;
      await engine().deploy({ name: "t", files: [{ name: "t.bpmn", xml: branching(key, cond) }], actor: admin() });
      const big = await engine().startProcess({ key, variables: { amount: 500 }, actor: admin() });
      const small = await engine().startProcess({ key, variables: { amount: 5 }, actor: admin() });
      const endOf = async (id: string) =>
        (await engine().history(id))
          .filter((h) => h.event === "activity.end" && h.activityType === "bpmn:EndEvent")
          .map((h) => h.activityId);
      assert.deepEqual(await endOf(big.id), ["endYes"]);
      assert.deepEqual(await endOf(small.id), ["endNo"]);
    });
  }

  it("refuses an empty condition with a message that says what to write", async () => {
    const empty = await refusal(branching(uniq(), '<conditionExpression xsi:type="tFormalExpression"></conditionExpression>'));
    assert.match(empty, /yes.*条件为空.*FEEL/);
    const emptyFeel = await refusal(
      branching(uniq(), '<conditionExpression xsi:type="tFormalExpression" language="feel">  </conditionExpression>'),
    );
    assert.match(emptyFeel, /FEEL 条件为空/);
  });

  it("refuses an incomplete FEEL condition (feelin's 'Incomplete' error) as a syntax error naming the flow", async () => {
    const incomplete = await refusal(
      branching(uniq(), '<conditionExpression xsi:type="tFormalExpression" language="feel">amount &gt;=</conditionExpression>'),
    );
    assert.match(incomplete, /yes.*FEEL 条件有语法错误/);
  });

  it("names the old namespace of a pre-2010 BPMN file instead of 'failed to parse document'", async () => {
    const old = `<?xml version="1.0"?><definitions xmlns="http://schema.omg.org/spec/BPMN/2.0" targetNamespace="x" id="d"><process id="${uniq()}" isExecutable="true"><startEvent id="s"/></process></definitions>`;
    const message = await refusal(old);
    assert.match(message, /http:\/\/schema\.omg\.org\/spec\/BPMN\/2\.0/);
    assert.match(message, /20100524\/MODEL/);
    assert.doesNotMatch(message, /failed to parse/);
  });

  it("deploys a collaboration with one executable pool and runs only that pool (the partner pool is context)", async () => {
    const key = uniq();
    const xml =
      `<?xml version="1.0"?><definitions ${NS} id="d"><collaboration id="c"><participant id="office" name="信用办" processRef="${key}"/>` +
      `<participant id="partner" name="申请人" processRef="${key}-partner"/></collaboration>` +
      `<process id="${key}" isExecutable="true"><startEvent id="s"/><endEvent id="e"/><sequenceFlow id="f0" sourceRef="s" targetRef="e"/></process>` +
      `<process id="${key}-partner" isExecutable="false"><task id="sketch" name="只画了一个任务"/></process></definitions>`;
    const deployed = await engine().deploy({ name: "t", files: [{ name: "t.bpmn", xml }], actor: admin() });
    assert.deepEqual(
      deployed.deployedProcessDefinitions.map((d) => d.key),
      [key],
    );
    const started = await engine().startProcess({ key, actor: admin() });
    assert.equal(started.state, "COMPLETED");
    assert.ok(!(await engine().history(started.id)).some((h) => h.activityId === "sketch"));
  });
});

describe("engine: what it cannot run yet is refused at deploy, naming the element (never deployed to fail later)", () => {
  isolateEngineTests();
  const CAMUNDA = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';
  const around = (key: string, inner: string, extra = "") =>
    `<?xml version="1.0"?><definitions ${NS} ${CAMUNDA} id="d">${extra}<process id="${key}" isExecutable="true">` +
    `<startEvent id="s"/>${inner}<endEvent id="e"/><sequenceFlow id="f0" sourceRef="s" targetRef="x"/><sequenceFlow id="f1" sourceRef="x" targetRef="e"/>` +
    `</process></definitions>`;

  const cases: [string, string, RegExp][] = [
    [
      "a multi-instance user task with neither a collection nor a cardinality",
      `<userTask id="x" name="会签"><multiInstanceLoopCharacteristics isSequential="false"></multiInstanceLoopCharacteristics></userTask>`,
      /元素 x（会签）.*多实例缺少实例数/,
    ],
    ["a call activity without a called process", `<callActivity id="x" name="调用"/>`, /元素 x（调用）.*调用活动缺少被调用的流程/],
    [
      "a camunda:inputOutput parameter whose script is not FEEL",
      `<task id="x" name="映射"><extensionElements><camunda:inputOutput><camunda:inputParameter name="a"><camunda:script scriptFormat="groovy">1</camunda:script></camunda:inputParameter></camunda:inputOutput></extensionElements></task>`,
      /元素 x（映射）.*输入参数「a」的脚本只能是 FEEL/,
    ],
    [
      "an execution listener",
      `<task id="x" name="监听"><extensionElements><camunda:executionListener event="start" delegateExpression="\${logger}"/></extensionElements></task>`,
      /元素 x（监听）.*执行监听器/,
    ],
    [
      "a task listener",
      `<userTask id="x" name="任务监听"><extensionElements><camunda:taskListener event="create" expression="\${notify}"/></extensionElements></userTask>`,
      /元素 x（任务监听）.*任务监听器/,
    ],
  ];
  for (const [name, inner, expected] of cases) {
    it(`refuses ${name}`, async () => {
      assert.match(await refusal(around(uniq(), inner)), expected);
    });
  }

  it("refuses a message start event beside a none start event, naming the none start", async () => {
    const key = uniq();
    const xml =
      `<?xml version="1.0"?><definitions ${NS} id="d"><message id="m" name="apply-${key}"/><process id="${key}" isExecutable="true">` +
      `<startEvent id="s0"/><startEvent id="s" name="收到申请"><messageEventDefinition messageRef="m"/></startEvent><endEvent id="e"/>` +
      `<sequenceFlow id="f0" sourceRef="s" targetRef="e"/><sequenceFlow id="f1" sourceRef="s0" targetRef="e"/>` +
      `</process></definitions>`;
    assert.match(await refusal(xml), /元素 s0.*消息开始事件的流程暂不能再有空开始事件/);
  });
});
