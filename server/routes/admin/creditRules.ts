import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { CREDIT_RECORD_TYPES, CREDIT_SEVERITIES } from "../../db/models/CreditRecord.js";
import { Department } from "../../db/models/Department.js";
import { ANY_SEVERITY, COUNT_FROM, NATIONAL_RULE_SET, PERIOD_UNITS, PERIOD_UNIT_LABELS } from "../../db/models/PublicityRule.js";
import { assertDay, chinaDay } from "../../domain/calendar/days.js";
import { loadWorkingCalendar } from "../../domain/calendar/workingDays.js";
import { recentRuns, runPublicityExpiry } from "../../domain/credit/dailyJobs.js";
import { minExceedsMax } from "../../domain/credit/periods.js";
import { listPublicityRules, previewPublicityRule, savePublicityRule, type NewRuleInput } from "../../domain/credit/rules.js";
import { TIMELY_WORKING_DAYS, timelinessByDepartment, timelinessCsv } from "../../domain/credit/timeliness.js";
import { ValidationError } from "../../errors.js";
import { requireRole } from "../../http/guards.js";
import { wantsJson } from "../../http/negotiate.js";
import { parse } from "../../http/parse.js";
import { authorize } from "../../policies/authorize.js";
import { creditRecordPolicy } from "../../policies/creditRecord.js";
import { presentRule } from "../../presenters/credit.js";
import { attempt, optionalText, setFlash, takeFlash, type FormProblem } from "./forms.js";

const day = z.string().refine(
  (v) => {
    try {
      assertDay(v);
      return true;
    } catch {
      return false;
    }
  },
  { error: "日期应为有效的 YYYY-MM-DD" },
);
const optionalInt = z.preprocess(
  (v) => (v === "" || v === undefined || v === null ? null : v),
  z.coerce
    .number({ error: "应为整数" })
    .int({ error: "应为整数" })
    .min(0, { error: "不能为负数" })
    .max(3650, { error: "期限过长" })
    .nullable(),
);
const optionalUnit = z.preprocess(
  (v) => (v === "" || v === undefined ? null : v),
  z.enum(PERIOD_UNITS, { error: "请选择单位" }).nullable(),
);

const RuleForm = z
  .object({
    ruleSet: z.string({ error: "请选择规则集" }).trim().min(1, { error: "请选择规则集" }).max(32),
    recordType: z.enum(CREDIT_RECORD_TYPES, { error: "请选择记录类别" }),
    severity: z.enum([...CREDIT_SEVERITIES, ANY_SEVERITY], { error: "请选择严重程度" }),
    publish: z.enum(["yes", "no"], { error: "请选择是否公示" }),
    minValue: optionalInt,
    minUnit: optionalUnit,
    maxValue: optionalInt,
    maxUnit: optionalUnit,
    countFrom: z.enum(COUNT_FROM).catch("decision"),
    effectiveFrom: day,
    legalBasis: z
      .string({ error: "请填写依据" })
      .trim()
      .min(1, { error: "请填写设定该期限的依据" })
      .max(500, { error: "依据不能超过 500 字" }),
    note: optionalText(500),
    toBeConfirmed: z.preprocess((v) => v === "on" || v === "1" || v === "true" || v === true, z.boolean()),
    step: z.enum(["preview", "save"]).catch("preview"),
  })
  .superRefine((v, issue) => {
    for (const p of ["min", "max"] as const) {
      if ((v[`${p}Value`] === null) !== (v[`${p}Unit`] === null))
        issue.addIssue({ code: "custom", path: [`${p}Value`], message: "期限和单位须同时填写，或同时留空（不限）" });
    }
  });

type RuleFormValue = z.infer<typeof RuleForm>;

