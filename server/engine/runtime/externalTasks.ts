import { Op, type Transaction } from "sequelize";
import { EngineExternalTask, EngineInstance } from "../../db/models/engineModels.js";
import { audit } from "../../domain/audit.js";
import { NotFoundError } from "../../errors.js";
import type { EngineRun, ServiceCall, Variables } from "../bpmn.js";
import { actorName, type Actor, type ExternalTaskView, type FetchTopic } from "../types.js";
import type { EngineContext } from "./context.js";
import { ActivationLimitError, InvalidRequestError, ProcessEngineError } from "./errors.js";
import { record } from "./history.js";
import { openIncident, resolveIncidents } from "./incidents.js";
import { step } from "./instances.js";
import type { StepCollector } from "./stepCollector.js";
import { externalTaskView, findExternalTasks as listExternalTasks, type ExternalTaskFilter } from "./listQueries.js";
import { parseJson, toDate } from "./util.js";

async function externalView(rows: EngineExternalTask[], varNames: (string[] | null | undefined)[]): Promise<ExternalTaskView[]> {
  const ids = [...new Set(rows.map((r) => r.instanceId))];
  const inst = ids.length ? await EngineInstance.findAll({ where: { id: ids }, attributes: ["id", "variables", "variableTypes"] }) : [];
  const vars = new Map(inst.map((i) => [i.id, parseJson<Variables>(i.variables, {})]));
  const types = new Map(inst.map((i) => [i.id, parseJson<Record<string, string>>(i.variableTypes, {})]));
  return rows.map((r, i) => {
    const all = vars.get(r.instanceId) ?? {};
    const names = varNames[i];
    const variables: Variables = {};
    for (const [k, v] of Object.entries(all)) if (!names || names.includes(k)) variables[k] = v;
    return externalTaskView(r, variables, types.get(r.instanceId) ?? {});
  });
}

/** Locks up to maxTasks external tasks of the topics for a worker (an expired lock makes a task fetchable again). */
export async function fetchAndLock(
  ctx: EngineContext,
  input: {
    workerId: string;
    maxTasks: number;
    usePriority?: boolean;
    topics: FetchTopic[];
  },
): Promise<ExternalTaskView[]> {
  const now = ctx.now();
  const locked: EngineExternalTask[] = [];
  const names: (string[] | null | undefined)[] = [];
  for (const topic of input.topics) {
    if (locked.length >= input.maxTasks) break;
    const where: Record<string | symbol, unknown> = {
      topic: topic.topicName,
      [Op.and]: [
        { [Op.or]: [{ lockExpiresAt: null }, { lockExpiresAt: { [Op.lt]: now } }] },
        { [Op.or]: [{ retries: null }, { retries: { [Op.gt]: 0 } }] },
        { [Op.or]: [{ availableAt: null }, { availableAt: { [Op.lte]: now } }] },
      ],
    };
    if (topic.businessKey) where.businessKey = topic.businessKey;
    if (topic.processDefinitionKey) where.definitionKey = topic.processDefinitionKey;
    if (topic.processDefinitionId) where.definitionId = topic.processDefinitionId;
    const candidates = await EngineExternalTask.findAll({
      where,
      order: input.usePriority
        ? [
            ["priority", "DESC"],
            ["createdAt", "ASC"],
          ]
        : [["createdAt", "ASC"]],
      limit: (input.maxTasks - locked.length) * 2 + 5,
    });
    for (const c of candidates) {
      if (locked.length >= input.maxTasks) break;
      const lockExpiresAt = new Date(now.getTime() + topic.lockDuration);
      const n = await ctx.db.transaction(async (t) => {
        const [count] = await EngineExternalTask.update(
          { workerId: input.workerId, lockExpiresAt },
          { where: { id: c.id, [Op.or]: [{ lockExpiresAt: null }, { lockExpiresAt: { [Op.lt]: now } }] }, transaction: t },
        );
        return count;
      });
      if (n === 1) {
        c.workerId = input.workerId;
        c.lockExpiresAt = lockExpiresAt;
        locked.push(c);
        names.push(topic.variables);
      }
    }
  }
  return externalView(locked, names);
}

