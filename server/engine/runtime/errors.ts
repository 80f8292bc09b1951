import { AppError } from "../../errors.js";
import type { ActivationLimitHit } from "../bpmn.js";
import type { Problem } from "../validate.js";

/** A failure inside the process (a service threw, an expression failed); the step was rolled back. */
export class ProcessEngineError extends AppError {
  constructor(message: string) {
    super(500, "process_engine_error", message);
  }
}

/** A deployment refused by validation: each problem names its file and element (400; Camunda's ParseException at the REST API). */
export class BpmnValidationError extends AppError {
  constructor(
    readonly problems: Problem[],
    readonly warnings: Problem[],
  ) {
    super(
      400,
      "bpmn_invalid",
      `BPMN 校验未通过：${problems.map((e) => e.message).join("；")}`,
      problems.map((e) => ({ path: e.path, message: e.message })),
    );
  }

  /** Camunda's ParseException details: per resource, errors and warnings with the element ids. */
  get resourceDetails(): Record<string, { errors: unknown[]; warnings: unknown[] }> {
    const out: Record<string, { errors: unknown[]; warnings: unknown[] }> = {};
    const entry = (p: Problem) => ({
      message: p.message,
      line: 0,
      column: 0,
      mainElementId: p.element,
      elementIds: p.element ? [p.element] : [],
    });
    for (const p of this.problems) (out[p.path.split("#")[0]!] ??= { errors: [], warnings: [] }).errors.push(entry(p));
    for (const p of this.warnings) (out[p.path.split("#")[0]!] ??= { errors: [], warnings: [] }).warnings.push(entry(p));
    return out;
  }
}

/**
 * A step ran more element activations than ACTIVATIONS_PER_STEP (a loop without a wait state): it was stopped and
 * rolled back. 400 for the request that caused it (InvalidRequestException at /engine-rest); a timer job or an
 * external task that runs into it gets an incident instead of retries, since running it again loops again.
 */
export class ActivationLimitError extends AppError {
  constructor(readonly hit: ActivationLimitHit) {
    const process = hit.processName ? `${hit.processId}（${hit.processName}）` : hit.processId;
    const element = hit.activityName ? `${hit.activityId}（${hit.activityName}）` : hit.activityId;
    super(
      400,
      "activation_limit_exceeded",
      `流程在一步内执行了超过 ${hit.limit} 个环节（可能存在没有等待点的循环），已回滚：请检查流程 ${process} 在元素 ${element} 附近的循环`,
      [{ path: hit.activityId, message: "循环中没有等待点（用户任务、消息、定时器或外部任务）" }],
    );
  }
}

/** 400 in Camunda's terms: the request cannot be applied (e.g. a message that matches nothing). */
export class InvalidRequestError extends AppError {
  constructor(message: string) {
    super(400, "invalid_request", message);
  }
}
