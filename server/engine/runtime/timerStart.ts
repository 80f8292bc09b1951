// Timer start events, as in Camunda 7: deploying a process whose start event carries a timer schedules a job that
// belongs to no instance (engine_jobs.instance_id is null, definition_id names the version). When the job fires, the
// job worker starts a new instance of that version in the job's transaction; a cycle schedules its next occurrence in
// the same transaction. Deploying a new version of the key removes the key's timer start jobs and schedules the new
// version's (Camunda's BpmnDeployer: removeObsoleteTimers, addTimerDeclarations).
import { randomUUID } from "node:crypto";
import type { Transaction } from "sequelize";
import { EngineDefinition, EngineJob } from "../../db/models/engineModels.js";
import { ValidationError } from "../../errors.js";
import type { EngineRun, ParsedDefinition } from "../bpmn.js";
import { addDuration } from "../durations.js";
import { actorName, type StartInput } from "../types.js";
import type { EngineContext } from "./context.js";
import { note } from "./history.js";
import { resolveIncidents } from "./incidents.js";
import { startProcess } from "./instances.js";
import { JOB_RETRIES } from "./saveStep.js";
import type { StepCollector } from "./stepCollector.js";

/** engine_jobs.type of a timer start event's job (Camunda's TimerStartEventJobHandler.TYPE). */
export const TIMER_START_JOB = "timer-start-event";

/** Who starts the instances of timer start jobs (the instance's start actor and the history's). */
const JOB_WORKER = "job-worker";

/** Iterations allowed when stepping a calendar period (P1M, P1Y) over a long outage. */
const MAX_STEPS = 100_000;