function toRuleInput(v: RuleFormValue): NewRuleInput {
  return {
    ruleSet: v.ruleSet,
    recordType: v.recordType,
    severity: v.severity,
    publish: v.publish === "yes",
    minValue: v.minValue,
    minUnit: v.minUnit,
    maxValue: v.maxValue,
    maxUnit: v.maxUnit,
    countFrom: v.countFrom,
    effectiveFrom: v.effectiveFrom,
    legalBasis: v.legalBasis,
    note: v.note,
    toBeConfirmed: v.toBeConfirmed,
  };
}

/** Publicity rules (table, history, preview before saving), the daily expiry job, and 及时率 by department. */
export function creditRuleRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;
  const officers = requireRole("reviewer", "dept_admin", "auditor");

  async function writableSets(req: Request) {
    const user = currentUser(req);
    const departments = await Department.findAll({ attributes: ["id", "code", "name"], order: [["id", "ASC"]], raw: true });
    const own = departments.find((d) => d.id === user.departmentId)?.code ?? null;
    const sets = [
      { code: NATIONAL_RULE_SET, name: "国家规则（全部部门）" },
      ...departments.map((d) => ({ code: d.code, name: `${d.name}（${d.code}）` })),
    ];
    return { own, sets: sets.filter((s) => creditRecordPolicy.writeRules(user, s.code, own)) };
  }

  const renderRules = async (
    req: Request,
    res: Response,
    extra: { values?: Record<string, unknown>; problem?: FormProblem; preview?: unknown } = {},
  ) => {
    const user = currentUser(req);
    const today = chinaDay(ctx.clock.now());
    const rules = (await listPublicityRules()).map(presentRule);
    // In force today: the latest effective row of each set, type and severity.
    const seen = new Set<string>();
    const current = rules.filter((r) => {
      if (r.effectiveFrom > today) return false;
      const key = `${r.ruleSet}|${r.recordType}|${r.severity}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const { sets } = await writableSets(req);
    res.status(extra.problem?.status ?? 200).render("admin/credit/rules", {
      title: "公示规则",
      flash: takeFlash(req),
      today,
      current,
      history: rules,
      sets,
      canWrite: sets.length > 0,
      canRunJobs: creditRecordPolicy.runJobs(user),
      runs: await recentRuns(),
      types: CREDIT_RECORD_TYPES,
      severities: [...CREDIT_SEVERITIES, ANY_SEVERITY],
      units: PERIOD_UNITS.map((u) => ({ value: u, label: PERIOD_UNIT_LABELS[u] })),
      values: { publish: "yes", countFrom: "decision", effectiveFrom: today, ...extra.values },
      problem: extra.problem,
      errors: extra.problem?.fields ?? {},
      preview: extra.preview,
    });
  };

  router.get("/admin/credit/rules", officers, async (req, res) => {
    authorize(creditRecordPolicy.readRules(currentUser(req)));
    if (wantsJson(req)) return res.json({ data: (await listPublicityRules()).map(presentRule) });
    await renderRules(req, res);
  });

  router.post("/admin/credit/rules", requireRole("dept_admin"), async (req, res) => {
    const user = currentUser(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { own } = await writableSets(req);
    const result = await attempt(async () => {
      const form = parse(RuleForm, body, "规则填写有误，请按提示修改");
      authorize(creditRecordPolicy.writeRules(user, form.ruleSet, own), "您只能修改本部门的规则集");
      if (form.ruleSet !== NATIONAL_RULE_SET && !(await Department.findOne({ where: { code: form.ruleSet } })))
        throw new ValidationError("规则集不存在", [{ path: "ruleSet", message: "规则集应为 national 或部门代码" }]);
      const input = toRuleInput(form);
      const calendar = await loadWorkingCalendar();
      const min = input.minValue !== null && input.minUnit ? { value: input.minValue, unit: input.minUnit } : null;
      const max = input.maxValue !== null && input.maxUnit ? { value: input.maxValue, unit: input.maxUnit } : null;
      if (minExceedsMax(min, max, calendar))
        throw new ValidationError("最短公示期长于最长公示期", [{ path: "minValue", message: "最短期限不能长于最长期限" }]);
      const today = chinaDay(ctx.clock.now());
      if (form.step === "preview") return { kind: "preview" as const, preview: await previewPublicityRule(input, today), input };
      return { kind: "saved" as const, saved: await savePublicityRule(db, { ...input, actor: user.username, at: ctx.clock.now() }), input };
    });
    if (wantsJson(req)) {
      if (!result.ok)
        return res.status(result.problem.status).json({
          error: {
            code: "invalid",
            message: result.problem.message,
            details: Object.entries(result.problem.fields).map(([path, message]) => ({ path, message })),
          },
        });
      if (result.value.kind === "preview") return res.json({ data: { changes: result.value.preview } });
      return res.status(201).json({ data: { rule: presentRule(result.value.saved.rule), changed: result.value.saved.changed } });
    }
    if (!result.ok) return renderRules(req, res, { values: body, problem: result.problem });
    if (result.value.kind === "preview") {
      const changes = result.value.preview;
      return renderRules(req, res, {
        values: body,
        preview: { total: changes.length, changes: changes.slice(0, 200), more: Math.max(0, changes.length - 200) },
      });
    }
    setFlash(
      req,
      "success",
      `已保存规则（自 ${result.value.input.effectiveFrom} 起生效），${result.value.saved.changed} 条记录已按新规则重新计算。`,
    );
    res.redirect(303, "/admin/credit/rules");
  });

  router.post("/admin/credit/jobs/expiry", requireRole("admin"), async (req, res) => {
    authorize(creditRecordPolicy.runJobs(currentUser(req)));
    const at = ctx.clock.now();
    const result = await runPublicityExpiry(db, { day: chinaDay(at), nodeId: ctx.config.nodeId, at });
    if (wantsJson(req)) return res.json({ data: { ran: result.ran, expired: result.expired.length } });
    setFlash(
      req,
      "info",
      result.ran
        ? `今日到期处理已执行：${result.expired.length} 条记录公示期满、停止公示。`
        : "今日的到期处理已经执行过（每天只执行一次）。",
    );
    res.redirect(303, "/admin/credit/rules");
  });

  const Range = z.object({
    from: day.optional().catch(undefined),
    to: day.optional().catch(undefined),
    format: z.enum(["csv", "json"]).optional().catch(undefined),
  });

  router.get("/admin/credit/timeliness", officers, async (req, res) => {
    authorize(creditRecordPolicy.read(currentUser(req)));
    const q = Range.parse(req.query);
    const today = chinaDay(ctx.clock.now());
    const range = { from: q.from ?? `${today.slice(0, 4)}-01-01`, to: q.to ?? today };
    if (range.from > range.to) throw new ValidationError("起始日期晚于截止日期", [{ path: "from", message: "请调整日期范围" }]);
    const rows = await timelinessByDepartment(range);
    if (q.format === "csv") {
      res.setHeader("Content-Type", "text/csv; charset=utf-8");
      res.setHeader(
        "Content-Disposition",
        `attachment; filename*=UTF-8''${encodeURIComponent(`双公示及时率_${range.from}_${range.to}.csv`)}`,
      );
      return res.send(timelinessCsv(rows, range));
    }
    if (q.format === "json" || wantsJson(req)) return res.json({ data: rows, meta: range });
    const total = rows.reduce((a, r) => a + r.total, 0);
    const onTime = rows.reduce((a, r) => a + r.onTime, 0);
    res.render("admin/credit/timeliness", {
      title: "双公示及时率",
      range,
      days: TIMELY_WORKING_DAYS,
      rows: rows.map((r) => ({
        ...r,
        bar: r.rate ?? 0,
        barClass: r.rate === null ? "bg-secondary" : r.rate >= 90 ? "bg-success" : r.rate >= 60 ? "bg-warning" : "bg-danger",
      })),
      overall: total ? Math.round((onTime / total) * 1000) / 10 : null,
      total,
      onTime,
      csvHref: `/admin/credit/timeliness?from=${range.from}&to=${range.to}&format=csv`,
    });
  });

  return router;
}
