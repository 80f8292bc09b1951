import { randomUUID } from "node:crypto";
import type { Transaction } from "sequelize";
import {
  EngineExternalTask,
  EngineHistory,
  EngineInstance,
  EngineJob,
  EngineSubscription,
  EngineTask,
  EngineTaskCandidate,
} from "../../db/models/engineModels.js";
import { ConflictError } from "../../errors.js";
import { resolveTemplate, type EngineRun, type ParsedDefinition, type Variables } from "../bpmn.js";
import { parseDueDate } from "../durations.js";
import type { InstanceState, InstanceView } from "../types.js";
import { checkInstanceVariablesSize } from "../variables.js";
import { resumeCaller } from "./callActivities.js";
import type { EngineContext, FormBinding, FormRevisionPin } from "./context.js";
import { emitLifecycle } from "./lifecycle.js";
import { historyRow, variableDetail, type HistoryRow } from "./history.js";
import { cancelInstance, type InstanceRow } from "./instances.js";
import type { StepCollector } from "./stepCollector.js";
import { parseJson, splitList, timerDueAt, toDate } from "./util.js";
import { nextVariableTypes, type VariableTypes } from "./variableTypes.js";

/** Retries a new timer job gets before it raises an incident. */
export const JOB_RETRIES = 3;

/** What an instance waits on, kept in its row: execution id -> row id (subscriptions keyed by execution id + message name). */
interface Waits {
  t: Record<string, string>;
  j: Record<string, string>;
  x: Record<string, string>;
  s: Record<string, string>;
  /** Call activity execution id -> child instance id (only when some call activity waits). */
  c?: Record<string, string>;
}

/** What every part of one save shares. */
interface Save {
  t: Transaction;
  row: InstanceRow;
  now: Date;
  actor: string | null;
  variables: Variables;
  /** The waits stored by the previous save (null: read the tables). */
  known: Waits | null;
  /** The waits this save stores. */
  waits: Waits;
  historyRows: HistoryRow[];
  /** Due dates of the user tasks this save created. */
  newTaskDues: (Date | null)[];
  pinForm: FormRevisionPin | undefined;
  /** How many of historyRows are the step's notes (they come first). */
  notes: number;
  /** Tasks completed in this step (their multi-instance instance ends normally; other removed ones are cancelled). */
  completedTasks: Set<string>;
}

