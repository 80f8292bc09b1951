import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser, optionalUser, type CurrentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import type { CreditSubject } from "../../db/models/CreditSubject.js";
import { findCatalogEntry, listPublishedItems } from "../../domain/catalog/catalogQueries.js";
import { CREDIT_REPAIR_PATH } from "../../domain/commitments/eligibility.js";
import { parseSignature, renderSignedLetter, submitCommitment, type CommitmentDeps } from "../../domain/commitments/submitCommitment.js";
import { barringReasons, subjectsOfApplicant } from "../../domain/portal/queries.js";
import { AppError, NotFoundError, nullWhenNotFound, ValidationError, type ErrorDetail } from "../../errors.js";
import { bindSubjectFieldsOf, deleteDraft, getFormRevision, loadDraft, saveDraft, validateSubmission } from "../../forms/index.js";
import { requireRole } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { presentCatalogItem } from "../../presenters/catalog.js";
import { presentFormForRenderer } from "../../presenters/form.js";
import { paragraphs, presentCatalogGroups, presentSubjectOption } from "../../presenters/portal.js";

const ListQuery = z.object({ q: z.string().max(100).optional().catch(undefined) });
const SubjectQuery = z.object({ subject: z.string().max(18).optional().catch(undefined) });
const ApplyQuery = SubjectQuery.extend({
  /** 1: the applicant chose to fill a new application although one was submitted just now. */
  again: z.literal("1").optional().catch(undefined),
  /** The 承诺编码 of the latest submission the page knew of when it was rendered (see submittedJustNow). */
  since: z.string().max(40).optional().catch(undefined),
});
const CheckBody = z.object({ data: z.record(z.string(), z.unknown(), { error: "data 应为表单数据对象" }) });
const SubmitBody = z.object({
  subject: z.string({ error: "请选择承诺主体" }).min(1).max(18),
  signerName: z.string().max(100).optional().default(""),
  agreed: z.string().optional(),
  since: z.string().max(40).optional(),
});

declare module "express-session" {
  interface SessionData {
    /** The latest submission per applicant, item and subject (key: user id and draft reference), for the back button. */
    submittedApplications?: Record<string, { code: string; at: number }>;
  }
}

/** How long after a submission the apply and preview pages point to it instead of starting over. */
const JUST_SUBMITTED_MS = 30 * 60 * 1000;

/** The draft a person fills for one item and one subject (drafts are per user, form and this reference). */
export const applyDraftRef = (itemId: number, subjectId: number) => `apply-${itemId}-${subjectId}`;

/** The published item of a page; 404 for unknown codes and for items not on the catalog. */
async function publishedEntry(itemCode: string) {
  const entry = await findCatalogEntry(itemCode);
  if (!entry?.published || entry.published.status !== "published") throw new NotFoundError("找不到该告知承诺事项，或该事项已停止办理");
  return entry as typeof entry & { published: NonNullable<typeof entry.published> };
}

/** The subject the applicant picked (or its only one); null when it acts for several and has not picked yet. */
async function pickSubject(
  user: CurrentUser,
  code: string | undefined,
): Promise<{ subjects: CreditSubject[]; subject: CreditSubject | null }> {
  const subjects = await subjectsOfApplicant(user);
  if (code) {
    const subject = subjects.find((s) => s.code === code.trim().toUpperCase());
    if (!subject) throw new NotFoundError("找不到该主体，或您不是该主体的经办人");
    return { subjects, subject };
  }
  return { subjects, subject: subjects.length === 1 ? subjects[0]! : null };
}

const esc = encodeURIComponent;

const submissionKey = (user: CurrentUser, ref: string) => `${user.id}:${ref}`;

/**
 * The 承诺编码 this session submitted for the draft reference in the last half hour, or null. The apply and preview
 * pages, reached again by the back button or a stale tab after the draft was used up, show it rather than an empty
 * form, and the submit refuses to make a second commitment from them.
 */
function submittedJustNow(req: Request, user: CurrentUser, ref: string, now: Date): string | null {
  const entry = req.session?.submittedApplications?.[submissionKey(user, ref)];
  return entry && now.getTime() - entry.at < JUST_SUBMITTED_MS ? entry.code : null;
}

