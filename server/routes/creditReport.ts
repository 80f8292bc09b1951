import { Router, type Request } from "express";
import { rateLimit } from "express-rate-limit";
import { z } from "zod";
import { currentUser, hasRole, type CurrentUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import { CreditSubject } from "../db/models/CreditSubject.js";
import { generateCreditReport, REPORT_SCOPE } from "../domain/reports/creditReport.js";
import { findDocument, reportsOfSubject, type StoredDocument } from "../domain/reports/documents.js";
import { AppError, NotFoundError, ValidationError } from "../errors.js";
import { requireUser } from "../http/guards.js";
import { wantsJson } from "../http/negotiate.js";
import { parse } from "../http/parse.js";
import { creditRecordPolicy } from "../policies/creditRecord.js";

const NumberParam = z.object({ number: z.string().regex(/^[A-Za-z]{2}\d{20}$/, { error: "编号格式不正确" }) });
const SubjectQuery = z.object({ subject: z.string().max(40).optional().catch(undefined) });
const GenerateBody = z.object({
  subject: z.string({ error: "请选择要出具报告的主体" }).trim().min(15, { error: "请填写主体的统一社会信用代码" }).max(20),
});

/** Who may read a document: officers (records are shared across departments), and the applicants acting for its subject. */
function mayRead(user: CurrentUser, doc: Pick<StoredDocument, "subjectId">): boolean {
  return creditRecordPolicy.read(user) || user.subjectIds.includes(doc.subjectId);
}

/** The subject a report is asked for: one the applicant acts for, or any subject for an officer; else 404. */
async function reportSubject(user: CurrentUser, code: string): Promise<CreditSubject> {
  const subject = await CreditSubject.findOne({ where: { code: code.trim().toUpperCase() } });
  if (!subject || !(creditRecordPolicy.read(user) || user.subjectIds.includes(subject.id)))
    throw new NotFoundError("找不到该主体，或您不是该主体的经办人");
  return subject;
}

/** Templates per kind of document (templates/documents/). */
const TEMPLATES: Record<StoredDocument["kind"], string> = {
  repair_notice: "documents/credit-repair-notice",
  repair_decision: "documents/credit-repair-decision",
  repair_refusal: "documents/credit-repair-decision",
  repair_commitment: "documents/credit-repair-commitment",
  credit_report: "documents/credit-report",
};

const limiters = new WeakMap<AppContext, ReturnType<typeof rateLimit>>();

/**
 * Credit reports an account may ask for in an hour (CREDIT_REPORT_RATE_LIMIT, default 20): each one is numbered and
 * stored, so a script asking in a loop is refused with a Chinese 429 instead of filling the register.
 */
function reportLimiter(ctx: AppContext) {
  let limiter = limiters.get(ctx);
  if (!limiter) {
    const limit = Number(process.env.CREDIT_REPORT_RATE_LIMIT ?? 20);
    limiter = rateLimit({
      windowMs: 60 * 60_000,
      limit: Number.isFinite(limit) && limit > 0 ? limit : 20,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      keyGenerator: (req: Request) => `user:${(req.user as CurrentUser | undefined)?.id ?? "anonymous"}`,
      handler: (_req, _res, next) => next(new AppError(429, "rate_limited", "一小时内出具信用报告次数过多，请稍后再试")),
    });
    limiters.set(ctx, limiter);
  }
  return limiter;
}

/** Absolute address of the verification page of a report, printed on it. */
function verifyUrl(req: Request, number: string): string {
  return `${req.protocol}://${req.get("host") ?? "localhost"}/verify/${number}`;
}

/**
 * 信用报告 and the documents of the credit office: the applicant (for a subject it acts for) or an officer asks for a
 * report at /credit-reports; every numbered document (告知书, 决定书, 修复承诺书, 报告) prints at /documents/<number>.
 */
export function creditReportRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get("/credit-reports", requireUser, async (req, res) => {
    const user = currentUser(req);
    const { subject: wanted } = SubjectQuery.parse(req.query);
    const mine = user.subjectIds.length
      ? await CreditSubject.findAll({ where: { id: user.subjectIds }, order: [["name", "ASC"]], raw: true })
      : [];
    const staff = creditRecordPolicy.read(user);
    if (!mine.length && !staff) throw new NotFoundError("您目前还不能代表任何主体，无法出具信用报告");
    const subject = wanted ? await reportSubject(user, wanted) : mine.length === 1 ? mine[0]! : null;
    const reports = subject ? await reportsOfSubject(subject.id) : [];
    res.render("documents/credit-reports", {
      title: "信用报告",
      staff,
      subjects: mine.map((s) => ({ code: s.code, name: s.name, selected: s.code === subject?.code })),
      subject: subject ? { code: subject.code, name: subject.name } : null,
      wanted: wanted ?? "",
      scope: REPORT_SCOPE,
      reports: reports.map((r) => ({ number: r.number, issuedOn: r.issuedOn, issuedBy: r.issuedBy, sha256: r.contentSha256 })),
    });
  });

  router.post("/credit-reports", requireUser, reportLimiter(ctx), async (req, res) => {
    const user = currentUser(req);
    const { subject: code } = parse(GenerateBody, req.body);
    const subject = await reportSubject(user, code);
    if (!hasRole(user, "applicant", "reviewer", "dept_admin", "auditor"))
      throw new ValidationError("当前账号不能出具信用报告", [{ path: "subject", message: "请使用经办人或工作人员账号" }]);
    const doc = await generateCreditReport(ctx.db, {
      subject,
      actor: user.username,
      requestedBy: user.subjectIds.includes(subject.id) && !creditRecordPolicy.read(user) ? "subject" : "staff",
      ip: req.ip ?? null,
      at: ctx.clock.now(),
    });
    const body = { number: doc.number, sha256: doc.contentSha256, issuedOn: doc.issuedOn, url: `/documents/${doc.number}` };
    if (wantsJson(req)) return res.status(201).json({ data: body });
    res.redirect(303, `/documents/${doc.number}`);
  });

  router.get("/documents/:number", requireUser, async (req, res) => {
    const user = currentUser(req);
    const { number } = parse(NumberParam, req.params);
    const doc = await findDocument(number.toUpperCase());
    if (!mayRead(user, doc)) throw new NotFoundError("找不到该编号的文书或报告");
    if (wantsJson(req)) return res.json({ data: doc });
    const subject = (doc.content.subject ?? {}) as { code?: string };
    const back = creditRecordPolicy.read(user)
      ? `/admin/credit/subjects/${subject.code ?? ""}`
      : doc.caseKey
        ? `/my/cases/${doc.caseKey}`
        : doc.kind === "credit_report"
          ? `/credit-reports?subject=${subject.code ?? ""}`
          : "/repair/apply";
    res.render(TEMPLATES[doc.kind], {
      title: `${doc.title} ${doc.number}`,
      doc: { ...doc.content, number: doc.number, issuedOn: doc.issuedOn, sha256: doc.contentSha256, kind: doc.kind },
      refusal: doc.kind === "repair_refusal",
      back,
      verifyUrl: verifyUrl(req, doc.number),
    });
  });

  return router;
}
