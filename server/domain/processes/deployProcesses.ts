import type { CurrentUser } from "../../auth/currentUser.js";
import type { DeployInput, DeployResult, EngineRuntime } from "../../engine/index.js";
import { ForbiddenError } from "../../errors.js";
import type { FlowRegistry } from "../../flows/registry.js";
import { deployRefusal } from "../../policies/processDefinition.js";

/**
 * Deploys BPMN files for the console upload and POST /engine-rest/deployment/create alike: the engine validates,
 * then each process key is authorized (deployRefusal) before anything is stored; the deployment records the
 * officer's department, which owns the keys' next versions.
 */
export function deployProcesses(
  deps: { engine: EngineRuntime; flows: FlowRegistry },
  input: Omit<DeployInput, "actor" | "authorize" | "departmentId"> & { actor: CurrentUser },
): Promise<DeployResult> {
  const { actor } = input;
  return deps.engine.deploy({
    ...input,
    departmentId: actor.isAdmin ? null : actor.departmentId,
    authorize: (processes) => {
      for (const p of processes) {
        const refusal = deployRefusal(actor, { ...p, flowLabel: deps.flows.forProcess(p.key)?.label ?? null });
        if (refusal) throw new ForbiddenError(refusal);
      }
    },
  });
}
