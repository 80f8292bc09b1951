import assert from "node:assert/strict";
import { loadWorkingCalendar, WorkingCalendar } from "../../../server/domain/calendar/workingDays.js";
import { computePublicity, isPublicOn, minimumPassed, periodEnd, type PeriodRule } from "../../../server/domain/credit/periods.js";
import { loadRuleBook, RuleBook, type RuleRow } from "../../../server/domain/credit/rules.js";
import { departmentId } from "../../helpers/factories.js";

const row = (overrides: Partial<RuleRow>): RuleRow => ({
  id: 1,
  ruleSet: "national",
  recordType: "行政处罚",
  severity: "一般",
  publish: true,
  minValue: null,
  minUnit: null,
  maxValue: null,
  maxUnit: null,
  countFrom: "decision",
  effectiveFrom: "2000-01-01",
  legalBasis: "测试",
  note: null,
  toBeConfirmed: false,
  ...overrides,
});

/** Publicity of a record decided on `decidedOn`, published the same day, as seen on `today`. */
function on(
  book: RuleBook,
  today: string,
  record: { type: string; severity: string | null; decidedOn: string; departmentId?: number | null; publishedOn?: string },
) {
  return book.publicityOf(
    {
      departmentId: record.departmentId ?? null,
      recordType: record.type,
      severity: record.severity,
      decidedOn: record.decidedOn,
      publishedOn: record.publishedOn ?? record.decidedOn,
    },
    null,
    today,
  );
}

describe("publicity periods: the national rules at their boundaries (calendar days)", () => {
  let book: RuleBook;
  before(async () => {
    book = await loadRuleBook();
  });

  it("一般 (from 2026-04-01): at least 3 months, at most 1 year, counted from the decision", () => {
    const r = { type: "行政处罚", severity: "一般", decidedOn: "2026-05-10" };
    const { rule, publicity } = on(book, "2026-05-10", r);
    assert.equal(rule?.effectiveFrom, "2026-04-01");
    assert.deepEqual(publicity, { status: "公示中", publicityFrom: "2026-05-10", publicityUntil: "2027-05-10", minUntil: "2026-08-10" });
    // minimum: the day before and the day of the limit are inside it; repair may be applied for from the next day
    assert.equal(minimumPassed(publicity, "2026-08-09"), false);
    assert.equal(minimumPassed(publicity, "2026-08-10"), false);
    assert.equal(minimumPassed(publicity, "2026-08-11"), true);
    // maximum: published through the last day, expired the day after
    assert.equal(on(book, "2027-05-09", r).publicity.status, "公示中");
    assert.equal(on(book, "2027-05-10", r).publicity.status, "公示中");
    assert.equal(on(book, "2027-05-11", r).publicity.status, "已届满");
    assert.equal(isPublicOn({ ...publicity, status: "公示中" }, "2027-05-10"), true);
    assert.equal(isPublicOn({ ...publicity, status: "公示中" }, "2027-05-11"), false);
  });

  it("严重: at least 1 year, at most 3 years", () => {
    const r = { type: "行政处罚", severity: "严重", decidedOn: "2026-06-15" };
    const { publicity } = on(book, "2026-06-15", r);
    assert.equal(publicity.minUntil, "2027-06-15");
    assert.equal(publicity.publicityUntil, "2029-06-15");
    assert.equal(minimumPassed(publicity, "2027-06-14"), false);
    assert.equal(minimumPassed(publicity, "2027-06-15"), false);
    assert.equal(minimumPassed(publicity, "2027-06-16"), true);
    assert.equal(on(book, "2029-06-14", r).publicity.status, "公示中");
    assert.equal(on(book, "2029-06-15", r).publicity.status, "公示中");
    assert.equal(on(book, "2029-06-16", r).publicity.status, "已届满");
  });

  it("轻微: not published, no minimum; published by a record's decision, at most 3 months", () => {
    const r = { type: "行政处罚", severity: "轻微", decidedOn: "2026-05-10" };
    const { publicity } = on(book, "2026-05-10", r);
    assert.deepEqual(publicity, { status: "不予公示", publicityFrom: null, publicityUntil: null, minUntil: null });
    assert.equal(minimumPassed(publicity, "2026-05-10"), true);
    const published = book.publicityOf(
      { departmentId: null, recordType: "行政处罚", severity: "轻微", decidedOn: "2026-05-10", publishedOn: "2026-05-10" },
      { publish: true },
      "2026-08-10",
    );
    assert.deepEqual(published.publicity, { status: "公示中", publicityFrom: "2026-05-10", publicityUntil: "2026-08-10", minUntil: null });
    const after = book.publicityOf(
      { departmentId: null, recordType: "行政处罚", severity: "轻微", decidedOn: "2026-05-10", publishedOn: "2026-05-10" },
      { publish: true },
      "2026-08-11",
    );
    assert.equal(after.publicity.status, "已届满");
  });

  it("严重失信主体名单 follows its own rule (1-3 years, marked to be confirmed); 行政许可, 经营异常名录 and 违诺 have no end", () => {
    const list = on(book, "2026-07-01", { type: "严重失信主体名单", severity: null, decidedOn: "2026-07-01" });
    assert.equal(list.rule?.toBeConfirmed, true);
    assert.equal(list.publicity.minUntil, "2027-07-01");
    assert.equal(list.publicity.publicityUntil, "2029-07-01");
    for (const type of ["行政许可", "经营异常名录", "违诺"]) {
      const { rule, publicity } = on(book, "2036-01-01", { type, severity: null, decidedOn: "2026-07-01" });
      assert.equal(rule?.recordType, type);
      assert.equal(publicity.status, "公示中", type);
      assert.equal(publicity.publicityUntil, null, type);
    }
  });

  it("a period of months ends on the corresponding day, or the month's last day (30 Nov + 3 months = 28 Feb)", () => {
    const { publicity } = on(book, "2026-11-30", { type: "行政处罚", severity: "一般", decidedOn: "2026-11-30" });
    assert.equal(publicity.minUntil, "2027-02-28");
    assert.equal(publicity.publicityUntil, "2027-11-30");
  });
});

