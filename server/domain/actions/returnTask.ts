import type { CurrentUser } from "../../auth/currentUser.js";
import type { HistoryEvent, TaskView } from "../../engine/index.js";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../errors.js";
import type { FlowDeps, FlowRegistry } from "../../flows/registry.js";
import { audit } from "../audit.js";
import { caseOfInstance, displayNames } from "../cases/queries.js";
import { findVisibleTask } from "../tasks/completeTask.js";
import { caseLink, notify } from "./messages.js";
import { dropOpenSigners } from "./signers.js";

export interface ReturnStep {
  activityId: string;
  name: string;
  /** Who completed it last: the returned task goes back to them. */
  completedBy: string | null;
  completedByName: string | null;
}

type Deps = Pick<FlowDeps, "db" | "engine" | "clock"> & { flows: FlowRegistry };

/** Why 退回 is refused from this task, or null. */
function refusal(deps: Deps, task: TaskView): string | null {
  const flow = deps.flows.forProcess(task.processDefinitionKey);
  if (flow?.forbidReturnFrom?.includes(task.taskDefinitionKey))
    return `${flow.label}流程的「${task.name ?? task.taskDefinitionKey}」环节不能退回`;
  if (task.delegationState === "PENDING") return "任务正在委派办理中，交回后才能退回";
  return null;
}

/** The earlier user tasks completed on this instance's path (not the task's own step), each with who completed it last. */
export async function returnableSteps(deps: Deps, task: TaskView, history?: HistoryEvent[]): Promise<ReturnStep[]> {
  if (refusal(deps, task)) return [];
  const events = history ?? (await deps.engine.history(task.processInstanceId));
  const last = new Map<string, { name: string; by: string | null }>();
  for (const e of events) {
    if (e.event !== "task.completed" || !e.activityId || e.activityId === task.taskDefinitionKey) continue;
    last.delete(e.activityId); // keep the order of their last completion
    last.set(e.activityId, { name: e.activityName ?? e.activityId, by: e.actor });
  }
  const names = await displayNames([...last.values()].map((v) => v.by));
  return [...last.entries()].map(([activityId, v]) => ({
    activityId,
    name: v.name,
    completedBy: v.by,
    completedByName: v.by ? (names.get(v.by) ?? v.by) : null,
  }));
}

/**
 * 退回 to an earlier step (process instance modification: the task is cancelled and the chosen step started anew),
 * assigned to whoever completed it before, with a reason they see on their task page. Who may complete the task may
 * return it; a flow module may forbid it for a step. Audited with the actor; the person returned to gets a message.
 */
export async function returnTask(
  deps: Deps,
  input: { actor: CurrentUser; taskId: string; to: string; reason?: string; reasonRequired?: boolean },
): Promise<{ taskId: string | null; step: ReturnStep }> {
  const task = await findVisibleTask(deps, input.actor, input.taskId);
  if (!deps.engine.mayComplete(input.actor, task)) {
    throw new ForbiddenError(task.assignee ? `任务已由 ${task.assignee} 办理，您不能退回它` : "您不是此任务的候选人，不能退回它");
  }
  const refused = refusal(deps, task);
  if (refused) throw new ConflictError(refused, "task_not_returnable");
  const reason = input.reason?.trim() ?? "";
  if ((input.reasonRequired ?? true) && reason.length < 2) {
    throw new ValidationError("请填写退回原因", [{ path: "reason", message: "请写明退回原因（至少 2 个字），被退回的人会看到" }]);
  }
  if (reason.length > 500) throw new ValidationError("退回原因太长", [{ path: "reason", message: "最多 500 字" }]);
  const steps = await returnableSteps(deps, task);
  const step = steps.find((s) => s.activityId === input.to);
  if (!step) {
    throw new ValidationError("只能退回到已经办理过的环节", [
      { path: "to", message: steps.length ? `可以退回到：${steps.map((s) => s.name).join("、")}` : "此任务之前没有办理过的环节" },
    ]);
  }
  const kase = await caseOfInstance(task.processInstanceId);
  if (!kase) throw new NotFoundError("找不到该任务的办件");
  const now = deps.clock.now();
  return deps.db.transaction(async (t) => {
    const result = await deps.engine.modifyInstance(
      task.processInstanceId,
      {
        actor: input.actor,
        cancelTaskId: task.id,
        startBeforeActivityId: step.activityId,
        reason: reason || undefined,
        assignee: step.completedBy,
      },
      t,
    );
    await dropOpenSigners(task.id, input.actor.username, now, t);
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "task.returned",
      entityType: "task",
      entityId: task.id,
      detail: { case: kase.businessKey, from: task.name, to: step.name, assignee: step.completedBy, reason: reason || null },
      at: now,
    });
    if (step.completedBy) {
      await notify(
        t,
        [
          {
            recipient: step.completedBy,
            kind: "return",
            title: `办件 ${kase.businessKey ?? ""} 被退回到「${step.name}」`,
            body: reason ? `退回原因：${reason}` : null,
            link: caseLink(kase, step.completedBy, result.taskId),
            ref: `returned:${result.taskId ?? task.id}`,
          },
        ],
        now,
      );
    }
    return { taskId: result.taskId, step };
  });
}

/** The 退回 that created this task, if any: who returned it, from which step, and why (the task page shows it). */
export async function returnNoticeOf(
  deps: Pick<FlowDeps, "engine">,
  task: TaskView,
  history?: HistoryEvent[],
): Promise<{ by: string | null; from: string | null; reason: string | null; at: Date } | null> {
  const events = history ?? (await deps.engine.history(task.processInstanceId));
  const e = events.filter((x) => x.event === "task.returned" && x.taskId === task.id).pop();
  if (!e) return null;
  const d = e.detail ?? {};
  return {
    by: e.actor,
    from: typeof d.from === "string" ? d.from : null,
    reason: typeof d.reason === "string" ? d.reason : null,
    at: e.at,
  };
}
