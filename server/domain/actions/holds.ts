import { TaskHeldDecision } from "../../db/models/actionModels.js";
import type { TaskView } from "../../engine/index.js";
import { AppError, ConflictError } from "../../errors.js";
import { validateSubmission } from "../../forms/index.js";
import { audit } from "../audit.js";
import { caseOfInstance, displayNames } from "../cases/queries.js";
import { completeUserTask, type CompleteTaskDeps, type CompleteTaskInput } from "../tasks/completeTask.js";
import { caseLink, notify } from "./messages.js";
import { holderOf, signStateOf } from "./signers.js";

/** Rolls a validation transaction back once the data are known to be valid (nothing of it is kept). */
class Valid extends Error {}

/**
 * 加签 in the one completion command: with a before-signer still to decide the task cannot be completed (409, 待审批);
 * with after-signers the assignee's decision is validated and held (审批通过中) and the task is completed with it when
 * the last of them decides. Answers true when the decision was held instead of completing the task.
 */
export async function holdForSigners(
  deps: CompleteTaskDeps,
  input: CompleteTaskInput & { releasing?: boolean },
  task: TaskView,
): Promise<boolean> {
  if (input.releasing) return false;
  const { state, pending } = await signStateOf(task.id);
  if (!pending.length && !state) return false;
  const names = await displayNames(pending.map((p) => p.signer));
  const who = pending.map((p) => names.get(p.signer) ?? p.signer).join("、");
  if (state === "待审批") {
    throw new ConflictError(`待审批：加签人 ${who} 尚未审批，审批后才能提交本环节`, "task_waiting_for_signers");
  }
  if (state === "审批通过中") throw new ConflictError(`审批通过中：您已作出决定，等待加签人 ${who} 审批`, "task_waiting_for_signers");
  if (task.formKey && !deps.flows.forProcess(task.processDefinitionKey)) {
    // The same check as the completion, on data kept for later: refuse now what would be refused then.
    await deps.db
      .transaction(async (t) => {
        await validateSubmission(deps.db, { formKey: task.formKey!, revision: task.formRevision ?? undefined }, input.data, {
          t,
          userId: input.actor.id,
        });
        throw new Valid();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Valid)) throw err;
      });
  }
  const now = deps.clock.now();
  const kase = await caseOfInstance(task.processInstanceId);
  await deps.db.transaction(async (t) => {
    await TaskHeldDecision.create(
      {
        taskId: task.id,
        instanceId: task.processInstanceId,
        actor: input.actor.username,
        data: JSON.stringify(input.data),
        createdAt: now,
      },
      { transaction: t },
    );
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "task.decision_held",
      entityType: "task",
      entityId: task.id,
      detail: { case: kase?.businessKey ?? task.processInstanceId, step: task.name, waitingFor: pending.map((p) => p.signer) },
      at: now,
    });
    await notify(
      t,
      pending.map((p) => ({
        recipient: p.signer,
        kind: "sign" as const,
        title: `${input.actor.displayName} 已作出决定，请您审批：${task.name ?? ""}（${kase?.businessKey ?? ""}）`,
        link: `/signs/${p.id}`,
        ref: `held:${p.id}`,
      })),
      now,
    );
  });
  return true;
}

/**
 * Completes a task with its held decision once no after-signer is left to decide, as the assignee who decided. When the
 * completion is refused now (the form changed, the task moved), the decision is dropped and the assignee told to submit again.
 */
export function heldReleaser(deps: CompleteTaskDeps): (taskId: string) => Promise<void> {
  return async (taskId) => {
    const { held, pending } = await signStateOf(taskId);
    if (!held || pending.length) return;
    const actor = await holderOf(deps, held.actor);
    try {
      if (!actor) throw new ConflictError("作出决定的办理人账号已停用");
      await completeUserTask(deps, { actor, taskId, data: JSON.parse(held.data) as Record<string, unknown>, releasing: true });
      await TaskHeldDecision.destroy({ where: { taskId } });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const kase = await caseOfInstance(held.instanceId);
      await deps.db.transaction(async (t) => {
        await TaskHeldDecision.destroy({ where: { taskId }, transaction: t });
        await notify(
          t,
          [
            {
              recipient: held.actor,
              kind: "sign",
              title: `加签人已审批，但您的决定未能提交（${kase?.businessKey ?? ""}）：${err.message}`,
              body: "请重新打开任务提交",
              link: caseLink(kase, held.actor, taskId),
              ref: `release:${taskId}`,
            },
          ],
          deps.clock.now(),
        );
      });
    }
  };
}
