import type { Transaction } from "sequelize";
import { EngineTask, EngineTaskCandidate } from "../../db/models/engineModels.js";
import { audit } from "../../domain/audit.js";
import { ConflictError, ValidationError } from "../../errors.js";
import { actorName, type Actor, type InstanceView } from "../types.js";
import type { EngineContext } from "./context.js";
import { note, record } from "./history.js";
import { step } from "./instances.js";
import { loadTask } from "./taskQueries.js";

/** Camunda's process instance modification, reduced to what 退回 needs: cancel one waiting user task, start before one activity. */
export interface ModificationInput {
  actor: Actor;
  /** The waiting user task to cancel (its id). */
  cancelTaskId: string;
  /** The activity to start before (a user task of the same process). */
  startBeforeActivityId: string;
  /** Why (Camunda's annotation); kept in history and shown to whoever gets the new task. */
  reason?: string;
  /** Who gets the user task started (the one who completed it before); null leaves the BPMN's assignment. */
  assignee?: string | null;
}

export interface ModificationResult {
  instance: InstanceView;
  /** The user task created at the activity started before (null when it is not a user task that waits). */
  taskId: string | null;
}

/**
 * Cancels the waiting user task and starts the chosen activity anew in one load-run-save step: the activity is run first
 * (so the instance never has nothing left to do), then the task is discarded. Refused (409, nothing saved) when the
 * instance waits at more than one activity or when the discarded path would reach the started activity (a loop in the
 * diagram leaves a token behind): such modifications need more than one instruction, which this engine does not take.
 */
export async function modifyInstance(
  ctx: EngineContext,
  instanceId: string,
  input: ModificationInput,
  t?: Transaction,
): Promise<ModificationResult> {
  return ctx.tx(t, async (t) => {
    const task = await loadTask(ctx, input.cancelTaskId, t);
    if (task.processInstanceId !== instanceId) {
      throw new ValidationError("要取消的任务不属于该流程实例", [
        { path: "instructions", message: `任务 ${task.id} 不在流程实例 ${instanceId} 中` },
      ]);
    }
    const actor = actorName(input.actor);
    const reason = input.reason?.trim() || null;
    const { view } = await step(ctx, instanceId, t, actor, async (run, collector, _row, parsed) => {
      const target = parsed.activities.get(input.startBeforeActivityId);
      if (!target || target.type !== "bpmn:UserTask") {
        throw new ValidationError("只能退回到流程中的用户任务环节", [
          { path: "instructions", message: `流程中没有用户任务 ${input.startBeforeActivityId}` },
        ]);
      }
      const waiting = run.postponed().filter((p) => p.type !== "bpmn:StartEvent");
      if (waiting.length !== 1 || waiting[0]!.executionId !== task.executionId) {
        throw new ConflictError("该办件同时停留在多个环节，不能退回（请联系管理员处理）", "modification_not_supported");
      }
      if (!run.startActivity(target.id)) throw new ConflictError(`环节「${target.name ?? target.id}」正在办理，不能退回到该环节`);
      await collector.settle(run);
      run.cancelWaiting(task.executionId);
      await collector.settle(run);
      const left = run.postponed();
      if (left.some((p) => p.type === "bpmn:SequenceFlow") || !left.some((p) => p.id === target.id)) {
        throw new ConflictError(
          `流程图中「${task.name ?? task.taskDefinitionKey}」之后的路径会回到「${target.name ?? target.id}」，不能这样退回`,
          "modification_not_supported",
        );
      }
      // The cancelled task left without ending: say why in its history instead of the generic "interrupted".
      const i = collector.interrupted.findIndex((a) => a.executionId === task.executionId);
      if (i >= 0) collector.interrupted.splice(i, 1);
      collector.notes.push(
        note(ctx, instanceId, {
          event: "activity.end",
          activityId: task.taskDefinitionKey,
          activityType: "bpmn:UserTask",
          activityName: task.name,
          executionId: task.executionId,
          taskId: task.id,
          actor,
          detail: { canceled: true, reason: `退回到「${target.name ?? target.id}」${reason ? `：${reason}` : ""}` },
        }),
      );
    });
    const created = await EngineTask.findOne({
      where: { instanceId, activityId: input.startBeforeActivityId },
      order: [["createdAt", "DESC"]],
      transaction: t,
    });
    if (created && input.assignee) {
      await EngineTask.update({ assignee: input.assignee }, { where: { id: created.id }, transaction: t });
      await EngineTaskCandidate.update({ assignee: input.assignee }, { where: { taskId: created.id }, transaction: t });
    }
    await record(ctx, t, instanceId, {
      event: "task.returned",
      activityId: input.startBeforeActivityId,
      activityType: "bpmn:UserTask",
      activityName: created?.name ?? null,
      executionId: created?.executionId ?? null,
      taskId: created?.id ?? null,
      actor,
      detail: { reason, from: task.name ?? task.taskDefinitionKey, fromTaskId: task.id, to: input.assignee ?? created?.assignee ?? null },
    });
    await audit(ctx.db, t, {
      actor,
      action: "process.modified",
      entityType: "process_instance",
      entityId: instanceId,
      detail: {
        businessKey: task.businessKey,
        instructions: [
          { type: "cancel", activityId: task.taskDefinitionKey, taskId: task.id },
          { type: "startBeforeActivity", activityId: input.startBeforeActivityId },
        ],
        reason,
        assignee: input.assignee ?? null,
      },
      at: ctx.now(),
    });
    return { instance: view, taskId: created?.id ?? null };
  });
}
