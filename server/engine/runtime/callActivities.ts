// Call activities (Camunda 7): a waiting call activity starts a child instance of the called process in the same
// transaction (camunda:in mappings and businessKey passed); the child remembers its caller (super_instance_id,
// super_execution_id); when the child ends, the caller's call activity completes with the camunda:out mappings.
import { QueryTypes, type Transaction } from "sequelize";
import { EngineDefinition } from "../../db/models/engineModels.js";
import { resolveTemplate, type CallSpec, type EngineRun, type ParsedDefinition, type VariableMapping, type Variables } from "../bpmn.js";
import type { InstanceView } from "../types.js";
import type { EngineContext } from "./context.js";
import { InvalidRequestError, ProcessEngineError } from "./errors.js";
import { note } from "./history.js";
import { startProcess, step, type InstanceRow } from "./instances.js";
import type { StepCollector } from "./stepCollector.js";

/** Camunda's spelling of "the caller's business key" in `<camunda:in businessKey="…"/>`. */
const CALLER_BUSINESS_KEY = /^\s*[#$]\{\s*execution\.(processBusinessKey|businessKey)\s*\}\s*$/;

/** Applies camunda:in / camunda:out mappings: variables="all" copies everything; source / sourceExpression -> target. */
export function mapVariables(mappings: VariableMapping[], from: Variables): Variables {
  const out: Variables = {};
  for (const m of mappings) {
    if (m.all) Object.assign(out, from);
    else if (m.target && m.source !== undefined) out[m.target] = from[m.source] ?? null;
    else if (m.target && m.sourceExpression !== undefined) out[m.target] = resolveTemplate(m.sourceExpression, from) ?? null;
  }
  return out;
}

function label(spec: CallSpec): string {
  return spec.name ? `「${spec.name}」（${spec.activityId}）` : spec.activityId;
}

/** The called definition version by camunda:calledElementBinding: latest, deployment (the caller's deployment) or version. */
async function calledDefinition(
  ctx: EngineContext,
  spec: CallSpec,
  key: string,
  callerDefinitionId: string,
  t: Transaction,
): Promise<{ id: string }> {
  let row: { id: string } | undefined;
  if (spec.binding === "latest") {
    [row] = await ctx.db.sequelize.query<{ id: string }>(
      "SELECT id FROM engine_definitions WHERE `key` = :key ORDER BY version DESC LIMIT 1",
      { replacements: { key }, type: QueryTypes.SELECT, transaction: t },
    );
  } else if (spec.binding === "deployment") {
    const caller = await EngineDefinition.findByPk(callerDefinitionId, { attributes: ["deploymentId"], transaction: t });
    [row] = await ctx.db.sequelize.query<{ id: string }>(
      "SELECT id FROM engine_definitions WHERE `key` = :key AND deployment_id = :deploymentId ORDER BY version DESC LIMIT 1",
      { replacements: { key, deploymentId: caller?.deploymentId ?? "" }, type: QueryTypes.SELECT, transaction: t },
    );
    if (!row) {
      throw new InvalidRequestError(
        `调用活动${label(spec)}按部署绑定（deployment）调用流程 ${key}，但本流程的部署中没有它：请把两个流程一起部署`,
      );
    }
  } else {
    const version = Number(resolveTemplate(spec.version ?? "", {}));
    [row] = await ctx.db.sequelize.query<{ id: string }>("SELECT id FROM engine_definitions WHERE `key` = :key AND version = :version", {
      replacements: { key, version: Number.isInteger(version) ? version : -1 },
      type: QueryTypes.SELECT,
      transaction: t,
    });
    if (!row) throw new InvalidRequestError(`调用活动${label(spec)}调用的流程 ${key} 没有第 ${spec.version ?? ""} 版`);
  }
  if (!row) throw new InvalidRequestError(`调用活动${label(spec)}调用的流程 ${key} 不存在：请先部署它`);
  return row;
}

/** The waits of a row: call activity execution id -> child instance id. */
export function knownCalls(row: InstanceRow): Record<string, string> {
  if (!row.waits) return {};
  try {
    return (JSON.parse(row.waits) as { c?: Record<string, string> }).c ?? {};
  } catch {
    return {};
  }
}

/**
 * Starts a child instance for every call activity that now waits without one. A child that ends in its first step
 * completes its call activity in this same run (and the run goes on, perhaps to another call activity).
 */
export async function startCalls(
  ctx: EngineContext,
  row: InstanceRow,
  run: EngineRun,
  parsed: ParsedDefinition,
  collector: StepCollector,
  t: Transaction,
  actor: string | null,
): Promise<void> {
  if (!parsed.calls.size) return;
  const known = knownCalls(row);
  for (let round = 0; round < 100; round++) {
    const waiting = run
      .postponed()
      .filter((p) => p.type === "bpmn:CallActivity" && !known[p.executionId] && !collector.calls.has(p.executionId));
    if (!waiting.length) return;
    for (const p of waiting) {
      const spec = parsed.calls.get(p.id);
      if (!spec) throw new ProcessEngineError(`调用活动 ${p.id} 没有调用目标`);
      const scope = { ...run.variables(), ...p.locals };
      const resolved = resolveTemplate(spec.calledElement, scope);
      const key = typeof resolved === "string" ? resolved.trim() : "";
      if (!key) throw new InvalidRequestError(`调用活动${label(spec)}的被调用流程 ${spec.calledElement} 为空`);
      const def = await calledDefinition(ctx, spec, key, row.definition_id, t);
      const businessKey =
        spec.businessKey === null
          ? null
          : CALLER_BUSINESS_KEY.test(spec.businessKey)
            ? row.business_key
            : ((resolveTemplate(spec.businessKey, scope) as string | null | undefined) ?? null);
      const child: InstanceView = await startProcess(
        ctx,
        {
          definitionId: def.id,
          businessKey: businessKey === null ? null : String(businessKey),
          variables: mapVariables(spec.ins, scope),
          actor: actor ?? "engine",
          departmentId: row.department_id,
          superInstance: { id: row.id, executionId: p.executionId },
        },
        t,
      );
      collector.notes.push(
        note(ctx, row.id, {
          event: "call.started",
          activityId: p.id,
          activityType: p.type,
          activityName: p.name,
          executionId: p.executionId,
          actor,
          detail: { calledInstanceId: child.id, calledElement: key, definitionId: def.id },
        }),
      );
      if (child.state === "COMPLETED") {
        completeCall(ctx, run, collector, row.id, spec, p.executionId, child);
        await collector.settle(run);
      } else collector.calls.set(p.executionId, child.id);
    }
  }
}

/** Completes the call activity execution of a child that ended: camunda:out mappings into the caller, then signal. */
function completeCall(
  ctx: EngineContext,
  run: EngineRun,
  collector: StepCollector,
  instanceId: string,
  spec: CallSpec,
  executionId: string,
  child: InstanceView,
): void {
  run.assignVariables(mapVariables(spec.outs, child.variables));
  collector.endedCalls.add(executionId);
  collector.notes.push(
    note(ctx, instanceId, {
      event: "call.ended",
      activityId: spec.activityId,
      activityType: "bpmn:CallActivity",
      activityName: spec.name,
      executionId,
      detail: { calledInstanceId: child.id },
    }),
  );
  run.signalExecution({ id: spec.activityId, executionId });
}

/** A child ended in a later step: its caller's call activity completes in the same transaction. */
export async function resumeCaller(
  ctx: EngineContext,
  child: InstanceView,
  superInstanceId: string,
  superExecutionId: string,
  t: Transaction,
  actor: string | null,
): Promise<void> {
  await step(ctx, superInstanceId, t, actor, (run, collector, _row, parsed) => {
    const waiting = run.postponed().find((p) => p.executionId === superExecutionId);
    const spec = waiting ? parsed.calls.get(waiting.id) : undefined;
    if (!spec) throw new ProcessEngineError(`上级流程实例 ${superInstanceId} 不在调用活动处等待`);
    completeCall(ctx, run, collector, superInstanceId, spec, superExecutionId, child);
  });
}
