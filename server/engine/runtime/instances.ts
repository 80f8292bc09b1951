import { randomUUID } from "node:crypto";
import { QueryTypes, type Transaction } from "sequelize";
import {
  EngineExternalTask,
  EngineIncident,
  EngineInstance,
  EngineJob,
  EngineSubscription,
  EngineTask,
  EngineTaskCandidate,
} from "../../db/models/engineModels.js";
import { audit } from "../../domain/audit.js";
import { ConflictError, NotFoundError } from "../../errors.js";
import { EngineRun, type ParsedDefinition, type StepLimits } from "../bpmn.js";
import { actorName, type Actor, type InstanceState, type InstanceView, type StartInput } from "../types.js";
import type { EngineContext } from "./context.js";
import { parsedDefinition, resolveDefinition } from "./deployments.js";
import { note, record } from "./history.js";
import { passMessageStart } from "./messageStart.js";
import { emitLifecycle } from "./lifecycle.js";
import { getInstance } from "./queries.js";
import { saveStep } from "./saveStep.js";
import { StepCollector } from "./stepCollector.js";
import { startCalls } from "./callActivities.js";
import { passTimerStart } from "./timerStart.js";

/** The instance row as locked by a step. */
export interface InstanceRow {
  id: string;
  definition_id: string;
  definition_key: string;
  business_key: string | null;
  state: InstanceState;
  engine_state: string | null;
  variables: string | null;
  version: number;
  waits: string | null;
  variable_types: string | null;
  /** Stored when the instance started; returned unchanged in every step's view. */
  started_at: Date | string;
  start_actor: string | null;
  /** The owning department (authorization), set at start by whoever starts it. */
  department_id: number | null;
  end_reason: string | null;
  /** A start's row, not written yet: the first save inserts it. */
  isNew?: boolean;
  /** A start's definition version (not a column: told to lifecycle listeners with the start). */
  definition_version?: number;
  /** A call activity's child: the calling instance and the call activity's execution. */
  super_instance_id?: string | null;
  super_execution_id?: string | null;
}

/** Starts an instance and runs it until every path waits or ends, in the caller's transaction when given. */
export async function startProcess(ctx: EngineContext, input: StartInput, t?: Transaction): Promise<InstanceView> {
  return ctx.tx(t, async (t) => {
    const def = await resolveDefinition(ctx, input, t);
    const parsed = await parsedDefinition(ctx, def.id, t);
    const id = randomUUID();
    const businessKey = input.businessKey ?? null;
    const collector = new StepCollector(ctx.services, { instanceId: id, businessKey, actor: actorName(input.actor) }, t, ctx.clock);
    collector.declareTypes(input.variableTypes);
    const run = new EngineRun(parsed, id, collector, stepLimits(ctx));
    const startedAt = ctx.now();
    collector.notes.push(note(ctx, id, { event: "instance.start", actor: actorName(input.actor), detail: { businessKey } }));
    await run.start({ ...(input.variables ?? {}) });
    await collector.settle(run);
    await passMessageStart(ctx, parsed, run, collector, id, input); // a message start event does not wait either
    await passTimerStart(ctx, parsed, run, collector, id, input); // a timer start event does not wait (Camunda)
    const row: InstanceRow = {
      id,
      definition_id: def.id,
      definition_key: def.key,
      business_key: businessKey,
      state: "ACTIVE",
      engine_state: null,
      variables: "{}",
      version: 0,
      waits: JSON.stringify({ t: {}, j: {}, x: {}, s: {} }),
      variable_types: null,
      started_at: startedAt,
      start_actor: actorName(input.actor),
      department_id: input.departmentId ?? null,
      end_reason: null,
      isNew: true,
      definition_version: def.version,
      super_instance_id: input.superInstance?.id ?? null,
      super_execution_id: input.superInstance?.executionId ?? null,
    };
    await startCalls(ctx, row, run, parsed, collector, t, actorName(input.actor));
    return saveStep(ctx, row, run, parsed, collector, t, actorName(input.actor));
  });
}

/** The bounds every engine of this runtime runs under. */
function stepLimits(ctx: EngineContext): StepLimits {
  return { activations: ctx.limits.activationsPerStep, slice: ctx.limits.activationsPerSlice };
}

/** Locks the instance row (FOR UPDATE on MySQL; SQLite's write queue serializes) and reads it. */
export async function lockInstance(ctx: EngineContext, id: string, t: Transaction): Promise<InstanceRow> {
  const [row] = await ctx.db.sequelize.query<InstanceRow>(
    `SELECT id, definition_id, definition_key, business_key, state, engine_state, variables, version, waits, variable_types, started_at, start_actor, department_id, end_reason, super_instance_id, super_execution_id FROM engine_instances WHERE id = :id${ctx.forUpdate()}`,
    { replacements: { id }, type: QueryTypes.SELECT, transaction: t },
  );
  if (!row) throw new NotFoundError(`找不到流程实例 ${id}`);
  return row;
}

