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

/** May the user see this task at all (assignee, its owner while delegated, candidate, admin)? */
export function mayRead(user: CurrentUser, task: TaskView): boolean {
  return (
    user.isAdmin ||
    task.assignee === user.username ||
    (!!task.owner && task.owner === user.username) ||
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
    refusePendingDelegation(pre);
    let removed: string[] = [];
    const { view } = await step(ctx, pre.processInstanceId, t, actor, async (run, collector) => {
      // Re-read under the instance lock: on MySQL someone may have completed or claimed it a moment ago
      // (on SQLite the write queue already made the first read part of this serialized transaction).
      // Only the assignee can change while a task is open; candidates are fixed when it is created.
      const task = ctx.db.dialect === "mysql" ? { ...pre, ...(await currentPeople(ctx, taskId, t)) } : pre;
      if (typeof input.actor !== "string" && !mayWork(input.actor, task)) throw new ForbiddenError("您不能完成此任务");
      refusePendingDelegation(task);
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
      run.signalExecution({ id: task.taskDefinitionKey, executionId: task.executionId });
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

/** Camunda's rule: a delegated task is resolved by its delegate (back to its owner), not completed. */
function refusePendingDelegation(task: TaskView): void {
  if (task.delegationState === "PENDING") {
    throw new ConflictError(
      `任务已委派给 ${task.assignee ?? ""} 办理，须由其办理完毕（resolve）交回 ${task.owner ?? ""} 后再完成`,
      "task_delegation_pending",
    );
  }
}

/** Who holds the task now (under the instance lock); 404 when the task is gone. */
async function currentPeople(
  ctx: EngineContext,
  taskId: string,
  t: Transaction,
): Promise<Pick<TaskView, "assignee" | "owner" | "delegationState">> {
  const [row] = await ctx.db.sequelize.query<{
    assignee: string | null;
    owner: string | null;
    delegation_state: TaskView["delegationState"];
  }>("SELECT assignee, owner, delegation_state FROM engine_tasks WHERE id = :id", {
    replacements: { id: taskId },
    type: QueryTypes.SELECT,
    transaction: t,
  });
  if (!row) throw new NotFoundError(`找不到任务 ${taskId}（可能已经完成）`);
  return { assignee: row.assignee, owner: row.owner, delegationState: row.delegation_state ?? null };
}

/** Who holds a task after a change: the assignee, and for 委派 its owner and delegation state; `note` goes to history. */
interface PeopleChange {
  assignee: string | null;
  owner?: string | null;
  delegationState?: TaskView["delegationState"];
  note?: Record<string, unknown>;
}

/** Changes who holds the task under the instance lock: decide answers the change (or throws); recorded in history and audit. */
async function changeAssignee(
  ctx: EngineContext,
  taskId: string,
  actor: CurrentUser,
  t: Transaction | undefined,
  decide: (task: TaskView) => string | null | PeopleChange,
  action: string,
  event = "task.assigned",
): Promise<TaskView> {
  return ctx.tx(t, async (t) => {
    const task = await loadTask(ctx, taskId, t);
    await lockInstance(ctx, task.processInstanceId, t);
    const again = await loadTask(ctx, taskId, t);
    const decided = decide(again);
    const change: PeopleChange = typeof decided === "object" && decided !== null ? decided : { assignee: decided };
    const { assignee } = change;
    const people = {
      assignee,
      ...(change.owner !== undefined ? { owner: change.owner } : {}),
      ...(change.delegationState !== undefined ? { delegationState: change.delegationState } : {}),
    };
    await EngineTask.update(people, { where: { id: taskId }, transaction: t });
    await EngineTaskCandidate.update({ assignee }, { where: { taskId }, transaction: t });
    await record(ctx, t, task.processInstanceId, {
      event,
      activityId: task.taskDefinitionKey,
      activityType: "bpmn:UserTask",
      activityName: task.name,
      executionId: task.executionId,
      taskId,
      actor: actor.username,
      detail: { from: again.assignee, to: assignee, action, ...change.note },
    });
    await audit(ctx.db, t, {
      actor: actor.username,
      action,
      entityType: "task",
      entityId: taskId,
      detail: { instanceId: task.processInstanceId, from: again.assignee, to: assignee, ...change.note },
      at: ctx.now(),
    });
    return { ...again, ...people };
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
      if (task.delegationState === "PENDING")
        throw new ConflictError("任务正在委派办理中，请由被委派人办理完毕交回", "task_delegation_pending");
      return null;
    },
    "task.unclaimed",
  );
}

/**
 * Sets (or clears) the assignee: admin, or the current assignee handing over, or a candidate taking an unassigned task.
 * Whom it may go to is the caller's policy (domain/tasks/reassign.ts); `note` (e.g. the reason of a 转办) goes to history.
 */
export function setAssignee(
  ctx: EngineContext,
  taskId: string,
  assignee: string | null,
  actor: CurrentUser,
  t?: Transaction,
  note?: { action?: string; reason?: string },
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
      if (task.delegationState === "PENDING") throw new ConflictError("任务正在委派办理中，不能转交", "task_delegation_pending");
      return { assignee, note: note?.reason ? { reason: note.reason } : undefined };
    },
    note?.action ?? "task.assigned",
  );
}

/**
 * 委派 (Camunda's delegateTask): the assignee (or an admin) has a delegate work the task; it stays the owner's and comes
 * back on resolve. A delegated task cannot be completed until then.
 */
export function delegateTask(
  ctx: EngineContext,
  taskId: string,
  delegate: string,
  actor: CurrentUser,
  t?: Transaction,
  reason?: string,
): Promise<TaskView> {
  return changeAssignee(
    ctx,
    taskId,
    actor,
    t,
    (task) => {
      if (!actor.isAdmin && task.assignee !== actor.username) throw new ForbiddenError("只有任务办理人可以委派（请先认领）");
      if (task.delegationState === "PENDING") throw new ConflictError(`任务已委派给 ${task.assignee ?? ""}`, "task_delegation_pending");
      if (delegate === task.assignee) throw new ConflictError("不能委派给自己", "task_delegate_self");
      return {
        assignee: delegate,
        owner: task.owner ?? task.assignee ?? actor.username,
        delegationState: "PENDING",
        note: reason ? { reason } : undefined,
      };
    },
    "task.delegated",
    "task.delegated",
  );
}

/** Camunda's resolveTask: the delegate hands the task back to its owner (RESOLVED), with an opinion for the owner. */
export function resolveTask(ctx: EngineContext, taskId: string, actor: CurrentUser, t?: Transaction, opinion?: string): Promise<TaskView> {
  return changeAssignee(
    ctx,
    taskId,
    actor,
    t,
    (task) => {
      if (task.delegationState !== "PENDING") throw new ConflictError("任务不在委派办理中，无需交回", "task_not_delegated");
      if (!actor.isAdmin && task.assignee !== actor.username) throw new ForbiddenError("只有被委派人可以办理完毕交回");
      return { assignee: task.owner, delegationState: "RESOLVED", note: opinion ? { opinion } : undefined };
    },
    "task.resolved",
    "task.resolved",
  );
}