/** Writes the engine state, the variables and every derived row (tasks, jobs, external tasks, subscriptions, history). */
export async function saveStep(
  ctx: EngineContext,
  row: InstanceRow,
  run: EngineRun,
  parsed: ParsedDefinition,
  collector: StepCollector,
  t: Transaction,
  actor: string | null,
  consumedJob?: string,
): Promise<InstanceView> {
  const now = ctx.now();
  const variables = run.variables();
  const variablesJson = JSON.stringify(variables);
  checkInstanceVariablesSize(variablesJson);
  const postponed = run.ended ? [] : run.postponed();
  const ended = run.ended || (!postponed.length && !run.pendingTimers().length && !collector.externalCalls.size);
  const instanceId = row.id;
  const s: Save = {
    t,
    row,
    now,
    actor,
    variables,
    known: parseJson<Waits | null>(row.waits, null),
    waits: { t: {}, j: {}, x: {}, s: {} },
    historyRows: [...collector.notes],
    newTaskDues: [],
    pinForm: ctx.formRevisionPin,
    notes: collector.notes.length,
    completedTasks: new Set(collector.notes.filter((n) => n.event === "task.completed" && n.taskId).map((n) => n.taskId!)),
  };

  // History: activities, then variable changes.
  for (const h of collector.history) {
    s.historyRows.push(
      historyRow(instanceId, now, {
        ...h,
        // A resumed event reports its event definition's type (bpmn:TimerEventDefinition): the element's is the parsed one.
        activityType: parsed.activities.get(h.activityId)?.type ?? h.activityType,
        activityName: h.activityName ?? parsed.activities.get(h.activityId)?.name ?? null,
        actor,
      }),
    );
  }
  s.historyRows.push(...interruptedEnds(s, collector, parsed));
  const before = parseJson<Variables>(row.variables, {});
  for (const [name, value] of Object.entries(variables)) {
    if (JSON.stringify(before[name]) !== JSON.stringify(value)) {
      s.historyRows.push({
        ...historyRow(instanceId, now, { event: "variable.set", activityName: name, actor }),
        detail: variableDetail(name, value),
      });
    }
  }
  if (ended) s.historyRows.push(historyRow(instanceId, now, { event: "instance.end", actor }));

  collector.removedTasks.push(...(await saveUserTasks(s, postponed)));
  await saveTimerJobs(s, run, consumedJob);
  await saveExternalTasks(s, collector);
  await saveSubscriptions(s, postponed, parsed);
  const orphans = saveCalls(s, postponed, collector);
  if (s.historyRows.length) await EngineHistory.bulkCreate(s.historyRows, { transaction: t });

  const state: InstanceState = ended ? "COMPLETED" : "ACTIVE";
  const engineState = ended ? null : JSON.stringify(await run.getState());
  const variableTypes = nextVariableTypes(parseJson<VariableTypes>(row.variable_types, {}), collector.declaredTypes, before, variables);
  const changes = {
    state,
    engineState,
    variables: variablesJson,
    variableTypes: Object.keys(variableTypes).length ? JSON.stringify(variableTypes) : null,
    version: row.version + 1,
    endedAt: ended ? now : null,
    waits: ended ? null : JSON.stringify(s.waits),
  };
  const started = Boolean(row.isNew);
  if (row.isNew) {
    // A start writes its instance row once, with the state of its first step.
    await EngineInstance.create(
      {
        id: instanceId,
        definitionId: row.definition_id,
        definitionKey: row.definition_key,
        businessKey: row.business_key,
        startActor: row.start_actor,
        departmentId: row.department_id,
        startedAt: toDate(row.started_at)!,
        endReason: null,
        superInstanceId: row.super_instance_id ?? null,
        superExecutionId: row.super_execution_id ?? null,
        ...changes,
      },
      { transaction: t },
    );
    row.isNew = false;
  } else {
    const [changed] = await EngineInstance.update(changes, { where: { id: instanceId, version: row.version }, transaction: t });
    if (changed !== 1) throw new ConflictError(`流程实例 ${instanceId} 已被其他操作修改，请重试`, "instance_version_conflict");
  }
  row.version += 1;
  const view: InstanceView = {
    id: instanceId,
    definitionId: row.definition_id,
    definitionKey: row.definition_key,
    businessKey: row.business_key,
    state,
    startedAt: toDate(row.started_at)!,
    endedAt: ended ? now : null,
    startActor: row.start_actor,
    departmentId: row.department_id,
    endReason: row.end_reason,
    variables,
    variableTypes,
    superInstanceId: row.super_instance_id ?? null,
  };
  const dues = s.newTaskDues.filter((d): d is Date => d !== null).map((d) => d.getTime());
  await emitLifecycle(
    ctx,
    {
      type: "step",
      instance: view,
      started,
      processVersion: row.definition_version ?? null,
      ended,
      endedAt: ended
        ? ([...collector.history].reverse().find((h) => h.event === "activity.end" && h.activityType === "bpmn:EndEvent")?.activityId ??
          null)
        : null,
      processName: parsed.processName,
      waitingAt: postponed.map((p) => ({ id: p.id, type: p.type, name: p.name })),
      newTaskDue: s.newTaskDues.length ? (dues.length ? new Date(Math.min(...dues)) : null) : undefined,
    },
    t,
  );
  if (orphans.length) {
    // A call activity left without its child ending (a boundary event, a terminate end): the child is cancelled (Camunda's).
    for (const childId of orphans) {
      await cancelInstance(ctx, childId, { actor: actor ?? "engine", reason: `调用它的流程实例 ${instanceId} 已离开调用活动` }, t, {
        cascade: true,
      });
    }
  }
  // A child that ends in a later step completes its caller's call activity (a first step's end is handled by the caller).
  if (ended && !started && row.super_instance_id && row.super_execution_id) {
    await resumeCaller(ctx, view, row.super_instance_id, row.super_execution_id, t, actor);
  }
  return view;
}

