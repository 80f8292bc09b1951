import { Router, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser, type CurrentUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import type { TaskSigner } from "../db/models/actionModels.js";
import type { Case } from "../db/models/Case.js";
import { heldReleaser } from "../domain/actions/holds.js";
import { listMessages, markAllRead, markMessageRead, unreadCount } from "../domain/actions/messages.js";
import {
  addOpinionTemplate,
  deleteOpinionTemplate,
  mayManageTemplate,
  opinionOf,
  opinionTemplatesFor,
} from "../domain/actions/opinions.js";
import { returnableSteps, returnNoticeOf, returnTask } from "../domain/actions/returnTask.js";
import {
  addSigners,
  decideRefusal,
  decideSign,
  findMySignRequest,
  mySignRequests,
  removeSigner,
  signersOf,
  signStateOf,
} from "../domain/actions/signers.js";
import { actionTimeline } from "../domain/actions/timeline.js";
import { listCaseForms } from "../domain/cases/caseForms.js";
import { copiesOf } from "../domain/cases/copyCase.js";
import { caseHistoryTimeline, caseOfInstance, displayNames, mySubjectCodes } from "../domain/cases/queries.js";
import { findVisibleTask } from "../domain/tasks/completeTask.js";
import { listColleagues } from "../domain/tasks/reassign.js";
import { Case as CaseModel } from "../db/models/Case.js";
import { Department } from "../db/models/Department.js";
import type { TaskView } from "../engine/index.js";
import { AppError, NotFoundError } from "../errors.js";
import { requireRole, requireUser } from "../http/guards.js";
import { parse } from "../http/parse.js";
import { presentPagination } from "../presenters/pagination.js";
import { caseBadge } from "../presenters/portal.js";
import { casePolicy } from "../policies/case.js";
import { setFlash, takeFlash } from "./admin/forms.js";
import { caseDiagramJson, caseFormJson, presentCaseBody } from "./cases/caseView.js";

const MODE_LABEL = { before: "前加签（先于我审批）", after: "后加签（我决定后再审批）" } as const;
const STATE_LABEL = { pending: "待审批", approved: "同意", rejected: "不同意", removed: "已减签" } as const;
const KIND_LABEL = { task: "待办", return: "退回", copy: "抄送", urge: "催办", decision: "办理结果", sign: "加签" } as const;

const IdParam = z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647) });
const SignerParam = z.object({ sid: z.coerce.number().int().min(1).max(2_147_483_647) });
const VersionParam = z.object({ version: z.coerce.number().int().min(1).max(100_000) });
const Mode = z.enum(["before", "after"], { error: "加签方式 mode 应为 before（前加签）或 after（后加签）" });
const SignersForm = z.object({
  users: z.union([z.string().max(2000), z.array(z.string().max(64)).max(50)]).default(""),
  mode: Mode,
  note: z.string().max(2000).optional(),
});
const DecideForm = z.object({
  decision: z.enum(["approve", "reject"], { error: "请选择同意或不同意" }),
  opinion: z.string().max(2000).optional(),
});
const DecideApi = z.object({
  approve: z.boolean({ error: "approve 应为 true（同意）或 false（不同意）" }),
  opinion: z.string().max(2000).optional(),
});
const ReturnBody = z.object({ to: z.string({ error: "请选择退回到哪个环节 to" }).max(255), reason: z.string().max(2000).optional() });
const TemplateBody = z.object({
  text: z.string({ error: "请填写常用意见 text" }).max(2000),
  scope: z.enum(["user", "department"]).default("user"),
});
const MessagesQuery = z.object({
  unread: z.enum(["1"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

const list = (users: string | string[]) => (typeof users === "string" ? users.split(/[,，\s]+/) : users);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

async function presentSigners(rows: TaskSigner[]) {
  const names = await displayNames(rows.flatMap((r) => [r.signer, r.addedBy]));
  return rows.map((r) => ({
    id: r.id,
    signer: r.signer,
    signerName: names.get(r.signer) ?? r.signer,
    mode: r.mode,
    modeLabel: MODE_LABEL[r.mode],
    state: r.state,
    stateLabel: STATE_LABEL[r.state],
    pending: r.state === "pending",
    addedBy: names.get(r.addedBy) ?? r.addedBy,
    note: r.note,
    opinion: r.opinion,
    decidedAt: iso(r.decidedAt),
    createdAt: r.createdAt.toISOString(),
  }));
}

/**
 * What the task page shows of 加签 / 减签, 退回 and 常用意见 for this user (templates/partials/reviewer-actions.hbs):
 * the task's sign state (待审批 / 审批通过中), its signers, the steps it may be returned to, why it was returned here.
 */
export async function reviewerActionsPanel(ctx: AppContext, user: CurrentUser, task: TaskView) {
  const history = await ctx.engine.history(task.processInstanceId);
  const [sign, signers, steps, notice, templates] = await Promise.all([
    signStateOf(task.id),
    signersOf(task.id),
    ctx.engine.mayComplete(user, task) ? returnableSteps(ctx, task, history) : Promise.resolve([]),
    returnNoticeOf(ctx, task, history),
    opinionTemplatesFor(user),
  ]);
  const holder = task.delegationState !== "PENDING" && (task.assignee === user.username || (user.isAdmin && !!task.assignee));
  const names = await displayNames([notice?.by ?? null]);
  return {
    taskId: task.id,
    signState: sign.state,
    waiting: sign.state === "待审批",
    held: sign.state === "审批通过中",
    signers: await presentSigners(signers),
    canSign: holder && !sign.held,
    canRemoveSigners: holder,
    colleagues: holder ? await listColleagues(ctx.db, user) : [],
    returnSteps: steps,
    returnNotice: notice
      ? {
          by: notice.by ? (names.get(notice.by) ?? notice.by) : null,
          from: notice.from,
          reason: notice.reason,
          at: notice.at.toISOString(),
        }
      : null,
    opinionTemplates: templates.map((t) => ({ text: t.text, department: t.scope === "department" })),
  };
}

/**
 * Page locals of the reviewer actions: the unread count for the navigation's bell on every page of a signed-in user,
 * and on the inbox (/tasks) the user's 加签待审批 requests above its task list.
 */
export function messageBadge(): Router {
  const router = Router();
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const user = req.user as CurrentUser | undefined;
    if (user && req.method === "GET" && !req.path.startsWith("/api/") && !req.path.startsWith("/engine-rest/")) {
      res.locals.unreadMessages = await unreadCount(user.username);
      if (req.path === "/tasks" && (user.roles.includes("reviewer") || user.roles.includes("dept_admin"))) {
        const rows = await mySignRequests(user, 20);
        const names = await displayNames(rows.map((r) => r.addedBy));
        const cases = await CaseModel.findAll({ where: { instanceId: [...new Set(rows.map((r) => r.instanceId))] } });
        const codes = new Map(cases.map((c) => [c.instanceId, c.businessKey ?? c.instanceId]));
        res.locals.signRequests = rows.map((r) => ({
          id: r.id,
          step: r.step,
          modeLabel: r.mode === "before" ? "前加签" : "后加签",
          addedBy: names.get(r.addedBy) ?? r.addedBy,
          code: codes.get(r.instanceId) ?? "",
          at: r.createdAt.toISOString(),
        }));
      }
    }
    next();
  });
  return router;
}

/** Who may read a case's print view: its applicant, staff who may see its instance, whoever it was copied to (抄送). */
async function findPrintableCase(user: CurrentUser, code: string): Promise<Case> {
  const kase = code.length <= 255 ? await CaseModel.findOne({ where: { businessKey: code } }) : null;
  const ok =
    !!kase &&
    (casePolicy.readAsApplicant(user, kase, await mySubjectCodes(user)) ||
      (!user.roles.includes("applicant") && casePolicy.readAsStaff(user, kase)) ||
      (await copiesOf(kase.instanceId)).some((c) => (c.toKind === "user" ? c.toValue === user.username : user.groups.includes(c.toValue))));
  if (!kase || !ok) throw new NotFoundError(`找不到办件 ${code}`);
  return kase;
}

/**
 * 加签 / 减签, 退回 to an earlier step, 常用意见, the message centre (站内信) and a case's printable opinions: pages and /api,
 * each through one domain command (docs/flows.md, "Actions on any task").
 */
export function reviewerActionRoutes(ctx: AppContext): Router {
  const router = Router();
  const staff = requireRole("reviewer", "dept_admin");
  const release = heldReleaser(ctx);
  const deps = { ...ctx, release };

  /** Runs a page action: success flash, or the refusal's Chinese sentence as a warning; back to `back`. */
  const pageAction = async (req: Request, res: Response, back: string, run: () => Promise<string>, after?: string) => {
    try {
      setFlash(req, "success", await run());
      res.redirect(303, after ?? back);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      setFlash(req, "warning", err.details?.[0]?.message ?? err.message);
      res.redirect(303, back);
    }
  };

  // ---- 加签 / 减签 ----------------------------------------------------------------------------------------------

  router.post("/tasks/:id/signers", staff, async (req, res) => {
    const user = currentUser(req);
    const task = await findVisibleTask(ctx, user, String(req.params.id));
    const body = parse(SignersForm, req.body ?? {});
    await pageAction(req, res, `/tasks/${task.id}`, async () => {
      const rows = await addSigners(ctx, { actor: user, task, users: list(body.users), mode: body.mode, note: body.note });
      const names = await displayNames(rows.map((r) => r.signer));
      return `已${body.mode === "before" ? "前加签" : "后加签"}：${rows.map((r) => names.get(r.signer) ?? r.signer).join("、")}`;
    });
  });

  router.post("/tasks/:id/signers/:sid/remove", staff, async (req, res) => {
    const user = currentUser(req);
    const task = await findVisibleTask(ctx, user, String(req.params.id));
    const { sid } = parse(SignerParam, req.params);
    await pageAction(req, res, `/tasks/${task.id}`, async () => {
      const row = await removeSigner(deps, { actor: user, task, signerId: sid });
      return `已减签：${(await displayNames([row.signer])).get(row.signer) ?? row.signer}`;
    });
  });

  router.get("/api/tasks/:id/signers", staff, async (req, res) => {
    const task = await findVisibleTask(ctx, currentUser(req), String(req.params.id));
    const { state } = await signStateOf(task.id);
    res.json({ data: await presentSigners(await signersOf(task.id)), meta: { taskId: task.id, signState: state } });
  });

  router.post("/api/tasks/:id/signers", staff, async (req, res) => {
    const user = currentUser(req);
    const task = await findVisibleTask(ctx, user, String(req.params.id));
    const body = parse(SignersForm, req.body ?? {});
    const rows = await addSigners(ctx, { actor: user, task, users: list(body.users), mode: body.mode, note: body.note });
    res.status(201).json({ data: await presentSigners(rows) });
  });

  router.delete("/api/tasks/:id/signers/:sid", staff, async (req, res) => {
    const user = currentUser(req);
    const task = await findVisibleTask(ctx, user, String(req.params.id));
    const { sid } = parse(SignerParam, req.params);
    await removeSigner(deps, { actor: user, task, signerId: sid });
    res.status(204).end();
  });

  /** The signer's requests (加签待审批), newest first. */
  router.get("/api/sign-requests", staff, async (req, res) => {
    const rows = await mySignRequests(currentUser(req));
    res.json({ data: (await presentSigners(rows)).map((r, i) => ({ ...r, taskId: rows[i]!.taskId, step: rows[i]!.step })) });
  });

  router.post("/api/signs/:id/decide", staff, async (req, res) => {
    const { id } = parse(IdParam, req.params);
    const body = parse(DecideApi, req.body ?? {});
    const row = await decideSign(deps, { actor: currentUser(req), signerId: id, approve: body.approve, opinion: body.opinion });
    res.json({ data: (await presentSigners([row]))[0] });
  });

  /** The signer's page: the case read-only, the assignee's request and the decision (同意 / 不同意 with an opinion). */
  router.get("/signs/:id", staff, async (req, res) => {
    const user = currentUser(req);
    const { id } = parse(IdParam, req.params);
    const row = await findMySignRequest(user, id);
    const kase = await caseOfInstance(row.instanceId);
    if (!kase) throw new NotFoundError("找不到该加签审批的办件");
    const [body, refusal, templates, task] = await Promise.all([
      presentCaseBody(ctx, kase, { form: (v) => `/signs/${row.id}/case-forms/${v}.json`, diagram: `/signs/${row.id}/diagram.json` }),
      decideRefusal(row),
      opinionTemplatesFor(user),
      ctx.engine.getTask(row.taskId),
    ]);
    const [signer] = await presentSigners([row]);
    res.render("tasks/sign", {
      title: `加签审批 ${body.header.code}`,
      flash: takeFlash(req),
      sign: { ...signer, step: row.step, taskOpen: !!task },
      mayDecide: !refusal && !!task && row.signer === user.username,
      refusal: task ? refusal : "任务已经办结，无需审批",
      opinionTemplates: templates.map((t) => ({ text: t.text, department: t.scope === "department" })),
      ...body,
    });
  });

  router.post("/signs/:id/decide", staff, async (req, res) => {
    const user = currentUser(req);
    const { id } = parse(IdParam, req.params);
    const body = parse(DecideForm, req.body ?? {});
    await findMySignRequest(user, id); // 404 for anyone but the signer, not a flash
    await pageAction(
      req,
      res,
      `/signs/${id}`,
      async () => {
        await decideSign(deps, { actor: user, signerId: id, approve: body.decision === "approve", opinion: body.opinion });
        return body.decision === "approve" ? "已同意，意见已记入办理记录" : "已提交不同意意见，办理人会看到";
      },
      "/tasks",
    );
  });

  router.get("/signs/:id/case-forms/:version.json", staff, async (req, res) => {
    const { id } = parse(IdParam, req.params);
    const row = await findMySignRequest(currentUser(req), id);
    const kase = await caseOfInstance(row.instanceId);
    if (!kase) throw new NotFoundError("找不到该办件");
    res.json(await caseFormJson(ctx, kase, parse(VersionParam, req.params).version));
  });

  router.get("/signs/:id/diagram.json", staff, async (req, res) => {
    const { id } = parse(IdParam, req.params);
    const row = await findMySignRequest(currentUser(req), id);
    const kase = await caseOfInstance(row.instanceId);
    if (!kase) throw new NotFoundError("找不到该办件");
    res.json(await caseDiagramJson(ctx, kase));
  });

  // ---- 退回 to an earlier step --------------------------------------------------------------------------------------

  router.post("/tasks/:id/return", staff, async (req, res) => {
    const user = currentUser(req);
    const task = await findVisibleTask(ctx, user, String(req.params.id));
    const body = parse(ReturnBody, req.body ?? {});
    await pageAction(
      req,
      res,
      `/tasks/${task.id}`,
      async () => {
        const { step } = await returnTask(ctx, { actor: user, taskId: task.id, to: body.to, reason: body.reason });
        return `已退回到“${step.name}”${step.completedByName ? `，交 ${step.completedByName} 办理` : ""}`;
      },
      "/tasks",
    );
  });

  router.get("/api/tasks/:id/return-steps", requireUser, async (req, res) => {
    const user = currentUser(req);
    const task = await findVisibleTask(ctx, user, String(req.params.id));
    res.json({ data: ctx.engine.mayComplete(user, task) ? await returnableSteps(ctx, task) : [] });
  });

  router.post("/api/tasks/:id/return", requireUser, async (req, res) => {
    const body = parse(ReturnBody, req.body ?? {});
    const result = await returnTask(ctx, { actor: currentUser(req), taskId: String(req.params.id), to: body.to, reason: body.reason });
    res.json({ data: { taskId: result.taskId, step: result.step } });
  });

  // ---- 常用意见 ------------------------------------------------------------------------------------------------------

  router.get("/opinions", staff, async (req, res) => {
    const user = currentUser(req);
    const rows = await opinionTemplatesFor(user);
    const department = user.departmentId !== null ? await Department.findByPk(user.departmentId) : null;
    res.render("actions/opinions", {
      title: "常用意见",
      flash: takeFlash(req),
      mine: rows.filter((r) => r.scope === "user").map((r) => ({ id: r.id, text: r.text })),
      department: rows.filter((r) => r.scope === "department").map((r) => ({ id: r.id, text: r.text, manage: mayManageTemplate(user, r) })),
      departmentName: department?.name ?? null,
      mayManageDepartment: user.departmentId !== null && (user.isAdmin || user.roles.includes("dept_admin")),
    });
  });

  router.post("/opinions", staff, async (req, res) => {
    const user = currentUser(req);
    const body = parse(TemplateBody, req.body ?? {});
    await pageAction(req, res, "/opinions", async () => {
      await addOpinionTemplate(ctx.db, { actor: user, text: body.text, scope: body.scope }, ctx.clock.now());
      return body.scope === "department" ? "已添加部门常用意见" : "已添加常用意见";
    });
  });

  router.post("/opinions/:id/delete", staff, async (req, res) => {
    const { id } = parse(IdParam, req.params);
    await pageAction(req, res, "/opinions", async () => {
      await deleteOpinionTemplate(ctx.db, currentUser(req), id, ctx.clock.now());
      return "已删除常用意见";
    });
  });

  router.get("/api/opinion-templates", staff, async (req, res) => {
    const user = currentUser(req);
    res.json({
      data: (await opinionTemplatesFor(user)).map((r) => ({ id: r.id, scope: r.scope, text: r.text, manage: mayManageTemplate(user, r) })),
    });
  });

  router.post("/api/opinion-templates", staff, async (req, res) => {
    const body = parse(TemplateBody, req.body ?? {});
    const row = await addOpinionTemplate(ctx.db, { actor: currentUser(req), text: body.text, scope: body.scope }, ctx.clock.now());
    res.status(201).json({ data: { id: row.id, scope: row.scope, text: row.text } });
  });

  router.delete("/api/opinion-templates/:id", staff, async (req, res) => {
    const { id } = parse(IdParam, req.params);
    await deleteOpinionTemplate(ctx.db, currentUser(req), id, ctx.clock.now());
    res.status(204).end();
  });

  // ---- 站内信 --------------------------------------------------------------------------------------------------------

  const presentMessage = (m: Awaited<ReturnType<typeof listMessages>>["rows"][number]) => ({
    id: m.id,
    kind: m.kind,
    kindLabel: KIND_LABEL[m.kind] ?? m.kind,
    title: m.title,
    body: m.body,
    link: m.link,
    read: !!m.readAt,
    at: m.createdAt.toISOString(),
  });

  router.get("/messages", requireUser, async (req, res) => {
    const user = currentUser(req);
    const q = parse(MessagesQuery, req.query);
    const page = await listMessages(user, { unread: q.unread === "1", page: q.page });
    res.render("actions/messages", {
      title: "站内信",
      flash: takeFlash(req),
      rows: page.rows.map(presentMessage),
      unread: page.unread,
      onlyUnread: q.unread === "1",
      pagination: presentPagination(page, "/messages", { unread: q.unread }),
    });
  });

  /** Opens a message: marks it read and goes where it points. */
  router.post("/messages/:id/open", requireUser, async (req, res) => {
    const { id } = parse(IdParam, req.params);
    const m = await markMessageRead(ctx.db, currentUser(req), id, ctx.clock.now());
    res.redirect(303, m.link && m.link.startsWith("/") && !m.link.startsWith("//") ? m.link : "/messages");
  });

  router.post("/messages/read-all", requireUser, async (req, res) => {
    const n = await markAllRead(ctx.db, currentUser(req), ctx.clock.now());
    setFlash(req, "success", n ? `已将 ${n} 条消息标为已读` : "没有未读消息");
    res.redirect(303, "/messages");
  });

  router.get("/api/messages", requireUser, async (req, res) => {
    const q = parse(MessagesQuery, req.query);
    const page = await listMessages(currentUser(req), { unread: q.unread === "1", page: q.page });
    res.json({
      data: page.rows.map(presentMessage),
      meta: { total: page.total, unread: page.unread, page: page.page, pageSize: page.pageSize },
    });
  });

  router.post("/api/messages/:id/read", requireUser, async (req, res) => {
    const { id } = parse(IdParam, req.params);
    res.json({ data: presentMessage(await markMessageRead(ctx.db, currentUser(req), id, ctx.clock.now())) });
  });

  router.post("/api/messages/read-all", requireUser, async (req, res) => {
    res.json({ data: { marked: await markAllRead(ctx.db, currentUser(req), ctx.clock.now()) } });
  });

  // ---- The case's printable 办理意见 ---------------------------------------------------------------------------------

  router.get("/cases/:code/print", requireUser, async (req, res) => {
    const user = currentUser(req);
    const kase = await findPrintableCase(user, String(req.params.code));
    const [forms, history, department] = await Promise.all([
      listCaseForms(ctx.db, kase.instanceId),
      ctx.engine.history(kase.instanceId),
      kase.departmentId ? Department.findByPk(kase.departmentId) : Promise.resolve(null),
    ]);
    const names = await displayNames(forms.map((f) => f.by));
    const steps = forms
      .filter((f) => f.step && f.step !== "申请")
      .map((f) => ({ step: f.step, by: names.get(f.by) ?? f.by, at: f.at.toISOString(), opinion: opinionOf(f.data) }));
    const timeline = [...(await caseHistoryTimeline(history)), ...(await actionTimeline(kase.instanceId, forms))]
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((e) => ({ ...e, at: e.at.toISOString() }));
    res.render("actions/print", {
      title: `办理意见 ${kase.businessKey ?? ""}`,
      kase: {
        code: kase.businessKey ?? kase.instanceId,
        title: kase.title,
        status: kase.status,
        badge: caseBadge(kase.status),
        subject: kase.subjectName,
        department: department?.name ?? null,
        startedAt: kase.startedAt.toISOString(),
      },
      steps,
      timeline,
    });
  });

  return router;
}
