import { Router, type Request, type Response } from "express";
import { QueryTypes } from "sequelize";
import { z } from "zod";
import { currentUser, type CurrentUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import { Department } from "../db/models/Department.js";
import { pageNumber } from "../domain/search.js";
import { ORIGINS, RESULTS, TRIGGERED_ORIGINS } from "../domain/supervision/inspections/contract.js";
import { listPublishedResults } from "../domain/supervision/inspections/queries.js";
import {
  inspectingDepartment,
  inspectorPool,
  listDueVerifications,
  mayStartInspections,
  startTriggeredInspection,
  startVerificationInspections,
} from "../domain/supervision/inspections/triggered.js";
import { ForbiddenError } from "../errors.js";
import { requireUser } from "../http/guards.js";
import { wantsJson } from "../http/negotiate.js";
import { parse } from "../http/parse.js";
import { formatDate, formatDateTime } from "../presenters/helpers.js";
import { presentPagination } from "../presenters/pagination.js";
import { attempt, checkboxList, setFlash, takeFlash, type FormProblem } from "./admin/forms.js";

const ResultsQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  result: z
    .enum(Object.keys(RESULTS) as [keyof typeof RESULTS])
    .optional()
    .catch(undefined),
  department: z.string().trim().max(32).optional().catch(undefined),
});

const scalar = (v: unknown): v is string | number => typeof v === "string" || typeof v === "number";
/** A form field that may come once (a string), several times (an array) or not at all. */
const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : [v])
    .filter(scalar)
    .map(String)
    .filter((x) => x !== "");

const TriggeredBody = z.object({
  origin: z.enum(TRIGGERED_ORIGINS, { error: "请选择检查来源" }),
  subjectCode: z.string({ error: "请填写检查对象" }).trim().min(1, { error: "请填写检查对象的统一社会信用代码" }).max(64),
  reason: z.string({ error: "请写明检查事由" }).trim().min(1, { error: "请写明检查事由" }).max(1000, { error: "检查事由最多 1000 字" }),
  inspectors: z.preprocess(list, z.array(z.string().max(64)).max(10, { error: "最多选派 10 名检查人员" })),
  itemIds: z.preprocess((v) => list(v).map(Number), z.array(z.number().int().positive()).max(20)).optional(),
  departmentCode: z.string().trim().max(32).optional(),
  dueOn: z.preprocess((v) => (v === "" ? undefined : v), z.string().max(10).optional()),
});

const BatchBody = z.object({
  commitmentCodes: checkboxList,
  inspectors: z.preprocess(list, z.array(z.string().max(64)).max(10, { error: "最多选派 10 名检查人员" })),
  planId: z.preprocess((v) => (v === "" || v === undefined ? null : Number(v)), z.number().int().positive().nullable()),
  departmentCode: z.string().trim().max(32).optional(),
});

function assertStaff(user: CurrentUser): void {
  if (!mayStartInspections(user)) throw new ForbiddenError("只有部门审核人员、部门管理员或系统管理员可以发起检查");
}

/**
 * 检查结果公示 (public, only published results) and the staff doors of the inspection flow: 发起检查 (triggered
 * inspections of any subject) and 告知承诺核查 batching; each page has its /api twin over the same command.
 */
