import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { buildUser, loginAs, type Agent } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, ensureShippedForms } from "../../domain/commitments/fixtures.js";

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

describe("inbox habits: saved filters, follow-up dates, assignment from the list, the side pane", () => {
  let itemCode: string;
  before(async () => {
    await ensureShippedForms();
    itemCode = await buildPublishedItem("scjgj");
  });

  it("saves a named filter per user, opens it with one click, replaces it by name and deletes it (audited)", async () => {
    const account = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    const reviewer = await loginAs(account);
    const empty = await reviewer.get("/tasks").expect(200);
    assert.match(empty.text, /还没有。选好筛选条件后可以保存/);
    const filtered = await reviewer.get(`/tasks?item=${itemCode}&overdue=1&page=3`).expect(200);
    assert.match(filtered.text, /保存当前筛选/);

    const saved = await form(reviewer, "/tasks/filters", { name: "本事项逾期", query: `item=${itemCode}&overdue=1&page=3&evil=x` }).expect(
      303,
    );
    assert.equal(saved.headers.location, `/tasks?overdue=1&item=${itemCode}`, "only the inbox's own parameters, without the page");
    const list = await reviewer.get(saved.headers.location).expect(200);
    assert.match(list.text, /已保存筛选“本事项逾期”/);
    assert.match(
      list.text,
      /class="btn btn-primary" href="[^"]+" data-testid="saved-filter">本事项逾期</,
      "the open filter is highlighted",
    );

    // The same name again replaces the filter; no name, or nothing to save, is a Chinese message and nothing saved.
    await form(reviewer, "/tasks/filters", { name: "本事项逾期", query: "scope=mine" }).expect(303);
    const noName = await form(reviewer, "/tasks/filters", { name: "  ", query: "scope=mine" }).expect(303);
    assert.match((await reviewer.get(noName.headers.location!)).text, /请给这个筛选起个名字/);
    const nothing = await form(reviewer, "/tasks/filters", { name: "空", query: "page=2" }).expect(303);
    assert.match((await reviewer.get(nothing.headers.location!)).text, /请先选择筛选条件/);
    const { db } = testApp().app.locals.context;
    const rows = await db.sequelize.query<{ id: number; name: string; query: string }>(
      "SELECT id, name, query FROM inbox_saved_filters WHERE username = :u",
      { type: QueryTypes.SELECT, replacements: { u: account.username } },
    );
    assert.deepEqual(
      rows.map((r) => [r.name, r.query]),
      [["本事项逾期", "scope=mine"]],
    );

    // Somebody else neither sees nor deletes it.
    const other = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    assert.doesNotMatch((await other.get("/tasks").expect(200)).text, /本事项逾期/);
    await form(other, `/tasks/filters/${rows[0]!.id}/delete`).expect(404);
    const page = await reviewer.get("/tasks").expect(200);
    assert.match(page.text, /data-confirm="确定删除筛选“本事项逾期”吗？"/);
    await form(reviewer, `/tasks/filters/${rows[0]!.id}/delete`).expect(303);
    assert.match((await reviewer.get("/tasks")).text, /已删除筛选“本事项逾期”/);
    const audited = await AuditEntry.findAll({ where: { actor: account.username }, order: [["id", "ASC"]] });
    assert.deepEqual(
      audited.map((a) => a.action).filter((a) => a.startsWith("inbox.")),
      ["inbox.filter_saved", "inbox.filter_saved", "inbox.filter_deleted"],
    );
  });

  it("sets a follow-up date (Camunda's followUp) from the list, shows it, filters by it, and refuses a bad date in Chinese", async () => {
    const c = await buildSubmittedCase(itemCode);
    const taskId = await taskIdOf(c.code);
    const account = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    const reviewer = await loginAs(account);
    await form(reviewer, `/tasks/${taskId}/claim`).expect(303);
    const list = await reviewer.get(`/tasks?item=${itemCode}&scope=mine`).expect(200);
    assert.match(list.text, new RegExp(`action="/tasks/${taskId}/follow-up"`));

    const { clock, engine } = testApp().app.locals.context;
    const today = new Date(clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    const set = await form(reviewer, `/tasks/${taskId}/follow-up`, { followUp: today, returnTo: "/tasks?scope=mine" }).expect(303);
    assert.equal(set.headers.location, "/tasks?scope=mine");
    const task = await engine.getTask(taskId);
    assert.equal(task!.followUp?.toISOString(), new Date(`${today}T00:00:00+08:00`).toISOString());
    // The same field Camunda clients read: /engine-rest's task followUp.
    const rest = await reviewer.get(`/engine-rest/task/${taskId}`).expect(200);
    assert.equal(new Date(String((rest.body as { followUp: string }).followUp)).toISOString(), task!.followUp?.toISOString());
    const due = await reviewer.get(`/tasks?item=${itemCode}&followUp=due`).expect(200);
    assert.match(due.text, new RegExp(`的跟进日期设为 ${today}`));
    assert.ok(due.text.includes(c.code), "the follow-up filter lists the task whose day has come");
    assert.match(due.text, /该跟进了/);

    // A later day: not yet due; a bad date: a Chinese message, nothing changed.
    await form(reviewer, `/tasks/${taskId}/follow-up`, { followUp: "2099-01-31" }).expect(303);
    assert.ok(!(await reviewer.get(`/tasks?item=${itemCode}&followUp=due`)).text.includes(c.code));
    assert.ok((await reviewer.get(`/tasks?item=${itemCode}`)).text.includes("2099-01-31"));
    await form(reviewer, `/tasks/${taskId}/follow-up`, { followUp: "2026-02-30" }).expect(303);
    assert.match((await reviewer.get("/tasks")).text, /请按“年-月-日”选择跟进日期/);
    assert.equal((await engine.getTask(taskId))!.followUp?.toISOString(), new Date("2099-01-31T00:00:00+08:00").toISOString());

    // Another reviewer may not change the date of a task somebody holds; clearing is audited too.
    const other = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    await form(other, `/tasks/${taskId}/follow-up`, { followUp: today }).expect(303);
    assert.match((await other.get("/tasks")).text, /只有办理人可以设置跟进日期/);
    await form(reviewer, `/tasks/${taskId}/follow-up`, { followUp: "" }).expect(303);
    assert.equal((await engine.getTask(taskId))!.followUp, null);
    const actions = (await AuditEntry.findAll({ where: { actor: account.username, entityId: taskId } })).map((a) => a.action);
    assert.deepEqual(
      actions.filter((a) => a.startsWith("task.follow_up")),
      ["task.follow_up_set", "task.follow_up_set", "task.follow_up_cleared"],
    );
  });

  it("offers 转办 to a colleague from the list row of a task I hold, through the one transfer command", async () => {
    const c = await buildSubmittedCase(itemCode);
    const taskId = await taskIdOf(c.code);
    const holder = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    const colleague = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    const reviewer = await loginAs(holder);
    const before = await reviewer.get(`/tasks?item=${itemCode}`).expect(200);
    assert.ok(!before.text.includes(`action="/tasks/${taskId}/transfer"`), "an unclaimed task is claimed first");
    await form(reviewer, `/tasks/${taskId}/claim`).expect(303);
    const list = await reviewer.get(`/tasks?item=${itemCode}&scope=mine`).expect(200);
    assert.match(list.text, new RegExp(`action="/tasks/${taskId}/transfer"`));
    assert.ok(list.text.includes(`<option value="${colleague.username}">`));
    await form(reviewer, `/tasks/${taskId}/transfer`, { to: colleague.username, reason: "本周出差" }).expect(303);
    assert.equal((await testApp().app.locals.context.engine.getTask(taskId))!.assignee, colleague.username);
  });

  it("serves a task page for the inbox's side pane without the navigation, framable by this origin only", async () => {
    const c = await buildSubmittedCase(itemCode);
    const taskId = await taskIdOf(c.code);
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const full = await reviewer.get(`/tasks/${taskId}`).expect(200);
    assert.match(String(full.headers["content-security-policy"]), /frame-ancestors 'none'/);
    const pane = await reviewer.get(`/tasks/${taskId}?pane=1`).expect(200);
    assert.match(pane.text, /data-layout="pane"/);
    assert.ok(pane.text.includes(c.code));
    assert.match(String(pane.headers["content-security-policy"]), /frame-ancestors 'self'/);
    const list = await reviewer.get("/tasks").expect(200);
    assert.match(list.text, /data-testid="task-pane"/);
    assert.match(list.text, /j 下一条 · k 上一条/);
    // Back to the list inside the pane (after 转办): a short page that has the list reload itself.
    const done = await reviewer.get("/tasks").set("Sec-Fetch-Dest", "iframe").expect(200);
    assert.match(done.text, /data-refresh-list="1"/);
  });
});
