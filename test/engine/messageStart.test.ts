import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { EngineInstance } from "../../server/db/models/engineModels.js";
import { buildUser, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { admin, engine, fixture, isolateEngineTests } from "./helpers.js";

const app = () => testApp().app;
const bk = () => `BK-${randomBytes(5).toString("hex")}`;
const NS = `xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://xinyong.example/test"`;

/** A process started by the message `name` (one message start event, or one per name), then a review task. */
function messageStartXml(key: string, names: string[], extra = "") {
  const messages = names.map((n, i) => `<message id="Msg_${i}" name="${n}"/>`).join("");
  const starts = names
    .map(
      (_n, i) =>
        `<startEvent id="start${i}" name="收到申请${i}"><messageEventDefinition messageRef="Msg_${i}"/></startEvent>` +
        `<sequenceFlow id="fs${i}" sourceRef="start${i}" targetRef="review"/>`,
    )
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?><definitions ${NS} id="Def_${key}">${messages}<process id="${key}" name="消息启动测试" isExecutable="true">` +
    `${starts}${extra}<userTask id="review" name="审核" camunda:candidateGroups="scjgj"/>` +
    `<sequenceFlow id="f2" sourceRef="review" targetRef="end"/><endEvent id="end"/></process></definitions>`
  );
}

/** A unique name for this test (process keys, message names), cleaned up by isolateEngineTests. */
const uniq = (what: string) => fixture("message.bpmn").key(what);

function deploy(u: TestUser, fileName: string, xml: string) {
  return request(app())
    .post("/engine-rest/deployment/create")
    .auth(u.username, u.password)
    .field("deployment-name", fileName)
    .attach(fileName, Buffer.from(xml), { filename: fileName, contentType: "application/octet-stream" });
}

describe("message start events (POST /engine-rest/message starts an instance, as Camunda 7 does)", () => {
  isolateEngineTests();
  let deptAdmin: TestUser;
  let reviewer: TestUser;
  let otherDept: TestUser;
  before(async () => {
    deptAdmin = await buildUser({ roles: ["dept_admin", "reviewer"] });
    reviewer = await buildUser({ roles: ["reviewer"] });
    otherDept = await buildUser({ roles: ["reviewer"], department: "zjj" });
  });

  it("deploys, starts by message past the start event with the variables, and shows the start in the history", async () => {
    const key = uniq("apply");
    const name = uniq("application-received");
    await deploy(deptAdmin, "apply.bpmn", messageStartXml(key, [name])).expect(200);
    const businessKey = bk();
    const res = await request(app())
      .post("/engine-rest/message")
      .auth(reviewer.username, reviewer.password)
      .send({
        messageName: name,
        businessKey,
        processVariables: { amount: { value: 1200, type: "Integer" }, applicant: { value: "张三", type: "String" } },
        resultEnabled: true,
        variablesInResultEnabled: true,
      })
      .expect(200);
    assert.equal(res.body.length, 1);
    assert.equal(res.body[0].resultType, "ProcessDefinition");
    assert.equal(res.body[0].execution, null);
    const inst = res.body[0].processInstance as { id: string; businessKey: string; definitionId: string; ended: boolean };
    assert.equal(inst.businessKey, businessKey);
    assert.match(inst.definitionId, new RegExp(`^${key}:1:`));
    assert.equal(inst.ended, false);
    assert.deepEqual(res.body[0].variables.amount, { value: 1200, type: "Integer", valueInfo: {} });

    // Not waiting at the start: the review task is open, and no subscription was left for the start event.
    const tasks = await request(app())
      .get(`/engine-rest/task?processInstanceId=${inst.id}`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.deepEqual(
      tasks.body.map((t: { taskDefinitionKey: string }) => t.taskDefinitionKey),
      ["review"],
    );
    const vars = await request(app())
      .get(`/engine-rest/process-instance/${inst.id}/variables`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.equal(vars.body.applicant.value, "张三");
    assert.equal(vars.body.amount.value, 1200);

    const hist = await request(app())
      .get(`/engine-rest/history/process-instance/${inst.id}`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.equal(hist.body.startActivityId, "start0");
    assert.equal(hist.body.businessKey, businessKey);
    const acts = await request(app())
      .get(`/engine-rest/history/activity-instance?processInstanceId=${inst.id}`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    const start = (acts.body as { activityId: string; endTime: string | null; activityType: string }[]).find(
      (a) => a.activityId === "start0",
    );
    assert.ok(start?.endTime, "the message start event ended");
    const timeline = await request(app())
      .get(`/engine-rest/history/process-instance/${inst.id}/timeline`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.ok(
      (timeline.body as { event: string; activityId: string | null; detail: unknown }[]).some(
        (e) => e.event === "message.received" && e.activityId === "start0",
      ),
    );
    // The instance belongs to the starting officer's department, as a start by key does.
    const row = await EngineInstance.findByPk(inst.id);
    assert.ok(row?.departmentId);

    // Recovered from the database alone, it runs on to its end.
    engine().clearCaches();
    await request(app())
      .post(`/engine-rest/task/${tasks.body[0].id as string}/complete`)
      .auth(reviewer.username, reviewer.password)
      .send({ variables: {} })
      .expect(204);
    const done = await request(app())
      .get(`/engine-rest/history/process-instance/${inst.id}`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.equal(done.body.state, "COMPLETED");

    // Without resultEnabled: 204, and a second message starts a second instance.
    await request(app()).post("/engine-rest/message").auth(reviewer.username, reviewer.password).send({ messageName: name }).expect(204);
    assert.equal((await engine().findInstances({ keyPrefix: key })).length, 2);
  });

  it("starts the latest version, and process-definition/key/{key}/start starts at its only message start event", async () => {
    const key = uniq("versions");
    const name = uniq("go");
    await deploy(deptAdmin, "v.bpmn", messageStartXml(key, [name])).expect(200);
    await deploy(deptAdmin, "v.bpmn", messageStartXml(key, [name], "<!-- v2 -->")).expect(200);
    const res = await request(app())
      .post("/engine-rest/message")
      .auth(reviewer.username, reviewer.password)
      .send({ messageName: name, resultEnabled: true })
      .expect(200);
    assert.match(res.body[0].processInstance.definitionId, new RegExp(`^${key}:2:`));

    const byKey = await request(app())
      .post(`/engine-rest/process-definition/key/${key}/start`)
      .auth(reviewer.username, reviewer.password)
      .send({ businessKey: bk() })
      .expect(200);
    const tasks = await engine().findTasks({ processInstanceId: byKey.body.id });
    assert.deepEqual(
      tasks.map((t) => t.taskDefinitionKey),
      ["review"],
    );
  });

  it("lets a waiting intermediate catch win; with none waiting the message start event starts an instance", async () => {
    const f = fixture("message.bpmn");
    await deploy(deptAdmin, "message.bpmn", f.xml).expect(200);
    // Another process starts with the name the first one's catch event waits for.
    const key = uniq("starter");
    await deploy(deptAdmin, "starter.bpmn", messageStartXml(key, [f.key("paid")])).expect(200);
    const businessKey = bk();
    const waiting = await request(app())
      .post(`/engine-rest/process-definition/key/${f.key("message")}/start`)
      .auth(reviewer.username, reviewer.password)
      .send({ businessKey })
      .expect(200);
    const caught = await request(app())
      .post("/engine-rest/message")
      .auth(reviewer.username, reviewer.password)
      .send({ messageName: f.key("paid"), businessKey, resultEnabled: true })
      .expect(200);
    assert.equal(caught.body[0].resultType, "Execution");
    assert.equal(caught.body[0].processInstance.id, waiting.body.id);
    assert.equal((await engine().findInstances({ keyPrefix: key })).length, 0);
    const started = await request(app())
      .post("/engine-rest/message")
      .auth(reviewer.username, reviewer.password)
      .send({ messageName: f.key("paid"), businessKey: bk(), resultEnabled: true })
      .expect(200);
    assert.equal(started.body[0].resultType, "ProcessDefinition");
    assert.equal((await engine().findInstances({ keyPrefix: key })).length, 1);
  });

  it("refuses a message start name another process already starts with (Camunda refuses it at deploy)", async () => {
    const name = uniq("shared");
    const first = uniq("first");
    await deploy(deptAdmin, "first.bpmn", messageStartXml(first, [name])).expect(200);
    const second = uniq("second");
    const res = await deploy(deptAdmin, "second.bpmn", messageStartXml(second, [name])).expect(400);
    assert.equal(res.body.type, "ParseException");
    assert.match(res.body.message, new RegExp(`消息名称「${name}」已被流程 ${first} 的消息开始事件使用`));
    assert.equal(res.body.details["second.bpmn"].errors[0].mainElementId, "start0");
    assert.equal((await engine().findDefinitions({ key: second })).length, 0);
    // Two processes of one deployment, and two start events of one process, may not share a name either.
    const a = uniq("a");
    const b = uniq("b");
    const x = uniq("x");
    const both = await request(app())
      .post("/engine-rest/deployment/create")
      .auth(deptAdmin.username, deptAdmin.password)
      .field("deployment-name", "both")
      .attach("a.bpmn", Buffer.from(messageStartXml(a, [x])), { filename: "a.bpmn" })
      .attach("b.bpmn", Buffer.from(messageStartXml(b, [x])), { filename: "b.bpmn" })
      .expect(400);
    assert.match(both.body.message, new RegExp(`消息名称「${x}」已被流程 ${a} 的消息开始事件使用`));
    assert.equal((await engine().findDefinitions({ key: a })).length, 0);
    const twice = await deploy(deptAdmin, "twice.bpmn", messageStartXml(uniq("twice"), [name + "-2", name + "-2"])).expect(400);
    assert.match(twice.body.message, /多个消息开始事件使用消息名称/);
    // A new version of the same key keeps its name.
    await deploy(deptAdmin, "first.bpmn", messageStartXml(first, [name], "<!-- v2 -->")).expect(200);
  });

  it("refuses a message start event beside a none start event, naming the element", async () => {
    const key = uniq("mixed");
    const xml = messageStartXml(key, [uniq("m")], `<startEvent id="plain"/><sequenceFlow id="fp" sourceRef="plain" targetRef="review"/>`);
    const res = await deploy(deptAdmin, "mixed.bpmn", xml).expect(400);
    assert.equal(res.body.details["mixed.bpmn"].errors[0].mainElementId, "plain");
    assert.match(res.body.message, /消息开始事件的流程暂不能再有空开始事件/);
  });

  it("chooses among several message start events by the message; a start by key is then 400", async () => {
    const key = uniq("choice");
    const [m1, m2] = [uniq("by-mail"), uniq("by-web")];
    await deploy(deptAdmin, "choice.bpmn", messageStartXml(key, [m1, m2])).expect(200);
    const res = await request(app())
      .post("/engine-rest/message")
      .auth(reviewer.username, reviewer.password)
      .send({ messageName: m2, resultEnabled: true })
      .expect(200);
    const id = res.body[0].processInstance.id as string;
    const acts = await request(app())
      .get(`/engine-rest/history/activity-instance?processInstanceId=${id}`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.deepEqual(
      (acts.body as { activityId: string }[]).map((a) => a.activityId),
      ["start1", "review"],
    );
    const [task] = await engine().findTasks({ processInstanceId: id });
    await engine().completeTask(task!.id, { actor: admin() });
    assert.equal((await engine().getInstance(id))?.state, "COMPLETED");
    const byKey = await request(app())
      .post(`/engine-rest/process-definition/key/${key}/start`)
      .auth(reviewer.username, reviewer.password)
      .send({})
      .expect(400);
    assert.equal(byKey.body.type, "InvalidRequestException");
    assert.match(byKey.body.message, /POST \/engine-rest\/message/);
  });

  it("answers an unknown message with 400 in Camunda's error shape", async () => {
    const res = await request(app())
      .post("/engine-rest/message")
      .auth(reviewer.username, reviewer.password)
      .send({ messageName: uniq("nobody-knows"), businessKey: bk() })
      .expect(400);
    assert.equal(res.body.type, "InvalidRequestException");
    assert.match(res.body.message, /无法关联消息.*No process definition or execution matches the parameters/);
  });

  it("refuses a reviewer of another department the start of a department's process (403), as a start by key", async () => {
    const key = uniq("dept");
    const name = uniq("dept-msg");
    await deploy(deptAdmin, "dept.bpmn", messageStartXml(key, [name])).expect(200);
    const res = await request(app())
      .post("/engine-rest/message")
      .auth(otherDept.username, otherDept.password)
      .send({ messageName: name, businessKey: bk() })
      .expect(403);
    assert.equal(res.body.type, "AuthorizationException");
    assert.match(res.body.message, /由其他部门部署/);
    await request(app())
      .post(`/engine-rest/process-definition/key/${key}/start`)
      .auth(otherDept.username, otherDept.password)
      .send({})
      .expect(403);
    assert.equal((await engine().findInstances({ keyPrefix: key })).length, 0);
  });
});
