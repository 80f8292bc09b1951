import { Router, type Request } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { TaskFilter, TaskView } from "../../engine/index.js";
import { completeUserTask, findVisibleTask } from "../../domain/tasks/completeTask.js";
import { delegateTaskTo, resolveDelegatedTask, transferTask } from "../../domain/tasks/reassign.js";
import { ForbiddenError, ValidationError } from "../../errors.js";
import { fromTyped, parseCamunda, qBool, requireTaskUser, taskDto, toTyped, TypedVariables, user, declaredTypes } from "./common.js";
import { qFirstResult, qMaxResults } from "./paging.js";

const SORT = z.enum(["created", "dueDate", "priority", "name", "id", "instanceId"]);
const Query = z
  .object({
    candidateGroup: z.string().optional(),
    candidateGroups: z.union([z.string(), z.array(z.string())]).optional(),
    candidateUser: z.string().optional(),
    includeAssignedTasks: qBool,
    assignee: z.string().optional(),
    unassigned: qBool,
    processInstanceId: z.string().optional(),
    processInstanceBusinessKey: z.string().optional(),
    processDefinitionKey: z.string().optional(),
    processDefinitionId: z.string().optional(),
    taskDefinitionKey: z.string().optional(),
    sortBy: SORT.optional(),
    sortOrder: z.enum(["asc", "desc"]).optional(),
    sorting: z.array(z.object({ sortBy: SORT, sortOrder: z.enum(["asc", "desc"]).optional() })).optional(),
    firstResult: qFirstResult,
    maxResults: qMaxResults,
  })
  .loose();

function filterOf(req: Request, q: z.infer<typeof Query>): TaskFilter {
  const sort = q.sorting?.[0] ?? (q.sortBy ? { sortBy: q.sortBy, sortOrder: q.sortOrder } : undefined);
  const sortBy = sort?.sortBy === "instanceId" ? "id" : sort?.sortBy;
  return {
    visibleTo: user(req),
    candidateGroup: q.candidateGroup,
    candidateGroups: typeof q.candidateGroups === "string" ? q.candidateGroups.split(",") : q.candidateGroups,
    candidateUser: q.candidateUser,
    includeAssignedTasks: q.includeAssignedTasks,
    assignee: q.assignee,
    unassigned: q.unassigned,
    processInstanceId: q.processInstanceId,
    businessKey: q.processInstanceBusinessKey,
    processDefinitionKey: q.processDefinitionKey,
    processDefinitionId: q.processDefinitionId,
    taskDefinitionKey: q.taskDefinitionKey,
    sortBy,
    sortOrder: sort?.sortOrder,
    firstResult: q.firstResult,
    maxResults: q.maxResults,
  };
}

const Complete = z.object({ variables: TypedVariables.optional().nullable(), withVariablesInReturn: z.boolean().optional() }).loose();
const UserId = z.object({ userId: z.string().min(1).max(64).nullable().optional() });

/** Camunda's task API: queries limited to what the caller may see (admin: all), claim/unclaim/assignee/complete, variables. */
export function taskRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use("/task", requireTaskUser);

  router.get("/task", async (req, res) => {
    res.json((await ctx.engine.findTasks(filterOf(req, parseCamunda(Query, req.query)))).map(taskDto));
  });
  router.post("/task", async (req, res) => {
    const q = parseCamunda(Query, { ...(req.body as object), ...req.query });
    res.json((await ctx.engine.findTasks(filterOf(req, q))).map(taskDto));
  });
  router.get("/task/count", async (req, res) => {
    res.json({ count: await ctx.engine.countTasks(filterOf(req, parseCamunda(Query, req.query))) });
  });
  router.post("/task/count", async (req, res) => {
    res.json({ count: await ctx.engine.countTasks(filterOf(req, parseCamunda(Query, req.body ?? {}))) });
  });

  /** A task the caller may see; unknown and invisible both answer 404. */
  const visible = (req: Request): Promise<TaskView> => findVisibleTask(ctx, user(req), req.params.id as string);

  /** Complete and submit-form run the task page's command: the task's form, the flow's decision rules, the caller as actor. */
  const complete = async (req: Request) => {
    const body = parseCamunda(Complete, req.body ?? {});
    const inst = await completeUserTask(ctx, {
      actor: user(req),
      taskId: req.params.id as string,
      data: fromTyped(body.variables),
      variableTypes: declaredTypes(body.variables),
    });
    return { body, inst };
  };

  router.get("/task/:id", async (req, res) => {
    res.json(taskDto(await visible(req)));
  });

  const variables = async (req: Request) => {
    const task = await visible(req);
    const inst = await ctx.engine.getInstance(task.processInstanceId);
    const names = typeof req.query.variableNames === "string" ? req.query.variableNames.split(",") : null;
    return toTyped(inst?.variables ?? {}, names, inst?.variableTypes);
  };
  router.get("/task/:id/variables", async (req, res) => {
    res.json(await variables(req));
  });
  router.get("/task/:id/form-variables", async (req, res) => {
    res.json(await variables(req));
  });

  router.post("/task/:id/claim", async (req, res) => {
    const task = await visible(req);
    const { userId } = parseCamunda(UserId, req.body ?? {});
    const me = user(req);
    if (userId && userId !== me.username) {
      if (!me.isAdmin) throw new ForbiddenError("只能为自己认领任务");
      await transferTask(ctx, { actor: me, taskId: task.id, to: userId, reasonRequired: false });
    } else {
      await ctx.engine.claimTask(task.id, me);
    }
    res.status(204).end();
  });

  router.post("/task/:id/unclaim", async (req, res) => {
    const task = await visible(req);
    await ctx.engine.unclaimTask(task.id, user(req));
    res.status(204).end();
  });

  router.post("/task/:id/assignee", async (req, res) => {
    const task = await visible(req);
    const { userId } = parseCamunda(UserId, req.body ?? {});
    const me = user(req);
    // Handing the task to someone else is a 转办: only to a colleague of the same department (the task page's rule).
    if (userId && userId !== me.username) await transferTask(ctx, { actor: me, taskId: task.id, to: userId, reasonRequired: false });
    else await ctx.engine.setAssignee(task.id, userId ?? null, me);
    res.status(204).end();
  });

  /** Camunda's delegate: the assignee has a colleague work the task (DelegationState PENDING, owner = the assignee). */
  router.post("/task/:id/delegate", async (req, res) => {
    const task = await visible(req);
    const { userId } = parseCamunda(UserId, req.body ?? {});
    if (!userId) throw new ValidationError("请在 userId 中给出被委派人的用户名", [{ path: "userId", message: "必填" }]);
    await delegateTaskTo(ctx, { actor: user(req), taskId: task.id, to: userId, reasonRequired: false });
    res.status(204).end();
  });

  /** Camunda's resolve: the delegate hands the task back to its owner (DelegationState RESOLVED). */
  router.post("/task/:id/resolve", async (req, res) => {
    const task = await visible(req);
    await resolveDelegatedTask(ctx, { actor: user(req), taskId: task.id });
    res.status(204).end();
  });

  router.post("/task/:id/complete", async (req, res) => {
    const { body, inst } = await complete(req);
    if (body.withVariablesInReturn && inst) res.json(toTyped(inst.variables, null, inst.variableTypes));
    else res.status(204).end();
  });
  router.post("/task/:id/submit-form", async (req, res) => {
    await complete(req);
    res.status(204).end();
  });

  return router;
}
