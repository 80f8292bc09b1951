// Timer start events, as in Camunda 7: deploying a process whose start event carries a timer schedules a job that
// belongs to no instance (engine_jobs.instance_id is null, definition_id names the version). When the job fires, the
// job worker starts a new instance of that version in the job's transaction; a cycle schedules its next occurrence in
// the same transaction. Deploying a new version of the key removes the key's timer start jobs and schedules the new
// version's (Camunda's BpmnDeployer: removeObsoleteTimers, addTimerDeclarations).
import { randomUUID } from "node:crypto";
import type { Transaction } from "sequelize";
import { EngineJob } from "../../db/models/engineModels.js";
import type { EngineRun, ParsedDefinition } from "../bpmn.js";
import { actorName, type StartInput } from "../types.js";
import type { EngineContext } from "./context.js";
import { resolveDefinition } from "./deployments.js";
import { note } from "./history.js";
import { resolveIncidents } from "./incidents.js";
import { startProcess } from "./instances.js";
import { JOB_RETRIES } from "./saveStep.js";
import type { StepCollector } from "./stepCollector.js";
import { firstOccurrence, followingOccurrence, type TimerSpec } from "./timerCycle.js";

/** engine_jobs.type of a timer start event's job (Camunda's TimerStartEventJobHandler.TYPE). */
export const TIMER_START_JOB = "timer-start-event";

/** Who starts the instances of timer start jobs (the instance's start actor and the history's). */
const JOB_WORKER = "job-worker";

export interface TimerStart extends TimerSpec {
  activityId: string;
}

/** An activity as the serialized definition lists it (moddle-context-serializer). */
interface SourceActivity {
  id: string;
  type: string;
  parent?: { id?: string };
  behaviour?: { eventDefinitions?: { type: string; behaviour?: Record<string, unknown> }[] };
}

const startEventsCache = new WeakMap<ParsedDefinition, { timers: TimerStart[]; noneStart: boolean }>();

/** The process's own start events (not a sub-process's): its timer start events with their timer, and whether a none start event is there too. */
function startEvents(parsed: ParsedDefinition): { timers: TimerStart[]; noneStart: boolean } {
  const cached = startEventsCache.get(parsed);
  if (cached) return cached;
  const found: TimerStart[] = [];
  let noneStart = false;
  for (const a of (parsed.sourceContext as { getActivities(): SourceActivity[] }).getActivities()) {
    if (a.type !== "bpmn:StartEvent" || a.parent?.id !== parsed.processId) continue;
    if (!a.behaviour?.eventDefinitions?.length) noneStart = true;
    for (const def of a.behaviour?.eventDefinitions ?? []) {
      if (def.type !== "bpmn:TimerEventDefinition") continue;
      for (const timerType of ["timeDate", "timeDuration", "timeCycle"] as const) {
        const raw = def.behaviour?.[timerType] as string | { body?: unknown } | undefined;
        const value = typeof raw === "string" ? raw : typeof raw?.body === "string" ? raw.body : undefined;
        if (value?.trim()) found.push({ activityId: a.id, timerType, value: value.trim() });
      }
    }
  }
  const result = { timers: found, noneStart };
  startEventsCache.set(parsed, result);
  return result;
}

// ---- Jobs -------------------------------------------------------------------------------------------------------

async function createStartJob(
  ctx: EngineContext,
  job: { definitionId: string; definitionKey: string; activityId: string },
  dueAt: Date,
  repeat: string | null,
  t: Transaction,
): Promise<void> {
  await EngineJob.create(
    {
      id: randomUUID(),
      instanceId: null,
      definitionId: job.definitionId,
      definitionKey: job.definitionKey,
      activityId: job.activityId,
      executionId: null,
      type: TIMER_START_JOB,
      dueAt,
      owner: null,
      lockUntil: null,
      retries: JOB_RETRIES,
      exceptionMessage: null,
      timerRepeat: repeat,
      createdAt: ctx.now(),
    },
    { transaction: t },
  );
}

/** Removes the key's timer start jobs (every version; their open incidents are resolved): a new version replaces them. */
async function removeTimerStartJobs(ctx: EngineContext, definitionKey: string, t: Transaction): Promise<void> {
  const jobs = await EngineJob.findAll({ where: { definitionKey, type: TIMER_START_JOB }, attributes: ["id"], transaction: t });
  if (!jobs.length) return;
  await EngineJob.destroy({ where: { id: jobs.map((j) => j.id) }, transaction: t });
  for (const j of jobs) await resolveIncidents(t, j.id, ctx.now());
}

