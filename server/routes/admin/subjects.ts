import { Router, type Response } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { SUBJECT_TYPES } from "../../db/models/CreditSubject.js";
import { pageNumber } from "../../domain/search.js";
import { decideSubjectClaim } from "../../domain/subjects/claims.js";
import { createSubject } from "../../domain/subjects/createSubject.js";
import { actorsOfSubject, findSubject, listClaims, searchSubjects } from "../../domain/subjects/queries.js";
import { gradeOf } from "../../domain/grading/queries.js";
import { presentGrade } from "../../presenters/grading.js";
import { NotFoundError } from "../../errors.js";
import { requireRole } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { authorize } from "../../policies/authorize.js";
import { subjectActions, subjectPolicy } from "../../policies/subject.js";
import { presentPagination } from "../../presenters/pagination.js";
import { presentClaim, presentSubject } from "../../presenters/subject.js";
import { actorOf, attempt, idParam, optionalText, setFlash, takeFlash, type FormProblem } from "./forms.js";

const SubjectForm = z.object({
  subjectType: z.enum(SUBJECT_TYPES, { error: "请选择主体类型" }),
  code: z.string().trim().min(1, { error: "请填写统一社会信用代码或公民身份号码" }).max(32),
  name: z.string().trim().min(1, { error: "请填写主体名称" }).max(200, { error: "名称不能超过 200 字" }),
  legacyOverrideReason: optionalText(500),
});
const ClaimDecision = z.object({ decision: z.enum(["approve", "reject"]), reason: optionalText(500) });
const ListQuery = z.object({ q: z.string().max(64).optional().catch(undefined), page: z.unknown().optional() });

/** The credit-subject register: officers search it; admins add subjects, accept legacy-pilot codes and decide claims. */
export function adminSubjectRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;
  const officers = requireRole("reviewer", "dept_admin", "auditor");
  const admin = requireRole("admin");

  router.get("/admin/subjects", officers, async (req, res) => {
    const user = currentUser(req);
    authorize(subjectPolicy.list(user));
    const query = ListQuery.parse(req.query);
    const page = await searchSubjects(db, { q: query.q, page: pageNumber(query.page) });
    res.render("admin/subjects/index", {
      title: "信用主体",
      flash: takeFlash(req),
      q: query.q ?? "",
      subjects: page.rows.map(presentSubject),
      can: subjectActions(user),
      pagination: presentPagination(page, "/admin/subjects", { q: query.q }),
    });
  });

  const renderNew = (res: Response, values: Record<string, unknown>, problem?: FormProblem) =>
    res.status(problem?.status ?? 200).render("admin/subjects/new", {
      title: "登记信用主体",
      values: { subjectType: "法人及非法人组织", ...values },
      subjectTypes: SUBJECT_TYPES,
      problem,
      errors: problem?.fields ?? {},
    });

  router.get("/admin/subjects/new", admin, (req, res) => {
    authorize(subjectPolicy.create(currentUser(req)));
    renderNew(res, {});
  });

  router.post("/admin/subjects", admin, async (req, res) => {
    authorize(subjectPolicy.create(currentUser(req)));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await attempt(async () => createSubject(db, actorOf(req), parse(SubjectForm, body, "主体信息有误，请按提示修改")));
    if (!result.ok) return renderNew(res, body, result.problem);
    setFlash(req, "success", `已登记“${result.value.name}”${result.value.legacyPilot ? "（早期试点代码，已记录受理理由）" : ""}。`);
    res.redirect(`/admin/subjects/${result.value.id}`);
  });

  router.get("/admin/subjects/:id", officers, async (req, res) => {
    const user = currentUser(req);
    const subject = await findSubject(db, idParam(req.params.id));
    if (!subject || !subjectPolicy.read(user, subject)) throw new NotFoundError("找不到该主体");
    const [actors, claims] = await Promise.all([actorsOfSubject(db, subject.id), listClaims(db, { subjectId: subject.id })]);
    res.render("admin/subjects/show", {
      title: subject.name,
      flash: takeFlash(req),
      subject: presentSubject(subject),
      actors,
      claims: claims.map(presentClaim),
      can: subjectActions(user),
      creditGrade: presentGrade(await gradeOf(subject.id)),
    });
  });

  router.post("/admin/subjects/:id/claims/:claimId", admin, async (req, res) => {
    authorize(subjectPolicy.decideClaim(currentUser(req)));
    const subjectId = idParam(req.params.id);
    const result = await attempt(async () => {
      const form = parse(ClaimDecision, req.body);
      return decideSubjectClaim(db, actorOf(req), {
        claimId: idParam(req.params.claimId),
        approve: form.decision === "approve",
        reason: form.reason,
      });
    });
    if (!result.ok) setFlash(req, "danger", result.problem.message);
    else
      setFlash(
        req,
        "success",
        result.value.status === "approved" ? "已确认关联，该申请人现在可以代表此主体办理事项。" : "已驳回关联申请。",
      );
    res.redirect(`/admin/subjects/${subjectId}`);
  });

  // JSON for API clients (HTTP Basic): search and register subjects.
  router.get("/api/admin/subjects", officers, async (req, res) => {
    authorize(subjectPolicy.list(currentUser(req)));
    const query = ListQuery.parse(req.query);
    const page = await searchSubjects(db, { q: query.q, page: pageNumber(query.page) });
    res.json({ data: page.rows.map(presentSubject), meta: { total: page.total, page: page.page, pageSize: page.pageSize } });
  });

  router.post("/api/admin/subjects", admin, async (req, res) => {
    authorize(subjectPolicy.create(currentUser(req)));
    const subject = await createSubject(db, actorOf(req), parse(SubjectForm, req.body));
    res.status(201).json({ data: presentSubject(subject.get({ plain: true })) });
  });

  return router;
}
