import type { CurrentUser } from "../../auth/currentUser.js";
import { NotFoundError } from "../../errors.js";
import type { FlowRegistry, FlowDeps } from "../../flows/registry.js";
import { processInstancePolicy } from "../../policies/processInstance.js";

/**
 * Cancels a running instance with a reason (the console and DELETE /engine-rest/process-instance/{id}): authorized
 * by the instance policy (404 for an instance the user may not see), and the owning flow is told in the same
 * transaction, so its case shows 已终止 with the reason instead of waiting on a process that is gone.
 */
export async function cancelProcessInstance(
  deps: FlowDeps & { flows: FlowRegistry },
  input: { actor: CurrentUser; instanceId: string; reason: string },
): Promise<void> {
  const instance = await deps.engine.getInstance(input.instanceId);
  if (!instance || !processInstancePolicy.read(input.actor, instance) || !processInstancePolicy.operate(input.actor, instance)) {
    throw new NotFoundError(`找不到运行中的流程实例 ${input.instanceId} (Process instance with id ${input.instanceId} does not exist)`);
  }
  await deps.db.transaction(async (t) => {
    await deps.engine.cancelInstance(instance.id, { actor: input.actor, reason: input.reason }, t);
    await deps.flows.forProcess(instance.definitionKey)?.onCancelled?.(deps, { instance, actor: input.actor, reason: input.reason }, t);
  });
}
