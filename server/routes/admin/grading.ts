import { Router, type Request, type Response } from "express";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { ScheduledJobRun } from "../../db/models/ScheduledJobRun.js";
import { GRADES, type Grade } from "../../db/models/SubjectGrade.js";
import { chinaDay } from "../../domain/calendar/days.js";
import {
  draftVersion,
  listModels,
  modelOn,
  saveVersion,
  type IndicatorChange,
  type ModelDef,
  type NewVersionInput,
} from "../../domain/grading/model.js";
import { classCounts, previewVersion } from "../../domain/grading/preview.js";
import { GRADING_NIGHTLY_JOB, GRADING_TICK_JOB, runGradingTick } from "../../domain/grading/recompute.js";
import { ValidationError, type ErrorDetail } from "../../errors.js";
import { requireRole } from "../../http/guards.js";
import { wantsJson } from "../../http/negotiate.js";
import { authorize } from "../../policies/authorize.js";
import { gradingPolicy } from "../../policies/grading.js";
import { GRADE_LABELS } from "../../presenters/grading.js";
import { attempt, setFlash, takeFlash, type FormProblem } from "./forms.js";

const str = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/** A number field: blank is null when allowed; anything else that is not a number is a Chinese problem. */
function numberField(body: Record<string, unknown>, key: string, label: string, problems: ErrorDetail[], blank: "null" | "required") {
  const raw = str(body[key]);
  if (raw === "") {
    if (blank === "required") problems.push({ path: key, message: `请填写${label}` });
    return null;
  }
  const n = Number(raw);
  if (!Number.isFinite(n) || !/^-?\d+(\.\d{1,2})?$/.test(raw)) {
    problems.push({ path: key, message: `${label}应为数字（最多两位小数）` });
    return null;
  }
  return n;
}

/** The new-version form (flat field names: points_<code>, cap_<code>, force_<code>, enabled_<code>). */
function parseVersionForm(body: Record<string, unknown>, base: ModelDef): NewVersionInput {
  const problems: ErrorDetail[] = [];
  const effectiveFrom = str(body.effectiveFrom);
  if (!effectiveFrom) problems.push({ path: "effectiveFrom", message: "请填写生效日期" });
  const baseScore = numberField(body, "baseScore", "基础分", problems, "required");
  const minA = numberField(body, "minA", "A 类最低分", problems, "required");
  const minB = numberField(body, "minB", "B 类最低分", problems, "required");
  const minC = numberField(body, "minC", "C 类最低分", problems, "required");
  const indicators: IndicatorChange[] = base.indicators.map((i) => {
    const points = numberField(body, `points_${i.code}`, `“${i.label}”的分值`, problems, "required");
    const cap = numberField(body, `cap_${i.code}`, `“${i.label}”的上限`, problems, "null");
    const force = str(body[`force_${i.code}`]);
    if (force && !GRADES.includes(force as Grade))
      problems.push({ path: `force_${i.code}`, message: `“${i.label}”的直接定级应为 A-D 或不设` });
    return {
      code: i.code,
      points: points ?? 0,
      cap,
      forceGrade: force ? (force as Grade) : null,
      enabled: body[`enabled_${i.code}`] === "on" || body[`enabled_${i.code}`] === "1",
    };
  });
  const note = str(body.note);
  if (note.length > 1000) problems.push({ path: "note", message: "说明不能超过 1000 字" });
  if (problems.length) throw new ValidationError("评价模型填写有误，请按提示修改", problems);
  return {
    effectiveFrom,
    baseScore: baseScore!,
    minA: minA!,
    minB: minB!,
    minC: minC!,
    note: note || null,
    toBeConfirmed: body.toBeConfirmed === "on" || body.toBeConfirmed === "1",
    indicators,
  };
}

const presentModel = (m: ModelDef, today: string, current: ModelDef | null) => ({
  ...m,
  inForce: current?.id === m.id,
  future: m.effectiveFrom > today,
  indicators: m.indicators.map((i) => ({
    ...i,
    scope: describeScope(i),
  })),
});

function describeScope(i: ModelDef["indicators"][number]): string {
  const p = i.params as unknown as Record<string, unknown>;
  const age =
    p.maxAgeMonths === null || p.maxAgeMonths === undefined
      ? Number(p.minAgeMonths ?? 0) > 0
        ? `${Number(p.minAgeMonths)}个月以上`
        : "不限时间"
      : `${Number(p.minAgeMonths ?? 0)}–${Number(p.maxAgeMonths)}个月`;
  if (i.kind === "record") {
    const sev = Array.isArray(p.severities) ? (p.severities as string[]).join("、") : "全部";
    return `信用记录：${(p.recordTypes as string[]).join("、")}；严重程度：${sev}；状态：${(p.statuses as string[]).join("、")}；距决定日 ${age}`;
  }
  return `信用承诺核查结果：${(p.fulfilment as string[]).join("、")}${p.excludeRepaired ? "（违诺记录已修复的不计）" : ""}；距核查日 ${age}`;
}

/** A job run's result row in words. */
function describeRun(result: string | null): string {
  if (!result) return "进行中";
  try {
    const r = JSON.parse(result) as { state?: string; recomputed?: number; changed?: number; candidates?: number };
    const state = r.state === "running" ? "进行中，" : "";
    return `${state}重新评价 ${r.recomputed ?? 0} 个主体，${r.changed ?? 0} 个分级变化`;
  } catch {
    return result;
  }
}

