import { Op, QueryTypes, type Transaction } from "sequelize";
import { EngineInstance, EngineJob } from "../../db/models/engineModels.js";
import { audit } from "../../domain/audit.js";
import { NotFoundError } from "../../errors.js";
import { actorName, type Actor } from "../types.js";
import type { EngineContext } from "./context.js";
import { ActivationLimitError } from "./errors.js";
import { record } from "./history.js";
import { openIncident, resolveIncidents } from "./incidents.js";
import { step } from "./instances.js";
import { JOB_RETRIES } from "./saveStep.js";
import { fireTimerStartJob, TIMER_START_JOB, timerStartJobFailed } from "./timerStart.js";

const JOB_LOCK_MS = 5 * 60 * 1000;
/** How often a node with a job worker says it is alive (engine_nodes.heartbeat_at). */
export const HEARTBEAT_MS = 5_000;
/** A node silent this long is taken for dead: its claimed jobs go to the others at once (lease or not). */
export const NODE_DEAD_MS = 20_000;
const JOB_BACKOFF_MS = [10_000, 60_000, 5 * 60_000];

/** Jobs one claim takes at most (Camunda's job executor acquires 3 at a time): a node that dies holds few. */
const JOBS_PER_CLAIM = 5;

/** MySQL DATETIME(3) text of an instant (a raw Date replacement would lose the milliseconds). */
function mysqlDateTime(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}

/**
 * Claims up to `limit` due jobs for this node in one short transaction (a lease until lock_until): on MySQL/MariaDB
 * `FOR UPDATE SKIP LOCKED`, so nodes claiming at the same moment take different jobs instead of waiting; on SQLite
 * the write queue serializes claims.
 */
async function claimDueJobs(ctx: EngineContext, now: Date, limit: number): Promise<string[]> {
  // Read without locking, before the claim: a job whose owner is not among these is free whatever its lease says.
  const alive = [ctx.nodeId, ...(await liveNodes(ctx, now)).filter((n) => n !== ctx.nodeId)];
  return ctx.db.transaction(async (t) => {
    let ids: string[];
    if (ctx.db.dialect === "mysql") {
      const rows = await ctx.db.sequelize.query<{ id: string }>(
        "SELECT id FROM engine_jobs WHERE due_at <= :now AND retries > 0 AND (owner IS NULL OR lock_until < :now OR owner NOT IN (:alive)) ORDER BY due_at LIMIT :limit FOR UPDATE SKIP LOCKED",
        { replacements: { now: mysqlDateTime(now), limit, alive }, type: QueryTypes.SELECT, transaction: t },
      );
      ids = rows.map((r) => r.id);
    } else {
      const rows = await EngineJob.findAll({
        attributes: ["id"],
        where: {
          dueAt: { [Op.lte]: now },
          retries: { [Op.gt]: 0 },
          [Op.or]: [{ owner: null }, { lockUntil: { [Op.lt]: now } }, { owner: { [Op.notIn]: alive } }],
        },
        order: [["dueAt", "ASC"]],
        limit,
        transaction: t,
      });
      ids = rows.map((r) => r.id);
    }
    if (ids.length) {
      await EngineJob.update(
        { owner: ctx.nodeId, lockUntil: new Date(now.getTime() + JOB_LOCK_MS) },
        { where: { id: ids }, transaction: t },
      );
    }
    return ids;
  });
}

/** Nodes whose heartbeat is recent (NODE_DEAD_MS). */
async function liveNodes(ctx: EngineContext, now: Date): Promise<string[]> {
  const since = new Date(now.getTime() - NODE_DEAD_MS);
  const rows = await ctx.db.sequelize.query<{ node_id: string }>("SELECT node_id FROM engine_nodes WHERE heartbeat_at >= :since", {
    replacements: { since: ctx.db.dialect === "mysql" ? mysqlDateTime(since) : since },
    type: QueryTypes.SELECT,
  });
  return rows.map((r) => r.node_id);
}

/** This node is alive: one upsert of its heartbeat row (the job worker calls it every HEARTBEAT_MS). */
export async function heartbeat(ctx: EngineContext): Promise<void> {
  const now = ctx.now();
  const at = ctx.db.dialect === "mysql" ? mysqlDateTime(now) : now;
  const sql =
    ctx.db.dialect === "mysql"
      ? "INSERT INTO engine_nodes (node_id, started_at, heartbeat_at) VALUES (:node, :at, :at) ON DUPLICATE KEY UPDATE heartbeat_at = VALUES(heartbeat_at)"
      : "INSERT INTO engine_nodes (node_id, started_at, heartbeat_at) VALUES (:node, :at, :at) ON CONFLICT(node_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at";
  await ctx.db.sequelize.query(sql, { replacements: { node: ctx.nodeId, at } });
}

/** A node stopping on purpose: its claimed jobs are released and its heartbeat row removed, so others take over at once. */
export async function leaveCluster(ctx: EngineContext): Promise<void> {
  await ctx.db.transaction(async (t) => {
    await EngineJob.update({ owner: null, lockUntil: null }, { where: { owner: ctx.nodeId }, transaction: t });
    await ctx.db.sequelize.query("DELETE FROM engine_nodes WHERE node_id = :node", { replacements: { node: ctx.nodeId }, transaction: t });
  });
}

