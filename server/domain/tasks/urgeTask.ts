import { Op } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Case } from "../../db/models/Case.js";
import { TaskReminder } from "../../db/models/TaskReminder.js";
import type { TaskView } from "../../engine/index.js";
import { AppError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError } from "../../errors.js";
import type { FlowDeps } from "../../flows/registry.js";
import { casePolicy } from "../../policies/case.js";
import { audit } from "../audit.js";
import { caseOfInstance, mySubjectCodes } from "../cases/queries.js";
import { holdersOfTask, notify } from "../actions/messages.js";

/** One reminder per task and sender in this window. */
export const URGE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * Why the user may not 催办 this task now, or null: the case's applicant on an overdue task, or the owning department's
 * dept_admin (a supervisor) on any open task; once per task and sender a day.
 */
async function refusal(user: CurrentUser, task: TaskView, kase: Case, now: Date): Promise<AppError | null> {
  const supervisor =
    user.isAdmin || (user.roles.includes("dept_admin") && kase.departmentId !== null && kase.departmentId === user.departmentId);
  const applicant = casePolicy.readAsApplicant(user, kase, await mySubjectCodes(user));
  // Nobody else learns that the task exists.
  if (!supervisor && !applicant) return new NotFoundError("找不到该任务（可能已经办结）");
  if (!supervisor && task.assignee === user.username) return new ForbiddenError("这是您自己的待办");
  if (!supervisor && (!task.due || task.due.getTime() > now.getTime())) return new ForbiddenError("办理时限未到，到期未办结时可以催办");
  const recent = await TaskReminder.count({
    where: { taskId: task.id, sentBy: user.username, createdAt: { [Op.gt]: new Date(now.getTime() - URGE_INTERVAL_MS) } },
  });
  return recent ? new TooManyRequestsError("今天已经催办过这项任务，请明天再试") : null;
}

/** The open tasks of a case the user may 催办 now (the case page's buttons). */
export async function urgeableTasks(deps: Pick<FlowDeps, "engine" | "clock">, user: CurrentUser, kase: Case): Promise<TaskView[]> {
  const tasks = await deps.engine.findTasks({ processInstanceId: kase.instanceId });
  const now = deps.clock.now();
  const out: TaskView[] = [];
  for (const task of tasks) if ((await refusal(user, task, kase, now)) === null) out.push(task);
  return out;
}

/** 催办: records a reminder the task's holder sees in the inbox and on the task page; audited with the sender. */
export async function urgeTask(
  deps: Pick<FlowDeps, "db" | "engine" | "clock">,
  input: { actor: CurrentUser; taskId: string; message?: string },
): Promise<TaskReminder> {
  const task = input.taskId.length <= 64 ? await deps.engine.getTask(input.taskId) : null;
  const kase = task ? await caseOfInstance(task.processInstanceId) : null;
  if (!task || !kase) throw new NotFoundError("找不到该任务（可能已经办结）");
  const now = deps.clock.now();
  const refused = await refusal(input.actor, task, kase, now);
  if (refused) throw refused;
  const message = (input.message ?? "").trim() || "请尽快办理";
  if (message.length > 200) throw new ValidationError("催办留言太长", [{ path: "message", message: "最多 200 字" }]);
  return deps.db.transaction(async (t) => {
    const reminder = await TaskReminder.create(
      { taskId: task.id, instanceId: task.processInstanceId, sentBy: input.actor.username, message, createdAt: now },
      { transaction: t },
    );
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "task.urged",
      entityType: "task",
      entityId: task.id,
      detail: { case: kase.businessKey, step: task.name, message },
      at: now,
    });
    // 站内信 to whoever holds the task.
    const holders = (await holdersOfTask(deps.db, task, t)).filter((u) => u !== input.actor.username);
    const title = `催办：${task.name ?? ""}（${kase.businessKey ?? ""}）`;
    await notify(
      t,
      holders.map((recipient) => ({
        recipient,
        kind: "urge" as const,
        title,
        body: message,
        link: `/tasks/${task.id}`,
        ref: `urge:${reminder.id}`,
      })),
      now,
    );
    return reminder;
  });
}

/** The reminders on a case (its timeline) or on one task (its page), oldest first. */
export function remindersOf(where: { instanceId: string } | { taskId: string }): Promise<TaskReminder[]> {
  return TaskReminder.findAll({ where, order: [["createdAt", "ASC"]] });
}