function rememberSubmission(req: Request, user: CurrentUser, ref: string, code: string, now: Date): void {
  if (!req.session) return;
  const kept = Object.entries(req.session.submittedApplications ?? {}).filter(([, e]) => now.getTime() - e.at < JUST_SUBMITTED_MS);
  req.session.submittedApplications = { ...Object.fromEntries(kept), [submissionKey(user, ref)]: { code, at: now.getTime() } };
}

/**
 * Submissions running now, by user and draft reference: a double click sends the same form twice before the first
 * answer arrives, and the second must wait for the first and point to its commitment rather than make another one.
 * (One process serves the portal; a second process would need a row lock instead.)
 */
const submitting = new Map<string, Promise<string | null>>();

/** The notice shown instead of an empty form when this item and subject were submitted just now. */
function presentSubmitted(code: string, againHref: string) {
  return { code, caseHref: `/my/cases/${esc(code)}`, letterHref: `/my/cases/${esc(code)}/letter`, againHref };
}

/**
 * The applicant portal's catalog: the public list and 办事指南, the apply page (subject picker, the item's
 * pinned form with drafts), the letter preview with signature, and the submit that makes the commitment.
 */
export function portalCatalogRoutes(ctx: AppContext): Router {
  const router = Router();
  const deps: CommitmentDeps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };
  const applicant = requireRole("applicant");

  router.get("/catalog", async (req, res) => {
    const { q } = parse(ListQuery, req.query);
    const entries = await listPublishedItems({ q });
    res.render("portal/catalog", {
      title: "办事指南",
      q: q ?? "",
      groups: presentCatalogGroups(entries),
      total: entries.length,
    });
  });

  router.get("/catalog/:itemCode", async (req, res) => {
    const entry = await publishedEntry(String(req.params.itemCode));
    const item = presentCatalogItem(entry, null);
    const user = optionalUser(req);
    const generic = entry.item.kind === "generic";
    // A 通用事项 has no commitment route to bar: nobody is barred from applying.
    const subjects = user?.roles.includes("applicant") && !generic ? await subjectsOfApplicant(user) : [];
    const eligibility = await Promise.all(subjects.map(async (s) => ({ name: s.name, code: s.code, reasons: await barringReasons(s.id) })));
    const barred = eligibility.filter((e) => e.reasons.length);
    res.render("portal/item", {
      title: item.name,
      item,
      notice: paragraphs(item.noticeContent),
      legalBasis: paragraphs(item.legalBasis),
      isApplicant: !!user?.roles.includes("applicant"),
      loggedIn: !!user,
      barred,
      allBarred: barred.length > 0 && barred.length === eligibility.length,
      repairPath: CREDIT_REPAIR_PATH,
      applyHref: `/catalog/${esc(item.itemCode)}/${generic ? "start" : "apply"}`,
    });
  });

  /** The item's pinned form revision, in the shape the form renderer reads. */
  router.get("/catalog/:itemCode/form.json", applicant, async (req, res) => {
    const entry = await publishedEntry(String(req.params.itemCode));
    const form = await getFormRevision(ctx.db, entry.published.formKey, entry.published.formRevision ?? undefined);
    res.json({ data: presentFormForRenderer(form) });
  });

  router.get("/catalog/:itemCode/apply", applicant, async (req, res) => {
    const user = currentUser(req);
    const entry = await publishedEntry(String(req.params.itemCode));
    if (entry.item.kind === "generic") return res.redirect(303, `/catalog/${esc(entry.item.itemCode)}/start`);
    const { subjects, subject } = await pickSubject(user, parse(SubjectQuery, req.query).subject);
    const item = presentCatalogItem(entry, null);
    const base = { title: `办理：${item.name}`, item, itemHref: `/catalog/${esc(item.itemCode)}`, repairPath: CREDIT_REPAIR_PATH };
    if (!subjects.length) return res.render("portal/apply", { ...base, noSubjects: true });
    if (!subject) {
      return res.render("portal/apply", { ...base, pickSubject: true, subjects: subjects.map((s) => presentSubjectOption(s, null)) });
    }
    const query = parse(ApplyQuery, req.query);
    const reasons = await barringReasons(subject.id);
    const ref = applyDraftRef(entry.item.id, subject.id);
    const draft = await loadDraft(ctx.db, user.id, entry.published.formKey, ref).catch(nullWhenNotFound);
    const lastCode = submittedJustNow(req, user, ref, ctx.clock.now());
    // The form page is never served from the browser's cache: the back button after a submit asks again.
    res.set("Cache-Control", "no-store");
    const submitted =
      lastCode && !draft && !query.again
        ? presentSubmitted(lastCode, `/catalog/${esc(item.itemCode)}/apply?subject=${esc(subject.code)}&again=1`)
        : null;
    const qs = `subject=${esc(subject.code)}${lastCode ? `&since=${esc(lastCode)}` : ""}`;
    res.render("portal/apply", {
      ...base,
      subject: presentSubjectOption(subject, subject.code),
      subjects: subjects.length > 1 ? subjects.map((s) => presentSubjectOption(s, subject.code)) : null,
      barred: reasons.length ? reasons : null,
      submitted,
      draftSavedAt: draft?.updatedAt ?? null,
      renderer: {
        formUrl: `/catalog/${esc(item.itemCode)}/form.json`,
        submitUrl: `/catalog/${esc(item.itemCode)}/apply/check?${qs}`,
        draftUrl: `/api/forms/${esc(entry.published.formKey)}/drafts/${ref}`,
        submission: JSON.stringify(draft?.data ?? {}),
        readOnly: false,
        mode: "apply",
      },
    });
  });

  /** Step 1 -> 2: the filled form is validated in full and kept as the draft; the page then shows the letter. */
  router.post("/catalog/:itemCode/apply/check", applicant, async (req, res) => {
    const user = currentUser(req);
    const entry = await publishedEntry(String(req.params.itemCode));
    const { subject } = await pickSubject(user, parse(SubjectQuery, req.query).subject);
    if (!subject) throw new ValidationError("请选择承诺主体", [{ path: "subject", message: "请选择以哪个主体的名义作出承诺" }]);
    const { data } = parse(CheckBody, req.body);
    const ref = applyDraftRef(entry.item.id, subject.id);
    const preview = `/catalog/${esc(entry.item.itemCode)}/apply/preview?subject=${esc(subject.code)}`;
    // A form page rendered before the latest submission (a tab left open, a page the browser kept): its data is that
    // submission's, so it leads to the notice of it rather than to a second letter.
    const lastCode = submittedJustNow(req, user, ref, ctx.clock.now());
    if (lastCode && parse(ApplyQuery, req.query).since !== lastCode) return res.json({ data, redirect: preview });
    const pinned = { formKey: entry.published.formKey, revision: entry.published.formRevision ?? undefined };
    const bound = await bindSubjectFieldsOf(ctx.db, pinned, data, { name: subject.name, code: subject.code, type: subject.subjectType });
    const validated = await validateSubmission(ctx.db, pinned, bound, { userId: user.id });
    await saveDraft(ctx.db, { userId: user.id, ...pinned, clientRef: ref, data: validated.data });
    res.json({ data: validated.data, redirect: preview });
  });

  const renderPreview = async (req: Request, res: Response, problem?: { message: string; details: ErrorDetail[] }, signerName = "") => {
    const user = currentUser(req);
    const itemCode = String(req.params.itemCode);
    const entry = await publishedEntry(itemCode);
    const code = (req.method === "POST" ? (req.body as { subject?: string }).subject : parse(SubjectQuery, req.query).subject) ?? undefined;
    const { subject } = await pickSubject(user, code);
    if (!subject) return res.redirect(`/catalog/${esc(itemCode)}/apply`);
    const ref = applyDraftRef(entry.item.id, subject.id);
    const draft = await loadDraft(ctx.db, user.id, entry.published.formKey, ref).catch(nullWhenNotFound);
    res.set("Cache-Control", "no-store");
    const lastCode = submittedJustNow(req, user, ref, ctx.clock.now());
    if (!draft && lastCode) {
      return res.render("portal/preview", {
        title: entry.published.name,
        itemName: entry.published.name,
        subject: presentSubjectOption(subject, subject.code),
        submitted: presentSubmitted(lastCode, `/catalog/${esc(itemCode)}/apply?subject=${esc(subject.code)}&again=1`),
      });
    }
    if (!draft) return res.redirect(`/catalog/${esc(itemCode)}/apply?subject=${esc(subject.code)}`);
    const pinned = { formKey: entry.published.formKey, revision: entry.published.formRevision ?? undefined };
    const validated = await validateSubmission(ctx.db, pinned, draft.data, { userId: user.id }).catch((err: unknown) => {
      if (err instanceof ValidationError) return null;
      throw err;
    });
    // A draft saved while typing may be incomplete: back to the form, which shows what is missing.
    if (!validated) return res.redirect(`/catalog/${esc(itemCode)}/apply?subject=${esc(subject.code)}`);
    const letterHtml = renderSignedLetter({
      version: entry.published,
      department: entry.department,
      subject,
      data: validated.data,
      code: null,
      signerName: signerName || "＿＿＿＿＿＿",
      signedAt: ctx.clock.now(),
    });
    const reasons = await barringReasons(subject.id);
    res.status(problem ? 400 : 200).render("portal/preview", {
      title: "确认信用承诺书",
      itemName: entry.published.name,
      itemCode,
      editHref: `/catalog/${esc(itemCode)}/apply?subject=${esc(subject.code)}`,
      submitAction: `/catalog/${esc(itemCode)}/apply/submit`,
      subject: presentSubjectOption(subject, subject.code),
      letterHtml,
      signerName,
      since: lastCode,
      problem,
      barred: reasons.length ? reasons : null,
      repairPath: CREDIT_REPAIR_PATH,
    });
  };

  router.get("/catalog/:itemCode/apply/preview", applicant, async (req, res) => {
    await renderPreview(req, res);
  });

  /** Step 3: the explicit confirmation (checkbox and signer's name) submits the commitment in one transaction. */
  router.post("/catalog/:itemCode/apply/submit", applicant, async (req, res) => {
    const user = currentUser(req);
    const body = parse(SubmitBody, req.body);
    const entry = await publishedEntry(String(req.params.itemCode));
    const { subject } = await pickSubject(user, body.subject);
    if (!subject) throw new NotFoundError("找不到该主体");
    const ref = applyDraftRef(entry.item.id, subject.id);
    let signature;
    try {
      signature = parseSignature({ name: body.signerName, agreed: body.agreed === "on" || body.agreed === "true" });
    } catch (err) {
      if (err instanceof ValidationError) return renderPreview(req, res, { message: err.message, details: err.details }, body.signerName);
      throw err;
    }
    const previewHref = `/catalog/${esc(entry.item.itemCode)}/apply/preview?subject=${esc(subject.code)}`;
    const key = submissionKey(user, ref);
    // The same letter sent again while its first submit runs: wait for it, then show what it made.
    const running = submitting.get(key);
    if (running) {
      const code = await running.catch(() => null);
      if (code) rememberSubmission(req, user, ref, code, ctx.clock.now());
      return res.redirect(303, previewHref);
    }
    // A letter signed on a page from before the latest submission (the back button, signing again): no second case.
    const lastCode = submittedJustNow(req, user, ref, ctx.clock.now());
    if (lastCode && body.since !== lastCode) return res.redirect(303, previewHref);
    // Marked as running before anything is awaited, so that a second request cannot slip in between.
    const run = (async () => {
      const draft = await loadDraft(ctx.db, user.id, entry.published.formKey, ref).catch(nullWhenNotFound);
      if (!draft) return null;
      const result = await submitCommitment(deps, {
        actor: user,
        itemCode: entry.item.itemCode,
        subjectCode: subject.code,
        data: draft.data,
        signature,
        ip: req.ip ?? null,
      });
      await deleteDraft(ctx.db, user.id, entry.published.formKey, ref);
      return result.commitment.code;
    })();
    submitting.set(key, run);
    let code;
    try {
      code = await run;
    } catch (err) {
      if (err instanceof AppError && (err.status === 400 || err.status === 409)) {
        return renderPreview(req, res, { message: err.message, details: err.details ?? [] }, body.signerName);
      }
      throw err;
    } finally {
      submitting.delete(key);
    }
    if (!code) return res.redirect(303, `/catalog/${esc(entry.item.itemCode)}/apply?subject=${esc(subject.code)}`);
    rememberSubmission(req, user, ref, code, ctx.clock.now());
    res.redirect(303, `/my/cases/${code}/submitted`);
  });

  return router;
}
