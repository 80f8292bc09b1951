import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { CREDIT_RECORD_STATUSES, CREDIT_RECORD_TYPES } from "../../db/models/CreditRecord.js";
import { Department } from "../../db/models/Department.js";
import { PERIOD_UNITS, PERIOD_UNIT_LABELS } from "../../db/models/PublicityRule.js";
import { chinaDay } from "../../domain/calendar/days.js";
import {
  changeRecordStatus,
  createCreditRecord,
  DECIDED_STATUSES,
  findRecord,
  searchRecords,
  setPeriodOverride,
} from "../../domain/credit/creditRecords.js";
import { ENTERED_TYPES, RECORD_FIELDS } from "../../domain/credit/fields.js";
import type { PeriodOverride } from "../../domain/credit/periods.js";
import { loadStaffProfile } from "../../domain/publicQuery.js";
import { pageNumber } from "../../domain/search.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { requireRole } from "../../http/guards.js";
import { wantsJson } from "../../http/negotiate.js";
import { parse } from "../../http/parse.js";
import { authorize } from "../../policies/authorize.js";
import { creditRecordPolicy } from "../../policies/creditRecord.js";
import { presentStaffRecord, presentStatusChange } from "../../presenters/credit.js";
import { presentPagination } from "../../presenters/pagination.js";
import { attempt, idParam, optionalText, setFlash, takeFlash, type FormProblem } from "./forms.js";

const ListQuery = z.object({
  q: z.string().max(100).optional().catch(undefined),
  type: z.enum(CREDIT_RECORD_TYPES).optional().catch(undefined),
  status: z.enum(CREDIT_RECORD_STATUSES).optional().catch(undefined),
  page: z.unknown().optional(),
});
const StatusForm = z.object({
  to: z.enum(DECIDED_STATUSES as [string, ...string[]], { error: "请选择要变更的状态" }),
  reason: z
    .string({ error: "请填写理由" })
    .trim()
    .min(1, { error: "请填写理由（如法院裁定书文号）" })
    .max(500, { error: "理由不能超过 500 字" }),
});
const periodPart = (prefix: "min" | "max") =>
  z.object({
    [`${prefix}Mode`]: z.enum(["rule", "none", "set"]).catch("rule"),
    [`${prefix}Value`]: z.coerce
      .number()
      .int({ error: "期限应为整数" })
      .min(1, { error: "期限至少为 1" })
      .max(3650, { error: "期限过长" })
      .optional()
      .catch(undefined),
    [`${prefix}Unit`]: z.enum(PERIOD_UNITS).optional().catch(undefined),
  });
const OverrideForm = z
  .object({ clear: z.string().optional(), overrideBasis: optionalText(500), publish: z.enum(["rule", "yes", "no"]).catch("rule") })
  .and(periodPart("min"))
  .and(periodPart("max"));

/** Who records for which department: staff for their own; admins for the department they pick (default their own). */
async function recordingDepartment(req: Request, body: Record<string, unknown>): Promise<number | null> {
  const user = currentUser(req);
  if (!user.isAdmin) return user.departmentId;
  const picked = typeof body.departmentId === "string" && /^\d{1,9}$/.test(body.departmentId) ? Number(body.departmentId) : null;
  if (picked && !(await Department.findByPk(picked)))
    throw new ValidationError("所选部门不存在", [{ path: "departmentId", message: "请选择部门" }]);
  return picked ?? user.departmentId;
}

function parseOverride(form: z.infer<typeof OverrideForm>): PeriodOverride | null {
  const o: PeriodOverride = {};
  const f = form as Record<string, unknown>;
  for (const p of ["min", "max"] as const) {
    const mode = f[`${p}Mode`];
    if (mode === "none") o[p] = null;
    if (mode === "set") {
      const value = f[`${p}Value`] as number | undefined;
      const unit = f[`${p}Unit`] as (typeof PERIOD_UNITS)[number] | undefined;
      if (!value || !unit) throw new ValidationError("请填写期限和单位", [{ path: `${p}Value`, message: "请填写期限（整数）并选择单位" }]);
      o[p] = { value, unit };
    }
  }
  if (form.publish !== "rule") o.publish = form.publish === "yes";
  return Object.keys(o).length ? o : null;
}