/** The children of the call activities that wait; answers the children whose call activity is gone without them ending. */
function saveCalls(s: Save, postponed: ReturnType<EngineRun["postponed"]>, collector: StepCollector): string[] {
  const known = s.known?.c ?? {};
  if (!Object.keys(known).length && !collector.calls.size) return [];
  const waiting = new Set(postponed.filter((p) => p.type === "bpmn:CallActivity").map((p) => p.executionId));
  const c: Record<string, string> = {};
  const orphans: string[] = [];
  for (const [executionId, childId] of [...Object.entries(known), ...collector.calls]) {
    if (waiting.has(executionId)) c[executionId] = childId;
    else if (!collector.endedCalls.has(executionId)) orphans.push(childId);
  }
  if (Object.keys(c).length) s.waits.c = c;
  return orphans;
}

/**
 * History ends for the activities this step interrupted (a boundary event fired, a terminate end event): they leave
 * without an end event of their own. Only those that had started count: in this step, or waiting since an earlier one.
 */
function interruptedEnds(s: Save, collector: StepCollector, parsed: ParsedDefinition): HistoryRow[] {
  if (!collector.interrupted.length) return [];
  const started = new Set(collector.history.filter((h) => h.event === "activity.start").map((h) => h.executionId));
  const known = s.known;
  const waited = new Set([
    ...Object.keys(known?.t ?? {}),
    ...Object.keys(known?.j ?? {}),
    ...Object.keys(known?.x ?? {}),
    ...Object.keys(known?.s ?? {}).map((k) => k.split("\u0000")[0]!),
  ]);
  const rows: HistoryRow[] = [];
  for (const a of collector.interrupted) {
    if (!started.has(a.executionId) && !waited.has(a.executionId)) continue;
    const boundary = collector.history.find(
      (h) =>
        (h.event === "activity.start" || h.event === "activity.end") &&
        parsed.activities.get(h.activityId)?.type === "bpmn:BoundaryEvent" &&
        (parsed.activities.get(h.activityId)?.behaviour.attachedTo as { id?: string } | undefined)?.id === a.id,
    );
    const by = boundary ? parsed.activities.get(boundary.activityId) : undefined;
    rows.push({
      ...historyRow(s.row.id, s.now, {
        event: "activity.end",
        activityId: a.id,
        activityType: a.type,
        activityName: a.name ?? parsed.activities.get(a.id)?.name ?? null,
        executionId: a.executionId,
        actor: s.actor,
      }),
      detail: JSON.stringify({
        canceled: true,
        reason: by ? `被边界事件「${by.name ?? by.id}」中断` : "流程中的其他路径结束了它（终止结束事件或中断）",
      }),
    });
  }
  return rows;
}

/** The rows the instance waited on before this step, from its stored waits or else from the table. */
async function existingWaits(
  known: Record<string, string> | undefined,
  load: () => Promise<{ id: string; executionId: string }[]>,
): Promise<{ id: string; executionId: string }[]> {
  return known ? Object.entries(known).map(([executionId, id]) => ({ id, executionId })) : load();
}

