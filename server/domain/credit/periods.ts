import type { CreditRecordStatus } from "../../db/models/CreditRecord.js";
import { PERIOD_UNIT_LABELS, type CountFrom, type PeriodUnit } from "../../db/models/PublicityRule.js";
import { addDays, addMonths } from "../calendar/days.js";
import type { WorkingCalendar } from "../calendar/workingDays.js";

/** A length of time as a rule states it: 3 个月, 1 年, 20 个工作日. */
export interface Period {
  value: number;
  unit: PeriodUnit;
}

/** What decides a record's publicity: a rule's figures, or a rule overridden for one record. */
export interface PeriodRule {
  publish: boolean;
  min: Period | null;
  max: Period | null;
  countFrom: CountFrom;
}

/** A period set by a law or administrative regulation for one record; it prevails over the rule (DOMAIN.md). */
export interface PeriodOverride {
  publish?: boolean;
  min?: Period | null;
  max?: Period | null;
}

export interface Publicity {
  status: Extract<CreditRecordStatus, "公示中" | "已届满" | "不予公示">;
  /** The day the record was first shown to the public; null when it is not published. */
  publicityFrom: string | null;
  /** The last day it is shown (公示截止期); null when the rule sets no maximum. */
  publicityUntil: string | null;
  /** The last day of the minimum period (repair may be applied for from the next day); null when there is none. */
  minUntil: string | null;
}

/**
 * The last day of a period counted from `from`: counting starts the next day and a period of months or years ends on
 * the corresponding day (民法典 第二百零一、二百零二条), so 3 个月 from 2026-05-10 ends on 2026-08-10; working days
 * follow the working-day calendar (Friday + 1 = Monday).
 */
export function periodEnd(from: string, period: Period, calendar: WorkingCalendar): string {
  switch (period.unit) {
    case "day":
      return addDays(from, period.value);
    case "working_day":
      return calendar.addWorkingDays(from, period.value);
    case "month":
      return addMonths(from, period.value);
    case "year":
      return addMonths(from, 12 * period.value);
  }
}

/** 3个月, 1年, 20个工作日 (no period: 不限). */
export function describePeriod(period: Period | null): string {
  return period ? `${period.value}${PERIOD_UNIT_LABELS[period.unit]}` : "不限";
}

/** The rule with a record's override applied over it. */
export function applyOverride(rule: PeriodRule, override: PeriodOverride | null): PeriodRule {
  if (!override) return rule;
  return {
    publish: override.publish ?? rule.publish,
    min: override.min === undefined ? rule.min : override.min,
    max: override.max === undefined ? rule.max : override.max,
    countFrom: rule.countFrom,
  };
}

/**
 * A record's publicity on `today` under a rule: not published (不予公示), published until the maximum (公示中), or
 * past it (已届满). Periods count from the decision date or from the day of publication, as the rule says.
 */
export function computePublicity(input: {
  rule: PeriodRule;
  decidedOn: string;
  publishedOn: string;
  today: string;
  calendar: WorkingCalendar;
}): Publicity {
  const { rule, calendar } = input;
  const base = rule.countFrom === "publication" ? input.publishedOn : input.decidedOn;
  const minUntil = rule.min ? periodEnd(base, rule.min, calendar) : null;
  if (!rule.publish) return { status: "不予公示", publicityFrom: null, publicityUntil: null, minUntil };
  const publicityUntil = rule.max ? periodEnd(base, rule.max, calendar) : null;
  const expired = publicityUntil !== null && input.today > publicityUntil;
  return { status: expired ? "已届满" : "公示中", publicityFrom: input.publishedOn, publicityUntil, minUntil };
}

/** Whether the record is shown to the public on `day`: 公示中 and within its dates. */
export function isPublicOn(
  record: { status: string; publicityFrom: string | null; publicityUntil: string | null; isPublic?: boolean; repaired?: boolean },
  day: string,
): boolean {
  if (record.status !== "公示中" || record.isPublic === false || record.repaired === true) return false;
  if (!record.publicityFrom || record.publicityFrom > day) return false;
  return record.publicityUntil === null || day <= record.publicityUntil;
}

/** Whether the minimum publicity period has passed on `day` (always, when there is none: 轻微). */
export function minimumPassed(record: { minUntil: string | null }, day: string): boolean {
  return record.minUntil === null || day > record.minUntil;
}

/** Whether min is longer than max, measured from one reference day (units may differ). */
export function minExceedsMax(min: Period | null, max: Period | null, calendar: WorkingCalendar): boolean {
  if (!min || !max) return false;
  const ref = "2026-01-01";
  return periodEnd(ref, min, calendar) > periodEnd(ref, max, calendar);
}
