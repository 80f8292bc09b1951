import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import type { Commitment } from "../../db/models/Commitment.js";
import { CatalogItemVersion } from "../../db/models/CatalogItemVersion.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { Department } from "../../db/models/Department.js";
import { listMyCases } from "../../domain/cases/queries.js";
import { sanitizeLetterHtml } from "../../domain/catalog/letter.js";
import { findVisibleCommitment, loadCommitmentDetail } from "../../domain/commitments/queries.js";
import { resubmitCommitment } from "../../domain/commitments/resubmitCommitment.js";
import { parseSignature, renderSignedLetter, type CommitmentDeps } from "../../domain/commitments/submitCommitment.js";
import { caseTimeline } from "../../domain/portal/queries.js";
import { AppError, NotFoundError, nullWhenNotFound, ValidationError, type ErrorDetail } from "../../errors.js";
import { bindSubjectFieldsOf, deleteDraft, getFormRevision, loadDraft, saveDraft, validateSubmission } from "../../forms/index.js";
import { requireRole, requireUser } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { presentCommitment } from "../../presenters/commitment.js";
import { presentFormForRenderer } from "../../presenters/form.js";
import { presentPagination } from "../../presenters/pagination.js";
import { takeFlash } from "../admin/forms.js";
import { caseBadge, nextStepText, presentStages, presentTimeline, STATUS_BADGES } from "../../presenters/portal.js";