/** Creates a task row for each user task that now waits and deletes the rows of those that no longer do; answers the deleted ids. */
async function saveUserTasks(s: Save, postponed: ReturnType<EngineRun["postponed"]>): Promise<string[]> {
  const { t, row, now, actor, variables, waits } = s;
  const instanceId = row.id;
  const existingTasks = await existingWaits(s.known?.t, () =>
    EngineTask.findAll({ where: { instanceId }, attributes: ["id", "executionId"], transaction: t }),
  );
  const waitingTasks = postponed.filter((p) => p.type === "bpmn:UserTask");
  const waitingIds = new Set(waitingTasks.map((p) => p.executionId));
  const goneTasks = existingTasks.filter((x) => !waitingIds.has(x.executionId)).map((x) => x.id);
  const goneInstances = existingTasks.filter((x) => !waitingIds.has(x.executionId) && MI_EXECUTION.test(x.executionId));
  // Before the multi-instance body's end and the rest of the step: right after the step's notes (task.completed).
  if (goneInstances.length)
    s.historyRows.splice(
      s.notes,
      0,
      ...(await instanceEnds(
        s,
        goneInstances.map((x) => x.id),
      )),
    );
  if (goneTasks.length) {
    await EngineTaskCandidate.destroy({ where: { taskId: goneTasks }, transaction: t });
    await EngineTask.destroy({ where: { id: goneTasks }, transaction: t });
  }
  for (const x of existingTasks) if (waitingIds.has(x.executionId)) waits.t[x.executionId] = x.id;
  for (const p of waitingTasks) {
    if (waits.t[p.executionId]) continue;
    const b = p.behaviour;
    const taskId = randomUUID();
    waits.t[p.executionId] = taskId;
    // A multi-instance instance resolves its attributes with its own element variable and loop counter.
    const scope = p.locals ? { ...variables, ...p.locals } : variables;
    const assignee = (resolveTemplate(b.assignee as string | undefined, scope) as string | undefined) || null;
    const groups = splitList(resolveTemplate(b.candidateGroups as string | undefined, scope));
    const users = splitList(resolveTemplate(b.candidateUsers as string | undefined, scope));
    const priorityRaw = resolveTemplate(b.priority as string | undefined, scope);
    const form = taskForm(b, scope, row.definition_id);
    const formRevision = form && s.pinForm ? await s.pinForm(form, t) : null;
    const task = await EngineTask.create(
      {
        id: taskId,
        instanceId,
        definitionId: row.definition_id,
        definitionKey: row.definition_key,
        businessKey: row.business_key,
        activityId: p.id,
        executionId: p.executionId,
        name: p.name,
        assignee: assignee ? String(assignee) : null,
        formKey: form?.key ?? null,
        formRevision,
        priority: Number.isFinite(Number(priorityRaw)) && priorityRaw !== undefined && priorityRaw !== "" ? Number(priorityRaw) : 50,
        dueAt: parseDueDate(resolveTemplate(b.dueDate as string | undefined, scope), now),
        followUpAt: parseDueDate(resolveTemplate(b.followUpDate as string | undefined, scope), now),
        createdAt: now,
      },
      { transaction: t },
    );
    s.newTaskDues.push(task.dueAt);
    // The candidate rows carry the copies the inbox orders and filters by (see EngineTaskCandidate).
    const copy = { taskId, definitionKey: task.definitionKey, assignee: task.assignee, dueAt: task.dueAt, createdAt: task.createdAt };
    const candidates = [
      ...groups.map((value) => ({ ...copy, kind: "group", value })),
      ...users.map((value) => ({ ...copy, kind: "user", value })),
    ];
    if (candidates.length) await EngineTaskCandidate.bulkCreate(candidates, { transaction: t });
    if (p.multiInstance) {
      // Each instance of a multi-instance task is an activity instance of its own in history (Camunda's).
      s.historyRows.push(
        historyRow(instanceId, now, {
          event: "activity.start",
          activityId: p.id,
          activityType: p.type,
          activityName: p.name,
          executionId: p.executionId,
          actor,
          detail: loopDetail(b, p.locals),
        }),
      );
    }
    s.historyRows.push(
      historyRow(instanceId, now, {
        event: "task.created",
        activityId: p.id,
        activityType: p.type,
        activityName: p.name,
        executionId: p.executionId,
        taskId,
        actor,
        detail: { assignee, candidateGroups: groups, candidateUsers: users },
      }),
    );
  }
  return goneTasks;
}

