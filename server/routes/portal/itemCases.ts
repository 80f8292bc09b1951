import { Router, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser, type CurrentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import type { Case } from "../../db/models/Case.js";
import { findApplicantCase } from "../../domain/cases/queries.js";
import { startItemCase } from "../../domain/cases/startCase.js";
import { withdrawCase, withdrawRefusal } from "../../domain/cases/withdrawCase.js";
import { urgeableTasks, urgeTask } from "../../domain/tasks/urgeTask.js";
import { findCatalogEntry } from "../../domain/catalog/catalogQueries.js";
import { subjectsOfApplicant } from "../../domain/portal/queries.js";
import { completeUserTask } from "../../domain/tasks/completeTask.js";
import type { TaskView } from "../../engine/index.js";
import { AppError, NotFoundError, nullWhenNotFound } from "../../errors.js";
import { deleteDraft, getFormRevision, loadDraft } from "../../forms/index.js";
import { requireRole, requireUser } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { presentCatalogItem } from "../../presenters/catalog.js";
import { presentFormForRenderer } from "../../presenters/form.js";
import { presentSubjectOption } from "../../presenters/portal.js";
import { setFlash, takeFlash } from "../admin/forms.js";
import { caseDiagramJson, caseFormJson, prefillTaskForm, presentCaseBody } from "../cases/caseView.js";

const SubjectQuery = z.object({ subject: z.string().max(18).optional().catch(undefined) });
const StartBody = z.object({ data: z.record(z.string(), z.unknown(), { error: "data 应为表单数据对象" }) });
const CompleteBody = z.object({ data: z.record(z.string(), z.unknown(), { error: "data 应为表单数据对象" }) });
const UrgeBody = z.object({ message: z.string().max(2000).optional() });
const WithdrawBody = z.object({ reason: z.string().max(2000).default("") });
const VersionParam = z.object({ version: z.coerce.number().int().min(1).max(100_000) });

const esc = encodeURIComponent;
/** The draft of a 通用事项 application (per user, form and item; a subject, when chosen, is part of it). */
const startDraftRef = (itemId: number, subjectCode: string | null) => `start-${itemId}-${subjectCode ?? "self"}`;

/** A published 通用事项; 404 for unknown items, items off the catalog and items of another kind. */
async function publishedGenericItem(itemCode: string) {
  const entry = await findCatalogEntry(itemCode);
  if (!entry?.published || entry.published.status !== "published" || entry.item.kind !== "generic") {
    throw new NotFoundError("找不到该事项，或该事项已停止办理");
  }
  return entry as typeof entry & { published: NonNullable<typeof entry.published> };
}

/** The open tasks of a case assigned to the applicant (e.g. 补正 assigned to `${initiator}`). */
async function myTasks(ctx: AppContext, user: CurrentUser, kase: Case): Promise<TaskView[]> {
  return ctx.engine.findTasks({ processInstanceId: kase.instanceId, assignee: user.username });
}

/**
 * The applicant side of every flow without a module of its own: apply for a 通用事项 with its start form (and a subject
 * when the applicant acts for one), then its case page with the forms, the diagram, the timeline and the applicant's own
 * tasks, completed through the one task-completion command.
 */
export function portalItemCaseRoutes(ctx: AppContext): Router {
  const router = Router();
  const applicant = requireRole("applicant");

  router.get("/catalog/:itemCode/start", applicant, async (req, res) => {
    const user = currentUser(req);
    const entry = await publishedGenericItem(String(req.params.itemCode));
    const subjects = await subjectsOfApplicant(user);
    const wanted = parse(SubjectQuery, req.query).subject?.trim().toUpperCase();
    const subject = wanted ? subjects.find((s) => s.code === wanted) : undefined;
    if (wanted && !subject) throw new NotFoundError("找不到该主体，或您不是该主体的经办人");
    const ref = startDraftRef(entry.item.id, subject?.code ?? null);
    const draft = await loadDraft(ctx.db, user.id, entry.published.formKey, ref).catch(nullWhenNotFound);
    const qs = subject ? `?subject=${esc(subject.code)}` : "";
    const item = presentCatalogItem(entry, null);
    res.render("portal/start", {
      title: `办理：${item.name}`,
      item,
      itemHref: `/catalog/${esc(item.itemCode)}`,
      subject: subject ? presentSubjectOption(subject, subject.code) : null,
      subjects: subjects.map((s) => presentSubjectOption(s, subject?.code ?? null)),
      draftSavedAt: draft?.updatedAt ?? null,
      renderer: {
        formUrl: `/catalog/${esc(item.itemCode)}/form.json`,
        submitUrl: `/catalog/${esc(item.itemCode)}/start${qs}`,
        draftUrl: `/api/forms/${esc(entry.published.formKey)}/drafts/${ref}`,
        submission: JSON.stringify(draft?.data ?? {}),
        readOnly: false,
        mode: "apply",
      },
    });
  });

  /** Submits the application: validated against the pinned start form, the case numbered and its process started. */
  router.post("/catalog/:itemCode/start", applicant, async (req, res) => {
    const user = currentUser(req);
    const entry = await publishedGenericItem(String(req.params.itemCode));
    const subjectCode = parse(SubjectQuery, req.query).subject ?? null;
    const { data } = parse(StartBody, req.body);
    const kase = await startItemCase(ctx, { actor: user, itemCode: entry.item.itemCode, subjectCode, data, ip: req.ip ?? null });
    await deleteDraft(ctx.db, user.id, entry.published.formKey, startDraftRef(entry.item.id, kase.subjectCode));
    setFlash(req, "success", `申请已提交，办件编号 ${kase.businessKey}。办理进度可在本页查看。`);
    res.json({ data: { code: kase.businessKey, status: kase.status }, redirect: `/my/cases/${esc(kase.businessKey ?? "")}` });
  });

  /** A case of a flow without a module; other cases (commitments) go on to their own page. */
  router.get("/my/cases/:code", requireUser, async (req: Request, res: Response, next: NextFunction) => {
    const user = currentUser(req);
    const kase = await findApplicantCase(user, String(req.params.code)).catch(nullWhenNotFound);
    if (!kase || kase.kind === "commitment") return next();
    const base = `/my/cases/${esc(String(req.params.code))}`;
    const [body, tasks, refusal, urgeable] = await Promise.all([
      presentCaseBody(ctx, kase, { form: (v) => `${base}/forms/${v}.json`, diagram: `${base}/diagram.json` }),
      myTasks(ctx, user, kase),
      withdrawRefusal(ctx, user, kase),
      urgeableTasks(ctx, user, kase),
    ]);
    res.render("portal/generic-case", {
      title: `办件 ${body.header.code}`,
      flash: takeFlash(req),
      ...body,
      withdrawAction: refusal ? null : `${base}/withdraw`,
      urgeable: urgeable.map((t) => ({
        name: t.name ?? t.taskDefinitionKey,
        due: t.due?.toISOString() ?? null,
        action: `${base}/tasks/${t.id}/urge`,
      })),
      myTasks: await Promise.all(
        tasks.map(async (t) => ({
          id: t.id,
          name: t.name ?? t.taskDefinitionKey,
          due: t.due?.toISOString() ?? null,
          renderer: t.formKey
            ? {
                formUrl: `${base}/tasks/${t.id}/form.json`,
                submitUrl: `${base}/tasks/${t.id}/complete`,
                // 补正 and the like start from the case's current data.
                submission: JSON.stringify(await prefillTaskForm(ctx, t)),
                readOnly: false,
                mode: "decision",
              }
            : null,
        })),
      ),
    });
  });

  /** 撤回: the applicant takes its application back while nobody has decided yet (a plain form post with the reason). */
  router.post("/my/cases/:code/withdraw", applicant, async (req, res) => {
    const { reason } = parse(WithdrawBody, req.body ?? {});
    const code = String(req.params.code);
    try {
      await withdrawCase(ctx, { actor: currentUser(req), code, reason });
      setFlash(req, "success", `已撤回办件 ${code}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      setFlash(req, "warning", err.details?.[0]?.message ?? err.message);
    }
    res.redirect(303, `/my/cases/${esc(code)}`);
  });

  /** 催办 by the applicant on an overdue step of its case. */
  router.post("/my/cases/:code/tasks/:taskId/urge", applicant, async (req, res) => {
    const user = currentUser(req);
    const kase = await findApplicantCase(user, String(req.params.code));
    const { message } = parse(UrgeBody, req.body ?? {});
    const task = (await ctx.engine.findTasks({ processInstanceId: kase.instanceId })).find((t) => t.id === String(req.params.taskId));
    if (!task) throw new NotFoundError("找不到该环节（可能已经办结）");
    try {
      await urgeTask(ctx, { actor: user, taskId: task.id, message });
      setFlash(req, "success", `已催办“${task.name ?? task.taskDefinitionKey}”，承办人员会在待办中看到`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      setFlash(req, "warning", err.message);
    }
    res.redirect(303, `/my/cases/${esc(kase.businessKey ?? "")}`);
  });

  router.get("/my/cases/:code/forms/:version.json", requireUser, async (req, res) => {
    const kase = await findApplicantCase(currentUser(req), String(req.params.code));
    res.json(await caseFormJson(ctx, kase, parse(VersionParam, req.params).version));
  });

  router.get("/my/cases/:code/diagram.json", requireUser, async (req, res) => {
    const kase = await findApplicantCase(currentUser(req), String(req.params.code));
    res.json(await caseDiagramJson(ctx, kase));
  });

  /** One of the applicant's own tasks on the case, or 404. */
  const ownTask = async (req: Request) => {
    const user = currentUser(req);
    const kase = await findApplicantCase(user, String(req.params.code));
    const task = (await myTasks(ctx, user, kase)).find((t) => t.id === String(req.params.taskId));
    if (!task) throw new NotFoundError("找不到该待办（可能已经提交）");
    return { user, kase, task };
  };

  router.get("/my/cases/:code/tasks/:taskId/form.json", applicant, async (req, res) => {
    const { task } = await ownTask(req);
    if (!task.formKey) throw new NotFoundError("该待办没有表单");
    res.json({ data: presentFormForRenderer(await getFormRevision(ctx.db, task.formKey, task.formRevision ?? undefined)) });
  });

  /** The applicant completes its own task (e.g. 补正) through the one completion command. */
  router.post("/my/cases/:code/tasks/:taskId/complete", applicant, async (req, res) => {
    const { user, kase, task } = await ownTask(req);
    const { data } = parse(CompleteBody, req.body);
    await completeUserTask(ctx, { actor: user, taskId: task.id, data });
    const after = await kase.reload();
    setFlash(req, "success", `已提交“${task.name ?? task.taskDefinitionKey}”，办件状态：${after.status}`);
    res.json({ data: { code: after.businessKey, status: after.status }, redirect: `/my/cases/${esc(after.businessKey ?? "")}` });
  });

  return router;
}
