import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { AuditEntry } from "../../server/db/models/AuditEntry.js";
import { EngineDefinition, EngineDeployment, EngineInstance } from "../../server/db/models/engineModels.js";
import { buildUser, loginAs, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { createFormsOf, fixture, isolateEngineTests } from "./helpers.js";

const app = () => testApp().app;
const bk = () => `BK-${randomBytes(5).toString("hex")}`;

/** A deployment request shaped like Camunda Modeler's "Deploy to Camunda Platform 7". */
function modelerDeploy(u: TestUser, fileName: string, xml: string | Buffer, name = "diagram") {
  return request(app())
    .post("/engine-rest/deployment/create")
    .auth(u.username, u.password)
    .field("deployment-name", name)
    .field("deployment-source", "Camunda Modeler")
    .field("deploy-changed-only", "true")
    .attach(fileName, Buffer.isBuffer(xml) ? xml : Buffer.from(xml), { filename: fileName, contentType: "application/octet-stream" });
}

describe("engine REST API (/engine-rest, Camunda 7 shapes)", () => {
  isolateEngineTests();
  let deptAdmin: TestUser;
  let reviewer: TestUser;
  let reviewer2: TestUser;
  let other: TestUser;
  let admin: TestUser;
  before(async () => {
    deptAdmin = await buildUser({ roles: ["dept_admin", "reviewer"] });
    reviewer = await buildUser({ roles: ["reviewer"] });
    reviewer2 = await buildUser({ roles: ["reviewer"] });
    other = await buildUser({ roles: ["reviewer"], department: "zjj" });
    admin = await buildUser({ roles: ["admin"] });
  });

  it("accepts a Camunda-Modeler-shaped multipart deployment and answers with deployedProcessDefinitions", async () => {
    const f = fixture("review.bpmn");
    await createFormsOf(f.xml);
    const res = await modelerDeploy(deptAdmin, "review.bpmn", f.xml, "审核流程").expect(200);
    assert.equal(res.body.name, "审核流程");
    assert.equal(res.body.source, "Camunda Modeler");
    assert.match(res.body.deploymentTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const defs = Object.values(
      res.body.deployedProcessDefinitions as Record<string, { key: string; version: number; deploymentId: string }>,
    );
    assert.equal(defs.length, 1);
    assert.equal(defs[0]!.key, f.key("review"));
    assert.equal(defs[0]!.version, 1);
    assert.equal(defs[0]!.deploymentId, res.body.id);
    // deploy-changed-only: the same file again deploys nothing new
    const again = await modelerDeploy(deptAdmin, "review.bpmn", f.xml).expect(200);
    assert.equal(again.body.deployedProcessDefinitions, null);
    const list = await request(app())
      .get(`/engine-rest/process-definition?key=${f.key("review")}&latestVersion=true`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.equal(list.body.length, 1);
    const xml = await request(app())
      .get(`/engine-rest/process-definition/key/${f.key("review")}/xml`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.equal(xml.body.bpmn20Xml, f.xml);
  });

  it("refuses deployment to a reviewer (403, Camunda error shape)", async () => {
    const res = await modelerDeploy(reviewer, "review.bpmn", fixture("review.bpmn").xml).expect(403);
    assert.equal(res.body.type, "AuthorizationException");
    assert.ok(res.body.message);
  });

  const hostile: [string, string, RegExp, string | null][] = [
    ["a script task", "hostile-script-task.bpmn", /脚本任务/, "evil"],
    ["a javascript condition", "hostile-js-condition.bpmn", /javascript/, "fEvil"],
    ["an XML bomb (entity expansion)", "hostile-xml-bomb.bpmn", /DOCTYPE/, null],
    ["a process that is not executable", "not-executable.bpmn", /没有可执行的流程/, null],
    ["a disconnected task and an unparsable timer", "broken.bpmn", /orphan|30 days/, "orphan"],
  ];
  for (const [what, file, message, element] of hostile) {
    it(`refuses ${what} with an element-level message and stores nothing`, async () => {
      const f = fixture(file);
      const before = { defs: await EngineDefinition.count(), deployments: await EngineDeployment.count() };
      const res = await modelerDeploy(deptAdmin, file, f.xml).expect(400);
      assert.equal(res.body.type, "ParseException");
      assert.match(res.body.message, message);
      if (element) {
        const errors = res.body.details[file].errors as { mainElementId: string; message: string }[];
        assert.ok(
          errors.some((e) => e.mainElementId === element && e.message.includes(element)),
          JSON.stringify(errors),
        );
      }
      assert.equal(await EngineDefinition.count(), before.defs);
      assert.equal(await EngineDeployment.count(), before.deployments);
    });
  }

  it("refuses a file that is not XML (400) and a 20 MB upload (413), storing nothing", async () => {
    const before = await EngineDeployment.count();
    const notXml = await modelerDeploy(deptAdmin, "notes.bpmn", "这不是 BPMN，只是一段文字").expect(400);
    assert.match(notXml.body.message, /不是 XML/);
    const huge = Buffer.alloc(20 * 1024 * 1024, 0x20);
    huge.write('<?xml version="1.0"?><definitions>', 0);
    const res = await modelerDeploy(deptAdmin, "huge.bpmn", huge).ok(() => true);
    assert.equal(res.status, 413);
    assert.equal(res.body.type, "InvalidRequestException");
    assert.equal(await EngineDeployment.count(), before);
  });

  it("runs tasks over REST: typed variables, visibility, claim, 403 for someone else's task, 404 when completed", async () => {
    const f = fixture("review.bpmn");
    await createFormsOf(f.xml);
    await modelerDeploy(deptAdmin, "review.bpmn", f.xml).expect(200);
    const businessKey = bk();
    const started = await request(app())
      .post(`/engine-rest/process-definition/key/${f.key("review")}/start`)
      .auth(reviewer.username, reviewer.password)
      .send({
        businessKey,
        variables: {
          amount: { value: 5000, type: "Integer" },
          applicant: { value: "zhang", type: "String" },
          meta: { value: '{"a":1}', type: "Json" },
        },
        withVariablesInReturn: true,
      })
      .expect(200);
    assert.equal(started.body.businessKey, businessKey);
    assert.equal(started.body.ended, false);
    assert.deepEqual(started.body.variables.amount, { type: "Integer", value: 5000, valueInfo: {} });
    assert.deepEqual(started.body.variables.meta, { type: "Json", value: '{"a":1}', valueInfo: {} });
    const id = started.body.id as string;

    await request(app())
      .post(`/engine-rest/process-definition/key/${f.key("review")}/start`)
      .auth(reviewer.username, reviewer.password)
      .send({ variables: { n: { value: "x", type: "Integer" } } })
      .expect(400);

    const mine = await request(app())
      .get(`/engine-rest/task?processInstanceId=${id}`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.equal(mine.body.length, 1);
    const task = mine.body[0] as { id: string; taskDefinitionKey: string; formKey: string; due: string; candidateGroups: string[] };
    assert.equal(task.taskDefinitionKey, "review");
    assert.deepEqual(task.candidateGroups, ["scjgj"]);
    const count = await request(app())
      .get(`/engine-rest/task/count?candidateGroup=scjgj&processInstanceId=${id}`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.equal(count.body.count, 1);
    const hidden = await request(app()).get(`/engine-rest/task?processInstanceId=${id}`).auth(other.username, other.password).expect(200);
    assert.equal(hidden.body.length, 0, "a reviewer of another department does not see the task");
    await request(app()).get(`/engine-rest/task/${task.id}`).auth(other.username, other.password).expect(404);
    const vars = await request(app())
      .get(`/engine-rest/task/${task.id}/form-variables`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.equal(vars.body.applicant.value, "zhang");

    await request(app())
      .post(`/engine-rest/task/${task.id}/claim`)
      .auth(reviewer.username, reviewer.password)
      .send({ userId: reviewer.username })
      .expect(204);
    const before = await EngineInstance.findByPk(id);
    const refused = await request(app())
      .post(`/engine-rest/task/${task.id}/complete`)
      .auth(reviewer2.username, reviewer2.password)
      .send({ variables: { approved: { value: true, type: "Boolean" } } })
      .expect(403);
    assert.equal(refused.body.type, "AuthorizationException");
    const after = await EngineInstance.findByPk(id);
    assert.equal(after?.version, before?.version, "the instance is untouched");

    await request(app())
      .post(`/engine-rest/task/${task.id}/complete`)
      .auth(reviewer.username, reviewer.password)
      .send({ variables: { approved: { value: true, type: "Boolean" } } })
      .expect(204);
    const gone = await request(app())
      .post(`/engine-rest/task/${task.id}/complete`)
      .auth(reviewer.username, reviewer.password)
      .send({})
      .expect(404);
    assert.equal(gone.body.type, "InvalidRequestException");
    assert.ok(await AuditEntry.findOne({ where: { action: "task.completed", entityId: task.id, actor: reviewer.username } }));

    const [confirm] = (
      await request(app()).get(`/engine-rest/task?processInstanceId=${id}`).auth(admin.username, admin.password).expect(200)
    ).body as { id: string; assignee: string }[];
    assert.equal(confirm?.assignee, "zhang");

    const hist = await request(app())
      .get(`/engine-rest/history/process-instance/${id}`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.equal(hist.body.state, "ACTIVE");
    await request(app())
      .delete(`/engine-rest/process-instance/${id}?deleteReason=${encodeURIComponent("测试取消")}`)
      .auth(deptAdmin.username, deptAdmin.password)
      .expect(204);
    const ended = await request(app())
      .get(`/engine-rest/history/process-instance?processInstanceBusinessKey=${businessKey}`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.equal(ended.body[0].state, "EXTERNALLY_TERMINATED");
    assert.equal(ended.body[0].deleteReason, "测试取消");
    const acts = await request(app())
      .get(`/engine-rest/history/activity-instance?processInstanceId=${id}`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    const review = (acts.body as { activityId: string; activityType: string; endTime: string | null }[]).find(
      (a) => a.activityId === "review",
    );
    assert.equal(review?.activityType, "userTask");
    assert.ok(review?.endTime);
    await request(app()).get(`/engine-rest/process-instance/${id}`).auth(reviewer.username, reviewer.password).expect(404);
  });

  it("correlates a message over REST and answers 400 when nothing waits for it", async () => {
    const f = fixture("message.bpmn");
    await modelerDeploy(deptAdmin, "message.bpmn", f.xml).expect(200);
    const businessKey = bk();
    const started = await request(app())
      .post(`/engine-rest/process-definition/key/${f.key("message")}/start`)
      .auth(reviewer.username, reviewer.password)
      .send({ businessKey })
      .expect(200);
    const none = await request(app())
      .post("/engine-rest/message")
      .auth(reviewer.username, reviewer.password)
      .send({ messageName: f.key("paid"), businessKey: "nobody" })
      .expect(400);
    assert.equal(none.body.type, "InvalidRequestException");
    assert.match(none.body.message, /无法关联消息/);
    await request(app())
      .post("/engine-rest/message")
      .auth(reviewer.username, reviewer.password)
      .send({ messageName: f.key("paid"), businessKey, processVariables: { paid: { value: 12.5, type: "Double" } } })
      .expect(204);
    const res = await request(app())
      .post("/engine-rest/message")
      .auth(reviewer.username, reviewer.password)
      .send({ messageName: f.key("confirmed"), businessKey, resultEnabled: true })
      .expect(200);
    assert.equal(res.body[0].processInstance.id, started.body.id);
    const hist = await request(app())
      .get(`/engine-rest/history/process-instance/${started.body.id as string}`)
      .auth(reviewer.username, reviewer.password)
      .expect(200);
    assert.equal(hist.body.state, "COMPLETED");
  });

  it("asks session callers for the CSRF token and accepts it in X-CSRF-Token", async () => {
    const f = fixture("message.bpmn");
    await modelerDeploy(deptAdmin, "message.bpmn", f.xml).expect(200);
    const agent = await loginAs(reviewer);
    await agent
      .post(`/engine-rest/process-definition/key/${f.key("message")}/start`)
      .send({})
      .expect(403);
    const ok = await agent
      .post(`/engine-rest/process-definition/key/${f.key("message")}/start`)
      .set("X-CSRF-Token", agent.csrf)
      .send({ businessKey: bk() })
      .expect(200);
    assert.ok(ok.body.id);
  });

  it("publishes an OpenAPI document of what it implements", async () => {
    const res = await request(app()).get("/engine-rest/openapi.json").expect(200);
    assert.equal(res.body.openapi, "3.0.3");
    for (const p of [
      "/deployment/create",
      "/task/{id}/complete",
      "/external-task/fetchAndLock",
      "/message",
      "/history/process-instance",
      "/job/{id}/retries",
    ]) {
      assert.ok(res.body.paths[p], p);
    }
  });
});
