import { BaseError, type Transaction } from "sequelize";
import type { Clock } from "../../clock.js";
import { AppError } from "../../errors.js";
import type { EngineEvents, EngineRun, ServiceCall } from "../bpmn.js";
import type { ServiceHandler } from "../types.js";
import { serviceName } from "../validate.js";
import { ActivationLimitError, ProcessEngineError } from "./errors.js";
import type { HistoryRow } from "./history.js";

/** Collects what happens while an engine runs one step: history, service calls in flight, external tasks waiting. */
export class StepCollector implements EngineEvents {
  readonly history: { event: string; activityId: string; activityType: string; activityName: string | null; executionId: string }[] = [];
  readonly pending = new Set<Promise<void>>();
  readonly externalCalls = new Map<string, ServiceCall>();
  /** History rows written with the step's save (task completed, message received, timer fired...). */
  readonly notes: HistoryRow[] = [];
  /** Task ids removed by the save (the completed task must be among them). */
  readonly removedTasks: string[] = [];
  /** Executions that ended or were discarded in this step. */
  readonly closed = new Set<string>();
  /** Activities that left without ending (interrupted by a boundary event or a terminate end event). */
  readonly interrupted: { id: string; type: string; name: string | null; executionId: string }[] = [];
  /** Call activity execution id -> the child instance started for it in this step. */
  readonly calls = new Map<string, string>();
  /** Call activity executions whose child ended in this step (their call activity completed). */
  readonly endedCalls = new Set<string>();
  /** Camunda types declared for variables set in this step (Date). */
  readonly declaredTypes: Record<string, string> = {};

  constructor(
    private readonly services: Map<string, ServiceHandler>,
    private readonly info: { instanceId: string; businessKey: string | null; actor: string | null },
    private readonly t: Transaction,
    private readonly clock: Clock,
  ) {}

  onActivity(
    event: "start" | "end" | "wait" | "leave" | "discard",
    a: { id: string; type: string; name: string | null; executionId: string; redelivered: boolean },
  ) {
    if (event === "end" || event === "discard") this.closed.add(a.executionId);
    // Leaving without ending nor being discarded (never started) in this step: interrupted; saveStep keeps those
    // that had started (in this step or an earlier one).
    if (event === "leave") {
      if (!this.closed.has(a.executionId)) this.interrupted.push({ id: a.id, type: a.type, name: a.name, executionId: a.executionId });
      return;
    }
    // A resumed engine re-announces the activities it was waiting in (redelivered): they are in history already.
    if (event === "wait" || event === "discard" || a.redelivered) return;
    this.history.push({
      event: `activity.${event}`,
      activityId: a.id,
      activityType: a.type,
      activityName: a.name,
      executionId: a.executionId,
    });
  }

  onService(call: ServiceCall) {
    if (call.behaviour.type === "external") {
      this.externalCalls.set(call.executionId, call);
      return;
    }
    const name = serviceName((call.behaviour.expression ?? call.behaviour.delegateExpression) as string | undefined);
    const handler = name ? this.services.get(name) : undefined;
    if (!handler) {
      call.done(new Error(`内部服务 ${name ?? "(未指定)"} 未注册 (service not registered)`));
      return;
    }
    const p = (async () => {
      try {
        const out = await handler({
          instanceId: this.info.instanceId,
          businessKey: this.info.businessKey,
          actor: this.info.actor,
          activityId: call.activityId,
          variables: call.variables,
          t: this.t,
          clock: this.clock,
        });
        call.done(null, out ?? undefined);
      } catch (err) {
        call.done(err as Error);
      }
    })();
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Records the declared Camunda types of variables this step sets. */
  declareTypes(types: Record<string, string> | undefined): void {
    if (types) Object.assign(this.declaredTypes, types);
  }

  /**
   * Waits until every path of the engine waits or ends (internal services are async; every few activations run
   * in a later event-loop turn). A step past its activation bound was stopped: ActivationLimitError.
   */
  async settle(run: EngineRun): Promise<void> {
    for (let i = 0; i < 100_000; i++) {
      await new Promise((r) => setImmediate(r));
      if (!this.pending.size && !run.busy) break;
      if (this.pending.size) await Promise.allSettled([...this.pending]);
    }
    const hit = run.limitExceeded();
    if (hit) {
      await run.halt();
      throw new ActivationLimitError(hit);
    }
    if (run.errors.length) {
      const err = run.errors[0]!;
      const inner = (err as { inner?: Error }).inner;
      // The platform's own errors (a multi-instance collection that is not a list) may be wrapped more than once.
      for (let e: (Error & { inner?: Error }) | undefined = err; e; e = e.inner) if (e instanceof AppError) throw e;
      // A database error from a service stays what it is: MySQL's deadlock retry reads its code, and the error
      // handler answers it in Chinese (a duplicate as 409, anything else as the generic 500), not with driver text.
      if (inner instanceof BaseError) throw inner;
      throw new ProcessEngineError(`流程执行出错：${(inner ?? err).message}`);
    }
  }
}
