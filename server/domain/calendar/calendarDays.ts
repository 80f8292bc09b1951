import type { Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { CalendarDay, CALENDAR_DAY_KINDS, type CalendarDayKind } from "../../db/models/CalendarDay.js";
import { ValidationError } from "../../errors.js";
import { audit } from "../audit.js";
import { assertDay } from "./days.js";

export interface CalendarDayInput {
  actor: string;
  day: string;
  kind: CalendarDayKind;
  name: string;
}

function checkDay(day: string): void {
  try {
    assertDay(day);
  } catch {
    throw new ValidationError("日期无效", [{ path: "day", message: "日期应为有效的 YYYY-MM-DD" }]);
  }
}

/** Lists the holiday and 调休 rows of a year (admin page and API). */
export async function listCalendarDays(year: number, t?: Transaction): Promise<CalendarDay[]> {
  const rows = await CalendarDay.findAll({ order: [["day", "ASC"]], transaction: t });
  return rows.filter((r) => r.day.startsWith(`${year}-`));
}

/** Marks a day as a holiday or a worked weekend (调休), replacing what the day was; audited. */
export async function setCalendarDay(db: Database, input: CalendarDayInput): Promise<CalendarDay> {
  checkDay(input.day);
  if (!CALENDAR_DAY_KINDS.includes(input.kind)) {
    throw new ValidationError("类型无效", [{ path: "kind", message: "应为 holiday（节假日）或 workday（调休上班）" }]);
  }
  const name = input.name.trim();
  if (!name) throw new ValidationError("名称必填", [{ path: "name", message: "请填写节日或调休名称" }]);
  return db.transaction(async (t) => {
    const existing = await CalendarDay.findByPk(input.day, { transaction: t });
    const row = existing
      ? await existing.update({ kind: input.kind, name, updatedBy: input.actor }, { transaction: t })
      : await CalendarDay.create({ day: input.day, kind: input.kind, name, updatedBy: input.actor }, { transaction: t });
    await audit(db, t, {
      actor: input.actor,
      action: "calendar.day_set",
      entityType: "calendar_day",
      entityId: input.day,
      detail: { kind: input.kind, name, before: existing ? { kind: existing.previous("kind") ?? null } : null },
    });
    return row;
  });
}

/** Returns a day to the default rule (Monday-Friday work); audited. */
export async function removeCalendarDay(db: Database, input: { actor: string; day: string }): Promise<boolean> {
  checkDay(input.day);
  return db.transaction(async (t) => {
    const removed = await CalendarDay.destroy({ where: { day: input.day }, transaction: t });
    if (removed)
      await audit(db, t, { actor: input.actor, action: "calendar.day_removed", entityType: "calendar_day", entityId: input.day });
    return removed > 0;
  });
}
