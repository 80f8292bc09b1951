// ISO 8601 timer arithmetic of timer start events: the first occurrence of a timeDate, timeDuration or timeCycle at
// deploy time, and the next occurrence of a cycle after a firing (Camunda's DurationHelper: missed occurrences are
// skipped). Pure functions; the jobs themselves are timerStart.ts's.
import { ValidationError } from "../../errors.js";
import { addDuration } from "../durations.js";

/** Iterations allowed when stepping a calendar period (P1M, P1Y) over a long outage. */
const MAX_STEPS = 100_000;

/** A timer definition of a start event: which field and its text. */
export interface TimerSpec {
  timerType: "timeDate" | "timeDuration" | "timeCycle";
  value: string;
}

/**
 * A cycle as a job keeps it (engine_jobs.timer_repeat): `R<n>/<due>/<period>[/<end>]`, the occurrences from this
 * job's due date on: n of them counting this one (`R` alone: no limit), one period apart, none after end.
 */
interface Cycle {
  times: number | null;
  at: Date;
  period: string;
  end: Date | null;
}

function formatCycle(c: Cycle): string {
  return `R${c.times ?? ""}/${c.at.toISOString()}/${c.period}${c.end ? `/${c.end.toISOString()}` : ""}`;
}

function parseStoredCycle(s: string): Cycle | null {
  const [r, at, period, end] = s.split("/");
  if (!r || !at || !period || !/^R\d*$/.test(r)) return null;
  return { times: r.length > 1 ? Number(r.slice(1)) : null, at: new Date(at), period, end: end ? new Date(end) : null };
}

const isDuration = (part: string) => part.startsWith("P");

function parseDate(part: string, what: string): Date {
  const ms = Date.parse(part);
  if (Number.isNaN(ms)) throw new ValidationError(`定时开始事件的 ${what}「${part}」不是有效的 ISO 8601 日期时间`);
  return new Date(ms);
}

/** A period of whole weeks, days and clock time has a fixed length (UTC days); years and months do not. */
function fixedLength(period: string): number | null {
  const datePart = period.slice(1).split("T")[0] ?? "";
  if (/[YM]/.test(datePart)) return null;
  return addDuration(new Date(0), period).getTime();
}

/**
 * The first occurrence of the series at, at + period, … (at most `times` of them, none after end) that is strictly
 * after `after`, with how many occurrences are left from it on; null when none is.
 */
function nextInSeries(c: Cycle, after: Date): Cycle | null {
  let at = c.at;
  let skipped = 0;
  const fixed = fixedLength(c.period);
  if (at.getTime() <= after.getTime()) {
    if (fixed && fixed > 0) {
      skipped = Math.floor((after.getTime() - at.getTime()) / fixed) + 1;
      at = new Date(at.getTime() + skipped * fixed);
    } else {
      while (at.getTime() <= after.getTime()) {
        at = addDuration(at, c.period);
        if (++skipped > MAX_STEPS || at.getTime() <= c.at.getTime()) return null;
      }
    }
  }
  if (c.times !== null && skipped >= c.times) return null;
  if (c.end && at.getTime() > c.end.getTime()) return null;
  return { times: c.times === null ? null : c.times - skipped, at, period: c.period, end: c.end };
}

/**
 * The first job of a timer start event deployed at `now`: timeDate at that date, timeDuration `now` + duration,
 * timeCycle at its first occurrence after now (`R3/PT1H`: now + 1 h, three in all; `R/2026-12-01T00:00:00Z/P1D`:
 * the start date, or the first day after now once it has passed), with the rest of the cycle. Null: nothing to schedule.
 */
export function firstOccurrence(timer: TimerSpec, now: Date): { dueAt: Date; repeat: string | null } | null {
  const value = timer.value.trim();
  if (/\$\{/.test(value)) throw new ValidationError(`定时开始事件的时间「${value}」不能使用表达式：部署时还没有流程变量`);
  if (timer.timerType === "timeDate") return { dueAt: parseDate(value, "timeDate"), repeat: null };
  if (timer.timerType === "timeDuration") return { dueAt: addDuration(now, value), repeat: null };
  const parts = value.split("/");
  const r = parts[0] ?? "";
  if (!/^R\d*$/.test(r) || parts.length < 2 || parts.length > 3) {
    throw new ValidationError(`定时开始事件的 timeCycle「${value}」不是有效的 ISO 8601 重复周期（例如 R3/PT1H）`);
  }
  const times = r.length > 1 ? Number(r.slice(1)) : null;
  if (times === 0) return null;
  const [a, b] = parts.slice(1) as [string, string | undefined];
  let cycle: Cycle;
  if (isDuration(a)) {
    // R<n>/<period>[/<end>]: counted from now (Camunda anchors such a cycle at the time the timer is created).
    cycle = { times: times === null ? null : times + 1, at: now, period: a, end: b ? parseDate(b, "timeCycle 结束时间") : null };
  } else {
    const start = parseDate(a, "timeCycle 开始时间");
    if (!b) throw new ValidationError(`定时开始事件的 timeCycle「${value}」缺少周期`);
    const period = isDuration(b) ? b : `PT${(parseDate(b, "timeCycle 结束时间").getTime() - start.getTime()) / 1000}S`;
    if (addDuration(start, period).getTime() <= start.getTime()) {
      throw new ValidationError(`定时开始事件的 timeCycle「${value}」的周期必须大于零`);
    }
    // The start date is the first occurrence: due then while it is ahead, else the first one after now.
    cycle = { times, at: start, period, end: null };
    if (start.getTime() > now.getTime()) return { dueAt: start, repeat: formatCycle(cycle) };
  }
  const next = nextInSeries(cycle, now);
  if (!next) return null;
  return { dueAt: next.at, repeat: formatCycle(next) };
}

/** After this job's occurrence, the next one of its cycle (strictly after now: missed occurrences are skipped), or null. */
export function followingOccurrence(repeat: string | null, now: Date): { dueAt: Date; repeat: string } | null {
  const cycle = repeat ? parseStoredCycle(repeat) : null;
  if (!cycle) return null;
  const after = new Date(Math.max(now.getTime(), cycle.at.getTime()));
  const next = nextInSeries(cycle, after);
  return next ? { dueAt: next.at, repeat: formatCycle(next) } : null;
}