export function supervisionResultRoutes(ctx: AppContext): Router {
  const router = Router();
  const deps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };

  router.get(["/public/supervision/results", "/api/public/supervision/results"], async (req, res) => {
    const q = ResultsQuery.parse(req.query);
    const page = await listPublishedResults(ctx.db, { ...q, page: pageNumber(req.query.page) });
    const rows = page.rows.map((r) => ({ ...r, publishedOn: formatDate(r.publishedAt) }));
    if (wantsJson(req) || req.path.startsWith("/api/"))
      return res.json({ data: rows.map(({ publishedAt, ...r }) => ({ ...r, publishedAt })), meta: { total: page.total, page: page.page } });
    const departments = await Department.findAll({ order: [["id", "ASC"]], attributes: ["code", "name"] });
    res.render("public/supervision/results", {
      title: "监管检查结果公示",
      rows,
      q,
      results: Object.entries(RESULTS).map(([value, label]) => ({ value, label, selected: q.result === value })),
      departments: departments.map((d) => ({ code: d.code, name: d.name, selected: q.department === d.code })),
      pagination: presentPagination(page, "/public/supervision/results", q),
    });
  });

  const departmentItems = async (departmentId: number) =>
    ctx.db.sequelize.query<{ id: number; name: string }>(
      "SELECT id, name FROM supervision_items WHERE department_id = :d AND active = :yes ORDER BY code",
      { replacements: { d: departmentId, yes: true }, type: QueryTypes.SELECT },
    );

  const renderTriggered = async (req: Request, res: Response, values: Record<string, unknown>, problem?: FormProblem) => {
    const user = currentUser(req);
    const department = await inspectingDepartment(user, typeof values.departmentCode === "string" ? values.departmentCode : null);
    const chosen = new Set(list(values.inspectors));
    const items = new Set(list(values.itemIds).map(Number));
    res.status(problem?.status ?? 200).render("supervision/inspection-new", {
      title: "发起检查",
      department: { code: department.code, name: department.name },
      departments: user.isAdmin
        ? (await Department.findAll({ order: [["id", "ASC"]] })).map((d) => ({
            code: d.code,
            name: d.name,
            selected: d.id === department.id,
          }))
        : null,
      origins: TRIGGERED_ORIGINS.map((o) => ({ value: o, label: ORIGINS[o], checked: (values.origin ?? "complaint") === o })),
      inspectors: (await inspectorPool(department.id)).map((p) => ({ ...p, checked: chosen.has(p.username) })),
      items: (await departmentItems(department.id)).map((i) => ({ id: i.id, name: i.name, checked: items.has(Number(i.id)) })),
      values,
      problem,
      flash: takeFlash(req),
    });
  };

  router.get("/supervision/inspections/new", requireUser, async (req, res) => {
    assertStaff(currentUser(req));
    await renderTriggered(req, res, { departmentCode: typeof req.query.department === "string" ? req.query.department : undefined });
  });

  router.post(["/supervision/inspections", "/api/supervision/inspections"], requireUser, async (req, res) => {
    const user = currentUser(req);
    assertStaff(user);
    const api = req.path.startsWith("/api/") || wantsJson(req);
    if (api) {
      const body = parse(TriggeredBody, req.body);
      const started = await startTriggeredInspection(deps, { actor: user, ...body });
      return res.status(201).json({ data: started });
    }
    const outcome = await attempt(async () => startTriggeredInspection(deps, { actor: user, ...parse(TriggeredBody, req.body) }));
    if (!outcome.ok) return renderTriggered(req, res, req.body as Record<string, unknown>, outcome.problem);
    setFlash(req, "success", `已发起检查，检查编号 ${outcome.value.caseNumber}；检查任务已进入检查人员的待办任务`);
    res.redirect(303, "/supervision/inspections/new");
  });

  const renderBatch = async (req: Request, res: Response, values: Record<string, unknown>, problem?: FormProblem) => {
    const user = currentUser(req);
    const department = await inspectingDepartment(user, typeof values.departmentCode === "string" ? values.departmentCode : null);
    const due = await listDueVerifications(deps, department.id);
    const picked = new Set(list(values.commitmentCodes));
    const chosen = new Set(list(values.inspectors));
    const plans = await ctx.db.sequelize.query<{ id: number; name: string; year: number }>(
      "SELECT id, name, year FROM supervision_plans WHERE department_id = :d AND status <> 'closed' ORDER BY year DESC, id DESC",
      { replacements: { d: department.id }, type: QueryTypes.SELECT },
    );
    const today = formatDate(ctx.clock.now());
    res.status(problem?.status ?? 200).render("supervision/verifications", {
      title: "告知承诺核查",
      department: { code: department.code, name: department.name },
      departments: user.isAdmin
        ? (await Department.findAll({ order: [["id", "ASC"]] })).map((d) => ({
            code: d.code,
            name: d.name,
            selected: d.id === department.id,
          }))
        : null,
      due: due.map((d) => ({
        ...d,
        dueOn: formatDate(d.due),
        dueText: formatDateTime(d.due),
        overdue: !!d.due && formatDate(d.due) < today,
        checked: picked.has(d.code),
      })),
      inspectors: (await inspectorPool(department.id)).map((p) => ({ ...p, checked: chosen.has(p.username) })),
      plans: plans.map((p) => ({ ...p, selected: scalar(values.planId) && String(values.planId) === String(p.id) })),
      values,
      problem,
      flash: takeFlash(req),
    });
  };

  router.get(["/supervision/verifications", "/api/supervision/verifications"], requireUser, async (req, res) => {
    const user = currentUser(req);
    assertStaff(user);
    const departmentCode = typeof req.query.department === "string" ? req.query.department : undefined;
    if (req.path.startsWith("/api/") || wantsJson(req)) {
      const department = await inspectingDepartment(user, departmentCode);
      return res.json({ data: await listDueVerifications(deps, department.id) });
    }
    await renderBatch(req, res, { departmentCode });
  });

  router.post(["/supervision/verifications", "/api/supervision/verifications"], requireUser, async (req, res) => {
    const user = currentUser(req);
    assertStaff(user);
    if (req.path.startsWith("/api/") || wantsJson(req)) {
      const started = await startVerificationInspections(deps, { actor: user, ...parse(BatchBody, req.body) });
      return res.status(201).json({ data: started });
    }
    const outcome = await attempt(async () => startVerificationInspections(deps, { actor: user, ...parse(BatchBody, req.body) }));
    if (!outcome.ok) return renderBatch(req, res, req.body as Record<string, unknown>, outcome.problem);
    setFlash(req, "success", outcome.value.length ? `已将 ${outcome.value.length} 项核查纳入检查` : "所选承诺已在检查中，未重复发起");
    res.redirect(303, "/supervision/verifications");
  });

  return router;
}