/** /admin/grading: the evaluation model in force, its versions, the class counts, and a new version with preview. */
export function adminGradingRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;
  const officers = requireRole("reviewer", "dept_admin", "auditor");

  const render = async (
    req: Request,
    res: Response,
    extra: { values?: Record<string, unknown>; problem?: FormProblem; preview?: unknown } = {},
  ) => {
    const user = currentUser(req);
    const today = chinaDay(ctx.clock.now());
    const models = await listModels();
    const current = modelOn(models, today);
    const base = modelOn(models, str(extra.values?.effectiveFrom) || today) ?? current ?? models[0] ?? null;
    const counts = await classCounts();
    const runs = await ScheduledJobRun.findAll({
      where: { job: [GRADING_TICK_JOB, GRADING_NIGHTLY_JOB] },
      order: [["ranAt", "DESC"]],
      limit: 5,
      raw: true,
    });
    const values: Record<string, unknown> = extra.values ?? {
      effectiveFrom: today,
      baseScore: base?.baseScore,
      minA: base?.minA,
      minB: base?.minB,
      minC: base?.minC,
      toBeConfirmed: base?.toBeConfirmed ? "on" : "",
      ...Object.fromEntries(
        (base?.indicators ?? []).flatMap((i) => [
          [`points_${i.code}`, i.points],
          [`cap_${i.code}`, i.cap ?? ""],
          [`force_${i.code}`, i.forceGrade ?? ""],
          [`enabled_${i.code}`, i.enabled ? "on" : ""],
        ]),
      ),
    };
    const errors = extra.problem?.fields ?? {};
    res.status(extra.problem?.status ?? 200).render("admin/grading/index", {
      title: "公共信用综合评价",
      flash: takeFlash(req),
      today,
      current: current ? presentModel(current, today, current) : null,
      history: models.map((m) => presentModel(m, today, current)),
      classes: GRADES.map((g) => ({ grade: g, label: GRADE_LABELS[g], count: counts.counts[g] })),
      ungraded: counts.ungraded,
      totalSubjects: counts.total,
      runs: runs.map((r) => ({
        job: r.job === GRADING_NIGHTLY_JOB ? "夜间全部重算" : "变更重算",
        nodeId: r.nodeId,
        ranAt: r.ranAt,
        result: describeRun(r.result),
      })),
      canWrite: gradingPolicy.write(user),
      values,
      problem: extra.problem,
      errors,
      editRows: (base?.indicators ?? []).map((i) => ({
        code: i.code,
        label: i.label,
        scope: describeScope(i),
        points: values[`points_${i.code}`],
        cap: values[`cap_${i.code}`],
        force: values[`force_${i.code}`],
        enabled: values[`enabled_${i.code}`] === "on",
        error:
          errors[`points_${i.code}`] ??
          errors[`cap_${i.code}`] ??
          errors[`force_${i.code}`] ??
          errors[`indicators.${i.code}.points`] ??
          errors[`indicators.${i.code}.cap`] ??
          null,
      })),
      grades: GRADES,
      preview: extra.preview,
    });
  };

  router.get("/admin/grading", officers, async (req, res) => {
    authorize(gradingPolicy.read(currentUser(req)));
    if (wantsJson(req)) {
      const today = chinaDay(ctx.clock.now());
      const models = await listModels();
      return res.json({ data: { current: modelOn(models, today), versions: models, classes: await classCounts() } });
    }
    await render(req, res);
  });

  router.post("/admin/grading/versions", requireRole("admin"), async (req, res) => {
    const user = currentUser(req);
    authorize(gradingPolicy.write(user));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const today = chinaDay(ctx.clock.now());
    const result = await attempt(async () => {
      const models = await listModels();
      const base = modelOn(models, str(body.effectiveFrom) || today) ?? models[0];
      if (!base) throw new ValidationError("尚无评价模型");
      const draft = draftVersion(models, parseVersionForm(body, base), today);
      if (str(body.step) !== "save") return { kind: "preview" as const, draft, preview: await previewVersion(draft) };
      const saved = await db.transaction((t) => saveVersion(db, t, draft, { username: user.username, at: ctx.clock.now() }));
      return { kind: "saved" as const, draft, saved };
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
      if (result.value.kind === "preview") return res.json({ data: { preview: result.value.preview } });
      return res.status(201).json({
        data: { id: result.value.saved.id, version: result.value.draft.version, effectiveFrom: result.value.draft.effectiveFrom },
      });
    }
    if (!result.ok) return render(req, res, { values: body, problem: result.problem });
    if (result.value.kind === "preview") {
      const p = result.value.preview;
      return render(req, res, {
        values: body,
        preview: {
          ...p,
          rows: GRADES.map((g) => ({
            grade: g,
            label: GRADE_LABELS[g],
            before: p.before[g],
            after: p.after[g],
            diff: p.after[g] - p.before[g],
          })),
        },
      });
    }
    setFlash(
      req,
      "success",
      `已保存评价模型第 ${result.value.draft.version} 版（自 ${result.value.draft.effectiveFrom} 起生效）。生效后由评价任务重新评价各主体（每分钟一批，夜间全部重算）。`,
    );
    res.redirect(303, "/admin/grading");
  });

  router.post("/admin/grading/jobs/run", requireRole("admin"), async (req, res) => {
    authorize(gradingPolicy.write(currentUser(req)));
    const r = await runGradingTick(db, { at: ctx.clock.now(), nodeId: ctx.config.nodeId });
    if (wantsJson(req)) return res.json({ data: { ran: r.ran, recomputed: r.recomputed.length, changed: r.changes.length } });
    setFlash(
      req,
      "info",
      r.ran
        ? `已重新评价 ${r.recomputed.length} 个输入有变化的主体，其中 ${r.changes.length} 个分级发生变化。`
        : "本分钟的评价已由其他节点执行，请稍后再试。",
    );
    res.redirect(303, "/admin/grading");
  });

  return router;
}
