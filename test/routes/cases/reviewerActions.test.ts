import assert from "node:assert/strict";
import request from "supertest";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { Case } from "../../../server/db/models/Case.js";
import { UserMessage } from "../../../server/db/models/actionModels.js";
import { buildUser, loginAs, type Agent, type TestUser } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { post } from "./helpers.js";
import { decide, openTask, publishThreeStepItem, restartedApp } from "./reviewerActionsHelpers.js";

const form = (agent: Agent, path: string, body: Record<string, string | string[]>) =>
  agent
    .post(path)
    .type("form")
    .send({ _csrf: agent.csrf, ...body });
const rest = (as: TestUser) => ({
  get: (path: string) => request(testApp().app).get(`/engine-rest${path}`).auth(as.username, as.password),
  post: (path: string, body: object) => request(testApp().app).post(`/engine-rest${path}`).auth(as.username, as.password).send(body),
});

describe("加签 / 减签, 退回 to an earlier step, 常用意见 and 站内信 on any flow's tasks", () => {
  let itemCode: string;
  let deptAdmin: TestUser;
  let a: TestUser;
  let b: TestUser;
  let c: TestUser;
  let other: TestUser;
  let applicantUser: TestUser;
  let applicant: Agent;
  let agentA: Agent;
  let agentB: Agent;
  let agentC: Agent;
  let agentOther: Agent;

  before(async function () {
    this.timeout(60_000);
    deptAdmin = await buildUser({ roles: ["dept_admin", "reviewer"], department: "scjgj" });
    [a, b, c] = [
      await buildUser({ roles: ["reviewer"] }),
      await buildUser({ roles: ["reviewer"] }),
      await buildUser({ roles: ["reviewer"] }),
    ];
    other = await buildUser({ roles: ["reviewer"], department: "zjj" });
    applicantUser = await buildUser({ roles: ["applicant"] });
    [agentA, agentB, agentC, agentOther, applicant] = (await Promise.all([a, b, c, other, applicantUser].map((u) => loginAs(u)))) as [
      Agent,
      Agent,
      Agent,
      Agent,
      Agent,
    ];
    ({ itemCode } = await publishThreeStepItem(deptAdmin, "rvw"));
  });

  const newCase = async () => {
    const started = await post(applicant, "/api/cases", { itemCode, data: { reason: "测试" } }).expect(201);
    const instanceId = String(started.body.data.processInstanceId);
    return { code: String(started.body.data.code), instanceId, taskId: (await openTask(a, instanceId)).id };
  };
  const claim = (as: TestUser, taskId: string) => rest(as).post(`/task/${taskId}/claim`, { userId: as.username }).expect(204);

  it("前加签: the added signer decides first; the task waits as 待审批 and its assignee cannot complete it until then", async () => {
    const { code, instanceId, taskId } = await newCase();
    await claim(a, taskId);
    // Only the assignee adds signers, only colleagues of its department.
    await post(agentB, `/api/tasks/${taskId}/signers`, { users: [c.username], mode: "before" }).expect(403);
    const outside = await post(agentA, `/api/tasks/${taskId}/signers`, { users: [other.username], mode: "before" }).expect(400);
    assert.match(outside.body.error.details[0].message, /不是本部门在岗的审核人员/);
    // Another department's reviewer does not even see the task.
    await post(agentOther, `/api/tasks/${taskId}/signers`, { users: [b.username], mode: "before" }).expect(404);
    const added = await post(agentA, `/api/tasks/${taskId}/signers`, { users: [b.username], mode: "before", note: "请先核实" }).expect(201);
    const signerId = Number(added.body.data[0].id);
    assert.equal((await AuditEntry.findOne({ where: { action: "task.signers_added", entityId: taskId } }))?.actor, a.username);

    // Every door refuses the completion while the signer has not decided; the task stays the assignee's.
    const refused = await post(agentA, `/api/tasks/${taskId}/complete`, { data: { opinion: "同意" } }).expect(409);
    assert.match(refused.body.error.message, /待审批/);
    await rest(a).post(`/task/${taskId}/complete`, { variables: {} }).expect(409);
    const task = (await rest(a).get(`/task/${taskId}`).expect(200)).body;
    assert.deepEqual([task.assignee, task.delegationState], [a.username, null]);
    assert.match((await agentA.get(`/tasks/${taskId}`).expect(200)).text, /data-testid="sign-state"[\s\S]*待审批/);
    // The signer finds it in the inbox and in its messages, and decides on its own page.
    assert.match((await agentB.get("/tasks").expect(200)).text, new RegExp(`/signs/${signerId}`));
    const messages = (await agentB.get("/api/messages").expect(200)).body;
    assert.ok(messages.data.some((m: { kind: string; link: string }) => m.kind === "sign" && m.link === `/signs/${signerId}`));
    await form(agentC, `/signs/${signerId}/decide`, { decision: "approve" }).expect(404);
    await form(agentB, `/signs/${signerId}/decide`, { decision: "reject", opinion: "" }).expect(303);
    assert.equal(
      (await post(agentB, `/api/signs/${signerId}/decide`, { approve: false }).expect(400)).body.error.details[0].path,
      "opinion",
    );
    await form(agentB, `/signs/${signerId}/decide`, { decision: "approve", opinion: "材料属实，同意" }).expect(303);
    assert.equal((await AuditEntry.findOne({ where: { action: "task.signed", entityId: taskId } }))?.actor, b.username);
    await post(agentB, `/api/signs/${signerId}/decide`, { approve: true }).expect(409);

    await post(agentA, `/api/tasks/${taskId}/complete`, { data: { opinion: "初审通过" } }).expect(200);
    assert.equal((await openTask(a, instanceId)).taskDefinitionKey, "second");
    const page = (await applicant.get(`/my/cases/${code}`).expect(200)).text;
    assert.match(page, /前加签：请 测试用户\S* 审批“初审”/);
    assert.match(page, /加签审批“初审”：同意/);
    assert.match(page, /材料属实，同意/);
    assert.match(page, /“初审”办理意见/);
  });

  it("后加签 and 减签: the assignee's decision is held (审批通过中) until every remaining signer decides; then the process moves on", async () => {
    const { instanceId, taskId } = await newCase();
    await claim(a, taskId);
    const added = await post(agentA, `/api/tasks/${taskId}/signers`, { users: [b.username, c.username], mode: "after" }).expect(201);
    const [forB, forC] = (added.body.data as { id: number; signer: string }[]).sort((x) => (x.signer === b.username ? -1 : 1));
    // 减签: a signer who has not decided; only by the assignee.
    await request(testApp().app).delete(`/api/tasks/${taskId}/signers/${forC!.id}`).auth(b.username, b.password).expect(403);
    await form(agentA, `/tasks/${taskId}/signers/${forC!.id}/remove`, {}).expect(303);
    assert.equal((await AuditEntry.findOne({ where: { action: "task.signer_removed", entityId: taskId } }))?.actor, a.username);
    // Before the assignee decides, an after-signer has nothing to decide on.
    assert.match((await post(agentB, `/api/signs/${forB!.id}/decide`, { approve: true }).expect(409)).body.error.message, /尚未作出决定/);

    await post(agentA, `/api/tasks/${taskId}/complete`, { data: { opinion: "同意，请复核" } }).expect(200);
    const held = (await agentA.get(`/api/tasks/${taskId}/signers`).expect(200)).body;
    assert.equal(held.meta.signState, "审批通过中");
    assert.deepEqual(
      held.data.map((s: { state: string }) => s.state),
      held.data.map((s: { signer: string }) => (s.signer === b.username ? "pending" : "removed")),
    );
    assert.equal((await rest(a).get(`/task/${taskId}`).expect(200)).body.assignee, a.username);
    assert.match(
      (await post(agentA, `/api/tasks/${taskId}/complete`, { data: { opinion: "x" } }).expect(409)).body.error.message,
      /审批通过中/,
    );

    // The case after a restart: the held decision and the signer are in the database, not in memory.
    const again = restartedApp();
    const signers = await request(again).get(`/api/tasks/${taskId}/signers`).auth(a.username, a.password).expect(200);
    assert.equal(signers.body.meta.signState, "审批通过中");
    await request(again)
      .post(`/api/signs/${forB!.id}/decide`)
      .auth(b.username, b.password)
      .send({ approve: true, opinion: "复核无误" })
      .expect(200);
    await rest(a).get(`/task/${taskId}`).expect(404);
    const next = await openTask(a, instanceId);
    assert.equal(next.taskDefinitionKey, "second");
    const completed = await AuditEntry.findOne({ where: { action: "task.completed", entityId: taskId } });
    assert.equal(completed?.actor, a.username);
    assert.match((await Case.findOne({ where: { instanceId } }))!.status, /复审/);
  });

  it("退回 two steps back: the task goes to whoever completed that step, with the reason they see; refused outside the rules", async () => {
    const { code, instanceId, taskId } = await newCase();
    await decide(agentA, a, taskId, "初审同意");
    await decide(agentB, b, (await openTask(a, instanceId)).id, "复审同意");
    const third = (await openTask(a, instanceId)).id;
    await claim(c, third);
    const steps = (await agentC.get(`/api/tasks/${third}/return-steps`).expect(200)).body.data;
    assert.deepEqual(
      steps.map((s: { activityId: string; completedBy: string }) => [s.activityId, s.completedBy]),
      [
        ["first", a.username],
        ["second", b.username],
      ],
    );
    await post(agentOther, `/api/tasks/${third}/return`, { to: "first", reason: "跨部门" }).expect(404);
    await post(agentA, `/api/tasks/${third}/return`, { to: "first", reason: "不是我的" }).expect(403);
    await post(agentC, `/api/tasks/${third}/return`, { to: "first" }).expect(400);
    await post(agentC, `/api/tasks/${third}/return`, { to: "third", reason: "自己" }).expect(400);
    await form(agentC, `/tasks/${third}/return`, { to: "first", reason: "营业执照复印件不清晰，请重新核对" }).expect(303);

    const back = await openTask(a, instanceId);
    assert.deepEqual([back.taskDefinitionKey, back.assignee], ["first", a.username]);
    const entry = await AuditEntry.findOne({ where: { action: "task.returned", entityId: third } });
    assert.equal(entry?.actor, c.username);
    assert.equal((await AuditEntry.findOne({ where: { action: "process.modified", entityId: instanceId } }))?.actor, c.username);
    const taskPage = (await agentA.get(`/tasks/${back.id}`).expect(200)).text;
    assert.match(taskPage, /data-testid="return-reason">营业执照复印件不清晰，请重新核对/);
    assert.ok(await UserMessage.findOne({ where: { recipient: a.username, kind: "return" } }));
    const casePage = (await applicant.get(`/my/cases/${code}`).expect(200)).text;
    assert.match(casePage, /退回到“初审”（交 测试用户\S*/);

    // Resubmitted, the case goes through every step again to its end; the restarted app reads it the same.
    await post(agentA, `/api/tasks/${back.id}/complete`, { data: { opinion: "已重新核对" } }).expect(200);
    await decide(agentB, b, (await openTask(a, instanceId)).id, "复审同意");
    await decide(agentC, c, (await openTask(a, instanceId)).id, "终审同意");
    const ended = await request(restartedApp()).get(`/api/cases/${code}`).auth(applicantUser.username, applicantUser.password).expect(200);
    assert.equal(ended.body.data.status, "已办结");
    const print = (await applicant.get(`/cases/${code}/print`).expect(200)).text;
    assert.match(print, /终审同意/);
    assert.match(print, /退回到“初审”/);
    await agentOther.get(`/cases/${code}/print`).expect(404);
    const told = await UserMessage.findOne({ where: { recipient: applicantUser.username, kind: "decision" } });
    assert.match(told?.title ?? "", /已办结/);
  });

  it("退回 through /engine-rest: Camunda's process instance modification, the same command and rules", async () => {
    const { instanceId, taskId } = await newCase();
    await decide(agentA, a, taskId, "初审同意");
    const second = (await openTask(a, instanceId)).id;
    await claim(b, second);
    const body = {
      instructions: [
        { type: "cancel", activityId: "second" },
        { type: "startBeforeActivity", activityId: "first" },
      ],
      annotation: "请补充说明",
    };
    await rest(b)
      .post(`/process-instance/${instanceId}/modification`, { instructions: [{ type: "cancel", activityId: "second" }] })
      .expect(400);
    await rest(other).post(`/process-instance/${instanceId}/modification`, body).expect(400);
    await rest(a).post(`/process-instance/${instanceId}/modification`, body).expect(403);
    await rest(b).post(`/process-instance/${instanceId}/modification`, body).expect(204);
    const back = await openTask(a, instanceId);
    assert.deepEqual([back.taskDefinitionKey, back.assignee], ["first", a.username]);
    const history = (await rest(b).get(`/history/process-instance/${instanceId}/timeline`).expect(200)).body;
    assert.ok(JSON.stringify(history).includes("请补充说明"));
  });

  it("常用意见: a reviewer's own and the department's (managed by its dept_admin), offered on the task page", async () => {
    await post(agentA, "/api/opinion-templates", { text: "x" }).expect(400);
    const mine = await post(agentA, "/api/opinion-templates", { text: "材料齐全，符合要求，同意。" }).expect(201);
    await post(agentA, "/api/opinion-templates", { text: "部门意见", scope: "department" }).expect(403);
    const admin = await loginAs(deptAdmin);
    await post(admin, "/api/opinion-templates", { text: "经审查，符合告知承诺条件。", scope: "department" }).expect(201);
    const listA = (await agentA.get("/api/opinion-templates").expect(200)).body.data.map((t: { text: string }) => t.text);
    assert.ok(listA.includes("材料齐全，符合要求，同意。") && listA.includes("经审查，符合告知承诺条件。"));
    const listB = (await agentB.get("/api/opinion-templates").expect(200)).body.data.map((t: { text: string }) => t.text);
    assert.ok(!listB.includes("材料齐全，符合要求，同意。") && listB.includes("经审查，符合告知承诺条件。"));
    assert.ok(
      !(await agentOther.get("/api/opinion-templates").expect(200)).body.data.some(
        (t: { text: string }) => t.text === "经审查，符合告知承诺条件。",
      ),
    );
    await request(testApp().app).delete(`/api/opinion-templates/${mine.body.data.id}`).auth(b.username, b.password).expect(404);
    const { taskId } = await newCase();
    assert.match((await agentA.get(`/tasks/${taskId}`).expect(200)).text, /data-opinion-picker[\s\S]*材料齐全，符合要求，同意。/);
    assert.equal(
      (await AuditEntry.findOne({ where: { action: "opinion_template.created", entityId: String(mine.body.data.id) } }))?.actor,
      a.username,
    );
    assert.match((await agentA.get("/opinions").expect(200)).text, /材料齐全，符合要求，同意。/);
  });

  it("站内信: new tasks, 抄送 and 催办 arrive with an unread count in the navigation; read, read all, pages and the empty state", async () => {
    const fresh = await buildUser({ roles: ["reviewer"] });
    const agent = await loginAs(fresh);
    assert.match((await agent.get("/messages").expect(200)).text, /data-testid="empty"/);
    const { taskId } = await newCase();
    // A new task of its group reached it.
    const mine = (await agent.get("/api/messages").expect(200)).body;
    assert.ok(mine.data.some((m: { kind: string; link: string }) => m.kind === "task" && m.link === `/tasks/${taskId}`));
    await post(agentA, `/api/tasks/${taskId}/copy`, { users: [fresh.username], note: "请知悉" }).expect(201);
    const admin = await loginAs(deptAdmin);
    await claim(a, taskId);
    await post(admin, `/api/tasks/${taskId}/urge`, { message: "请今天办结" }).expect(201);
    assert.ok(await UserMessage.findOne({ where: { recipient: a.username, kind: "urge" } }));
    const kinds = (await agent.get("/api/messages?unread=1").expect(200)).body.data.map((m: { kind: string }) => m.kind);
    assert.ok(kinds.includes("task") && kinds.includes("copy"));
    const home = (await agent.get("/messages").expect(200)).text;
    assert.match(home, /data-testid="unread-badge">\d+</);
    const first = (await agent.get("/api/messages").expect(200)).body.data[0];
    await post(agentA, `/api/messages/${first.id}/read`, {}).expect(404);
    assert.equal((await post(agent, `/api/messages/${first.id}/read`, {}).expect(200)).body.data.read, true);
    await form(agent, "/messages/read-all", {}).expect(303);
    assert.equal((await agent.get("/api/messages").expect(200)).body.meta.unread, 0);
    assert.doesNotMatch((await agent.get("/messages").expect(200)).text, /data-testid="unread-badge"/);
    assert.equal((await AuditEntry.findOne({ where: { action: "message.read_all", entityId: fresh.username } }))?.actor, fresh.username);
    // More than a page of messages: the second page has the rest.
    const now = new Date();
    await UserMessage.bulkCreate(
      Array.from({ length: 25 }, (_, i) => ({
        recipient: fresh.username,
        kind: "task" as const,
        title: `消息 ${i}`,
        body: null,
        link: null,
        ref: null,
        readAt: null,
        createdAt: now,
      })),
    );
    const pageTwo = (await agent.get("/messages?page=2").expect(200)).text;
    assert.match(pageTwo, /data-testid="message"/);
    assert.match(pageTwo, /共 \d+ 条/);
  });
});
