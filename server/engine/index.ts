import { EngineRuntime, type EngineRuntimeDeps } from "./runtime.js";
import { HEARTBEAT_MS } from "./runtime/jobs.js";

export { ActivationLimitError, BpmnValidationError, EngineRuntime, InvalidRequestError, ProcessEngineError } from "./runtime.js";
export { ACTIVATIONS_PER_STEP } from "./bpmn.js";
export { MAX_VARIABLE_DEPTH, MAX_VARIABLES_BYTES } from "./variables.js";
export type * from "./types.js";
export type { FormBinding, FormRevisionPin } from "./runtime/context.js";
export { MAX_BPMN_BYTES } from "./validate.js";
export { formReferencesOf, type FormReference } from "./formKeys.js";

/** Builds the workflow runtime over the database and clock; no instance is ever kept in memory between calls. */
export function createEngineRuntime(deps: EngineRuntimeDeps): EngineRuntime {
  return new EngineRuntime(deps);
}

/**
 * Fires due timer jobs every intervalMs until stopped, and says every HEARTBEAT_MS that this node is alive (its claimed
 * jobs stay its own; a node that stops beating loses them to the others after NODE_DEAD_MS). stop() waits for the
 * round in flight and releases this node's jobs (call it before closing the database).
 */
export function startJobWorker(engine: EngineRuntime, logger: EngineRuntimeDeps["logger"], intervalMs = 1000): { stop(): Promise<void> } {
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const beat = () => engine.heartbeat().catch((err: unknown) => logger.error({ err }, "job worker heartbeat failed"));
  void beat();
  const beating = setInterval(() => void beat(), HEARTBEAT_MS);
  const tick = () => {
    if (stopped) return;
    current = engine
      .runDueJobs()
      .catch((err: unknown) => logger.error({ err }, "job worker round failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(beating);
      if (timer) clearTimeout(timer);
      await current;
      await engine.leaveCluster().catch((err: unknown) => logger.error({ err }, "job worker could not release its jobs"));
    },
  };
}