describe("publicity periods: rules by effective date, department rule sets, working days, overrides", () => {
  it("uses the rule in force on the decision date: the day before a change keeps the old figures, the day of it takes the new", () => {
    const calendar = new WorkingCalendar();
    const book = new RuleBook(
      [
        row({ id: 1, effectiveFrom: "2026-04-01", minValue: 3, minUnit: "month", maxValue: 1, maxUnit: "year" }),
        row({ id: 2, effectiveFrom: "2026-07-01", minValue: 1, minUnit: "month", maxValue: 6, maxUnit: "month" }),
      ],
      new Map(),
      calendar,
    );
    const before = on(book, "2026-07-01", { type: "行政处罚", severity: "一般", decidedOn: "2026-06-30" });
    assert.equal(before.rule?.id, 1);
    assert.equal(before.publicity.publicityUntil, "2027-06-30");
    const dayOf = on(book, "2026-07-01", { type: "行政处罚", severity: "一般", decidedOn: "2026-07-01" });
    assert.equal(dayOf.rule?.id, 2);
    assert.equal(dayOf.publicity.publicityUntil, "2027-01-01");
    assert.equal(dayOf.publicity.minUntil, "2026-08-01");
    // Before every rule: published, no period (nothing is derived).
    const none = on(book, "2026-07-01", { type: "行政处罚", severity: "一般", decidedOn: "2026-03-31" });
    assert.equal(none.rule, null);
    assert.deepEqual(none.publicity, { status: "公示中", publicityFrom: "2026-03-31", publicityUntil: null, minUntil: null });
  });

  it("the seeded national rules: decided 2026-03-31 takes the earlier rule (marked 待确认), 2026-04-01 the 令36 rule", async () => {
    const book = await loadRuleBook();
    assert.equal(on(book, "2026-04-01", { type: "行政处罚", severity: "一般", decidedOn: "2026-03-31" }).rule?.effectiveFrom, "2000-01-01");
    assert.equal(on(book, "2026-04-01", { type: "行政处罚", severity: "一般", decidedOn: "2026-03-31" }).rule?.toBeConfirmed, true);
    assert.equal(on(book, "2026-04-01", { type: "行政处罚", severity: "一般", decidedOn: "2026-04-01" }).rule?.effectiveFrom, "2026-04-01");
  });

  it("a department's rule set (市场监管 scjgj from 2025-12-25) comes before the national one; other departments use the national", async () => {
    const book = await loadRuleBook();
    const scjgj = await departmentId("scjgj");
    const swj = await departmentId("swj");
    assert.equal(
      on(book, "2026-01-10", { type: "行政处罚", severity: "一般", decidedOn: "2025-12-25", departmentId: scjgj }).rule?.ruleSet,
      "scjgj",
    );
    assert.equal(
      on(book, "2026-01-10", { type: "行政处罚", severity: "一般", decidedOn: "2025-12-24", departmentId: scjgj }).rule?.ruleSet,
      "national",
    );
    assert.equal(
      on(book, "2026-01-10", { type: "行政处罚", severity: "一般", decidedOn: "2026-01-10", departmentId: swj }).rule?.ruleSet,
      "national",
    );
    // The department set has no rule for lists: the national one applies.
    assert.equal(
      on(book, "2026-01-10", { type: "严重失信主体名单", severity: "严重", decidedOn: "2026-01-10", departmentId: scjgj }).rule?.ruleSet,
      "national",
    );
  });

  it("working-day periods skip weekends and holidays and count 调休 Saturdays (National Day 2026)", async () => {
    const calendar = await loadWorkingCalendar();
    const rule: PeriodRule = {
      publish: true,
      min: { value: 2, unit: "working_day" },
      max: { value: 5, unit: "working_day" },
      countFrom: "decision",
    };
    // 2026-09-30 (Wed) + 5 working days: 10-08, 10-09, 10-10 (调休), 10-12, 10-13.
    assert.equal(periodEnd("2026-09-30", { value: 5, unit: "working_day" }, calendar), "2026-10-13");
    const at = (today: string) => computePublicity({ rule, decidedOn: "2026-09-30", publishedOn: "2026-09-30", today, calendar });
    assert.equal(at("2026-09-30").minUntil, "2026-10-09");
    assert.equal(at("2026-10-12").status, "公示中");
    assert.equal(at("2026-10-13").status, "公示中");
    assert.equal(at("2026-10-14").status, "已届满");
    assert.equal(minimumPassed(at("2026-10-09"), "2026-10-09"), false);
    assert.equal(minimumPassed(at("2026-10-09"), "2026-10-10"), true);
  });

  it("counts from publication when the rule says so", () => {
    const calendar = new WorkingCalendar();
    const rule: PeriodRule = { publish: true, min: null, max: { value: 3, unit: "month" }, countFrom: "publication" };
    const p = computePublicity({ rule, decidedOn: "2026-05-10", publishedOn: "2026-05-20", today: "2026-08-20", calendar });
    assert.equal(p.publicityUntil, "2026-08-20");
    assert.equal(p.status, "公示中");
    assert.equal(
      computePublicity({ rule, decidedOn: "2026-05-10", publishedOn: "2026-05-20", today: "2026-08-21", calendar }).status,
      "已届满",
    );
  });

  it("a per-record override (a period set by law) prevails over the rule, on both limits", async () => {
    const book = await loadRuleBook();
    const record = { departmentId: null, recordType: "行政处罚", severity: "一般", decidedOn: "2026-05-10", publishedOn: "2026-05-10" };
    const o = book.publicityOf(record, { max: { value: 5, unit: "year" }, min: null }, "2031-05-10");
    assert.equal(o.publicity.publicityUntil, "2031-05-10");
    assert.equal(o.publicity.minUntil, null);
    assert.equal(o.publicity.status, "公示中");
    assert.equal(book.publicityOf(record, { max: { value: 5, unit: "year" } }, "2031-05-11").publicity.status, "已届满");
    // Only the maximum overridden: the rule's minimum stays.
    assert.equal(book.publicityOf(record, { max: { value: 2, unit: "year" } }, "2026-05-10").publicity.minUntil, "2026-08-10");
    // No maximum at all: never expires.
    assert.equal(book.publicityOf(record, { max: null }, "2040-01-01").publicity.status, "公示中");
  });
});