/**
 * Load-run-save: lock the instance row, recover a fresh engine from the cached definition and the
 * stored state, apply the step, run until everything waits, save state and derived rows.
 */
export async function step<T>(
  ctx: EngineContext,
  instanceId: string,
  t: Transaction,
  actor: string | null,
  apply: (run: EngineRun, collector: StepCollector, row: InstanceRow, parsed: ParsedDefinition) => Promise<T> | T,
  consumedJob?: string,
): Promise<{ result: T; view: InstanceView }> {
  const row = await lockInstance(ctx, instanceId, t);
  if (row.state !== "ACTIVE" || !row.engine_state) throw new ConflictError(`流程实例 ${instanceId} 已结束`, "instance_ended");
  const parsed = await parsedDefinition(ctx, row.definition_id, t);
  const collector = new StepCollector(ctx.services, { instanceId, businessKey: row.business_key, actor }, t, ctx.clock);
  const run = new EngineRun(parsed, instanceId, collector, stepLimits(ctx));
  await run.resume(JSON.parse(row.engine_state));
  await collector.settle(run);
  const result = await apply(run, collector, row, parsed);
  await collector.settle(run);
  await startCalls(ctx, row, run, parsed, collector, t, actor);
  const view = await saveStep(ctx, row, run, parsed, collector, t, actor, consumedJob);
  return { result, view };
}

/** Ends an instance from outside (EXTERNALLY_TERMINATED) and removes everything it waited on; kept in history. */
export async function cancelInstance(
  ctx: EngineContext,
  id: string,
  input: { actor: Actor; reason: string },
  t?: Transaction,
  options: { cascade?: boolean } = {},
): Promise<void> {
  await ctx.tx(t, async (t) => {
    const row = await lockInstance(ctx, id, t);
    if (row.state !== "ACTIVE") throw new ConflictError(`流程实例 ${id} 已结束，不能取消`, "instance_ended");
    if (row.super_instance_id && !options.cascade) {
      const [parent] = await ctx.db.sequelize.query<{ state: string }>("SELECT state FROM engine_instances WHERE id = :id", {
        replacements: { id: row.super_instance_id },
        type: QueryTypes.SELECT,
        transaction: t,
      });
      if (parent?.state === "ACTIVE") {
        throw new ConflictError(
          `流程实例 ${id} 是流程实例 ${row.super_instance_id} 的调用活动启动的子流程：请取消上级流程实例（子流程会一同取消）`,
          "instance_called",
        );
      }
    }
    const children = await ctx.db.sequelize.query<{ id: string }>(
      "SELECT id FROM engine_instances WHERE super_instance_id = :id AND state = 'ACTIVE'",
      { replacements: { id }, type: QueryTypes.SELECT, transaction: t },
    );
    for (const child of children) {
      await cancelInstance(ctx, child.id, { actor: input.actor, reason: `上级流程实例 ${id} 已取消：${input.reason}` }, t, {
        cascade: true,
      });
    }
    await removeWaits(ctx, id, t);
    const now = ctx.now();
    await EngineInstance.update(
      {
        state: "EXTERNALLY_TERMINATED",
        engineState: null,
        waits: null,
        endedAt: now,
        endReason: input.reason.slice(0, 1000),
        version: row.version + 1,
      },
      { where: { id }, transaction: t },
    );
    await record(ctx, t, id, { event: "instance.cancelled", actor: actorName(input.actor), detail: { reason: input.reason } });
    const instance = await getInstance(id, t);
    if (instance) await emitLifecycle(ctx, { type: "cancelled", instance, reason: input.reason, actor: actorName(input.actor) }, t);
    await audit(ctx.db, t, {
      actor: actorName(input.actor),
      action: "process.cancelled",
      entityType: "process_instance",
      entityId: id,
      detail: { reason: input.reason, businessKey: row.business_key },
      at: now,
    });
  });
}

async function removeWaits(ctx: EngineContext, instanceId: string, t: Transaction): Promise<void> {
  const tasks = await EngineTask.findAll({ where: { instanceId }, attributes: ["id"], transaction: t });
  if (tasks.length) await EngineTaskCandidate.destroy({ where: { taskId: tasks.map((x) => x.id) }, transaction: t });
  for (const model of [EngineTask, EngineJob, EngineExternalTask, EngineSubscription] as const) {
    await (model as typeof EngineTask).destroy({ where: { instanceId }, transaction: t });
  }
  await EngineIncident.update({ resolvedAt: ctx.now() }, { where: { instanceId, resolvedAt: null }, transaction: t });
}
