import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { Case } from "../../../server/db/models/Case.js";
import { buildUser, loginAs, type Agent, type TestUser } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { DECISION_FORM, publishForm, reviewProcessXml } from "./helpers.js";

const uniq = () => randomBytes(4).toString("hex");
const text = (key: string, label: string) => ({ type: "textfield", key, label, input: true, validate: { required: true } });
const post = (agent: Agent, url: string, body: unknown) =>
  agent
    .post(url)
    .set("X-CSRF-Token", agent.csrf)
    .set("Accept", "application/json")
    .send(body as object);

describe("转办, 委派 and 撤回 on a task of any flow: the same commands from the pages, /api and /engine-rest", () => {
  let itemCode: string;
  let processKey: string;
  let applicant: Agent;
  let a: TestUser;
  let b: TestUser;
  let agentA: Agent;
  let agentB: Agent;

  before(async function () {
    this.timeout(30_000);
    const deptAdmin = await buildUser({ roles: ["dept_admin"], department: "scjgj" });
    a = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    b = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    agentA = await loginAs(a);
    agentB = await loginAs(b);
    applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    const startForm = await publishForm("ra-apply", [text("reason", "事由")]);
    const review = await publishForm("ra-review", DECISION_FORM);
    const correct = await publishForm("ra-correct", [text("reason", "事由")]);
    processKey = `ra_${uniq()}`;
    await request(testApp().app)
      .post("/engine-rest/deployment/create")
      .auth(deptAdmin.username, deptAdmin.password)
      .attach("data", Buffer.from(reviewProcessXml(processKey, { review, correct })), {
        filename: "p.bpmn",
        contentType: "application/octet-stream",
      })
      .expect(200);
    itemCode = `ra-${uniq()}`;
    const admin = await loginAs(deptAdmin);
    await post(admin, "/api/catalog", {
      itemCode,
      kind: "generic",
      name: "转办测试事项",
      legalBasis: "依据",
      noticeContent: "指南",
      formKey: startForm,
      processKey,
      reviewDays: 3,
    }).expect(201);
    await post(admin, `/api/catalog/${itemCode}/publish`, {}).expect(200);
  });

  /** A new case and its review task, claimed by reviewer A. */
  const newCase = async () => {
    const started = await post(applicant, "/api/cases", { itemCode, data: { reason: "测试" } }).expect(201);
    const code = String(started.body.data.code);
    const inbox = await agentA.get(`/api/inbox?processKey=${processKey}&counts=0&pageSize=100`).expect(200);
    const taskId = (inbox.body.data as { taskId: string; case: { code: string } }[]).find((r) => r.case.code === code)!.taskId;
    return { code, taskId, instanceId: String(started.body.data.processInstanceId) };
  };
  const restTask = (taskId: string, as: TestUser) =>
    request(testApp().app).get(`/engine-rest/task/${taskId}`).auth(as.username, as.password);

  it("转办: the assignee hands the task to a colleague of its department with a reason; refused outside it", async () => {
    const { code, taskId } = await newCase();
    await post(agentB, `/api/tasks/${taskId}/transfer`, { to: a.username, reason: "不是我的任务" }).expect(403);
    await request(testApp().app)
      .post(`/engine-rest/task/${taskId}/claim`)
      .auth(a.username, a.password)
      .send({ userId: a.username })
      .expect(204);
    const other = await buildUser({ roles: ["reviewer"], department: "zjj" });
    const someApplicant = await buildUser({ roles: ["applicant"] });
    const outside = await post(agentA, `/api/tasks/${taskId}/transfer`, { to: other.username, reason: "跨部门" }).expect(400);
    assert.match(JSON.stringify(outside.body), /不是本部门在岗的审核人员/);
    await post(agentA, `/api/tasks/${taskId}/transfer`, { to: someApplicant.username, reason: "给申请人" }).expect(400);
    await post(agentA, `/api/tasks/${taskId}/transfer`, { to: b.username }).expect(400);
    // The Camunda door obeys the same rule (no reason there).
    await request(testApp().app)
      .post(`/engine-rest/task/${taskId}/assignee`)
      .auth(a.username, a.password)
      .send({ userId: other.username })
      .expect(400);
    const moved = await post(agentA, `/api/tasks/${taskId}/transfer`, { to: b.username, reason: "本人出差，请王审核办理" }).expect(200);
    assert.equal(moved.body.data.assignee, b.username);
    assert.equal((await restTask(taskId, b).expect(200)).body.assignee, b.username);
    const entry = await AuditEntry.findOne({ where: { action: "task.transferred", entityId: taskId } });
    assert.equal(entry?.actor, a.username);
    // B finds it as its own task and decides; the applicant's case shows the 转办 with its reason.
    const mine = await agentB.get(`/api/inbox?scope=mine&processKey=${processKey}&counts=0`).expect(200);
    assert.ok((mine.body.data as { taskId: string }[]).some((r) => r.taskId === taskId));
    const page = await applicant.get(`/my/cases/${code}`).expect(200);
    assert.match(page.text, /转办“部门审核”给 测试用户/);
    assert.match(page.text, /本人出差，请王审核办理/);
    await post(agentB, `/api/tasks/${taskId}/complete`, { data: { decision: "approve" } }).expect(200);
  });

  it("委派: the delegate works the task and resolves it back; nobody completes it while it is delegated", async () => {
    const { taskId } = await newCase();
    await post(agentA, `/tasks/${taskId}/claim`, {}).expect(303);
    await request(testApp().app)
      .post(`/engine-rest/task/${taskId}/delegate`)
      .auth(a.username, a.password)
      .send({ userId: b.username })
      .expect(204);
    const delegated = (await restTask(taskId, a).expect(200)).body;
    assert.deepEqual([delegated.assignee, delegated.owner, delegated.delegationState], [b.username, a.username, "PENDING"]);
    await post(agentA, `/api/tasks/${taskId}/complete`, { data: { decision: "approve" } }).expect(403);
    const pending = await post(agentB, `/api/tasks/${taskId}/complete`, { data: { decision: "approve" } }).expect(409);
    assert.match(pending.body.error.message, /委派/);
    const page = await agentB.get(`/tasks/${taskId}`).expect(200);
    assert.match(page.text, /委派您办理此任务/);
    assert.doesNotMatch(page.text, /data-testid="decision"/);
    await request(testApp().app).post(`/engine-rest/task/${taskId}/resolve`).auth(b.username, b.password).send({}).expect(204);
    const back = (await restTask(taskId, a).expect(200)).body;
    assert.deepEqual([back.assignee, back.owner, back.delegationState], [a.username, a.username, "RESOLVED"]);
    await post(agentA, `/api/tasks/${taskId}/complete`, { data: { decision: "approve" } }).expect(200);
  });

  it("委派 from the task page with the reason, and 交回 with an opinion shown on the case", async () => {
    const { code, taskId } = await newCase();
    await post(agentA, `/tasks/${taskId}/claim`, {}).expect(303);
    const form = (path: string, body: Record<string, string>, agent: Agent) =>
      agent
        .post(path)
        .type("form")
        .send({ _csrf: agent.csrf, ...body });
    await form(`/tasks/${taskId}/delegate`, { to: b.username, reason: "请先核实材料" }, agentA).expect(303);
    await form(`/tasks/${taskId}/resolve`, { opinion: "材料已核实无误" }, agentB).expect(303);
    const page = await applicant.get(`/my/cases/${code}`).expect(200);
    assert.match(page.text, /委派 测试用户\S+ 办理“部门审核”/);
    assert.match(page.text, /材料已核实无误/);
  });

  it("撤回: the applicant withdraws before anyone decides; not after a decision, and not another applicant's case", async () => {
    const first = await newCase();
    const stranger = await loginAs(await buildUser({ roles: ["applicant"] }));
    await post(stranger, `/api/cases/${first.code}/withdraw`, { reason: "不是我的" }).expect(404);
    await post(applicant, `/api/cases/${first.code}/withdraw`, { reason: "" }).expect(400);
    const withdrawn = await post(applicant, `/api/cases/${first.code}/withdraw`, { reason: "材料准备不全，暂不办理" }).expect(200);
    assert.equal(withdrawn.body.data.status, "已撤回");
    assert.equal((await Case.findOne({ where: { businessKey: first.code } }))?.status, "已撤回");
    await request(testApp().app).get(`/engine-rest/task/${first.taskId}`).auth(a.username, a.password).expect(404);
    const page = await applicant.get(`/my/cases/${first.code}`).expect(200);
    assert.match(page.text, /申请人撤回/);
    assert.doesNotMatch(page.text, /data-testid="withdraw"/);
    const entry = await AuditEntry.findOne({ where: { action: "case.withdrawn", entityId: first.code } });
    assert.ok(entry?.actor && entry.actor !== "system");

    const second = await newCase();
    await post(agentA, `/api/tasks/${second.taskId}/complete`, { data: { decision: "return" } }).expect(200);
    const refused = await post(applicant, `/api/cases/${second.code}/withdraw`, { reason: "想撤回" }).expect(409);
    assert.match(refused.body.error.message, /部门已经作出处理/);
  });
});
