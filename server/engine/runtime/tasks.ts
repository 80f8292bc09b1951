import { QueryTypes, type Transaction } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import { EngineTask, EngineTaskCandidate } from "../../db/models/engineModels.js";
import { audit } from "../../domain/audit.js";
import { ConflictError, ForbiddenError, NotFoundError } from "../../errors.js";
import type { Variables } from "../bpmn.js";
import { actorName, type InstanceView, type TaskView } from "../types.js";
import type { EngineContext } from "./context.js";
import { ProcessEngineError } from "./errors.js";
import { note, record } from "./history.js";
import { lockInstance, step } from "./instances.js";
import { loadTask } from "./taskQueries.js";

/** Camunda's rule: the assignee may complete, a candidate while the task is unassigned, an admin always. */
export function mayWork(user: CurrentUser, task: TaskView): boolean {
  if (user.isAdmin) return true;
  if (task.assignee) return task.assignee === user.username;
  return task.candidateUsers.includes(user.username) || task.candidateGroups.some((g) => user.groups.includes(g));
}

/** May the user see this task at all (assignee, candidate, admin)? */
export function mayRead(user: CurrentUser, task: TaskView): boolean {
  return (
    user.isAdmin ||
    task.assignee === user.username ||
    task.candidateUsers.includes(user.username) ||
    task.candidateGroups.some((g) => user.groups.includes(g))
  );
}

/** Completes a user task with variables (they become process variables) and runs the instance on. */
export async function completeTask(
  ctx: EngineContext,
  taskId: string,
  input: { actor: CurrentUser | string; variables?: Variables; variableTypes?: Record<string, string> },
  t?: Transaction,
): Promise<InstanceView> {
  return ctx.tx(t, async (t) => {
    const pre = await loadTask(ctx, taskId, t);
    const actor = actorName(input.actor)!;
    if (typeof input.actor !== "string" && !mayWork(input.actor, pre)) {
      throw new ForbiddenError(pre.assignee ? `任务已由 ${pre.assignee} 办理，您不能完成它` : "您不是此任务的候选人，不能完成它");
    }
    let removed: string[] = [];
    const { view } = await step(ctx, pre.processInstanceId, t, actor, async (run, collector) => {
      // Re-read under the instance lock: on MySQL someone may have completed or claimed it a moment ago
      // (on SQLite the write queue already made the first read part of this serialized transaction).
      // Only the assignee can change while a task is open; candidates are fixed when it is created.
      const task = ctx.db.dialect === "mysql" ? { ...pre, assignee: await currentAssignee(ctx, taskId, t) } : pre;
      if (typeof input.actor !== "string" && !mayWork(input.actor, task)) throw new ForbiddenError("您不能完成此任务");
      run.assignVariables(input.variables);
      collector.declareTypes(input.variableTypes);
      collector.notes.push(
        note(ctx, task.processInstanceId, {
          event: "task.completed",
          activityId: task.taskDefinitionKey,
          activityType: "bpmn:UserTask",
          activityName: task.name,
          executionId: task.executionId,
          taskId,
          actor,
          detail: { variables: Object.keys(input.variables ?? {}) },
        }),
      );
      removed = collector.removedTasks;
      run.signal({ id: task.taskDefinitionKey, executionId: task.executionId });
    });
    if (!removed.includes(taskId)) throw new ProcessEngineError(`任务 ${taskId} 未能完成`);
    await audit(ctx.db, t, {
      actor,
      action: "task.completed",
      entityType: "task",
      entityId: taskId,
      detail: {
        instanceId: pre.processInstanceId,
        activityId: pre.taskDefinitionKey,
        businessKey: pre.businessKey,
        variables: Object.keys(input.variables ?? {}),
      },
      at: ctx.now(),
    });
    return view;
  });
}

/** The task's assignee now (under the instance lock); 404 when the task is gone. */
async function currentAssignee(ctx: EngineContext, taskId: string, t: Transaction): Promise<string | null> {
  const [row] = await ctx.db.sequelize.query<{ assignee: string | null }>("SELECT assignee FROM engine_tasks WHERE id = :id", {
    replacements: { id: taskId },
    type: QueryTypes.SELECT,
    transaction: t,
  });
  if (!row) throw new NotFoundError(`找不到任务 ${taskId}（可能已经完成）`);
  return row.assignee;
}

/** Changes the assignee under the instance lock: decide answers the new one (or throws); recorded in history and audit. */
async function changeAssignee(
  ctx: EngineContext,
  taskId: string,
  actor: CurrentUser,
  t: Transaction | undefined,
  decide: (task: TaskView) => string | null,
  action: string,
): Promise<TaskView> {
  return ctx.tx(t, async (t) => {
    const task = await loadTask(ctx, taskId, t);
    await lockInstance(ctx, task.processInstanceId, t);
    const again = await loadTask(ctx, taskId, t);
    const assignee = decide(again);
    await EngineTask.update({ assignee }, { where: { id: taskId }, transaction: t });
    await EngineTaskCandidate.update({ assignee }, { where: { taskId }, transaction: t });
    await record(ctx, t, task.processInstanceId, {
      event: "task.assigned",
      activityId: task.taskDefinitionKey,
      activityType: "bpmn:UserTask",
      activityName: task.name,
      executionId: task.executionId,
      taskId,
      actor: actor.username,
      detail: { from: again.assignee, to: assignee, action },
    });
    await audit(ctx.db, t, {
      actor: actor.username,
      action,
      entityType: "task",
      entityId: taskId,
      detail: { instanceId: task.processInstanceId, from: again.assignee, to: assignee },
      at: ctx.now(),
    });
    return { ...again, assignee };
  });
}

/** Claims a task for the actor: a candidate may claim an unassigned task; claiming someone else's task is refused. */
export function claimTask(ctx: EngineContext, taskId: string, actor: CurrentUser, t?: Transaction): Promise<TaskView> {
  return changeAssignee(
    ctx,
    taskId,
    actor,
    t,
    (task) => {
      if (task.assignee === actor.username) return actor.username;
      if (task.assignee) throw new ConflictError(`任务已被 ${task.assignee} 认领`, "task_already_claimed");
      if (!mayWork(actor, task)) throw new ForbiddenError("您不是此任务的候选人，不能认领");
      return actor.username;
    },
    "task.claimed",
  );
}

/** Returns a task to its candidates: the assignee or an admin. */
export function unclaimTask(ctx: EngineContext, taskId: string, actor: CurrentUser, t?: Transaction): Promise<TaskView> {
  return changeAssignee(
    ctx,
    taskId,
    actor,
    t,
    (task) => {
      if (!actor.isAdmin && task.assignee !== actor.username) throw new ForbiddenError("只有任务办理人或管理员可以退回任务");
      return null;
    },
    "task.unclaimed",
  );
}

/** Sets (or clears) the assignee: admin, or the current assignee handing over, or a candidate taking an unassigned task. */
export function setAssignee(
  ctx: EngineContext,
  taskId: string,
  assignee: string | null,
  actor: CurrentUser,
  t?: Transaction,
): Promise<TaskView> {
  return changeAssignee(
    ctx,
    taskId,
    actor,
    t,
    (task) => {
      const allowed =
        actor.isAdmin || task.assignee === actor.username || (!task.assignee && mayWork(actor, task) && assignee === actor.username);
      if (!allowed) throw new ForbiddenError("您不能更改此任务的办理人");
      return assignee;
    },
    "task.assigned",
  );
}
