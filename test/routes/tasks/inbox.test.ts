import assert from "node:assert/strict";
import { Commitment } from "../../../server/db/models/Commitment.js";
import { buildUser, loginAs, type Agent } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, ensureShippedForms } from "../../domain/commitments/fixtures.js";

const DAY = 24 * 60 * 60 * 1000;

const json = (agent: Agent, url: string, body: unknown) =>
  agent
    .post(url)
    .set("Accept", "application/json")
    .set("X-CSRF-Token", agent.csrf)
    .send(body as object);
const form = (agent: Agent, url: string, body: Record<string, string> = {}) =>
  agent
    .post(url)
    .type("form")
    .send({ _csrf: agent.csrf, ...body });

async function taskIdOf(code: string): Promise<string> {
  const [task] = await testApp().app.locals.context.engine.findTasks({ businessKey: code });
  assert.ok(task, `no open task for ${code}`);
  return task.id;
}

describe("reviewer inbox /tasks and task page /tasks/:id", () => {
  let itemCode: string;
  before(async () => {
    await ensureShippedForms();
    itemCode = await buildPublishedItem("scjgj");
  });

  it("lists my groups' tasks with counts and filters, and hides another department's tasks (404)", async () => {
    const c = await buildSubmittedCase(itemCode);
    const taskId = await taskIdOf(c.code);
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    // The whole suite's tasks share this department's group: look at this item's page.
    const page = await reviewer.get(`/tasks?item=${itemCode}`).expect(200);
    assert.match(page.text, new RegExp(`data-task-id="${taskId}" data-code="${c.code}"`));
    assert.match(page.text, /data-count="我的任务">0</);
    assert.match(page.text, /data-count="本组任务">\d+</);
    const byItem = await reviewer.get(`/tasks?item=${itemCode}&status=unassigned`).expect(200);
    assert.ok(byItem.text.includes(c.code));
    const newest = await reviewer.get(`/tasks?item=${itemCode}&sort=created&status=unassigned&department=scjgj`).expect(200);
    assert.ok(newest.text.includes(c.code));
    const assigned = await reviewer.get(`/tasks?item=${itemCode}&status=assigned`).expect(200);
    assert.ok(!assigned.text.includes(c.code));
    const otherItem = await reviewer.get(`/tasks?item=no-such-item`).expect(200);
    assert.match(otherItem.text, /没有符合筛选条件的任务/);

    const other = await loginAs(await buildUser({ roles: ["reviewer"], department: "zjj" }));
    const theirs = await other.get(`/tasks?item=${itemCode}`).expect(200);
    assert.ok(!theirs.text.includes(c.code));
    await other.get(`/tasks/${taskId}`).expect(404);
    await form(other, `/tasks/${taskId}/claim`).expect(404);
    await json(other, `/tasks/${taskId}/complete`, { data: { decision: "approve" } }).expect(404);
    assert.equal((await Commitment.findOne({ where: { code: c.code } }))!.status, "审查中");

    const applicant = await loginAs(c.applicantAccount);
    await applicant.get("/tasks").expect(403);
    await applicant.get(`/tasks/${taskId}`).expect(403);
  });

  it("shows an empty state to a reviewer whose groups have no tasks", async () => {
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "sfj" }));
    const page = await reviewer.get("/tasks?department=sfj").expect(200);
    assert.match(page.text, /data-testid="empty-state"/);
  });

  it("claims and unclaims with one click (POST forms with CSRF)", async () => {
    const c = await buildSubmittedCase(itemCode);
    const taskId = await taskIdOf(c.code);
    const account = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    const reviewer = await loginAs(account);
    await reviewer.post(`/tasks/${taskId}/claim`).type("form").send({}).expect(403);
    const claimed = await form(reviewer, `/tasks/${taskId}/claim`, { returnTo: "/tasks?scope=mine" }).expect(303);
    assert.equal(claimed.headers.location, "/tasks?scope=mine");
    const { engine } = testApp().app.locals.context;
    assert.equal((await engine.getTask(taskId))!.assignee, account.username);
    const mine = await reviewer.get("/tasks?scope=mine").expect(200);
    assert.ok(mine.text.includes(c.code));
    assert.match(mine.text, /data-count="我的任务">1</);
    assert.match(mine.text, /已认领任务/);
    // Another reviewer of the group cannot take it over.
    const colleague = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    await form(colleague, `/tasks/${taskId}/claim`).expect(303);
    assert.equal((await engine.getTask(taskId))!.assignee, account.username);
    const offsite = await form(reviewer, `/tasks/${taskId}/unclaim`, { returnTo: "https://evil.example/" }).expect(303);
    assert.equal(offsite.headers.location, "/tasks");
    assert.equal((await engine.getTask(taskId))!.assignee, null);
  });

  it("colours overdue rows red and rows due within two working days amber", async () => {
    const { clock } = testApp();
    const saved = clock.now();
    try {
      const c = await buildSubmittedCase(itemCode);
      const taskId = await taskIdOf(c.code);
      const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
      const rowOf = (html: string) => new RegExp(`<tr class="([^"]*)" data-testid="task-row" data-task-id="${taskId}"`).exec(html)?.[1];
      assert.equal(rowOf((await reviewer.get(`/tasks?item=${itemCode}`).expect(200)).text), "");
      const due = (await Commitment.findOne({ where: { code: c.code } }))!.reviewDueAt!;
      clock.set(new Date(due.getTime() - DAY));
      assert.match(rowOf((await reviewer.get(`/tasks?item=${itemCode}`).expect(200)).text)!, /row-near-due/);
      clock.set(new Date(due.getTime() + 1000));
      const overdue = await reviewer.get(`/tasks?item=${itemCode}&overdue=1`).expect(200);
      assert.match(rowOf(overdue.text)!, /row-overdue/);
      assert.match(overdue.text, /已逾期/);
    } finally {
      clock.set(saved);
    }
  });

  it("shows the case on one screen and completes the review: a comment is required to return, then goes to the next task", async () => {
    const first = await buildSubmittedCase(itemCode);
    const second = await buildSubmittedCase(itemCode);
    const [firstTask, secondTask] = [await taskIdOf(first.code), await taskIdOf(second.code)];
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const page = await reviewer.get(`/tasks/${firstTask}`).expect(200);
    for (const id of ["submission", "signed-letter", "profile", "timeline", "decision"])
      assert.match(page.text, new RegExp(`data-testid="${id}"`));
    assert.ok(page.text.includes(first.subject.name));
    assert.match(page.text, new RegExp(`data-form-url="/tasks/${firstTask}/form.json"`));
    const decisionForm = await reviewer.get(`/tasks/${firstTask}/form.json`).expect(200);
    assert.equal(decisionForm.body.data.formKey, "commitment-review");
    await reviewer.get(`/tasks/${firstTask}/case-form.json`).expect(200);

    await reviewer
      .post(`/tasks/${firstTask}/complete`)
      .set("Accept", "application/json")
      .send({ data: { decision: "return", comment: "x" } })
      .expect(403);
    const noComment = await json(reviewer, `/tasks/${firstTask}/complete`, { data: { decision: "return" } }).expect(400);
    assert.ok(noComment.body.error.details.some((d: { path: string }) => d.path === "comment"));
    assert.equal((await Commitment.findOne({ where: { code: first.code } }))!.status, "审查中");

    const returned = await json(reviewer, `/tasks/${firstTask}/complete`, {
      data: { decision: "return", comment: "请补充健康证明" },
    }).expect(200);
    assert.equal(returned.body.data.status, "退回补正");
    assert.match(returned.body.redirect as string, /^\/tasks\//);
    assert.notEqual(returned.body.redirect, `/tasks/${firstTask}`);
    await reviewer.get(`/tasks/${firstTask}`).expect(404);

    const approved = await json(reviewer, `/tasks/${secondTask}/complete`, { data: { decision: "approve" } }).expect(200);
    assert.equal(approved.body.data.status, "监管中");
    const next = await reviewer.get(approved.body.redirect as string).expect(200);
    assert.match(next.text, /已办结/);
  });
  it("records the 核查 result on the verification task: contents required unless 全部履行, a breach shows on the case", async () => {
    const { clock, app } = testApp();
    const saved = clock.now();
    try {
      const c = await buildSubmittedCase(itemCode);
      const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
      await json(reviewer, `/tasks/${await taskIdOf(c.code)}/complete`, { data: { decision: "approve" } }).expect(200);
      const approved = (await Commitment.findOne({ where: { code: c.code } }))!;
      clock.set(new Date(approved.verificationDueAt!.getTime() + 1000));
      await app.locals.context.engine.runDueJobs();
      const taskId = await taskIdOf(c.code);
      const page = await reviewer.get(`/tasks/${taskId}`).expect(200);
      assert.match(page.text, /核查结果/);
      const form = await reviewer.get(`/tasks/${taskId}/form.json`).expect(200);
      assert.equal(form.body.data.formKey, "commitment-verification");
      const missing = await json(reviewer, `/tasks/${taskId}/complete`, { data: { fulfilment: "none" } }).expect(400);
      const paths = (missing.body.error.details as { path: string }[]).map((d) => d.path);
      assert.ok(paths.includes("unfulfilledContent") && paths.includes("accountability"), paths.join());
      const done = await json(reviewer, `/tasks/${taskId}/complete`, {
        data: { fulfilment: "none", unfulfilledContent: "未建立进货查验记录", accountability: "责令限期整改，记入信用记录" },
      }).expect(200);
      assert.equal(done.body.data.status, "监管完成");
      const applicant = await loginAs(c.applicantAccount);
      const casePage = await applicant.get(`/my/cases/${c.code}`).expect(200);
      assert.match(casePage.text, /data-kind="verifying"/);
      assert.match(casePage.text, /data-kind="breached"/);
      assert.match(casePage.text, /未建立进货查验记录/);
    } finally {
      clock.set(saved);
    }
  });
});
