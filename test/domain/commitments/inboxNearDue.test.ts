import assert from "node:assert/strict";
import { Commitment } from "../../../server/db/models/Commitment.js";
import { listInbox, nearDueDeadline } from "../../../server/domain/inbox/listInbox.js";
import { buildUser, loginAs } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, currentUserOf, ensureShippedForms } from "./fixtures.js";

const HOUR = 60 * 60 * 1000;

describe("near due is one rule: due within two working days, in GET /api/inbox and on /tasks alike", () => {
  it("marks a task due more than 48 hours ahead but within two working days near due in the API rows, counts and the page", async () => {
    await ensureShippedForms();
    const { clock, app } = testApp();
    const saved = clock.now();
    try {
      const item = await buildPublishedItem("scjgj");
      const c = await buildSubmittedCase(item);
      const due = (await Commitment.findOne({ where: { code: c.code } }))!.reviewDueAt!;
      // A moment more than 48 h before the deadline that is still within two working days of it (end of the day).
      let now: Date | null = null;
      for (let at = due.getTime() - 49 * HOUR; at > due.getTime() - 10 * 24 * HOUR && !now; at -= HOUR)
        if ((await nearDueDeadline(new Date(at))).getTime() >= due.getTime()) now = new Date(at);
      assert.ok(now, "some moment more than 48 h ahead is within two working days");
      clock.set(now);
      const account = await buildUser({ roles: ["reviewer"], department: "scjgj" });
      const page = await listInbox(app.locals.context.db, await currentUserOf(account.id), { item }, now);
      assert.deepEqual(
        page.rows.map((r) => [r.code, r.nearDue, r.overdue]),
        [[c.code, true, false]],
      );
      assert.ok(page.counts.nearDue >= 1 || page.more.nearDue);
      const agent = await loginAs(account);
      const api = await agent.get(`/api/inbox?item=${item}`).expect(200);
      assert.equal(api.body.data[0].nearDue, true);
      const html = (await agent.get(`/tasks?item=${item}`).expect(200)).text;
      assert.match(html, new RegExp(`<tr class="[^"]*row-near-due[^"]*" data-testid="task-row"[^>]*data-code="${c.code}"`));
    } finally {
      clock.set(saved);
    }
  });

  it("filters the page by 本组任务 and 认领状态 with the same query, for a reviewer and for admin", async () => {
    await ensureShippedForms();
    const item = await buildPublishedItem("scjgj");
    const c = await buildSubmittedCase(item);
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const admin = await loginAs(await buildUser({ roles: ["admin", "reviewer"], groups: ["scjgj"] }));
    for (const agent of [reviewer, admin]) {
      const shows = async (query: string) => (await agent.get(`/tasks?item=${item}&${query}`).expect(200)).text.includes(c.code);
      assert.equal(await shows("scope=group"), true);
      assert.equal(await shows("scope=group&status=unassigned&sort=created"), true);
      assert.equal(await shows("scope=group&status=assigned"), false);
      assert.equal(await shows("scope=mine"), false);
    }
  });
});