export interface TimerStart {
  activityId: string;
  timerType: "timeDate" | "timeDuration" | "timeCycle";
  value: string;
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

/** The timer start events directly in the process (not in a sub-process), with their timer definition. */
export function timerStartEvents(parsed: ParsedDefinition): TimerStart[] {
  return startEvents(parsed).timers;
}

// ---- Cycles -----------------------------------------------------------------------------------------------------

/**
 * A cycle as a job keeps it (engine_jobs.timer_repeat): `R<n>/<due>/<period>[/<end>]`, the occurrences from this
 * job's due date on: n of them counting this one (`R` alone: no limit), one period apart, none after end.
 */
interface Cycle {
  times: number | null;
  at: Date;
  period: string;
  end: Date | null;
}

function formatCycle(c: Cycle): string {
  return `R${c.times ?? ""}/${c.at.toISOString()}/${c.period}${c.end ? `/${c.end.toISOString()}` : ""}`;
}

function parseStoredCycle(s: string): Cycle | null {
  const [r, at, period, end] = s.split("/");
  if (!r || !at || !period || !/^R\d*$/.test(r)) return null;
  return { times: r.length > 1 ? Number(r.slice(1)) : null, at: new Date(at), period, end: end ? new Date(end) : null };
}

const isDuration = (part: string) => part.startsWith("P");

function parseDate(part: string, what: string): Date {
  const ms = Date.parse(part);
  if (Number.isNaN(ms)) throw new ValidationError(`定时开始事件的 ${what}「${part}」不是有效的 ISO 8601 日期时间`);
  return new Date(ms);
}

/** A period of whole weeks, days and clock time has a fixed length (UTC days); years and months do not. */
function fixedLength(period: string): number | null {
  const datePart = period.slice(1).split("T")[0] ?? "";
  if (/[YM]/.test(datePart)) return null;
  return addDuration(new Date(0), period).getTime();
}

/**
 * The first occurrence of the series at, at + period, … (at most `times` of them, none after end) that is strictly
 * after `after`, with how many occurrences are left from it on; null when none is.
 */
function nextInSeries(c: Cycle, after: Date): Cycle | null {
  let at = c.at;
  let skipped = 0;
  const fixed = fixedLength(c.period);
  if (at.getTime() <= after.getTime()) {
    if (fixed && fixed > 0) {
      skipped = Math.floor((after.getTime() - at.getTime()) / fixed) + 1;
      at = new Date(at.getTime() + skipped * fixed);
    } else {
      while (at.getTime() <= after.getTime()) {
        at = addDuration(at, c.period);
        if (++skipped > MAX_STEPS || at.getTime() <= c.at.getTime()) return null;
      }
    }
  }
  if (c.times !== null && skipped >= c.times) return null;
  if (c.end && at.getTime() > c.end.getTime()) return null;
  return { times: c.times === null ? null : c.times - skipped, at, period: c.period, end: c.end };
}

/**
 * The first job of a timer start event deployed at `now`: timeDate at that date, timeDuration `now` + duration,
 * timeCycle at its first occurrence after now (`R3/PT1H`: now + 1 h, three in all; `R/2026-12-01T00:00:00Z/P1D`:
 * the start date, or the first day after now once it has passed), with the rest of the cycle. Null: nothing to schedule.
 */
export function firstOccurrence(timer: Pick<TimerStart, "timerType" | "value">, now: Date): { dueAt: Date; repeat: string | null } | null {
  const value = timer.value.trim();
  if (/\$\{/.test(value)) throw new ValidationError(`定时开始事件的时间「${value}」不能使用表达式：部署时还没有流程变量`);
  if (timer.timerType === "timeDate") return { dueAt: parseDate(value, "timeDate"), repeat: null };
  if (timer.timerType === "timeDuration") return { dueAt: addDuration(now, value), repeat: null };
  const parts = value.split("/");
  const r = parts[0] ?? "";
  if (!/^R\d*$/.test(r) || parts.length < 2 || parts.length > 3) {
    throw new ValidationError(`定时开始事件的 timeCycle「${value}」不是有效的 ISO 8601 重复周期（例如 R3/PT1H）`);
  }
  const times = r.length > 1 ? Number(r.slice(1)) : null;
  if (times === 0) return null;
  const [a, b] = parts.slice(1) as [string, string | undefined];
  let cycle: Cycle;
  if (isDuration(a)) {
    // R<n>/<period>[/<end>]: counted from now (Camunda anchors such a cycle at the time the timer is created).
    cycle = { times: times === null ? null : times + 1, at: now, period: a, end: b ? parseDate(b, "timeCycle 结束时间") : null };
  } else {
    const start = parseDate(a, "timeCycle 开始时间");
    if (!b) throw new ValidationError(`定时开始事件的 timeCycle「${value}」缺少周期`);
    const period = isDuration(b) ? b : `PT${(parseDate(b, "timeCycle 结束时间").getTime() - start.getTime()) / 1000}S`;
    if (addDuration(start, period).getTime() <= start.getTime()) {
      throw new ValidationError(`定时开始事件的 timeCycle「${value}」的周期必须大于零`);
    }
    // The start date is the first occurrence: due then while it is ahead, else the first one after now.
    cycle = { times, at: start, period, end: null };
    if (start.getTime() > now.getTime()) return { dueAt: start, repeat: formatCycle(cycle) };
  }
  const next = nextInSeries(cycle, now);
  if (!next) return null;
  return { dueAt: next.at, repeat: formatCycle(next) };
}

/** After this job's occurrence, the next one of its cycle (strictly after now: missed occurrences are skipped), or null. */
export function followingOccurrence(repeat: string | null, now: Date): { dueAt: Date; repeat: string } | null {
  const cycle = repeat ? parseStoredCycle(repeat) : null;
  if (!cycle) return null;
  const after = new Date(Math.max(now.getTime(), cycle.at.getTime()));
  const next = nextInSeries(cycle, after);
  return next ? { dueAt: next.at, repeat: formatCycle(next) } : null;
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
  for (const timer of parsed ? timerStartEvents(parsed) : []) {
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
  const latest = await EngineDefinition.findOne({
    where: { key: job.definitionKey },
    order: [["version", "DESC"]],
    attributes: ["id"],
    transaction: t,
  });
  if (!job.definitionId || latest?.id !== job.definitionId) {
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
