import assert from "node:assert/strict";
import { CalendarDay } from "../../../server/db/models/CalendarDay.js";
import { addMonths, chinaDay, chinaDayEnd } from "../../../server/domain/calendar/days.js";
import { RULE_KEYS, ruleValue, setRuleValue } from "../../../server/domain/calendar/rules.js";
import { addWorkingDays, loadWorkingCalendar, WorkingCalendar } from "../../../server/domain/calendar/workingDays.js";
import { removeCalendarDay, setCalendarDay } from "../../../server/domain/calendar/calendarDays.js";
import { buildUser, loginAs } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";

describe("working-day calendar", () => {
  const plain = new WorkingCalendar();

  it("skips weekends and counts from the next day", () => {
    assert.equal(plain.addWorkingDays("2026-11-27", 1), "2026-11-30"); // Friday + 1 = Monday
    assert.equal(plain.addWorkingDays("2026-11-28", 1), "2026-11-30"); // Saturday + 1 = Monday
    assert.equal(plain.addWorkingDays("2026-11-23", 5), "2026-11-30");
    assert.equal(plain.addWorkingDays("2026-11-29", 0), "2026-11-30"); // Sunday, 0 days: next working day
    assert.equal(plain.addWorkingDays("2026-11-27", 0), "2026-11-27");
  });

  it("takes the China-time day of an instant (UTC evening is the next day in China)", () => {
    assert.equal(chinaDay(new Date("2026-11-27T16:30:00Z")), "2026-11-28");
    assert.equal(plain.addWorkingDays(new Date("2026-11-27T16:30:00Z"), 1), "2026-11-30");
    assert.equal(chinaDayEnd("2026-11-30").toISOString(), "2026-11-30T15:59:59.000Z");
  });

  it("skips holidays and works on 调休 weekends from the shipped 2026 table", async () => {
    const calendar = await loadWorkingCalendar();
    // 国庆 2026: 1-7 October off, Saturday 10 October worked.
    assert.equal(calendar.addWorkingDays("2026-09-30", 1), "2026-10-08");
    assert.equal(calendar.addWorkingDays("2026-10-09", 1), "2026-10-10");
    // 春节 2026: 15-23 February off; Saturday 14 February worked.
    assert.equal(calendar.addWorkingDays("2026-02-13", 1), "2026-02-14");
    assert.equal(calendar.addWorkingDays("2026-02-14", 1), "2026-02-24");
    assert.equal(calendar.workingDaysBetween("2026-09-30", "2026-10-10"), 3);
  });

  it("follows an admin's change of the holiday table, and its removal", async () => {
    const { db } = testApp();
    // 2031-03-03 is a Monday; no test or seed uses 2031.
    await setCalendarDay(db, { actor: "admin", day: "2031-03-03", kind: "holiday", name: "测试假日" });
    await setCalendarDay(db, { actor: "admin", day: "2031-03-08", kind: "workday", name: "测试调休" });
    assert.equal(await addWorkingDays("2031-02-28", 1), "2031-03-04");
    assert.equal(await addWorkingDays("2031-03-07", 1), "2031-03-08");
    await removeCalendarDay(db, { actor: "admin", day: "2031-03-03" });
    await removeCalendarDay(db, { actor: "admin", day: "2031-03-08" });
    assert.equal(await addWorkingDays("2031-02-28", 1), "2031-03-03");
    assert.equal(await CalendarDay.count({ where: { day: "2031-03-03" } }), 0);
  });

  it("refuses a malformed day in Chinese", async () => {
    const { db } = testApp();
    await assert.rejects(setCalendarDay(db, { actor: "admin", day: "2031-02-30", kind: "holiday", name: "x" }), /日期无效/);
  });

  it("adds months clamped to the end of the month", () => {
    assert.equal(addMonths("2026-01-31", 1), "2026-02-28");
    assert.equal(addMonths("2026-11-27", 12), "2027-11-27");
  });

  it("gives the rule value in force on a day", async () => {
    const { db } = testApp();
    const key = `test.rule.${Math.random().toString(36).slice(2)}`;
    await setRuleValue(db, { actor: "admin", key, value: 10, effectiveFrom: "2026-01-01" });
    await setRuleValue(db, { actor: "admin", key, value: 7, effectiveFrom: "2026-04-01" });
    assert.equal(await ruleValue(key, "2026-03-31", 0), 10);
    assert.equal(await ruleValue(key, "2026-04-01", 0), 7);
    assert.equal(await ruleValue(key, "2025-12-31", 99), 99);
    assert.equal(await ruleValue(RULE_KEYS.divisionCode, "2026-11-27", ""), "410182");
    // A value that would break every later submission is refused with a Chinese message, and nothing is stored.
    for (const value of [41018, "41018x", null]) {
      await assert.rejects(
        setRuleValue(db, { actor: "admin", key: RULE_KEYS.divisionCode, value, effectiveFrom: "2026-11-01" }),
        (err: Error) => {
          assert.match(JSON.stringify(err), /6 位数字/);
          return true;
        },
      );
    }
    assert.equal(await ruleValue(RULE_KEYS.divisionCode, "2026-11-27", ""), "410182");
  });
});

describe("calendar API", () => {
  it("lets an admin mark a holiday (audited) and refuses others", async () => {
    const admin = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"] }));
    await reviewer.put("/api/calendar/2032-03-01").set("X-CSRF-Token", reviewer.csrf).send({ kind: "holiday", name: "x" }).expect(403);
    await admin.put("/api/calendar/2032-03-01").set("X-CSRF-Token", admin.csrf).send({ kind: "holiday", name: "测试假日" }).expect(200);
    const list = await reviewer.get("/api/calendar?year=2032").expect(200);
    assert.deepEqual(
      list.body.data.map((d: { day: string }) => d.day),
      ["2032-03-01"],
    );
    const add = await reviewer.get("/api/calendar/add-working-days?from=2032-02-27&days=1").expect(200);
    assert.equal(add.body.data.day, "2032-03-02");
    await admin.delete("/api/calendar/2032-03-01").set("X-CSRF-Token", admin.csrf).expect(204);
    await admin.put("/api/calendar/2032-02-30").set("X-CSRF-Token", admin.csrf).send({ kind: "holiday", name: "x" }).expect(400);
    // A day that does not exist, or one far outside the calendar, is a Chinese 400 (it was a 500).
    for (const from of ["2026-02-30", "9999-12-31"]) {
      const bad = await reviewer.get(`/api/calendar/add-working-days?from=${from}&days=1`).expect(400);
      assert.match(JSON.stringify(bad.body), /没有这一天/);
    }
  });
});
