import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { AuditEntry } from "../../server/db/models/AuditEntry.js";
import { Commitment } from "../../server/db/models/Commitment.js";
import { EngineDefinition, EngineInstance } from "../../server/db/models/engineModels.js";
import { buildUser, loginAs, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, ensureShippedForms } from "../domain/commitments/fixtures.js";
import { fixture, isolateEngineTests, createFormsOf } from "../engine/helpers.js";

const app = () => testApp().app;
const engine = () => testApp().app.locals.context.engine;

const as = (u: TestUser) => ({
  get: (url: string) => request(app()).get(`/engine-rest${url}`).auth(u.username, u.password),
  post: (url: string, body: object = {}) => request(app()).post(`/engine-rest${url}`).auth(u.username, u.password).send(body),
  delete: (url: string) => request(app()).delete(`/engine-rest${url}`).auth(u.username, u.password),
});

const hasChinese = (s: unknown) => typeof s === "string" && /[\u4e00-\u9fff]/.test(s);

async function openTask(code: string, activity: string) {
  const [task] = await engine().findTasks({ businessKey: code, taskDefinitionKey: activity });
  assert.ok(task, `no ${activity} task for ${code}`);
  return task;
}

describe("security: /engine-rest obeys the same rules as the pages", () => {
  isolateEngineTests();
  let itemCode: string;
  let ownReviewer: TestUser;
  let ownDeptAdmin: TestUser;
  let otherReviewer: TestUser;
  let otherDeptAdmin: TestUser;
  let auditor: TestUser;
  let admin: TestUser;
  before(async () => {
    await ensureShippedForms();
    itemCode = await buildPublishedItem("scjgj");
    ownReviewer = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    ownDeptAdmin = await buildUser({ roles: ["dept_admin", "reviewer"], department: "scjgj" });
    otherReviewer = await buildUser({ roles: ["reviewer"], department: "zjj" });
    otherDeptAdmin = await buildUser({ roles: ["dept_admin", "reviewer"], department: "zjj" });
    auditor = await buildUser({ roles: ["auditor"], department: null });
    admin = await buildUser({ roles: ["admin"] });
  });

  it("refuses starting the commitment process through /engine-rest to everyone, with another department's code as business key or not", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const before = await EngineInstance.count({ where: { definitionKey: "commitment" } });
    for (const u of [otherReviewer, otherDeptAdmin, ownReviewer, admin]) {
      const res = await as(u).post("/process-definition/key/commitment/start", {
        businessKey: code,
        variables: { departmentCode: { value: "zjj", type: "String" } },
      });
      assert.equal(res.status, 403, `${u.username}: ${res.status}`);
      assert.equal(res.body.type, "AuthorizationException");
      assert.ok(hasChinese(res.body.message));
      assert.match(res.body.message, /办事大厅/);
    }
    const def = await EngineDefinition.findOne({ where: { key: "commitment" }, order: [["version", "DESC"]] });
    const byId = await as(otherReviewer).post(`/process-definition/${def!.id}/start`, { businessKey: code });
    assert.equal(byId.status, 403);
    assert.equal(await EngineInstance.count({ where: { definitionKey: "commitment" } }), before);
  });

  it("answers 404 (or an empty list) to another department's reviewer, dept_admin and to an auditor on every read of a case's instance and task", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const task = await openTask(code, "reviewTask");
    const id = task.processInstanceId;
    for (const u of [otherReviewer, otherDeptAdmin, auditor]) {
      const who = u.username;
      for (const url of [
        `/process-instance/${id}`,
        `/process-instance/${id}/variables`,
        `/history/process-instance/${id}`,
        `/history/process-instance/${id}/timeline`,
      ]) {
        const res = await as(u).get(url);
        assert.equal(res.status, 404, `${who} GET ${url}: ${res.status}`);
        assert.ok(hasChinese(res.body.message), url);
      }
      for (const url of [`/process-instance?businessKey=${code}`, `/history/process-instance?processInstanceBusinessKey=${code}`]) {
        const res = await as(u).get(url).expect(200);
        assert.deepEqual(res.body, [], `${who} GET ${url}`);
      }
      assert.deepEqual((await as(u).get(`/process-instance/count?businessKey=${code}`).expect(200)).body, { count: 0 });
      assert.deepEqual((await as(u).get(`/history/activity-instance?processInstanceId=${id}`).expect(200)).body, []);
      if (u !== auditor) {
        // Auditors are refused the task API by role; staff of another department do not see the task.
        for (const url of [`/task/${task.id}`, `/task/${task.id}/variables`, `/task/${task.id}/form-variables`]) {
          assert.equal((await as(u).get(url)).status, 404, `${who} GET ${url}`);
        }
        assert.deepEqual((await as(u).get(`/task?processInstanceId=${id}`).expect(200)).body, []);
      }
    }
    // The owning department sees it.
    await as(ownReviewer).get(`/process-instance/${id}`).expect(200);
    await as(ownDeptAdmin).get(`/history/process-instance/${id}`).expect(200);
    assert.equal((await as(ownReviewer).get(`/process-instance?businessKey=${code}`).expect(200)).body.length, 1);
  });

  it("lists a case's timer jobs and incidents to its own department only, and hides its console page from another department", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const task = await openTask(code, "reviewTask");
    await as(ownReviewer)
      .post(`/task/${task.id}/complete`, { variables: { decision: { value: "approve" } } })
      .expect(204);
    const id = task.processInstanceId;
    const own = await as(ownDeptAdmin).get(`/job?processInstanceId=${id}`).expect(200);
    assert.ok((own.body as unknown[]).length >= 1, "the approved case waits on its verification timer");
    for (const u of [otherReviewer, otherDeptAdmin, auditor]) {
      assert.deepEqual((await as(u).get(`/job?processInstanceId=${id}`).expect(200)).body, [], u.username);
      assert.deepEqual((await as(u).get(`/job/count?processInstanceId=${id}`).expect(200)).body, { count: 0 });
      assert.deepEqual((await as(u).get(`/incident?processInstanceId=${id}`).expect(200)).body, []);
    }
    const console = await loginAs(otherDeptAdmin);
    await console.get(`/admin/instances/${id}`).expect(404);
    await console.get(`/admin/instances/${id}/diagram.json`).expect(404);
    const list = await console.get(`/admin/instances?businessKey=${code}`).expect(200);
    assert.doesNotMatch(list.text, new RegExp(`/admin/instances/${id}`));
    const cancel = await console.post(`/admin/instances/${id}/cancel`).type("form").send({ _csrf: console.csrf, reason: "越权取消" });
    assert.equal(cancel.status, 404);
    assert.equal((await EngineInstance.findByPk(id))?.state, "ACTIVE");
    const mine = await loginAs(ownDeptAdmin);
    assert.match((await mine.get(`/admin/instances?businessKey=${code}`).expect(200)).text, new RegExp(`/admin/instances/${id}`));
  });

  it("answers 404 to another department on every write of a case's task and instance, and changes nothing", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const task = await openTask(code, "reviewTask");
    const before = await EngineInstance.findByPk(task.processInstanceId);
    for (const u of [otherReviewer, otherDeptAdmin]) {
      for (const [url, body] of [
        [`/task/${task.id}/claim`, { userId: u.username }],
        [`/task/${task.id}/unclaim`, {}],
        [`/task/${task.id}/assignee`, { userId: u.username }],
        [`/task/${task.id}/complete`, { variables: { decision: { value: "reject" }, comment: { value: "x" } } }],
        [`/task/${task.id}/submit-form`, { variables: { decision: { value: "approve" } } }],
      ] as const) {
        const res = await as(u).post(url, body);
        assert.equal(res.status, 404, `${u.username} POST ${url}: ${res.status}`);
      }
    }
    const del = await as(otherDeptAdmin).delete(`/process-instance/${task.processInstanceId}?deleteReason=x`);
    assert.equal(del.status, 404);
    const after = await EngineInstance.findByPk(task.processInstanceId);
    assert.equal(after?.version, before?.version);
    assert.equal(after?.state, "ACTIVE");
    assert.equal((await Commitment.findOne({ where: { code } }))!.status, "审查中");
  });

  it("runs the review form's rules for a decision made through /engine-rest and records the authenticated user, never a variable", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const task = await openTask(code, "reviewTask");
    const noReason = await as(ownReviewer).post(`/task/${task.id}/complete`, {
      variables: { decision: { value: "reject", type: "String" } },
    });
    assert.equal(noReason.status, 400);
    assert.ok(hasChinese(noReason.body.message));
    assert.equal((await Commitment.findOne({ where: { code } }))!.status, "审查中");

    const bogus = await as(ownReviewer).post(`/task/${task.id}/complete`, {
      variables: { decision: { value: "wave-through", type: "String" } },
    });
    assert.equal(bogus.status, 400, "a value the review form does not offer is refused");

    await as(ownReviewer)
      .post(`/task/${task.id}/complete`, {
        variables: {
          decision: { value: "reject", type: "String" },
          comment: { value: "材料不实", type: "String" },
          reviewedBy: { value: "mallory", type: "String" },
        },
      })
      .expect(204);
    const c = await Commitment.findOne({ where: { code } });
    assert.equal(c!.status, "不予受理");
    assert.equal(c!.decidedBy, ownReviewer.username);
    const entry = await AuditEntry.findOne({ where: { action: "commitment.rejected", entityId: code } });
    assert.equal(entry?.actor, ownReviewer.username);
  });

  it("does not let /engine-rest/message reach another department's instance, nor a flow module's own messages", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const task = await openTask(code, "reviewTask");
    await as(ownReviewer)
      .post(`/task/${task.id}/complete`, { variables: { decision: { value: "return" }, comment: { value: "请补正" } } })
      .expect(204);
    const waiting = await EngineInstance.findByPk(task.processInstanceId);
    const message = {
      messageName: "commitmentResubmitted",
      businessKey: code,
      processVariables: { departmentCode: { value: "zjj", type: "String" } },
    };
    const other = await as(otherReviewer).post("/message", message);
    assert.equal(other.status, 400, "another department's instance is as if nothing waited");
    const byId = await as(otherDeptAdmin).post("/message", { ...message, businessKey: null, processInstanceId: task.processInstanceId });
    assert.equal(byId.status, 400);
    const own = await as(ownReviewer).post("/message", message);
    assert.equal(own.status, 403, "the commitment flow takes its resubmission from the applicant's page only");
    assert.match(own.body.message, /告知承诺/);
    const after = await EngineInstance.findByPk(task.processInstanceId);
    assert.equal(after?.version, waiting?.version);
    assert.equal((JSON.parse(after!.variables!) as { departmentCode: string }).departmentCode, "scjgj");
  });

  it("lets the owning department's dept_admin cancel a case's process: the case shows 已终止 with the reason", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const task = await openTask(code, "reviewTask");
    await as(ownReviewer).delete(`/process-instance/${task.processInstanceId}`).expect(403); // a reviewer is not a dept_admin
    await as(ownDeptAdmin)
      .delete(`/process-instance/${task.processInstanceId}?deleteReason=${encodeURIComponent("申请人已注销")}`)
      .expect(204);
    const c = await Commitment.findOne({ where: { code } });
    assert.equal(c!.status, "已终止");
    assert.equal(c!.decisionComment, "申请人已注销");
    const entry = await AuditEntry.findOne({ where: { action: "commitment.terminated", entityId: code } });
    assert.equal(entry?.actor, ownDeptAdmin.username);
    assert.equal((await EngineInstance.findByPk(task.processInstanceId))?.state, "EXTERNALLY_TERMINATED");
  });

  it("keeps a generic process to its department: started by its staff only, instances in the starting officer's department", async () => {
    const f = fixture("review.bpmn");
    await createFormsOf(f.xml);
    const dep = await request(app())
      .post("/engine-rest/deployment/create")
      .auth(ownDeptAdmin.username, ownDeptAdmin.password)
      .attach("data", Buffer.from(f.xml), { filename: "review.bpmn", contentType: "application/octet-stream" })
      .expect(200);
    assert.ok(dep.body.deployedProcessDefinitions);
    const started = await as(ownReviewer)
      .post(`/process-definition/key/${f.key("review")}/start`, { businessKey: `BK-${randomBytes(4).toString("hex")}`, variables: {} })
      .expect(200);
    const id = started.body.id as string;
    // Another department's staff cannot start this department's process (Camunda's CREATE_INSTANCE).
    const foreign = await as(otherReviewer).post(`/process-definition/key/${f.key("review")}/start`, { variables: {} });
    assert.equal(foreign.status, 403);
    assert.match(foreign.body.message, /其他部门/);
    await as(admin)
      .post(`/process-definition/key/${f.key("review")}/start`, { variables: {} })
      .expect(200);
    await as(ownDeptAdmin).get(`/process-instance/${id}`).expect(200);
    await as(otherReviewer).get(`/process-instance/${id}`).expect(404);
    await as(otherDeptAdmin).delete(`/process-instance/${id}`).expect(404);
    await as(admin).get(`/process-instance/${id}`).expect(200);
    // Another department cannot deploy over this key, and nobody but an admin deploys the commitment process.
    const over = await request(app())
      .post("/engine-rest/deployment/create")
      .auth(otherDeptAdmin.username, otherDeptAdmin.password)
      .attach("data", Buffer.from(f.xml.replace("测试审核", "被替换的审核")), {
        filename: "review.bpmn",
        contentType: "application/octet-stream",
      });
    assert.equal(over.status, 403);
    assert.ok(hasChinese(over.body.message));
    const commitmentXml = (await EngineDefinition.findOne({ where: { key: "commitment" }, order: [["version", "DESC"]] }))!.xml;
    const replaced = await request(app())
      .post("/engine-rest/deployment/create")
      .auth(ownDeptAdmin.username, ownDeptAdmin.password)
      .attach("data", Buffer.from(commitmentXml.replace("</definitions>", "<!-- v2 --></definitions>")), {
        filename: "commitment.bpmn",
        contentType: "application/octet-stream",
      });
    assert.equal(replaced.status, 403);
    assert.match(replaced.body.message, /系统管理员/);
  });
});
