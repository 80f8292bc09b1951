import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { EngineRuntime } from "../../server/engine/index.js";
import { admin, engine, isolateEngineTests } from "./helpers.js";

const uniq = () => `t${randomBytes(4).toString("hex")}-`;
const NS =
  'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';

function processXml(key: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><definitions ${NS} id="d_${key.replace(/\W/g, "_")}" targetNamespace="http://x">
  <process id="${key}" name="映射" isExecutable="true">
    <startEvent id="start" /><sequenceFlow id="f1" sourceRef="start" targetRef="step" />
    ${body}
    <sequenceFlow id="f2" sourceRef="step" targetRef="after" />
    <userTask id="after" name="汇总" camunda:assignee="admin" /><sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <endEvent id="end" />
  </process></definitions>`;
}

async function deploy(rt: EngineRuntime, key: string, xml: string): Promise<void> {
  await rt.deploy({ name: key, files: [{ name: `${key}.bpmn`, xml }], actor: admin() });
}

async function refusal(rt: EngineRuntime, key: string, xml: string): Promise<string> {
  try {
    await deploy(rt, key, xml);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail("the deployment was accepted");
}

describe("camunda:inputOutput (FEEL or plain-path values) on tasks and sub-processes", () => {
  isolateEngineTests();

  it("a user task's inputs are its local variables (its assignee reads one); its outputs set process variables when it ends", async () => {
    const rt = engine();
    const key = `${uniq()}io-task`;
    const body = `<userTask id="step" name="审核" camunda:assignee="\${officer}" camunda:candidateGroups="\${groups[1]}">
      <extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="officer">\${applicant.contact}</camunda:inputParameter>
        <camunda:inputParameter name="label">固定文字</camunda:inputParameter>
        <camunda:inputParameter name="groups"><camunda:list><camunda:value>fgw</camunda:value><camunda:value>\${dept}</camunda:value></camunda:list></camunda:inputParameter>
        <camunda:inputParameter name="limit"><camunda:script scriptFormat="feel">amount * 2</camunda:script></camunda:inputParameter>
        <camunda:outputParameter name="result"><camunda:map><camunda:entry key="ok">\${approved}</camunda:entry><camunda:entry key="by">\${officer}</camunda:entry></camunda:map></camunda:outputParameter>
        <camunda:outputParameter name="overLimit"><camunda:script scriptFormat="feel">amount &gt; limit / 4</camunda:script></camunda:outputParameter>
      </camunda:inputOutput></extensionElements>
    </userTask>`;
    await deploy(rt, key, processXml(key, body));
    const inst = await rt.startProcess({ key, variables: { applicant: { contact: "zhou" }, dept: "scjgj", amount: 100 }, actor: admin() });
    const [task] = await rt.findTasks({ processInstanceId: inst.id });
    assert.equal(task?.assignee, "zhou");
    assert.deepEqual(task.candidateGroups, ["scjgj"]);
    // Inputs are local: not process variables.
    const running = await rt.getInstance(inst.id);
    assert.equal(running?.variables.officer, undefined);
    assert.equal(running?.variables.limit, undefined);

    await rt.completeTask(task.id, { actor: "test", variables: { approved: true } });
    const done = await rt.getInstance(inst.id);
    assert.deepEqual(done?.variables.result, { ok: true, by: "zhou" });
    assert.equal(done?.variables.overLimit, true, "100 > 200 / 4: the output reads the input limit");
    assert.equal(done?.variables.officer, undefined);
    assert.deepEqual(
      (await rt.findTasks({ processInstanceId: inst.id })).map((t) => t.taskDefinitionKey),
      ["after"],
    );
  });

  it("an internal service task sees its inputs; its outputs map the service's result", async () => {
    const rt = engine();
    const service = `ioEcho${randomBytes(3).toString("hex")}`;
    let seen: Record<string, unknown> = {};
    rt.services.register(service, async ({ variables }) => {
      await Promise.resolve();
      seen = variables;
      return { score: Number(variables.base) + 1 };
    });
    const key = `${uniq()}io-service`;
    const body = `<serviceTask id="step" name="计算" camunda:expression="\${services.${service}}">
      <extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="base"><camunda:script scriptFormat="feel">count + 10</camunda:script></camunda:inputParameter>
        <camunda:outputParameter name="finalScore">\${score}</camunda:outputParameter>
      </camunda:inputOutput></extensionElements>
    </serviceTask>`;
    await deploy(rt, key, processXml(key, body));
    const inst = await rt.startProcess({ key, variables: { count: 5 }, actor: admin() });
    assert.equal(seen.base, 15);
    assert.equal(inst.variables.finalScore, 16);
  });

  it("a sub-process's inputs are seen by the tasks inside it; its outputs set process variables", async () => {
    const rt = engine();
    const key = `${uniq()}io-sub`;
    const body = `<subProcess id="step" name="复核">
      <extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="checker">\${people.checker}</camunda:inputParameter>
        <camunda:outputParameter name="checkedBy">\${checker}</camunda:outputParameter>
      </camunda:inputOutput></extensionElements>
      <startEvent id="s" /><sequenceFlow id="s1" sourceRef="s" targetRef="inner" />
      <userTask id="inner" name="复核人审查" camunda:assignee="\${checker}" />
      <sequenceFlow id="s2" sourceRef="inner" targetRef="e" /><endEvent id="e" />
    </subProcess>`;
    await deploy(rt, key, processXml(key, body));
    const inst = await rt.startProcess({ key, variables: { people: { checker: "qian" } }, actor: admin() });
    const [task] = await rt.findTasks({ processInstanceId: inst.id });
    assert.equal(task?.assignee, "qian");
    await rt.completeTask(task.id, { actor: "test" });
    assert.equal((await rt.getInstance(inst.id))?.variables.checkedBy, "qian");
  });

  it("deploy refuses a script that is not FEEL, a FEEL syntax error and a parameter without a name, naming the element; listeners stay refused", async () => {
    const rt = engine();
    const key = `${uniq()}io-refused`;
    const io = (param: string) =>
      `<userTask id="step" name="审核"><extensionElements><camunda:inputOutput>${param}</camunda:inputOutput></extensionElements></userTask>`;
    assert.match(
      await refusal(
        rt,
        key,
        processXml(
          key,
          io('<camunda:inputParameter name="x"><camunda:script scriptFormat="javascript">1</camunda:script></camunda:inputParameter>'),
        ),
      ),
      /元素 step（审核）.*输入参数「x」的脚本只能是 FEEL/,
    );
    assert.match(
      await refusal(
        rt,
        key,
        processXml(
          key,
          io('<camunda:outputParameter name="y"><camunda:script scriptFormat="feel">a &gt;</camunda:script></camunda:outputParameter>'),
        ),
      ),
      /元素 step（审核）.*输出参数「y」的 FEEL 表达式有语法错误/,
    );
    assert.match(await refusal(rt, key, processXml(key, io("<camunda:inputParameter>1</camunda:inputParameter>"))), /输入参数缺少名称/);
    assert.match(
      await refusal(
        rt,
        key,
        processXml(
          key,
          '<userTask id="step" name="审核"><extensionElements><camunda:taskListener event="create" expression="${notify}"/></extensionElements></userTask>',
        ),
      ),
      /元素 step（审核）.*暂不支持任务监听器/,
    );
  });
});
