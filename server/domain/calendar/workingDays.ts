import type { Transaction } from "sequelize";
import { CalendarDay, type CalendarDayKind } from "../../db/models/CalendarDay.js";
import { addDays, assertDay, chinaDay, chinaDayEnd, weekday } from "./days.js";

/**
 * Working days: Monday to Friday, minus holidays, plus weekend days worked (调休). The exceptions are
 * rows of calendar_days that an admin edits; this class only reads them.
 */
export class WorkingCalendar {
  constructor(private readonly exceptions: ReadonlyMap<string, CalendarDayKind> = new Map()) {}

  isWorkingDay(day: string): boolean {
    const exception = this.exceptions.get(day);
    if (exception === "holiday") return false;
    if (exception === "workday") return true;
    const w = weekday(day);
    return w !== 0 && w !== 6;
  }

  /**
   * The day n working days after the China-time day of `from` (a Date or YYYY-MM-DD). Counting starts
   * the next day, as time limits in 行政许可 do: Friday + 1 = Monday. n = 0 gives the day itself if it is
   * a working day, else the next working day.
   */
  addWorkingDays(from: Date | string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${n}`);
    let day = typeof from === "string" ? from : chinaDay(from);
    assertDay(day);
    if (n === 0) {
      while (!this.isWorkingDay(day)) day = addDays(day, 1);
      return day;
    }
    let left = n;
    // A year has no more than ~30 days off beyond weekends; this bound only stops a calendar marked all holiday.
    for (let guard = 0; left > 0; guard++) {
      if (guard > n * 7 + 3660) throw new Error("working-day calendar has no working day in ten years");
      day = addDays(day, 1);
      if (this.isWorkingDay(day)) left -= 1;
    }
    return day;
  }

  /** The deadline instant (end of the China-time day) n working days after `from`. */
  workingDeadline(from: Date | string, n: number): Date {
    return chinaDayEnd(this.addWorkingDays(from, n));
  }

  /** Working days from the day after `from` up to and including `to` (0 when to is not after from). */
  workingDaysBetween(from: Date | string, to: Date | string): number {
    let day = typeof from === "string" ? from : chinaDay(from);
    const end = typeof to === "string" ? to : chinaDay(to);
    let count = 0;
    while (day < end) {
      day = addDays(day, 1);
      if (this.isWorkingDay(day)) count += 1;
    }
    return count;
  }
}

/** Reads the holiday and 调休 table into a calendar (the table is small: a few dozen rows a year). */
export async function loadWorkingCalendar(t?: Transaction): Promise<WorkingCalendar> {
  const rows = await CalendarDay.findAll({ attributes: ["day", "kind"], raw: true, transaction: t });
  return new WorkingCalendar(new Map(rows.map((r) => [r.day, r.kind])));
}

/** The day n working days after `from`, by the calendar in the database. */
export async function addWorkingDays(from: Date | string, n: number, t?: Transaction): Promise<string> {
  return (await loadWorkingCalendar(t)).addWorkingDays(from, n);
}