/**
 * Called by deploy for every new definition version, in the deployment's transaction: the key's previous timer start
 * jobs go, and each timer start event of the new version gets its first job (parsed: null when it has no timer at all).
 */
export async function scheduleTimerStarts(
  ctx: EngineContext,
  def: { id: string; key: string },
  parsed: ParsedDefinition | null,
  t: Transaction,
): Promise<void> {
  await removeTimerStartJobs(ctx, def.key, t);
  const now = ctx.now();
  for (const timer of parsed ? startEvents(parsed).timers : []) {
    const first = firstOccurrence(timer, now);
    if (first) {
      await createStartJob(
        ctx,
        { definitionId: def.id, definitionKey: def.key, activityId: timer.activityId },
        first.dueAt,
        first.repeat,
        t,
      );
    }
  }
}

/**
 * Camunda runs a new instance past its timer start event at once: the timer is the reason to start, not a wait.
 * Called by startProcess right after the engine started; fires the pending timer of the process's timer start event
 * (only the job's own event when a timer start job starts the instance) and notes the firing in the history.
 */
export async function passTimerStart(
  ctx: EngineContext,
  parsed: ParsedDefinition,
  run: EngineRun,
  collector: StepCollector,
  instanceId: string,
  input: StartInput,
): Promise<void> {
  if (input.timerJob) {
    const { id: jobId, activityId, dueAt } = input.timerJob;
    collector.notes.push(
      note(ctx, instanceId, { event: "timer.fired", activityId, actor: actorName(input.actor), detail: { jobId, dueAt } }),
    );
  }
  const { timers: events, noneStart } = startEvents(parsed);
  // A version deployed before deploy refused a none start event beside a timer start event starts from the none one.
  if (!events.length || (noneStart && !input.timerJob)) return;
  // A date the wall clock has passed already fired inside the engine; any other start timer waits for this call.
  const ids = new Set(input.timerJob ? [input.timerJob.activityId] : events.map((e) => e.activityId));
  const refs = run.pendingTimers().filter((r) => ids.has(r.owner.id));
  if (!refs.length) return;
  for (const ref of refs) ref.callback(...ref.args);
  await collector.settle(run);
}

/**
 * Fires a claimed timer start job in the job worker's transaction: the job row goes, a cycle's next occurrence is
 * scheduled and a new instance of the job's definition version starts from the timer start event. A throw rolls all
 * of it back (the job is retried). The job row is locked first (FOR UPDATE on MySQL) so that a node whose lock expired
 * meanwhile cannot fire it a second time. Answers whether an instance was started.
 */
export async function fireTimerStartJob(ctx: EngineContext, jobId: string, t: Transaction): Promise<boolean> {
  const job = await EngineJob.findByPk(jobId, { transaction: t, lock: t.LOCK.UPDATE });
  if (!job || job.owner !== ctx.nodeId) return false;
  await EngineJob.destroy({ where: { id: jobId }, transaction: t });
  const latest = await resolveDefinition(ctx, { key: job.definitionKey }, t);
  if (!job.definitionId || latest.id !== job.definitionId) {
    // A version deployed meanwhile replaced this one: its jobs no longer start anything.
    ctx.logger.info({ jobId, definitionId: job.definitionId }, "timer start job of a replaced definition version dropped");
    await resolveIncidents(t, jobId, ctx.now());
    return false;
  }
  await scheduleFollowing(ctx, job, t);
  await startProcess(
    ctx,
    { definitionId: job.definitionId, actor: JOB_WORKER, timerJob: { id: job.id, activityId: job.activityId, dueAt: job.dueAt } },
    t,
  );
  return true;
}

async function scheduleFollowing(ctx: EngineContext, job: EngineJob, t: Transaction): Promise<void> {
  const next = followingOccurrence(job.timerRepeat, ctx.now());
  if (next && job.definitionId) {
    await createStartJob(
      ctx,
      { definitionId: job.definitionId, definitionKey: job.definitionKey, activityId: job.activityId },
      next.dueAt,
      next.repeat,
      t,
    );
  }
}

/**
 * A timer start job's firing failed (called in the failure's transaction). As Camunda does, a cycle does not wait for
 * the failed occurrence: its next occurrence is scheduled now, once (the failed job keeps no cycle), and the failed
 * job is retried on its own.
 */
export async function timerStartJobFailed(ctx: EngineContext, job: EngineJob, t: Transaction): Promise<void> {
  if (!job.timerRepeat) return;
  await scheduleFollowing(ctx, job, t);
  await EngineJob.update({ timerRepeat: null }, { where: { id: job.id }, transaction: t });
}
