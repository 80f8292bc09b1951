import assert from "node:assert/strict";
import { Commitment } from "../../../server/db/models/Commitment.js";
import { EngineTask, EngineTaskCandidate } from "../../../server/db/models/engineModels.js";
import { decideCommitmentReview } from "../../../server/domain/commitments/decisions.js";
import { COUNT_CAP, listInbox } from "../../../server/domain/inbox/listInbox.js";
import { presentInboxPage } from "../../../server/presenters/commitment.js";
import { buildUser } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, currentUserOf, ensureShippedForms } from "./fixtures.js";

const ctx = () => testApp().app.locals.context;
const deps = () => ({ db: ctx().db, engine: ctx().engine, clock: ctx().clock });

/** The candidate rows of a task carry copies of its process key, assignee, due and creation time: they must equal the task's. */
async function assertCopiesFollow(taskId: string): Promise<void> {
  const task = await EngineTask.findByPk(taskId);
  assert.ok(task, "task is open");
  const rows = await EngineTaskCandidate.findAll({ where: { taskId } });
  assert.ok(rows.length > 0, "the task has candidate rows");
  for (const row of rows) {
    assert.equal(row.definitionKey, task.definitionKey);
    assert.equal(row.assignee, task.assignee);
    assert.equal(row.dueAt?.getTime() ?? null, task.dueAt?.getTime() ?? null);
    assert.equal(row.createdAt?.getTime(), task.createdAt.getTime());
  }
}

describe("reviewer inbox follows its tasks through claim, unclaim, complete and cancel", () => {
  let savedClock: Date;
  before(async () => {
    await ensureShippedForms();
    savedClock = testApp().clock.now();
  });
  after(() => testApp().clock.set(savedClock));

  it("shows a case to its group by deadline, under 'unassigned' only while nobody holds it, and drops it once completed or cancelled", async () => {
    const item = await buildPublishedItem("sthj", { reviewDays: 3 });
    // A week apart, so their deadlines (in working days) and the deadline order differ.
    const nextWeek = () => testApp().clock.set(new Date(testApp().clock.now().getTime() + 7 * 24 * 3600 * 1000));
    const first = await buildSubmittedCase(item);
    nextWeek();
    const second = await buildSubmittedCase(item);
    nextWeek();
    const third = await buildSubmittedCase(item);
    const reviewer = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "sthj" })).id);
    const colleague = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "sthj" })).id);
    const now = () => ctx().clock.now();
    const codes = async (who: typeof reviewer, filter: Parameters<typeof listInbox>[2] = {}) =>
      (await listInbox(ctx().db, who, { item, ...filter }, now())).rows.map((r) => r.code);
    const taskOf = async (code: string) => (await EngineTask.findOne({ where: { businessKey: code } }))!.id;

    assert.deepEqual(await codes(reviewer), [first.code, second.code, third.code]);
    assert.deepEqual(await codes(reviewer, { scope: "unassigned" }), [first.code, second.code, third.code]);
    const firstTask = await taskOf(first.code);
    await assertCopiesFollow(firstTask);

    // A colleague claims the first: it stays in my group's inbox but leaves "unassigned"; it is the colleague's "mine".
    await ctx().engine.claimTask(firstTask, colleague);
    await assertCopiesFollow(firstTask);
    assert.deepEqual(await codes(reviewer), [first.code, second.code, third.code]);
    assert.deepEqual(await codes(reviewer, { scope: "unassigned" }), [second.code, third.code]);
    assert.deepEqual(await codes(colleague, { scope: "mine" }), [first.code]);
    const counted = await listInbox(ctx().db, colleague, { item }, now());
    assert.equal(counted.total, 3);
    assert.equal(counted.more.total, false, "below the cap the total is exact");
    assert.ok(counted.counts.mine >= 1);

    // Unclaimed: back under "unassigned", in deadline order.
    await ctx().engine.unclaimTask(firstTask, colleague);
    await assertCopiesFollow(firstTask);
    assert.deepEqual(await codes(reviewer, { scope: "unassigned" }), [first.code, second.code, third.code]);
    assert.deepEqual(await codes(colleague, { scope: "mine" }), []);

    // Paging walks the same order.
    assert.deepEqual(await codes(reviewer, { pageSize: 2 }), [first.code, second.code]);
    assert.deepEqual(await codes(reviewer, { pageSize: 2, page: 2 }), [third.code]);
    assert.deepEqual(await codes(reviewer, { order: "desc" }), [third.code, second.code, first.code]);

    // Completed (approved): the review task and its candidate rows are gone; the case now waits in 核查 for the same group.
    await decideCommitmentReview(deps(), { actor: reviewer, code: second.code, data: { decision: "approve" } });
    assert.equal(await EngineTaskCandidate.count({ where: { taskId: await taskOf(first.code) } }), 1);
    const reviewRows = (await listInbox(ctx().db, reviewer, { item, activity: "reviewTask" }, now())).rows;
    assert.deepEqual(
      reviewRows.map((r) => r.code),
      [first.code, third.code],
    );
    const verification = await EngineTask.findOne({ where: { businessKey: second.code } });
    if (verification) await assertCopiesFollow(verification.id);

    // Cancelled: the case's task leaves every inbox.
    const third_ = await Commitment.findOne({ where: { code: third.code } });
    const thirdTask = await taskOf(third.code);
    await ctx().engine.cancelInstance(third_!.processInstanceId!, { actor: "admin", reason: "测试撤销" });
    assert.equal(await EngineTaskCandidate.count({ where: { taskId: thirdTask } }), 0);
    assert.ok(!(await codes(reviewer)).includes(third.code));
    assert.ok(!(await codes(reviewer, { overdue: false, sort: "created" })).includes(third.code));

    // Overdue: past the first deadline, only the cases due by then.
    const due = (await EngineTask.findByPk(firstTask))!.dueAt!;
    const later = new Date(due.getTime() + 1000);
    const overdue = (await listInbox(ctx().db, reviewer, { item, overdue: true }, later)).rows.map((r) => r.code);
    assert.ok(overdue.includes(first.code));
    assert.ok(!overdue.includes(third.code));
  });

  it("shows a count above the cap as '1000+' and exact counts below it", () => {
    const counts = { all: COUNT_CAP, mine: 2, unassigned: COUNT_CAP, overdue: 0, nearDue: 1 };
    const more = { total: true, all: true, mine: false, unassigned: true, overdue: false, nearDue: false };
    const { meta } = presentInboxPage({ rows: [], total: COUNT_CAP, page: 1, pageSize: 20, counts, countCap: COUNT_CAP, more });
    assert.deepEqual(meta.labels, { total: "1000+", all: "1000+", mine: "2", unassigned: "1000+", overdue: "0", nearDue: "1" });
    assert.equal(meta.more.total, true);
  });
});
