import { Router } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import type { Case } from "../../db/models/Case.js";
import { findApplicantCase, listMyCases } from "../../domain/cases/queries.js";
import { startItemCase } from "../../domain/cases/startCase.js";
import { withdrawCase } from "../../domain/cases/withdrawCase.js";
import { copyCase } from "../../domain/cases/copyCase.js";
import { urgeTask } from "../../domain/tasks/urgeTask.js";
import { completeUserTask } from "../../domain/tasks/completeTask.js";
import { delegateTaskTo, resolveDelegatedTask, transferTask } from "../../domain/tasks/reassign.js";
import type { TaskView } from "../../engine/index.js";
import { requireRole, requireUser } from "../../http/guards.js";
import { parse } from "../../http/parse.js";

const StartBody = z.object({
  itemCode: z.string({ error: "请填写事项编码 itemCode" }).min(1).max(64),
  subject: z.string().max(18).optional(),
  data: z.record(z.string(), z.unknown(), { error: "data 应为表单数据对象" }),
});
const ListQuery = z.object({
  status: z.string().max(64).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
});
const CompleteBody = z.object({ data: z.record(z.string(), z.unknown(), { error: "data 应为表单数据对象" }) });
const ReassignBody = z.object({
  to: z.string({ error: "请在 to 中给出同事的用户名" }).min(1).max(64),
  reason: z.string().max(2000).optional(),
});
const CopyBody = z.object({
  users: z.array(z.string().max(64)).max(50).optional(),
  groups: z.array(z.string().max(64)).max(50).optional(),
  note: z.string().max(2000).optional(),
});
const UrgeBody = z.object({ message: z.string().max(2000).optional() });
const WithdrawBody = z.object({ reason: z.string({ error: "请填写撤回原因 reason" }).max(2000) });
const ResolveBody = z.object({ opinion: z.string().max(2000).optional() });

const presentTask = (t: TaskView) => ({ id: t.id, name: t.name, assignee: t.assignee, owner: t.owner, delegationState: t.delegationState });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function presentCase(c: Case) {
  return {
    code: c.businessKey,
    kind: c.kind,
    title: c.title,
    processKey: c.processKey,
    processVersion: c.processVersion,
    processInstanceId: c.instanceId,
    subject: c.subjectCode ? { code: c.subjectCode, name: c.subjectName } : null,
    status: c.status,
    waitingAt: c.waitingAt,
    startedAt: iso(c.startedAt),
    endedAt: iso(c.endedAt),
    endReason: c.endReason,
    dueAt: iso(c.dueAt),
  };
}

/**
 * Cases of every kind through /api: an applicant applies for a 通用事项, lists and reads its cases with the tasks waiting
 * on it; anyone completes a task it may work on through the one task-completion command (the same as the pages and
 * /engine-rest).
 */
export function caseApiRoutes(ctx: AppContext): Router {
  const router = Router();

  router.post("/api/cases", requireRole("applicant"), async (req, res) => {
    const body = parse(StartBody, req.body);
    const kase = await startItemCase(ctx, {
      actor: currentUser(req),
      itemCode: body.itemCode,
      subjectCode: body.subject ?? null,
      data: body.data,
      ip: req.ip ?? null,
    });
    res.status(201).json({ data: presentCase(kase) });
  });

  router.get("/api/cases", requireRole("applicant"), async (req, res) => {
    const q = parse(ListQuery, req.query);
    const page = await listMyCases(ctx.db, currentUser(req), q);
    res.json({
      data: page.rows.map((c) => ({ ...presentCase(c), waitingOnMe: page.waitingOnMe.get(c.instanceId) ?? [] })),
      meta: { total: page.total, page: page.page, pageSize: page.pageSize, counts: page.counts },
    });
  });

  router.get("/api/cases/:code", requireRole("applicant"), async (req, res) => {
    const user = currentUser(req);
    const kase = await findApplicantCase(user, String(req.params.code));
    const tasks = await ctx.engine.findTasks({ processInstanceId: kase.instanceId, assignee: user.username });
    res.json({
      data: {
        ...presentCase(kase),
        myTasks: tasks.map((t) => ({
          id: t.id,
          name: t.name,
          taskDefinitionKey: t.taskDefinitionKey,
          formKey: t.formKey,
          due: iso(t.due),
        })),
      },
    });
  });

  /** 催办: the case's applicant on an overdue task, or the department's dept_admin; once a day per task and sender (429). */
  router.post("/api/tasks/:id/urge", requireUser, async (req, res) => {
    const { message } = parse(UrgeBody, req.body ?? {});
    const reminder = await urgeTask(ctx, { actor: currentUser(req), taskId: String(req.params.id), message });
    res.status(201).json({ data: { taskId: reminder.taskId, message: reminder.message, at: reminder.createdAt.toISOString() } });
  });

  /** 抄送: a read-only copy of the task's case to staff users and groups. */
  router.post("/api/tasks/:id/copy", requireRole("reviewer", "dept_admin"), async (req, res) => {
    const body = parse(CopyBody, req.body ?? {});
    const rows = await copyCase(ctx, { actor: currentUser(req), taskId: String(req.params.id), ...body });
    res.status(201).json({ data: rows.map((r) => ({ id: r.id, to: { kind: r.toKind, value: r.toValue }, step: r.step })) });
  });

  /** 撤回 by the applicant while nobody has decided yet. */
  router.post("/api/cases/:code/withdraw", requireRole("applicant"), async (req, res) => {
    const { reason } = parse(WithdrawBody, req.body ?? {});
    const kase = await withdrawCase(ctx, { actor: currentUser(req), code: String(req.params.code), reason });
    res.json({ data: presentCase(kase) });
  });

  /** Completes a user task (any flow) with its form's data; 400 with the form's field errors, 403/404 as the policies say. */
  router.post("/api/tasks/:id/complete", requireUser, async (req, res) => {
    const { data } = parse(CompleteBody, req.body);
    const instance = await completeUserTask(ctx, { actor: currentUser(req), taskId: String(req.params.id), data });
    res.json({ data: { processInstanceId: instance?.id ?? null, state: instance?.state ?? null } });
  });

  /** 转办: to a colleague of the same department, with a reason. */
  router.post("/api/tasks/:id/transfer", requireRole("reviewer", "dept_admin"), async (req, res) => {
    const body = parse(ReassignBody, req.body);
    const task = await transferTask(ctx, { actor: currentUser(req), taskId: String(req.params.id), to: body.to, reason: body.reason });
    res.json({ data: presentTask(task) });
  });

  /** 委派: a colleague works the task and resolves it back. */
  router.post("/api/tasks/:id/delegate", requireRole("reviewer", "dept_admin"), async (req, res) => {
    const body = parse(ReassignBody, req.body);
    const task = await delegateTaskTo(ctx, { actor: currentUser(req), taskId: String(req.params.id), to: body.to, reason: body.reason });
    res.json({ data: presentTask(task) });
  });

  router.post("/api/tasks/:id/resolve", requireRole("reviewer", "dept_admin"), async (req, res) => {
    const { opinion } = parse(ResolveBody, req.body ?? {});
    const task = await resolveDelegatedTask(ctx, { actor: currentUser(req), taskId: String(req.params.id), opinion });
    res.json({ data: presentTask(task) });
  });

  return router;
}