/** A multi-instance instance's execution id (`<activity execution>_<index>`, bpmn-elements' scheme). */
const MI_EXECUTION = /_[0-9a-f]{10}_\d+$/;

/** What history keeps of a multi-instance instance: its loop counter, instance count and element variable. */
function loopDetail(b: Record<string, unknown>, locals: Variables | undefined): Record<string, unknown> {
  const loop = (b.loopCharacteristics as { behaviour?: { elementVariable?: string } } | undefined)?.behaviour;
  const out: Record<string, unknown> = { loopCounter: locals?.loopCounter, nrOfInstances: locals?.nrOfInstances };
  if (loop?.elementVariable && locals && loop.elementVariable in locals) out[loop.elementVariable] = locals[loop.elementVariable];
  return out;
}

/** History ends of the multi-instance task instances this step removed: completed, or cancelled (completion condition, interruption). */
async function instanceEnds(s: Save, taskIds: string[]): Promise<HistoryRow[]> {
  const rows = await EngineTask.findAll({
    where: { id: taskIds },
    attributes: ["id", "activityId", "name", "executionId"],
    transaction: s.t,
  });
  return rows.map((r) => {
    const completed = s.completedTasks.has(r.id);
    return {
      ...historyRow(s.row.id, s.now, {
        event: "activity.end",
        activityId: r.activityId,
        activityType: "bpmn:UserTask",
        activityName: r.name,
        executionId: r.executionId,
        actor: s.actor,
      }),
      ...(completed ? {} : { detail: JSON.stringify({ canceled: true, reason: "多实例已满足完成条件或被中断，其余实例取消" }) }),
    };
  });
}

/** The form a user task binds: camunda:formKey (latest), or Camunda 7's camunda:formRef with formRefBinding / formRefVersion. */
function taskForm(b: Record<string, unknown>, variables: Variables, definitionId: string): FormBinding | null {
  const text = (v: unknown) => (typeof v === "string" ? (resolveTemplate(v, variables) as string | undefined) : undefined);
  const key = text(b.formKey) || text(b.formRef);
  if (!key || typeof key !== "string") return null;
  if (b.formKey || !b.formRef) return { key, binding: "latest", version: null, definitionId };
  const binding = b.formRefBinding === "deployment" || b.formRefBinding === "version" ? b.formRefBinding : "latest";
  const version = Number(text(b.formRefVersion));
  return { key, binding, version: Number.isInteger(version) && version > 0 ? version : null, definitionId };
}

/** One job per pending timer; the job this step consumed and those of timers gone are deleted. */
async function saveTimerJobs(s: Save, run: EngineRun, consumedJob: string | undefined): Promise<void> {
  const { t, row, now, waits } = s;
  const instanceId = row.id;
  const existingJobs = await existingWaits(s.known?.j, () =>
    EngineJob.findAll({ where: { instanceId }, attributes: ["id", "executionId"], transaction: t }),
  );
  const timers = run.pendingTimers();
  const timerIds = new Set(timers.map((r) => r.owner.executionId));
  const keptJobs = new Set<string>();
  const goneJobs: string[] = [];
  for (const j of existingJobs) {
    if (j.id === consumedJob || !timerIds.has(j.executionId)) goneJobs.push(j.id);
    else {
      keptJobs.add(j.executionId);
      waits.j[j.executionId] = j.id;
    }
  }
  if (goneJobs.length) await EngineJob.destroy({ where: { id: goneJobs }, transaction: t });
  for (const ref of timers) {
    if (keptJobs.has(ref.owner.executionId)) continue;
    const dueAt = timerDueAt(ref.owner, ref.delay, now);
    const jobId = randomUUID();
    waits.j[ref.owner.executionId] = jobId;
    await EngineJob.create(
      {
        id: jobId,
        instanceId,
        definitionKey: row.definition_key,
        activityId: ref.owner.id,
        executionId: ref.owner.executionId,
        type: "timer",
        dueAt,
        owner: null,
        lockUntil: null,
        retries: JOB_RETRIES,
        exceptionMessage: null,
        createdAt: now,
      },
      { transaction: t },
    );
  }
}

