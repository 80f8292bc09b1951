import type { Transaction } from "sequelize";
import { Case } from "../../db/models/Case.js";
import type { FlowDeps, TaskDecision } from "../../flows/registry.js";
import { ValidationError } from "../../errors.js";
import { validateSubmission } from "../../forms/index.js";
import type { Variables } from "../../engine/index.js";
import { recordCaseForm } from "../cases/caseForms.js";

/** What one task's rule makes of its validated form: the process variables, or field errors in Chinese. */
export interface Outcome {
  variables: Variables;
  /** Set when this decision ends the case (shown with the case: 不予受理 / 不予修复 / 异议不成立 and why). */
  endReason?: string;
}

export const text = (v: unknown): string => (typeof v === "string" ? v.trim() : "");

/** A 400 naming the field, as a form's own required rule would. */
export function required(path: string, message: string): never {
  throw new ValidationError(message, [{ path, message }]);
}

/**
 * Completes a task of the repair or objection flow: validates the data against the task's pinned form, lets the rule
 * check the decision and name the variables, keeps the form on the case (the applicant reads the decision and its
 * reason there), and completes the task through the engine, whose services (终止公示, 撤销) run in this transaction.
 */
export async function decideTask(
  deps: FlowDeps,
  decision: TaskDecision,
  rule: (data: Record<string, unknown>, t: Transaction) => Promise<Outcome> | Outcome,
): Promise<void> {
  const { task, actor } = decision;
  if (!task.formKey) throw new Error(`task ${task.taskDefinitionKey} of ${task.processDefinitionKey} has no form`);
  const formKey = task.formKey;
  await deps.db.transaction(async (t) => {
    const { data, revision } = await validateSubmission(deps.db, { formKey, revision: task.formRevision ?? undefined }, decision.data, {
      t,
      userId: actor.id,
    });
    const outcome = await rule(data, t);
    await recordCaseForm(deps.db, t, {
      instanceId: task.processInstanceId,
      formKey,
      formRevision: revision,
      data,
      actor: actor.username,
      step: task.name ?? task.taskDefinitionKey,
    });
    await deps.engine.completeTask(task.id, { actor, variables: outcome.variables }, t);
    if (outcome.endReason)
      await Case.update({ endReason: outcome.endReason.slice(0, 1000) }, { where: { instanceId: task.processInstanceId }, transaction: t });
  });
}
