import assert from "node:assert/strict";
import { buildUser, loginAs } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, currentUserOf, ensureShippedForms } from "../../domain/commitments/fixtures.js";

interface Row {
  taskId: string;
  activityId: string;
  overdue: boolean;
  nearDue: boolean;
  assignee: string | null;
  due: string;
  case: { code: string; itemCode: string; status: string };
}

describe("reviewer inbox of commitment tasks", () => {
  let savedClock: Date;
  before(async () => {
    await ensureShippedForms();
    savedClock = testApp().clock.now();
  });
  after(() => testApp().clock.set(savedClock));

  it("lists my groups' tasks with their cases, filters by item, scope and overdue, sorts by deadline and counts", async () => {
    const item = await buildPublishedItem("rsj", { reviewDays: 3 });
    const first = await buildSubmittedCase(item);
    testApp().clock.set(new Date(testApp().clock.now().getTime() + 3 * 24 * 3600 * 1000));
    const second = await buildSubmittedCase(item);
    const account = await buildUser({ roles: ["reviewer"], department: "rsj" });
    const reviewer = await loginAs(account);
    const outsider = await loginAs(await buildUser({ roles: ["reviewer"], department: "zjj" }));

    const all = await reviewer.get(`/api/inbox?item=${item}`).expect(200);
    const rows = all.body.data as Row[];
    assert.deepEqual(
      rows.map((r) => r.case.code),
      [first.code, second.code],
      "earliest deadline first",
    );
    assert.equal(rows[0]!.activityId, "reviewTask");
    assert.equal(rows[0]!.case.itemCode, item);
    assert.equal(all.body.meta.total, 2);

    // Move to just after the first deadline: it is overdue, the second is not.
    testApp().clock.set(new Date(new Date(rows[0]!.due).getTime() + 1000));
    const overdue = await reviewer.get(`/api/inbox?item=${item}&overdue=1`).expect(200);
    assert.deepEqual(
      (overdue.body.data as Row[]).map((r) => r.case.code),
      [first.code],
    );
    assert.equal((overdue.body.data as Row[])[0]!.overdue, true);
    assert.ok(overdue.body.meta.counts.overdue >= 1);

    // Claim one: it shows under "mine".
    const { engine } = testApp().app.locals.context;
    await engine.claimTask(rows[1]!.taskId, await currentUserOf(account.id));
    const mine = await reviewer.get(`/api/inbox?scope=mine`).expect(200);
    assert.deepEqual(
      (mine.body.data as Row[]).map((r) => r.case.code),
      [second.code],
    );
    assert.equal(mine.body.meta.counts.mine, 1);

    const none = await outsider.get(`/api/inbox?item=${item}`).expect(200);
    assert.equal(none.body.meta.total, 0);
    const applicant = await loginAs(first.applicantAccount);
    await applicant.get("/api/inbox").expect(403);
  });
});