/** One external task row per external service call waiting for a worker. */
async function saveExternalTasks(s: Save, collector: StepCollector): Promise<void> {
  const { t, row, now, variables, waits } = s;
  const instanceId = row.id;
  const existingExt = await existingWaits(s.known?.x, () =>
    EngineExternalTask.findAll({ where: { instanceId }, attributes: ["id", "executionId"], transaction: t }),
  );
  const extIds = new Set(collector.externalCalls.keys());
  const goneExt = existingExt.filter((x) => !extIds.has(x.executionId)).map((x) => x.id);
  if (goneExt.length) await EngineExternalTask.destroy({ where: { id: goneExt }, transaction: t });
  for (const x of existingExt) if (extIds.has(x.executionId)) waits.x[x.executionId] = x.id;
  for (const call of collector.externalCalls.values()) {
    if (waits.x[call.executionId]) continue;
    const extId = randomUUID();
    waits.x[call.executionId] = extId;
    const priority = Number(resolveTemplate(call.behaviour.taskPriority as string | undefined, variables) ?? 0);
    await EngineExternalTask.create(
      {
        id: extId,
        instanceId,
        definitionId: row.definition_id,
        definitionKey: row.definition_key,
        businessKey: row.business_key,
        activityId: call.activityId,
        executionId: call.executionId,
        topic: String(resolveTemplate(call.behaviour.topic as string, variables) as string),
        workerId: null,
        lockExpiresAt: null,
        retries: null,
        errorMessage: null,
        errorDetails: null,
        priority: Number.isFinite(priority) ? priority : 0,
        availableAt: null,
        createdAt: now,
      },
      { transaction: t },
    );
  }
}

/** One message subscription per waiting activity and message name (catch events, receive tasks, boundary events). */
async function saveSubscriptions(save: Save, postponed: ReturnType<EngineRun["postponed"]>, parsed: ParsedDefinition): Promise<void> {
  const { t, row, now, known, waits } = save;
  const instanceId = row.id;
  const subs: { activityId: string; executionId: string; messageName: string }[] = [];
  for (const p of postponed) {
    type Ref = { id?: string; name?: string } | undefined;
    const refs: Ref[] = [
      p.behaviour.messageRef as Ref,
      ...p.eventDefinitions.filter((e) => e.type === "bpmn:MessageEventDefinition").map((e) => e.behaviour.messageRef as Ref),
    ];
    for (const ref of refs) {
      if (!ref) continue;
      const name = ref.name ?? (ref.id ? parsed.messageNames.get(ref.id) : undefined) ?? ref.id;
      if (name) subs.push({ activityId: p.id, executionId: p.executionId, messageName: name });
    }
  }
  const subKey = (s: { executionId: string; messageName: string }) => `${s.executionId}\u0000${s.messageName}`;
  const existingSubs = known
    ? Object.entries(known.s).map(([k, id]) => ({ id, executionId: k.split("\u0000")[0]!, messageName: k.split("\u0000")[1]! }))
    : await EngineSubscription.findAll({ where: { instanceId }, attributes: ["id", "executionId", "messageName"], transaction: t });
  const wanted = new Set(subs.map(subKey));
  const goneSubs = existingSubs.filter((s) => !wanted.has(subKey(s))).map((s) => s.id);
  if (goneSubs.length) await EngineSubscription.destroy({ where: { id: goneSubs }, transaction: t });
  for (const s of existingSubs) if (wanted.has(subKey(s))) waits.s[subKey(s)] = s.id;
  for (const sub of subs) {
    if (waits.s[subKey(sub)]) continue;
    const subId = randomUUID();
    waits.s[subKey(sub)] = subId;
    await EngineSubscription.create({ id: subId, instanceId, businessKey: row.business_key, ...sub, createdAt: now }, { transaction: t });
  }
}
