import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import type { Case } from "../db/models/Case.js";
import type { CreditRecord } from "../db/models/CreditRecord.js";
import { chinaDay } from "../domain/calendar/days.js";
import { OBJECTION, REPAIR } from "../domain/repair/contract.js";
import { objectionRefusals, repairRefusals } from "../domain/repair/eligibility.js";
import { startObjectionCase } from "../domain/repair/objectionFlow.js";
import { listApplicantRecords } from "../domain/repair/queries.js";
import { startRepairCase } from "../domain/repair/repairFlow.js";
import { findApplicantRecord, recordSummary } from "../domain/repair/startRecordCase.js";
import { getFormRevision } from "../forms/index.js";
import { requireRole } from "../http/guards.js";
import { parse } from "../http/parse.js";
import { presentFormForRenderer } from "../presenters/form.js";
import { setFlash } from "./admin/forms.js";

const RecordParam = z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647) });
const ApplyBody = z.object({ data: z.record(z.string(), z.unknown(), { error: "data 应为表单数据对象" }) });

/** The two applications about one record: what each is called, its form, its command and its checks. */
const KINDS = {
  repair: { label: "信用修复", formKey: REPAIR.forms.application, start: startRepairCase, refusals: repairRefusals },
  objection: {
    label: "异议申诉",
    formKey: OBJECTION.forms.application,
    start: startObjectionCase,
    refusals: (r: CreditRecord) => objectionRefusals(r),
  },
} as const;
type Kind = keyof typeof KINDS;

const esc = encodeURIComponent;

function presentRecord(r: CreditRecord) {
  return {
    id: r.id,
    type: r.recordType,
    severity: r.severity,
    title: r.title,
    decisionNumber: r.decisionNumber,
    decidedOn: r.decidedOn,
    status: r.status,
    publicityFrom: r.publicityFrom,
    publicityUntil: r.publicityUntil,
    minUntil: r.minUntil,
  };
}

function presentStarted(kase: Case) {
  return { code: kase.businessKey, kind: kase.kind, status: kase.status, title: kase.title, subject: kase.subjectCode };
}

/**
 * 信用修复 and 异议申诉 applications: the applicant picks a record of a subject it acts for, sees whether it may apply
 * (the refusal explained in Chinese) and fills the application; the case then lives on the generic pages (我的办件, the
 * staff inbox and task page).
 */
export function repairRoutes(ctx: AppContext): Router {
  const router = Router();
  const applicant = requireRole("applicant");

  router.get("/repair/apply", applicant, async (req, res) => {
    const user = currentUser(req);
    const rows = await listApplicantRecords(user, chinaDay(ctx.clock.now()));
    res.render("repair/apply", {
      title: "信用修复与异议申诉",
      hasSubjects: user.subjectIds.length > 0,
      records: rows.map((r) => ({
        ...presentRecord(r.record),
        subject: r.subject,
        department: r.department,
        repair: { allowed: r.repairRefusals.length === 0, refusals: r.repairRefusals, href: `/repair/records/${r.record.id}/apply` },
        objection: {
          allowed: r.objectionRefusals.length === 0,
          refusals: r.objectionRefusals,
          href: `/objection/records/${r.record.id}/apply`,
        },
      })),
    });
  });

  const page = (kind: Kind) => async (req: Request, res: Response) => {
    const user = currentUser(req);
    const { id } = parse(RecordParam, req.params);
    const record = await findApplicantRecord(user, id);
    const spec = KINDS[kind];
    const refusals = spec.refusals(record, chinaDay(ctx.clock.now()));
    const base = kind === "repair" ? "/repair" : "/objection";
    res.status(refusals.length ? 409 : 200).render("repair/form", {
      title: `${spec.label}申请`,
      label: spec.label,
      record: presentRecord(record),
      refusals,
      renderer: refusals.length
        ? null
        : {
            formUrl: `${base}/forms/application.json`,
            submitUrl: `${base}/records/${record.id}/apply`,
            submission: JSON.stringify({ recordSummary: recordSummary(record) }),
            readOnly: false,
          },
    });
  };

  const submit = (kind: Kind) => async (req: Request, res: Response) => {
    const user = currentUser(req);
    const { id } = parse(RecordParam, req.params);
    const { data } = parse(ApplyBody, req.body);
    const spec = KINDS[kind];
    const kase = await spec.start(ctx, { actor: user, recordId: id, data, ip: req.ip ?? null });
    setFlash(req, "success", `${spec.label}申请已提交，办件编号 ${kase.businessKey}，由记录认定部门办理。办理进度可在本页查看。`);
    res.status(201).json({ data: presentStarted(kase), redirect: `/my/cases/${esc(kase.businessKey ?? "")}` });
  };

  const form = (kind: Kind) => async (_req: Request, res: Response) => {
    res.json({ data: presentFormForRenderer(await getFormRevision(ctx.db, KINDS[kind].formKey)) });
  };

  router.get("/repair/records/:id/apply", applicant, page("repair"));
  router.post("/repair/records/:id/apply", applicant, submit("repair"));
  router.get("/repair/forms/application.json", applicant, form("repair"));
  router.get("/objection/records/:id/apply", applicant, page("objection"));
  router.post("/objection/records/:id/apply", applicant, submit("objection"));
  router.get("/objection/forms/application.json", applicant, form("objection"));
  return router;
}