/** The external task, provided this worker holds an unexpired lock on it (else 404 / 400 in Camunda's words). */
async function lockedExternal(ctx: EngineContext, id: string, workerId: string, t: Transaction, verb: string): Promise<EngineExternalTask> {
  const task = await EngineExternalTask.findByPk(id, { transaction: t });
  if (!task) throw new NotFoundError(`找不到外部任务 ${id} (External task with id ${id} does not exist)`);
  const now = ctx.now();
  if (task.workerId !== workerId || !task.lockExpiresAt || toDate(task.lockExpiresAt)! < now) {
    throw new InvalidRequestError(
      `外部任务 ${id} 不能由 ${workerId} ${verb}：它${task.workerId && task.lockExpiresAt && toDate(task.lockExpiresAt)! >= now ? `已被 ${task.workerId} 锁定` : "未被此工作者锁定或锁已过期"} (External Task ${id} cannot be ${verb} by worker '${workerId}'. It is locked by worker '${task.workerId ?? ""}'.)`,
    );
  }
  return task;
}

/**
 * Ends a locked external task's wait through load-run-save: finish answers the engine's service call. A step that
 * runs into the activation bound is rolled back and answered 400; in its own transaction (when it owns one) the
 * task then gets an incident and no retries, so the worker does not fetch it again and loop again.
 */
async function finishExternal(
  ctx: EngineContext,
  id: string,
  workerId: string,
  verb: string,
  t: Transaction | undefined,
  finish: (call: ServiceCall, run: EngineRun, collector: StepCollector) => void,
): Promise<void> {
  try {
    await finishExternalStep(ctx, id, workerId, verb, t, finish);
  } catch (err) {
    if (!t && err instanceof ActivationLimitError) await externalTaskLooped(ctx, id, workerId, err);
    throw err;
  }
}

async function finishExternalStep(
  ctx: EngineContext,
  id: string,
  workerId: string,
  verb: string,
  t: Transaction | undefined,
  finish: (call: ServiceCall, run: EngineRun, collector: StepCollector) => void,
): Promise<void> {
  await ctx.tx(t, async (t) => {
    const pre = await lockedExternal(ctx, id, workerId, t, verb);
    await step(ctx, pre.instanceId, t, workerId, async (run, collector) => {
      const task = await lockedExternal(ctx, id, workerId, t, verb);
      const call = collector.externalCalls.get(task.executionId);
      if (!call) throw new ProcessEngineError(`外部任务 ${id} 不在等待状态`);
      collector.externalCalls.delete(task.executionId);
      await record(ctx, t, task.instanceId, {
        event: `externalTask.${verb}`,
        activityId: task.activityId,
        executionId: task.executionId,
        actor: workerId,
        detail: { topic: task.topic },
      });
      finish(call, run, collector);
    });
  });
}

/** After a rolled-back step past the activation bound: the external task's incident (Camunda's failedExternalTask). */
async function externalTaskLooped(ctx: EngineContext, id: string, workerId: string, err: ActivationLimitError): Promise<void> {
  ctx.logger.warn({ err, externalTaskId: id }, "external task step exceeded the activation bound");
  await ctx.db.transaction(async (t) => {
    const task = await EngineExternalTask.findByPk(id, { transaction: t });
    if (!task) return;
    const now = ctx.now();
    await EngineExternalTask.update(
      { retries: 0, errorMessage: err.message.slice(0, 4000), workerId: null, lockExpiresAt: null },
      { where: { id }, transaction: t },
    );
    await openIncident(t, {
      instanceId: task.instanceId,
      definitionId: task.definitionId,
      activityId: task.activityId,
      type: "failedExternalTask",
      configuration: id,
      message: err.message.slice(0, 4000),
      at: now,
    });
    await record(ctx, t, task.instanceId, {
      event: "incident.created",
      activityId: task.activityId,
      executionId: task.executionId,
      actor: workerId,
      detail: { externalTaskId: id, message: err.message },
    });
  });
}

/** A worker completes its locked external task; variables become process variables. */
export function completeExternalTask(
  ctx: EngineContext,
  id: string,
  input: { workerId: string; variables?: Variables; localVariables?: Variables; variableTypes?: Record<string, string> },
  t?: Transaction,
): Promise<void> {
  return finishExternal(ctx, id, input.workerId, "completed", t, (call, _run, collector) => {
    collector.declareTypes(input.variableTypes);
    call.done(null, { ...(input.localVariables ?? {}), ...(input.variables ?? {}) });
  });
}