const ListQuery = z.object({
  status: z.string().max(64).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
const CheckBody = z.object({ data: z.record(z.string(), z.unknown(), { error: "data 应为表单数据对象" }) });
const ResubmitBody = z.object({ signerName: z.string().max(100).optional().default(""), agreed: z.string().optional() });

const correctionRef = (c: Commitment) => `correct-${c.code}`;

/** A case of one of the applicant's own subjects (staff read cases through their task pages); 404 otherwise. */
async function ownCase(req: Request): Promise<Commitment> {
  const user = currentUser(req);
  const commitment = await findVisibleCommitment(user, String(req.params.code));
  if (!user.subjectIds.includes(commitment.subjectId) && !user.isAdmin) throw new NotFoundError("找不到该承诺");
  return commitment;
}

/** "我的办件": the list with counts, a case's timeline and documents, the printable letter, and answering a return. */
export function portalCaseRoutes(ctx: AppContext): Router {
  const router = Router();
  const deps: CommitmentDeps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };
  const applicant = requireRole("applicant");

  router.get("/my/cases", applicant, async (req, res) => {
    const user = currentUser(req);
    const query = parse(ListQuery, req.query);
    // Every kind of case: commitments, 通用事项 and the rest, from the cases table.
    const page = await listMyCases(ctx.db, user, { status: query.status, page: query.page, pageSize: 20 });
    const total = page.counts.reduce((n, c) => n + c.count, 0);
    res.render("portal/cases", {
      title: "我的办件",
      cases: page.rows.map((c) => ({
        code: c.businessKey ?? c.instanceId,
        title: c.title,
        kindLabel:
          c.kind === "commitment" ? "告知承诺" : c.kind === "generic" ? "通用事项" : (ctx.flows.forProcess(c.processKey)?.label ?? c.kind),
        subjectName: c.subjectName,
        status: c.status,
        badge: caseBadge(c.status),
        startedAt: c.startedAt.toISOString(),
        waitingOnMe: page.waitingOnMe.get(c.instanceId) ?? (c.status === "退回补正" ? ["补正后重新提交"] : []),
      })),
      counts: page.counts.map((c) => ({
        ...c,
        badge: caseBadge(c.status),
        active: c.status === query.status,
        href: `/my/cases?status=${encodeURIComponent(c.status)}`,
      })),
      total,
      status: query.status ?? null,
      pagination: presentPagination(page, "/my/cases", { status: query.status }),
    });
  });

  router.get("/my/cases/:code/submitted", applicant, async (req, res) => {
    const commitment = await ownCase(req);
    res.render("portal/submitted", {
      title: "承诺已提交",
      code: commitment.code,
      reason: commitment.reason,
      acceptingUnit: commitment.acceptingUnit,
      reviewDueAt: commitment.reviewDueAt?.toISOString() ?? null,
      status: commitment.status,
    });
  });

  router.get("/my/cases/:code", requireUser, async (req, res) => {
    const user = currentUser(req);
    const commitment = await ownCase(req);
    const [detail, timeline] = await Promise.all([loadCommitmentDetail(ctx.engine, commitment), caseTimeline(ctx.db, commitment)]);
    const view = presentCommitment(detail, user);
    res.render("portal/case", {
      title: `办件 ${commitment.code}`,
      flash: takeFlash(req),
      c: view,
      badge: STATUS_BADGES[commitment.status] ?? "secondary",
      stages: presentStages(commitment.status, timeline),
      timeline: presentTimeline(timeline),
      nextStep: nextStepText(commitment.status),
      returned: commitment.status === "退回补正",
      returnComment: commitment.status === "退回补正" ? commitment.decisionComment : null,
      submissions: view.submissions.map((s) => ({ revision: s.revision, signerName: s.signerName, submittedAt: s.submittedAt })),
      rendererView: { formUrl: `/my/cases/${commitment.code}/form.json`, submission: JSON.stringify(view.data), readOnly: true },
    });
  });

  /** The form revision the case was made under (a correction is validated against the same revision). */
  router.get("/my/cases/:code/form.json", requireUser, async (req, res) => {
    const commitment = await ownCase(req);
    const form = await getFormRevision(ctx.db, commitment.formKey, commitment.formRevision);
    res.json({ data: presentFormForRenderer(form) });
  });

  router.get("/my/cases/:code/letter", requireUser, async (req, res) => {
    const commitment = await ownCase(req);
    res.render("portal/letter", {
      title: `信用承诺书 ${commitment.code}`,
      code: commitment.code,
      letterHtml: sanitizeLetterHtml(commitment.letterHtml),
      revision: commitment.revision,
      agreedAt: commitment.agreedAt.toISOString(),
    });
  });

  router.get("/my/cases/:code/correct", applicant, async (req, res) => {
    const user = currentUser(req);
    const commitment = await ownCase(req);
    if (commitment.status !== "退回补正") return res.redirect(`/my/cases/${commitment.code}`);
    const draft = await loadDraft(ctx.db, user.id, commitment.formKey, correctionRef(commitment)).catch(nullWhenNotFound);
    const subject = await CreditSubject.findByPk(commitment.subjectId);
    res.set("Cache-Control", "no-store");
    res.render("portal/correct", {
      title: `补正 ${commitment.code}`,
      code: commitment.code,
      reason: commitment.reason,
      comment: commitment.decisionComment,
      draftSavedAt: draft?.updatedAt ?? null,
      subject: subject
        ? { name: subject.name, code: subject.code, type: subject.subjectType }
        : { name: commitment.subjectName, code: commitment.subjectCode, type: commitment.subjectType },
      renderer: {
        formUrl: `/my/cases/${commitment.code}/form.json`,
        submitUrl: `/my/cases/${commitment.code}/correct/check`,
        draftUrl: `/api/forms/${encodeURIComponent(commitment.formKey)}/drafts/${correctionRef(commitment)}`,
        submission: JSON.stringify(draft?.data ?? JSON.parse(commitment.data)),
        readOnly: false,
        mode: "apply",
      },
    });
  });

  router.post("/my/cases/:code/correct/check", applicant, async (req, res) => {
    const user = currentUser(req);
    const commitment = await ownCase(req);
    if (commitment.status !== "退回补正") throw new ValidationError(`该承诺当前状态为“${commitment.status}”，不需要补正`);
    const { data } = parse(CheckBody, req.body);
    const pinned = { formKey: commitment.formKey, revision: commitment.formRevision };
    const subject = await CreditSubject.findByPk(commitment.subjectId);
    const subjectValues = subject
      ? { name: subject.name, code: subject.code, type: subject.subjectType }
      : { name: commitment.subjectName, code: commitment.subjectCode, type: commitment.subjectType };
    const bound = await bindSubjectFieldsOf(ctx.db, pinned, data, subjectValues);
    const validated = await validateSubmission(ctx.db, pinned, bound, { userId: user.id });
    await saveDraft(ctx.db, { userId: user.id, ...pinned, clientRef: correctionRef(commitment), data: validated.data });
    res.json({ data: validated.data, redirect: `/my/cases/${commitment.code}/correct/preview` });
  });

  const renderCorrectionPreview = async (
    req: Request,
    res: Response,
    problem?: { message: string; details: ErrorDetail[] },
    signerName = "",
  ) => {
    const user = currentUser(req);
    const commitment = await ownCase(req);
    if (commitment.status !== "退回补正") return res.redirect(`/my/cases/${commitment.code}`);
    const draft = await loadDraft(ctx.db, user.id, commitment.formKey, correctionRef(commitment)).catch(nullWhenNotFound);
    if (!draft) return res.redirect(`/my/cases/${commitment.code}/correct`);
    const [version, department, subject] = await Promise.all([
      CatalogItemVersion.findByPk(commitment.itemVersionId),
      Department.findByPk(commitment.departmentId),
      CreditSubject.findByPk(commitment.subjectId),
    ]);
    if (!version || !department || !subject) throw new Error(`commitment ${commitment.code} lost its item, department or subject`);
    const letterHtml = renderSignedLetter({
      version,
      department,
      subject,
      data: draft.data,
      code: commitment.code,
      signerName: signerName || "＿＿＿＿＿＿",
      signedAt: ctx.clock.now(),
    });
    res.status(problem ? 400 : 200).render("portal/preview", {
      title: "确认补正后的信用承诺书",
      itemName: version.name,
      correction: true,
      code: commitment.code,
      editHref: `/my/cases/${commitment.code}/correct`,
      submitAction: `/my/cases/${commitment.code}/resubmit`,
      subject: { code: subject.code, name: subject.name, type: subject.subjectType },
      letterHtml,
      // The correction is signed again: the name of the last signature is filled in (the person may change it).
      signerName: signerName || commitment.signerName,
      problem,
    });
  };

  router.get("/my/cases/:code/correct/preview", applicant, async (req, res) => {
    await renderCorrectionPreview(req, res);
  });

  router.post("/my/cases/:code/resubmit", applicant, async (req, res) => {
    const user = currentUser(req);
    const commitment = await ownCase(req);
    const body = parse(ResubmitBody, req.body);
    const draft = await loadDraft(ctx.db, user.id, commitment.formKey, correctionRef(commitment)).catch(nullWhenNotFound);
    if (!draft) return res.redirect(`/my/cases/${commitment.code}/correct`);
    try {
      const signature = parseSignature({ name: body.signerName, agreed: body.agreed === "on" || body.agreed === "true" });
      await resubmitCommitment(deps, { actor: user, code: commitment.code, data: draft.data, signature, ip: req.ip ?? null });
    } catch (err) {
      if (err instanceof AppError && (err.status === 400 || err.status === 409)) {
        return renderCorrectionPreview(req, res, { message: err.message, details: err.details }, body.signerName);
      }
      throw err;
    }
    await deleteDraft(ctx.db, user.id, commitment.formKey, correctionRef(commitment));
    req.session.flash = { kind: "success", message: "补正材料已重新提交，案件已回到受理审查。" };
    res.redirect(303, `/my/cases/${commitment.code}`);
  });

  return router;
}