/** Fires due timer jobs (claimed a few at a time, each fired through load-run-save); returns how many fired. */
export async function runDueJobs(ctx: EngineContext, limit = 50): Promise<number> {
  // A node that claims jobs is alive: others must not take what it is firing (workers also beat in between).
  await heartbeat(ctx);
  let fired = 0;
  for (let taken = 0; taken < limit;) {
    const ids = await claimDueJobs(ctx, ctx.now(), Math.min(JOBS_PER_CLAIM, limit - taken));
    if (!ids.length) break;
    taken += ids.length;
    for (const id of ids) {
      try {
        const done = await ctx.db.transaction((t) => fireJob(ctx, id, t));
        if (done) fired++;
      } catch (err) {
        await jobFailed(ctx, id, err as Error);
      }
    }
  }
  return fired;
}

async function fireJob(ctx: EngineContext, jobId: string, t: Transaction): Promise<boolean> {
  const job = await EngineJob.findByPk(jobId, { transaction: t });
  if (!job || job.owner !== ctx.nodeId) return false;
  // A timer start event's job has no instance: it starts one (timerStart.ts).
  const instanceId = job.instanceId;
  if (job.type === TIMER_START_JOB || !instanceId) return fireTimerStartJob(ctx, jobId, t);
  const instance = await EngineInstance.findByPk(instanceId, { attributes: ["state"], transaction: t });
  if (!instance || instance.state !== "ACTIVE") {
    await EngineJob.destroy({ where: { id: jobId }, transaction: t });
    return false;
  }
  await step(
    ctx,
    instanceId,
    t,
    "job-worker",
    async (run) => {
      const ref = run.pendingTimers().find((r) => r.owner.executionId === job.executionId);
      await record(ctx, t, instanceId, {
        event: "timer.fired",
        activityId: job.activityId,
        actor: "job-worker",
        detail: { jobId, dueAt: job.dueAt },
      });
      // A timer whose engine-side deadline passed fires on resume already; otherwise fire it now.
      if (ref) ref.callback(...ref.args);
    },
    jobId,
  );
  return true;
}

async function jobFailed(ctx: EngineContext, jobId: string, err: Error): Promise<void> {
  ctx.logger.warn({ err, jobId }, "timer job failed");
  await ctx.db.transaction(async (t) => {
    const job = await EngineJob.findByPk(jobId, { transaction: t });
    if (!job) return;
    if (job.type === TIMER_START_JOB) await timerStartJobFailed(ctx, job, t);
    // A loop without a wait state loops again on every retry: straight to an incident (an admin fixes the process first).
    const retries = err instanceof ActivationLimitError ? 0 : Math.max(0, job.retries - 1);
    const now = ctx.now();
    const backoff = JOB_BACKOFF_MS[Math.min(JOB_RETRIES - retries - 1, JOB_BACKOFF_MS.length - 1)] ?? 60_000;
    await EngineJob.update(
      {
        retries,
        owner: null,
        lockUntil: null,
        exceptionMessage: err.message.slice(0, 4000),
        dueAt: retries > 0 ? new Date(now.getTime() + backoff) : job.dueAt,
      },
      { where: { id: jobId }, transaction: t },
    );
    if (retries === 0) {
      // A timer start job's incident has no instance; the job names its definition version.
      const inst = job.instanceId ? await EngineInstance.findByPk(job.instanceId, { attributes: ["definitionId"], transaction: t }) : null;
      await openIncident(t, {
        instanceId: job.instanceId,
        definitionId: job.definitionId ?? inst?.definitionId ?? "",
        activityId: job.activityId,
        type: "failedJob",
        configuration: jobId,
        message: err.message.slice(0, 4000),
        at: now,
      });
      if (job.instanceId)
        await record(ctx, t, job.instanceId, {
          event: "incident.created",
          activityId: job.activityId,
          actor: "job-worker",
          detail: { jobId, message: err.message },
        });
    }
  });
}

/** Sets a job's retries (admin): a job in incident becomes due again and its incident is resolved. */
export async function setJobRetries(ctx: EngineContext, jobId: string, retries: number, actor: Actor, t?: Transaction): Promise<void> {
  await ctx.tx(t, async (t) => {
    const job = await EngineJob.findByPk(jobId, { transaction: t });
    if (!job) throw new NotFoundError(`找不到作业 ${jobId}`);
    const now = ctx.now();
    await EngineJob.update(
      { retries, owner: null, lockUntil: null, dueAt: job.retries === 0 ? now : job.dueAt },
      { where: { id: jobId }, transaction: t },
    );
    if (retries > 0) await resolveIncidents(t, jobId, now);
    await audit(ctx.db, t, {
      actor: actorName(actor),
      action: "incident.retried",
      entityType: "job",
      entityId: jobId,
      detail: { retries, instanceId: job.instanceId, definitionId: job.definitionId },
      at: now,
    });
  });
}

/** Timer job rows, soonest due first, filtered and paged in SQL (listQueries.ts). */
export { findJobRows as findJobs } from "./listQueries.js";
