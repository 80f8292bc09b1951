import type { Transaction } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import { Commitment } from "../../db/models/Commitment.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import { validateSubmission } from "../../forms/index.js";
import type { TaskView } from "../../engine/index.js";
import { commitmentPolicy } from "../../policies/commitment.js";
import {
  REVIEW_FORM_KEY,
  REVIEW_TASK_ID,
  VERIFICATION_FORM_KEY,
  VERIFICATION_TASK_ID,
  type FulfilmentValue,
  type ReviewDecision,
} from "./processContract.js";
import type { CommitmentDeps } from "./submitCommitment.js";

export interface DecisionInput {
  actor: CurrentUser;
  /** 承诺编码 of the case. */
  code: string;
  /** The filled commitment-review / commitment-verification form. */
  data: unknown;
  /** The open task being completed (optional: the case's open task of that kind is used). */
  taskId?: string;
}

const text = (v: unknown): string => (typeof v === "string" ? v.trim() : "");

async function openTask(
  deps: CommitmentDeps,
  code: string,
  activityId: string,
  taskId: string | undefined,
  t: Parameters<CommitmentDeps["engine"]["findTasks"]>[1],
) {
  const tasks: TaskView[] = await deps.engine.findTasks({ businessKey: code, taskDefinitionKey: activityId }, t);
  const task = taskId ? tasks.find((x) => x.id === taskId) : tasks[0];
  if (!task) throw new ConflictError("该承诺当前没有待办理的此项任务（可能已被他人办理）", "no_open_task");
  return task;
}

/**
 * Completes the 受理审查 task of a case: validates the commitment-review form (a comment is required to
 * reject or return), then completes the task through the engine, whose services set the case's status
 * (退回补正 / 不予受理 / 监管中) in the same transaction. Cases the user may not see answer 404.
 */
export async function decideCommitmentReview(deps: CommitmentDeps, input: DecisionInput): Promise<Commitment> {
  return deps.db.transaction(async (t) => {
    const commitment = await Commitment.findOne({ where: { code: input.code }, transaction: t });
    if (!commitment || !commitmentPolicy.read(input.actor, commitment) || !commitmentPolicy.decide(input.actor, commitment)) {
      throw new NotFoundError("找不到该承诺");
    }
    if (commitment.status !== "审查中") throw new ConflictError(`该承诺当前状态为“${commitment.status}”，不在受理审查中`, "not_in_review");
    const task = await openTask(deps, commitment.code, REVIEW_TASK_ID, input.taskId, t);
    const { data } = await validateSubmission(
      deps.db,
      { formKey: task.formKey ?? REVIEW_FORM_KEY, revision: task.formRevision ?? undefined },
      input.data,
      {
        t,
        userId: input.actor.id,
      },
    );
    const decision = text(data.decision) as ReviewDecision;
    const comment = text(data.comment);
    if ((decision === "reject" || decision === "return") && !comment) {
      throw new ValidationError("请填写审核意见", [{ path: "comment", message: "不予通过或退回补正时必须填写理由" }]);
    }
    await deps.engine.completeTask(task.id, { actor: input.actor, variables: { decision, comment } }, t);
    await commitment.reload({ transaction: t });
    return commitment;
  });
}

/**
 * Completes the 核查 task: validates the commitment-verification form; 部分履行 / 全部未履行 need both the
 * unfulfilled content and the liability pursued, 全部履行 clears them. The engine's services then close the
 * supervision and, for a breach, record a 违诺 credit record, all in this transaction.
 */
export async function recordCommitmentVerification(deps: CommitmentDeps, input: DecisionInput, outer?: Transaction): Promise<Commitment> {
  // A supervision inspection records the 核查 inside its own step's transaction (server/domain/supervision/inspections).
  const inTransaction = <T>(fn: (t: Transaction) => Promise<T>) => (outer ? fn(outer) : deps.db.transaction(fn));
  return inTransaction(async (t) => {
    const commitment = await Commitment.findOne({ where: { code: input.code }, transaction: t });
    if (!commitment || !commitmentPolicy.read(input.actor, commitment) || !commitmentPolicy.decide(input.actor, commitment)) {
      throw new NotFoundError("找不到该承诺");
    }
    if (commitment.status !== "监管中") throw new ConflictError(`该承诺当前状态为“${commitment.status}”，不在监管中`, "not_supervised");
    const task = await openTask(deps, commitment.code, VERIFICATION_TASK_ID, input.taskId, t);
    const { data } = await validateSubmission(
      deps.db,
      { formKey: task.formKey ?? VERIFICATION_FORM_KEY, revision: task.formRevision ?? undefined },
      input.data,
      {
        t,
        userId: input.actor.id,
      },
    );
    const fulfilment = text(data.fulfilment) as FulfilmentValue;
    const unfulfilledContent = text(data.unfulfilledContent);
    const accountability = text(data.accountability);
    if (fulfilment !== "full") {
      const details = [];
      if (!unfulfilledContent) details.push({ path: "unfulfilledContent", message: "部分履行或全部未履行时必须填写未履行的承诺内容" });
      if (!accountability) details.push({ path: "accountability", message: "部分履行或全部未履行时必须填写违诺责任追究内容" });
      if (details.length) throw new ValidationError("请填写未履行内容和违诺责任追究内容", details);
    }
    const variables =
      fulfilment === "full"
        ? { fulfilment, unfulfilledContent: "", accountability: "" }
        : { fulfilment, unfulfilledContent, accountability };
    await deps.engine.completeTask(task.id, { actor: input.actor, variables }, t);
    await commitment.reload({ transaction: t });
    return commitment;
  });
}
