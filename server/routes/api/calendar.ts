import { Router } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { CALENDAR_DAY_KINDS } from "../../db/models/CalendarDay.js";
import { RuleSetting } from "../../db/models/RuleSetting.js";
import { listCalendarDays, removeCalendarDay, setCalendarDay } from "../../domain/calendar/calendarDays.js";
import { assertDay } from "../../domain/calendar/days.js";
import { setRuleValue } from "../../domain/calendar/rules.js";
import { loadWorkingCalendar } from "../../domain/calendar/workingDays.js";
import { requireRole, requireUser } from "../../http/guards.js";
import { parse } from "../../http/parse.js";

/** A real calendar day (2026-02-30 is not) between 2000 and 2100, the range the working-day calendar covers. */
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "日期格式应为 YYYY-MM-DD" })
  .refine(isCalendarDay, { error: "没有这一天，请检查年月日（年份在 2000 至 2100 之间）" });

function isCalendarDay(day: string): boolean {
  try {
    assertDay(day);
    return day >= "2000-01-01" && day <= "2100-12-31";
  } catch {
    return false;
  }
}
const YearQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() });
const DayBody = z.object({
  kind: z.enum(CALENDAR_DAY_KINDS, { error: "类型应为 holiday（节假日）或 workday（调休上班）" }),
  name: z.string().trim().min(1).max(100),
});
const AddQuery = z.object({ from: Day, days: z.coerce.number().int().min(0).max(3650) });
const RuleBody = z.object({ value: z.unknown(), effectiveFrom: Day, note: z.string().max(500).optional() });

/**
 * The working-day calendar (holidays and 调休 working weekends) and the rule settings with effective dates:
 * staff read them, admin edits them (every change audited).
 */
export function calendarApiRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get("/api/calendar", requireUser, async (req, res) => {
    const { year } = parse(YearQuery, req.query);
    const rows = await listCalendarDays(year ?? Number(ctx.clock.now().toISOString().slice(0, 4)));
    res.json({ data: rows.map((r) => ({ day: r.day, kind: r.kind, name: r.name, updatedBy: r.updatedBy })) });
  });

  /** What day is n working days after a day: lets pages show a deadline before submitting. */
  router.get("/api/calendar/add-working-days", requireUser, async (req, res) => {
    const { from, days } = parse(AddQuery, req.query);
    res.json({ data: { from, days, day: (await loadWorkingCalendar()).addWorkingDays(from, days) } });
  });

  router.put("/api/calendar/:day", requireRole("admin"), async (req, res) => {
    const day = parse(Day, req.params.day);
    const body = parse(DayBody, req.body);
    const row = await setCalendarDay(ctx.db, { actor: currentUser(req).username, day, kind: body.kind, name: body.name });
    res.json({ data: { day: row.day, kind: row.kind, name: row.name } });
  });

  router.delete("/api/calendar/:day", requireRole("admin"), async (req, res) => {
    const day = parse(Day, req.params.day);
    const removed = await removeCalendarDay(ctx.db, { actor: currentUser(req).username, day });
    res.status(removed ? 204 : 404).end();
  });

  router.get("/api/rules", requireRole("reviewer", "dept_admin", "auditor"), async (_req, res) => {
    const rows = await RuleSetting.findAll({
      order: [
        ["key", "ASC"],
        ["effectiveFrom", "DESC"],
      ],
    });
    res.json({
      data: rows.map((r) => ({
        key: r.key,
        value: JSON.parse(r.value) as unknown,
        effectiveFrom: r.effectiveFrom,
        note: r.note,
        createdBy: r.createdBy,
      })),
    });
  });

  router.put("/api/rules/:key", requireRole("admin"), async (req, res) => {
    const key = parse(z.string().regex(/^[a-zA-Z][\w.]{1,99}$/, { error: "规则键名无效" }), req.params.key);
    const body = parse(RuleBody, req.body);
    const row = await setRuleValue(ctx.db, {
      actor: currentUser(req).username,
      key,
      value: body.value,
      effectiveFrom: body.effectiveFrom,
      note: body.note,
    });
    res.json({ data: { key: row.key, value: JSON.parse(row.value) as unknown, effectiveFrom: row.effectiveFrom } });
  });

  return router;
}