/** A worker reports a BPMN error: an error boundary event with that errorCode catches it. */
export function handleExternalBpmnError(
  ctx: EngineContext,
  id: string,
  input: { workerId: string; errorCode: string; errorMessage?: string; variables?: Variables; variableTypes?: Record<string, string> },
  t?: Transaction,
): Promise<void> {
  return finishExternal(ctx, id, input.workerId, "bpmnError", t, (call, run, collector) => {
    run.assignVariables(input.variables);
    collector.declareTypes(input.variableTypes);
    call.done(Object.assign(new Error(input.errorMessage ?? input.errorCode), { code: input.errorCode }));
  });
}

/** A worker reports a failure: retries left and a retry timeout; no retries left raises an incident. */
export async function handleExternalFailure(
  ctx: EngineContext,
  id: string,
  input: {
    workerId: string;
    errorMessage?: string | null;
    errorDetails?: string | null;
    retries?: number | null;
    retryTimeout?: number | null;
  },
  t?: Transaction,
): Promise<void> {
  await ctx.tx(t, async (t) => {
    const task = await lockedExternal(ctx, id, input.workerId, t, "failed");
    const now = ctx.now();
    const retries = Math.max(0, input.retries ?? 0);
    await EngineExternalTask.update(
      {
        retries,
        errorMessage: input.errorMessage?.slice(0, 4000) ?? null,
        errorDetails: input.errorDetails?.slice(0, 60_000) ?? null,
        workerId: null,
        lockExpiresAt: null,
        availableAt: new Date(now.getTime() + Math.max(0, input.retryTimeout ?? 0)),
      },
      { where: { id }, transaction: t },
    );
    if (retries === 0) {
      await openIncident(t, {
        instanceId: task.instanceId,
        definitionId: task.definitionId,
        activityId: task.activityId,
        type: "failedExternalTask",
        configuration: id,
        message: input.errorMessage?.slice(0, 4000) ?? null,
        at: now,
      });
    }
  });
}

/** Extends a worker's lock on its external task. */
export async function extendExternalLock(
  ctx: EngineContext,
  id: string,
  input: { workerId: string; newDuration: number },
  t?: Transaction,
): Promise<void> {
  await ctx.tx(t, async (t) => {
    await lockedExternal(ctx, id, input.workerId, t, "extended");
    await EngineExternalTask.update(
      { lockExpiresAt: new Date(ctx.now().getTime() + input.newDuration) },
      { where: { id }, transaction: t },
    );
  });
}

/** Frees an external task's lock whoever holds it. */
export async function unlockExternalTask(ctx: EngineContext, id: string, t?: Transaction): Promise<void> {
  await ctx.tx(t, async (t) => {
    const [n] = await EngineExternalTask.update({ workerId: null, lockExpiresAt: null }, { where: { id }, transaction: t });
    if (!n) throw new NotFoundError(`找不到外部任务 ${id}`);
  });
}

/** Sets an external task's retries (admin); resolves its incident when retries > 0. */
export async function setExternalTaskRetries(
  ctx: EngineContext,
  id: string,
  retries: number,
  actor: Actor,
  t?: Transaction,
): Promise<void> {
  await ctx.tx(t, async (t) => {
    const [n] = await EngineExternalTask.update({ retries, availableAt: null }, { where: { id }, transaction: t });
    if (!n) throw new NotFoundError(`找不到外部任务 ${id}`);
    const now = ctx.now();
    if (retries > 0) await resolveIncidents(t, id, now);
    await audit(ctx.db, t, {
      actor: actorName(actor),
      action: "incident.retried",
      entityType: "external_task",
      entityId: id,
      detail: { retries },
      at: now,
    });
  });
}

/** External tasks, oldest first (admin views; no variables); filtered and paged in SQL by listQueries.ts. */
export function findExternalTasks(ctx: EngineContext, filter: ExternalTaskFilter = {}): Promise<ExternalTaskView[]> {
  return listExternalTasks(filter, ctx.now());
}
