import { Router, type Request, type Response } from "express";
import { QueryTypes } from "sequelize";
import { z } from "zod";
import { currentUser, type CurrentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { SUBJECT_TYPES } from "../../db/models/CreditSubject.js";
import { Department } from "../../db/models/Department.js";
import { GRADES } from "../../domain/supervision/drawAlgorithm.js";
import { confirmDraw, drawsOfPlan, findDraw, loadDrawView, parseRecord, previewDraw } from "../../domain/supervision/draws.js";
import { createItem, findItem, listItems, setItemActive, updateItem } from "../../domain/supervision/items.js";
import { createPlan, findPlan, listPlans, setPlanStatus, updatePlan, type PlanInput } from "../../domain/supervision/plans.js";
import {
  addRecusal,
  ANY_ITEM,
  departmentCatalogItems,
  findInspector,
  listInspectors,
  listRecusals,
  listTargets,
  normalizeScope,
  removeRecusal,
} from "../../domain/supervision/pools.js";
import { pageNumber } from "../../domain/search.js";
import { NotFoundError } from "../../errors.js";
import { requireRole } from "../../http/guards.js";
import { wantsJson } from "../../http/negotiate.js";
import { parse } from "../../http/parse.js";
import { authorize } from "../../policies/authorize.js";
import { supervisionPolicy } from "../../policies/supervisionPlan.js";
import { formatDateTime } from "../../presenters/helpers.js";
import { presentPagination } from "../../presenters/pagination.js";
import { GRADE_BADGES, GRADE_LABELS, presentDraw, presentPlan } from "../../presenters/supervisionDraw.js";
import { actorOf, attempt, checkboxList, idParam, setFlash, takeFlash, type FormProblem } from "./forms.js";

const text = (label: string, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(1, { error: `请填写${label}` })
    .max(max, { error: `${label}不能超过 ${max} 字` });

const ItemForm = z.object({
  code: z
    .string({ error: "请填写事项编码" })
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, { error: "事项编码为 1-32 位字母、数字、下划线或连字符" }),
  name: text("事项名称", 200),
  legalBasis: text("抽查依据", 1000),
  method: text("抽查方式", 500),
});

const RecusalForm = z.object({
  subjectCode: z
    .string({ error: "请填写主体的统一社会信用代码" })
    .trim()
    .min(15, { error: "请填写 18 位统一社会信用代码或身份证号" })
    .max(18, { error: "请填写 18 位统一社会信用代码或身份证号" }),
  reason: text("回避原因", 500),
});

const RemoveRecusalForm = z.object({ reason: text("解除回避的原因", 500) });

const percentField = (g: string) =>
  z.preprocess(
    (v) => (v === "" || v === undefined || v === null ? 0 : v),
    z.coerce
      .number({ error: `${g}类比例应为数字（百分比）` })
      .min(0, { error: "比例不能为负数" })
      .max(100, { error: "比例不能超过 100%" }),
  );

const day = z.string({ error: "请选择日期" }).regex(/^\d{4}-\d{2}-\d{2}$/, { error: "日期应为 YYYY-MM-DD" });

const PlanForm = z.object({
  departmentId: z.coerce.number({ error: "请选择部门" }).int().positive({ error: "请选择部门" }),
  year: z.coerce.number({ error: "请填写年度" }).int().min(2000, { error: "年度有误" }).max(2100, { error: "年度有误" }),
  name: text("计划名称", 200),
  subjectTypes: checkboxList,
  divisionCode: z
    .string()
    .trim()
    .regex(/^\d{0,6}$/, { error: "区划代码为最多 6 位数字（可填前缀，如 4101）" })
    .catch("")
    .default(""),
  itemCodes: checkboxList,
  grades: checkboxList,
  itemIds: checkboxList,
  ratioA: percentField("A"),
  ratioB: percentField("B"),
  ratioC: percentField("C"),
  ratioD: percentField("D"),
  inspectorsPerTarget: z.preprocess(
    (v) => (v === "" || v === undefined ? 2 : v),
    z.coerce.number({ error: "检查人员数应为整数" }).int({ error: "检查人员数应为整数" }),
  ),
  periodStart: day,
  periodEnd: day,
});

/** Percentages typed on the page become fractions; a JSON client may send `ratios` as fractions directly. */
function planInput(body: Record<string, unknown>): PlanInput {
  const ratios = body.ratios && typeof body.ratios === "object" ? (body.ratios as Record<string, unknown>) : null;
  const flat = ratios
    ? {
        ...body,
        ratioA: Number(ratios.A) * 100,
        ratioB: Number(ratios.B) * 100,
        ratioC: Number(ratios.C) * 100,
        ratioD: Number(ratios.D) * 100,
      }
    : body;
  const scope = body.scope && typeof body.scope === "object" ? (body.scope as Record<string, unknown>) : null;
  const merged = scope ? { ...flat, ...scope } : flat;
  const f = parse(PlanForm, merged, "抽查计划填写有误，请按提示修改");
  return {
    departmentId: f.departmentId,
    year: f.year,
    name: f.name,
    scope: normalizeScope({ subjectTypes: f.subjectTypes, divisionCode: f.divisionCode, itemCodes: f.itemCodes, grades: f.grades }),
    itemIds: f.itemIds.map(Number).filter((n) => Number.isInteger(n) && n > 0),
    ratios: { A: f.ratioA / 100, B: f.ratioB / 100, C: f.ratioC / 100, D: f.ratioD / 100 },
    inspectorsPerTarget: f.inspectorsPerTarget,
    periodStart: f.periodStart,
    periodEnd: f.periodEnd,
  };
}

function jsonProblem(res: Response, problem: FormProblem) {
  return res.status(problem.status).json({
    error: {
      code: problem.status === 409 ? "conflict" : "invalid",
      message: problem.message,
      details: Object.entries(problem.fields).map(([path, message]) => ({ path, message })),
    },
  });
}

const chinaYear = (d: Date) => new Date(d.getTime() + 8 * 3600_000).getUTCFullYear();

/** 两库、清单、抽查计划 and the draw (preview, confirmation) for department staff. */
export function adminSupervisionRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;
  const officers = requireRole("reviewer", "dept_admin", "auditor");
  const managers = requireRole("dept_admin");

  async function departments() {
    return Department.findAll({ attributes: ["id", "code", "name"], order: [["id", "ASC"]], raw: true });
  }

  /** The department a page is about: ?departmentId= (any officer may read any department), else the user's own. */
  async function departmentOf(req: Request, user: CurrentUser, explicit?: unknown) {
    const all = await departments();
    const wanted = Number(explicit ?? req.query.departmentId);
    const found =
      all.find((d) => d.id === wanted) ?? all.find((d) => d.id === user.departmentId) ?? all.find((d) => d.code === "scjgj") ?? all[0];
    if (!found) throw new NotFoundError("还没有部门");
    return { department: found, all: all.map((d) => ({ ...d, selected: d.id === found.id })) };
  }

  router.get("/admin/supervision", officers, (_req, res) => res.redirect("/admin/supervision/plans"));

  // ---------------------------------------------------------------------------------------------------------------
  // 检查对象名录库

  const TargetQuery = z.object({
    type: z.enum(SUBJECT_TYPES).optional().catch(undefined),
    division: z
      .string()
      .regex(/^\d{1,6}$/)
      .optional()
      .catch(undefined),
    item: z.string().max(64).optional().catch(undefined),
    grade: z.enum(GRADES).optional().catch(undefined),
  });

  router.get(["/admin/supervision/targets", "/api/supervision/targets"], officers, async (req, res) => {
    const user = currentUser(req);
    authorize(supervisionPolicy.read(user));
    const { department, all } = await departmentOf(req, user);
    const q = TargetQuery.parse(req.query);
    const page = pageNumber(req.query.page);
    const scope = normalizeScope({
      subjectTypes: q.type ? [q.type] : [],
      divisionCode: q.division ?? "",
      itemCodes: q.item ? [q.item] : [],
      grades: q.grade ? [q.grade] : [],
    });
    const list = await listTargets(db, department.id, scope, page);
    if (wantsJson(req)) return res.json({ data: list.rows, meta: { total: list.total, page, byGrade: list.byGrade } });
    const filters = { departmentId: department.id, type: q.type, division: q.division, item: q.item, grade: q.grade };
    res.render("admin/supervision/targets", {
      title: "检查对象名录库",
      tab: "targets",
      departments: all,
      department,
      filters,
      types: SUBJECT_TYPES,
      grades: GRADES.map((g) => ({ value: g, label: GRADE_LABELS[g] })),
      items: [{ code: ANY_ITEM, name: "本部门任一承诺事项" }, ...(await departmentCatalogItems(db, department.id))],
      rows: list.rows.map((r) => ({ ...r, gradeBadge: GRADE_BADGES[r.grade] })),
      byGrade: GRADES.map((g) => ({ grade: g, badge: GRADE_BADGES[g], n: list.byGrade[g] })),
      pagination: presentPagination(list, "/admin/supervision/targets", filters),
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  // 执法检查人员名录库 and recusals

  router.get(["/admin/supervision/inspectors", "/api/supervision/inspectors"], officers, async (req, res) => {
    const user = currentUser(req);
    authorize(supervisionPolicy.read(user));
    const { department, all } = await departmentOf(req, user);
    const inspectors = await listInspectors(db, department.id);
    if (wantsJson(req)) return res.json({ data: inspectors });
    res.render("admin/supervision/inspectors", {
      title: "执法检查人员名录库",
      tab: "inspectors",
      departments: all,
      department,
      inspectors,
      flash: takeFlash(req),
    });
  });

  async function inspectorPage(req: Request, res: Response, extra: { values?: Record<string, unknown>; problem?: FormProblem } = {}) {
    const user = currentUser(req);
    authorize(supervisionPolicy.read(user));
    const userId = idParam(req.params.userId);
    const [row] = await db.sequelize.query<{ department_id: number | null }>("SELECT department_id FROM users WHERE id = :id", {
      type: QueryTypes.SELECT,
      replacements: { id: userId },
    });
    if (!row?.department_id) throw new NotFoundError("找不到该检查人员");
    const departmentId = Number(row.department_id);
    const inspector = await findInspector(db, departmentId, userId);
    const department = await Department.findByPk(departmentId);
    return {
      departmentId,
      inspector,
      render: async () =>
        res.status(extra.problem?.status ?? 200).render("admin/supervision/inspector", {
          title: `回避名单 · ${inspector.displayName}`,
          tab: "inspectors",
          crumb: inspector.displayName,
          inspector,
          department: { id: departmentId, name: department?.name ?? "" },
          recusals: (await listRecusals(db, userId)).map((r) => ({ ...r, createdAt: formatDateTime(r.createdAt) })),
          canManage: supervisionPolicy.manage(user, departmentId),
          flash: takeFlash(req),
          values: extra.values ?? {},
          problem: extra.problem,
          errors: extra.problem?.fields ?? {},
        }),
    };
  }

  router.get(["/admin/supervision/inspectors/:userId", "/api/supervision/inspectors/:userId"], officers, async (req, res) => {
    const page = await inspectorPage(req, res);
    if (wantsJson(req)) return res.json({ data: { inspector: page.inspector, recusals: await listRecusals(db, page.inspector.userId) } });
    await page.render();
  });

  router.post(
    ["/admin/supervision/inspectors/:userId/recusals", "/api/supervision/inspectors/:userId/recusals"],
    managers,
    async (req, res) => {
      const user = currentUser(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const probe = await inspectorPage(req, res);
      authorize(supervisionPolicy.manage(user, probe.departmentId), "只能维护本部门检查人员的回避名单");
      const result = await attempt(async () => {
        const form = parse(RecusalForm, body, "回避信息填写有误");
        return addRecusal(db, actorOf(req), probe.departmentId, { userId: probe.inspector.userId, ...form });
      });
      if (wantsJson(req)) return result.ok ? res.status(201).json({ data: result.value }) : jsonProblem(res, result.problem);
      if (!result.ok) return (await inspectorPage(req, res, { values: body, problem: result.problem })).render();
      setFlash(req, "success", `已登记回避：${result.value.subjectName}。今后抽取不会为该主体选派此检查人员。`);
      res.redirect(303, `/admin/supervision/inspectors/${probe.inspector.userId}`);
    },
  );

  router.post("/admin/supervision/inspectors/:userId/recusals/:id/delete", managers, async (req, res) => {
    const user = currentUser(req);
    const probe = await inspectorPage(req, res);
    authorize(supervisionPolicy.manage(user, probe.departmentId), "只能维护本部门检查人员的回避名单");
    const result = await attempt(async () => {
      const form = parse(RemoveRecusalForm, req.body ?? {}, "请填写解除回避的原因");
      await removeRecusal(db, actorOf(req), probe.departmentId, {
        userId: probe.inspector.userId,
        recusalId: idParam(req.params.id),
        reason: form.reason,
      });
    });
    if (wantsJson(req)) return result.ok ? res.status(204).end() : jsonProblem(res, result.problem);
    setFlash(
      req,
      result.ok ? "success" : "danger",
      result.ok ? "已解除回避。" : `未能解除回避：${Object.values(result.problem.fields)[0] ?? result.problem.message}`,
    );
    res.redirect(303, `/admin/supervision/inspectors/${probe.inspector.userId}`);
  });

  // ---------------------------------------------------------------------------------------------------------------
  // 抽查事项清单

  async function renderItems(req: Request, res: Response, extra: { values?: Record<string, unknown>; problem?: FormProblem } = {}) {
    const user = currentUser(req);
    const { department, all } = await departmentOf(req, user, (req.body as Record<string, unknown> | undefined)?.departmentId);
    res.status(extra.problem?.status ?? 200).render("admin/supervision/items", {
      title: "抽查事项清单",
      tab: "items",
      departments: all,
      department,
      items: await listItems(department.id),
      canManage: supervisionPolicy.manage(user, department.id),
      flash: takeFlash(req),
      values: extra.values ?? {},
      problem: extra.problem,
      errors: extra.problem?.fields ?? {},
    });
  }

  router.get(["/admin/supervision/items", "/api/supervision/items"], officers, async (req, res) => {
    const user = currentUser(req);
    authorize(supervisionPolicy.read(user));
    if (wantsJson(req)) return res.json({ data: await listItems((await departmentOf(req, user)).department.id) });
    await renderItems(req, res);
  });

  router.post(["/admin/supervision/items", "/api/supervision/items"], managers, async (req, res) => {
    const user = currentUser(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { department } = await departmentOf(req, user, body.departmentId);
    authorize(supervisionPolicy.manage(user, department.id), "只能维护本部门的抽查事项清单");
    const result = await attempt(async () =>
      createItem(db, actorOf(req), department.id, parse(ItemForm, body, "抽查事项填写有误，请按提示修改")),
    );
    if (wantsJson(req)) return result.ok ? res.status(201).json({ data: result.value }) : jsonProblem(res, result.problem);
    if (!result.ok) return renderItems(req, res, { values: body, problem: result.problem });
    setFlash(req, "success", `已添加抽查事项“${result.value.name}”。`);
    res.redirect(303, `/admin/supervision/items?departmentId=${department.id}`);
  });

  async function loadItemFor(req: Request, user: CurrentUser) {
    const item = await findItem(idParam(req.params.id));
    if (!item) throw new NotFoundError("找不到该抽查事项");
    authorize(supervisionPolicy.manage(user, item.departmentId), "只能维护本部门的抽查事项清单");
    return item;
  }

  router.get("/admin/supervision/items/:id/edit", managers, async (req, res) => {
    const item = await loadItemFor(req, currentUser(req));
    res.render("admin/supervision/item-edit", { title: `修改抽查事项 · ${item.name}`, item, values: item, errors: {} });
  });

  router.post("/admin/supervision/items/:id", managers, async (req, res) => {
    const item = await loadItemFor(req, currentUser(req));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await attempt(async () =>
      updateItem(db, actorOf(req), item.id, parse(ItemForm, body, "抽查事项填写有误，请按提示修改")),
    );
    if (wantsJson(req)) return result.ok ? res.json({ data: result.value }) : jsonProblem(res, result.problem);
    if (!result.ok)
      return res.status(result.problem.status).render("admin/supervision/item-edit", {
        title: `修改抽查事项 · ${item.name}`,
        item,
        values: body,
        problem: result.problem,
        errors: result.problem.fields,
      });
    setFlash(req, "success", `已保存抽查事项“${result.value.name}”。`);
    res.redirect(303, `/admin/supervision/items?departmentId=${item.departmentId}`);
  });

  for (const [action, active] of [
    ["deactivate", false],
    ["activate", true],
  ] as const) {
    router.post(`/admin/supervision/items/:id/${action}`, managers, async (req, res) => {
      const item = await loadItemFor(req, currentUser(req));
      const saved = await setItemActive(db, actorOf(req), item.id, active);
      if (wantsJson(req)) return res.json({ data: saved });
      setFlash(
        req,
        "success",
        active ? `已重新启用“${saved.name}”。` : `已停用“${saved.name}”：新计划不能再选择该事项，已有计划不受影响。`,
      );
      res.redirect(303, `/admin/supervision/items?departmentId=${item.departmentId}`);
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 抽查计划

  router.get(["/admin/supervision/plans", "/api/supervision/plans"], officers, async (req, res) => {
    const user = currentUser(req);
    authorize(supervisionPolicy.read(user));
    const thisYear = chinaYear(ctx.clock.now());
    const year =
      Number.isInteger(Number(req.query.year)) && Number(req.query.year) >= 2000 && Number(req.query.year) <= 2100
        ? Number(req.query.year)
        : thisYear;
    const all = await departments();
    const departmentId = all.some((d) => d.id === Number(req.query.departmentId)) ? Number(req.query.departmentId) : undefined;
    const plans = await listPlans(db, { year, departmentId });
    if (wantsJson(req)) return res.json({ data: plans, meta: { year } });
    const groups = all
      .filter((d) => !departmentId || d.id === departmentId)
      .map((d) => ({ department: d, plans: plans.filter((p) => p.departmentId === d.id).map((p) => presentPlan(p)) }))
      .filter((g) => g.plans.length);
    res.render("admin/supervision/plans", {
      title: `${year} 年度抽查计划`,
      tab: "plans",
      year,
      prevYear: year - 1,
      nextYear: year + 1,
      departments: all.map((d) => ({ ...d, selected: d.id === departmentId })),
      departmentId,
      groups,
      canCreate: user.isAdmin || user.roles.includes("dept_admin"),
      flash: takeFlash(req),
    });
  });

  async function renderPlanForm(
    req: Request,
    res: Response,
    opts: { planId?: number; values: Record<string, unknown>; problem?: FormProblem },
  ) {
    const user = currentUser(req);
    const all = await departments();
    const manageable = all.filter((d) => supervisionPolicy.manage(user, d.id));
    const wanted = Number(opts.values.departmentId);
    const department = manageable.find((d) => d.id === wanted) ?? manageable.find((d) => d.id === user.departmentId) ?? manageable[0];
    if (!department) throw new NotFoundError("您没有可维护抽查计划的部门");
    const values: Record<string, unknown> = { ...opts.values, departmentId: department.id };
    const list = (v: unknown): string[] =>
      Array.isArray(v)
        ? v.filter((x): x is string | number => typeof x === "string" || typeof x === "number").map(String)
        : typeof v === "string" || typeof v === "number"
          ? v === ""
            ? []
            : [String(v)]
          : [];
    const chosenItems = list(values.itemIds);
    const chosenTypes = list(values.subjectTypes);
    const chosenCodes = list(values.itemCodes);
    const chosenGrades = list(values.grades);
    res.status(opts.problem?.status ?? 200).render("admin/supervision/plan-form", {
      title: opts.planId ? "修改抽查计划" : "新建抽查计划",
      action: opts.planId ? `/admin/supervision/plans/${opts.planId}` : "/admin/supervision/plans",
      planId: opts.planId,
      departments: manageable.map((d) => ({ ...d, selected: d.id === department.id })),
      fixedDepartment: Boolean(opts.planId),
      department,
      values,
      types: SUBJECT_TYPES.map((t) => ({ value: t, checked: chosenTypes.includes(t) })),
      grades: GRADES.map((g) => ({ value: g, label: GRADE_LABELS[g], checked: chosenGrades.includes(g) })),
      catalogItems: [{ code: ANY_ITEM, name: "本部门任一承诺事项" }, ...(await departmentCatalogItems(db, department.id))].map((i) => ({
        ...i,
        checked: chosenCodes.includes(i.code),
      })),
      items: (await listItems(department.id, { activeOnly: true })).map((i) => ({ ...i, checked: chosenItems.includes(String(i.id)) })),
      ratioFields: GRADES.map((g) => ({
        grade: g,
        name: `ratio${g}`,
        label: GRADE_LABELS[g],
        value: values[`ratio${g}`] ?? "",
        error: opts.problem?.fields[`ratio${g}`],
      })),
      problem: opts.problem,
      errors: opts.problem?.fields ?? {},
    });
  }

  router.get("/admin/supervision/plans/new", managers, async (req, res) => {
    const year = chinaYear(ctx.clock.now());
    await renderPlanForm(req, res, {
      values: {
        year,
        periodStart: `${year}-01-01`,
        periodEnd: `${year}-12-31`,
        inspectorsPerTarget: 2,
        ratioA: 0,
        ratioB: 5,
        ratioC: 20,
        ratioD: 60,
        ...(req.query as Record<string, unknown>),
      },
    });
  });

  router.post(["/admin/supervision/plans", "/api/supervision/plans"], managers, async (req, res) => {
    const user = currentUser(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await attempt(async () => {
      const input = planInput(body);
      authorize(supervisionPolicy.manage(user, input.departmentId), "只能为本部门制定抽查计划");
      return createPlan(db, actorOf(req), input);
    });
    if (wantsJson(req)) return result.ok ? res.status(201).json({ data: result.value }) : jsonProblem(res, result.problem);
    if (!result.ok) return renderPlanForm(req, res, { values: body, problem: result.problem });
    setFlash(req, "success", `已创建抽查计划“${result.value.name}”（草拟）。可以预览抽取。`);
    res.redirect(303, `/admin/supervision/plans/${result.value.id}`);
  });

  async function loadPlan(req: Request) {
    const plan = await findPlan(idParam(req.params.id));
    if (!plan) throw new NotFoundError("找不到该抽查计划");
    return plan;
  }

  router.get(["/admin/supervision/plans/:id", "/api/supervision/plans/:id"], officers, async (req, res) => {
    const user = currentUser(req);
    authorize(supervisionPolicy.read(user));
    const plan = await loadPlan(req);
    const draws = await drawsOfPlan(plan.id);
    if (wantsJson(req))
      return res.json({
        data: { plan, draws: draws.map((d) => ({ id: d.id, status: d.status, seed: d.seed, candidatesHash: d.candidatesHash })) },
      });
    const items = await listItems(plan.departmentId);
    res.render("admin/supervision/plan", {
      title: `抽查计划 · ${plan.name}`,
      plan: presentPlan(plan, items),
      canManage: supervisionPolicy.manage(user, plan.departmentId),
      draws: draws.map((d) => {
        const r = parseRecord(d);
        return {
          id: d.id,
          confirmed: d.status === "confirmed",
          seed: d.seed,
          candidateCount: d.candidateCount,
          drawn: r.targets.length,
          drawnBy: d.drawnBy,
          createdAt: formatDateTime(d.createdAt),
          confirmedAt: d.confirmedAt ? formatDateTime(d.confirmedAt) : null,
        };
      }),
      previews: draws.filter((d) => d.status === "preview").length,
      flash: takeFlash(req),
    });
  });

  router.get("/admin/supervision/plans/:id/edit", managers, async (req, res) => {
    const user = currentUser(req);
    const plan = await loadPlan(req);
    authorize(supervisionPolicy.manage(user, plan.departmentId), "只能修改本部门的抽查计划");
    await renderPlanForm(req, res, {
      planId: plan.id,
      values: {
        departmentId: plan.departmentId,
        year: plan.year,
        name: plan.name,
        subjectTypes: plan.scope.subjectTypes,
        divisionCode: plan.scope.divisionCode,
        itemCodes: plan.scope.itemCodes,
        grades: plan.scope.grades,
        itemIds: plan.itemIds.map(String),
        ratioA: Math.round(plan.ratios.A * 10_000) / 100,
        ratioB: Math.round(plan.ratios.B * 10_000) / 100,
        ratioC: Math.round(plan.ratios.C * 10_000) / 100,
        ratioD: Math.round(plan.ratios.D * 10_000) / 100,
        inspectorsPerTarget: plan.inspectorsPerTarget,
        periodStart: plan.periodStart,
        periodEnd: plan.periodEnd,
      },
    });
  });

  router.post(["/admin/supervision/plans/:id", "/api/supervision/plans/:id"], managers, async (req, res) => {
    const user = currentUser(req);
    const plan = await loadPlan(req);
    authorize(supervisionPolicy.manage(user, plan.departmentId), "只能修改本部门的抽查计划");
    const body = { ...((req.body ?? {}) as Record<string, unknown>), departmentId: plan.departmentId };
    const result = await attempt(async () => updatePlan(db, actorOf(req), plan.id, planInput(body)));
    if (wantsJson(req)) return result.ok ? res.json({ data: result.value }) : jsonProblem(res, result.problem);
    if (!result.ok) return renderPlanForm(req, res, { planId: plan.id, values: body, problem: result.problem });
    setFlash(req, "success", "已保存抽查计划。");
    res.redirect(303, `/admin/supervision/plans/${plan.id}`);
  });

  const StatusForm = z.object({ status: z.enum(["active", "closed"], { error: "请选择启用或结束" }) });

  router.post(["/admin/supervision/plans/:id/status", "/api/supervision/plans/:id/status"], managers, async (req, res) => {
    const user = currentUser(req);
    const plan = await loadPlan(req);
    authorize(supervisionPolicy.manage(user, plan.departmentId), "只能管理本部门的抽查计划");
    const { status } = parse(StatusForm, req.body ?? {});
    const result = await attempt(async () => setPlanStatus(db, actorOf(req), plan.id, status));
    if (wantsJson(req)) return result.ok ? res.json({ data: result.value }) : jsonProblem(res, result.problem);
    setFlash(
      req,
      result.ok ? "success" : "danger",
      result.ok ? (status === "closed" ? "计划已结束。" : "计划已启用。") : result.problem.message,
    );
    res.redirect(303, `/admin/supervision/plans/${plan.id}`);
  });

  // ---------------------------------------------------------------------------------------------------------------
  // The draw

  router.post(["/admin/supervision/plans/:id/draws", "/api/supervision/plans/:id/draws"], managers, async (req, res) => {
    const user = currentUser(req);
    const plan = await loadPlan(req);
    authorize(supervisionPolicy.manage(user, plan.departmentId), "只能为本部门的计划抽取");
    const result = await attempt(async () => previewDraw(db, { ...user, ip: req.ip ?? null }, plan.id));
    if (wantsJson(req)) {
      if (!result.ok) return jsonProblem(res, result.problem);
      return res.status(201).json({ data: presentDraw(await loadDrawView(db, result.value)) });
    }
    if (!result.ok) {
      setFlash(req, "danger", result.problem.message);
      return res.redirect(303, `/admin/supervision/plans/${plan.id}`);
    }
    res.redirect(303, `/admin/supervision/draws/${result.value.id}`);
  });

  async function loadDraw(req: Request) {
    const draw = await findDraw(idParam(req.params.id));
    if (!draw) throw new NotFoundError("找不到该抽取记录");
    const plan = await findPlan(draw.planId);
    if (!plan) throw new NotFoundError("找不到该抽取记录");
    return { draw, plan };
  }

  router.get(["/admin/supervision/draws/:id", "/api/supervision/draws/:id"], officers, async (req, res) => {
    const user = currentUser(req);
    authorize(supervisionPolicy.read(user));
    const { draw, plan } = await loadDraw(req);
    const view = presentDraw(await loadDrawView(db, draw));
    if (wantsJson(req)) return res.json({ data: view });
    const latest = (await drawsOfPlan(plan.id))[0];
    res.render("admin/supervision/draw", {
      title: `抽取结果 · ${plan.name}`,
      draw: view,
      plan: presentPlan(plan),
      canConfirm:
        !view.confirmed && supervisionPolicy.manage(user, plan.departmentId) && latest?.id === draw.id && plan.status !== "closed",
      superseded: !view.confirmed && latest?.id !== draw.id,
      flash: takeFlash(req),
    });
  });

  router.get("/admin/supervision/draws/:id/verification.json", officers, async (req, res) => {
    authorize(supervisionPolicy.read(currentUser(req)));
    const { draw } = await loadDraw(req);
    const record = parseRecord(draw);
    res.setHeader("Content-Disposition", `attachment; filename="draw-${draw.id}.json"`);
    res.json({
      drawId: draw.id,
      algorithm: record.algorithm,
      seed: draw.seed,
      candidatesHash: draw.candidatesHash,
      candidates: JSON.parse(draw.candidatesJson) as unknown,
      inputs: record.inputs,
      result: { perClass: record.perClass, targets: record.targets },
    });
  });

  router.post(["/admin/supervision/draws/:id/confirm", "/api/supervision/draws/:id/confirm"], managers, async (req, res) => {
    const user = currentUser(req);
    const { draw, plan } = await loadDraw(req);
    authorize(supervisionPolicy.manage(user, plan.departmentId), "只能确认本部门计划的抽取结果");
    const result = await attempt(async () => confirmDraw(ctx, draw.id, { ...user, ip: req.ip ?? null }));
    if (wantsJson(req))
      return result.ok
        ? res.json({ data: { id: draw.id, targets: result.value.targets, cases: result.value.cases } })
        : jsonProblem(res, result.problem);
    if (!result.ok) {
      setFlash(req, "danger", result.problem.message);
      return res.redirect(303, `/admin/supervision/draws/${draw.id}`);
    }
    setFlash(req, "success", `抽取结果已确认并在门户公布：${result.value.targets} 个检查对象，已启动 ${result.value.cases} 件检查。`);
    res.redirect(303, `/admin/supervision/draws/${draw.id}`);
  });

  return router;
}