/** Staff pages of credit records: the list, the entry form, a record with its history, status changes, overrides, the subject profile. */
export function creditRecordRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;
  const officers = requireRole("reviewer", "dept_admin", "auditor");
  const recorders = requireRole("reviewer", "dept_admin");

  router.get("/admin/credit/records", officers, async (req, res) => {
    const user = currentUser(req);
    authorize(creditRecordPolicy.read(user));
    const query = ListQuery.parse(req.query);
    const page = await searchRecords({ q: query.q, recordType: query.type, status: query.status, page: pageNumber(query.page) });
    const departments = new Map((await Department.findAll({ raw: true })).map((d) => [d.id, d.name]));
    const records = page.rows.map((r) => ({
      ...presentStaffRecord(r, departments),
      subjectName: r.subjectName,
      subjectCode: r.subjectCode,
    }));
    if (wantsJson(req)) return res.json({ data: records, meta: { total: page.total, page: page.page, pageSize: page.pageSize } });
    res.render("admin/credit/records", {
      title: "信用记录",
      flash: takeFlash(req),
      q: query.q ?? "",
      type: query.type ?? "",
      status: query.status ?? "",
      types: CREDIT_RECORD_TYPES,
      statuses: CREDIT_RECORD_STATUSES,
      records,
      total: page.total,
      can: { create: creditRecordPolicy.create(user) },
      pagination: presentPagination(page, "/admin/credit/records", { q: query.q, type: query.type, status: query.status }),
    });
  });

  const renderNew = async (req: Request, res: Response, values: Record<string, unknown>, problem?: FormProblem) => {
    const user = currentUser(req);
    res.status(problem?.status ?? 200).render("admin/credit/new", {
      title: "登记信用记录",
      values: { recordType: "行政处罚", partyType: "法人及非法人组织", ...values },
      fields: RECORD_FIELDS.filter((f) => f.key !== "recordType").map((f) => ({
        ...f,
        types: (f.types ?? ENTERED_TYPES).join(" "),
        required: (f.requiredFor ?? []).join(" "),
        value: typeof values[f.key] === "string" ? values[f.key] : "",
        error: problem?.fields[f.label] ?? null,
        isChoice: !!f.choices,
        isLong: f.kind === "longtext",
        isDate: f.kind === "date",
      })),
      types: ENTERED_TYPES,
      problem,
      typeError: problem?.fields["信息类别"] ?? null,
      departments: user.isAdmin ? await Department.findAll({ attributes: ["id", "name"], order: [["id", "ASC"]], raw: true }) : null,
      today: chinaDay(ctx.clock.now()),
    });
  };

  router.get("/admin/credit/records/new", recorders, async (req, res) => {
    authorize(creditRecordPolicy.create(currentUser(req)), "只有所属部门的工作人员可以登记信用记录");
    await renderNew(req, res, {});
  });

  router.post("/admin/credit/records", recorders, async (req, res) => {
    const user = currentUser(req);
    authorize(creditRecordPolicy.create(user), "只有所属部门的工作人员可以登记信用记录");
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await attempt(async () =>
      createCreditRecord(db, {
        actor: user.username,
        ip: req.ip ?? null,
        departmentId: await recordingDepartment(req, body),
        fields: body,
        at: ctx.clock.now(),
      }),
    );
    if (wantsJson(req)) {
      if (!result.ok)
        return res.status(result.problem.status).json({
          error: {
            code: "invalid",
            message: result.problem.message,
            details: Object.entries(result.problem.fields).map(([path, message]) => ({ path, message })),
          },
        });
      return res.status(201).json({ data: presentStaffRecord(result.value.get({ plain: true })) });
    }
    if (!result.ok) return renderNew(req, res, body, result.problem);
    setFlash(req, "success", `已登记信用记录 #${result.value.id}（${result.value.status}）。`);
    res.redirect(`/admin/credit/records/${result.value.id}`);
  });

  router.get("/admin/credit/records/:id", officers, async (req, res) => {
    const user = currentUser(req);
    authorize(creditRecordPolicy.read(user));
    const found = await findRecord(idParam(req.params.id));
    if (!found) throw new NotFoundError("找不到该信用记录");
    const departments = new Map((await Department.findAll({ raw: true })).map((d) => [d.id, d.name]));
    const record = presentStaffRecord(found.record, departments);
    const history = found.history.map(presentStatusChange);
    if (wantsJson(req)) return res.json({ data: { ...record, subject: { code: found.subject.code, name: found.subject.name }, history } });
    res.render("admin/credit/record", {
      title: `信用记录 #${record.id}`,
      flash: takeFlash(req),
      record,
      subject: found.subject,
      history,
      decidedStatuses: DECIDED_STATUSES,
      units: PERIOD_UNITS.map((u) => ({ value: u, label: PERIOD_UNIT_LABELS[u] })),
      can: { decide: creditRecordPolicy.decide(user, found.record) },
    });
  });

  router.post("/admin/credit/records/:id/status", requireRole("dept_admin"), async (req, res) => {
    const user = currentUser(req);
    const found = await findRecord(idParam(req.params.id));
    if (!found) throw new NotFoundError("找不到该信用记录");
    authorize(creditRecordPolicy.decide(user, found.record), "只有认定该记录的部门管理员可以变更其状态");
    const result = await attempt(async () => {
      const form = parse(StatusForm, req.body, "请选择状态并填写理由");
      return db.transaction((t) =>
        changeRecordStatus(db, t, {
          recordId: found.record.id,
          to: form.to as (typeof DECIDED_STATUSES)[number],
          reason: form.reason,
          actor: user.username,
          ip: req.ip ?? null,
          at: ctx.clock.now(),
        }),
      );
    });
    if (wantsJson(req)) {
      if (!result.ok) return res.status(result.problem.status).json({ error: { code: "invalid", message: result.problem.message } });
      return res.json({ data: presentStaffRecord(result.value.get({ plain: true })) });
    }
    setFlash(req, result.ok ? "success" : "danger", result.ok ? `记录状态已变更为“${result.value.status}”。` : result.problem.message);
    res.redirect(`/admin/credit/records/${found.record.id}`);
  });

  router.post("/admin/credit/records/:id/override", requireRole("dept_admin"), async (req, res) => {
    const user = currentUser(req);
    const found = await findRecord(idParam(req.params.id));
    if (!found) throw new NotFoundError("找不到该信用记录");
    authorize(creditRecordPolicy.decide(user, found.record), "只有认定该记录的部门管理员可以单独设定公示期");
    const result = await attempt(async () => {
      const form = parse(OverrideForm, req.body);
      const override = form.clear ? null : parseOverride(form);
      if (!form.clear && !override)
        throw new ValidationError("请至少设定一项（是否公示、最短或最长公示期）", [{ path: "maxMode", message: "未设定任何期限" }]);
      return setPeriodOverride(db, {
        recordId: found.record.id,
        override,
        basis: form.overrideBasis,
        actor: user.username,
        ip: req.ip ?? null,
        at: ctx.clock.now(),
      });
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
      return res.json({ data: presentStaffRecord(result.value.get({ plain: true })) });
    }
    setFlash(
      req,
      result.ok ? "success" : "danger",
      result.ok
        ? `公示期已按单独设定重新计算：${result.value.status}${result.value.publicityUntil ? `，公示截止 ${result.value.publicityUntil}` : ""}。`
        : `${result.problem.message}${Object.values(result.problem.fields).length ? `：${Object.values(result.problem.fields).join("；")}` : ""}`,
    );
    res.redirect(`/admin/credit/records/${found.record.id}`);
  });

  router.get("/admin/credit/subjects/:code", officers, async (req, res) => {
    authorize(creditRecordPolicy.read(currentUser(req)));
    const code = String(req.params.code);
    if (!/^[0-9A-Za-z]{15,20}$/.test(code)) throw new NotFoundError("找不到该主体");
    const profile = await loadStaffProfile(code);
    const view = {
      subject: profile.subject,
      records: profile.records.map((r) => ({
        ...presentStaffRecord(r.record, profile.departments),
        history: r.history.map(presentStatusChange),
        documents: r.documents.map((d) => ({ number: d.number, title: d.title, issuedOn: d.issuedOn, caseKey: d.caseKey })),
      })),
      commitments: profile.commitments,
      reports: profile.reports.map((d) => ({ number: d.number, issuedOn: d.issuedOn, issuedBy: d.issuedBy, sha256: d.contentSha256 })),
      cases: profile.cases.map((c) => ({
        kind: c.kind,
        title: c.title,
        status: c.status,
        businessKey: c.businessKey,
        startedAt: c.startedAt,
        endedAt: c.endedAt,
      })),
    };
    if (wantsJson(req)) return res.json({ data: view });
    res.render("admin/credit/profile", { title: `信用档案：${profile.subject.name}`, ...view });
  });

  return router;
}
