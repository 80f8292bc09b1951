import { Op, UniqueConstraintError } from "sequelize";
import type { Clock } from "../../clock.js";
import type { Database } from "../../db/database.js";
import { CreditRecord } from "../../db/models/CreditRecord.js";
import { CreditRecordStatusChange } from "../../db/models/CreditRecordStatusChange.js";
import { ScheduledJobRun } from "../../db/models/ScheduledJobRun.js";
import type { Logger } from "../../logger.js";
import { audit } from "../audit.js";
import { chinaDay } from "../calendar/days.js";

export const EXPIRY_JOB = "credit.publicity_expiry";

/**
 * Ends the publication of every record past its maximum period (公示中 -> 已届满) for `day`, exactly once across all
 * nodes: the run claims (job, day) by inserting its row in the same transaction as the work. A second node's insert
 * waits for the first and then fails on the key (MySQL/MariaDB), or finds the row (SQLite's single writer), and does
 * nothing; a failed run rolls its claim back with its work and the next tick tries again.
 */
export async function runPublicityExpiry(
  db: Database,
  input: { day: string; nodeId: string; at: Date },
): Promise<{ ran: boolean; expired: number[] }> {
  try {
    return await db.transaction(async (t) => {
      if (await ScheduledJobRun.findOne({ where: { job: EXPIRY_JOB, runDay: input.day }, transaction: t }))
        return { ran: false, expired: [] };
      await ScheduledJobRun.create(
        { job: EXPIRY_JOB, runDay: input.day, nodeId: input.nodeId, result: null, ranAt: input.at },
        { transaction: t },
      );
      const due = await CreditRecord.findAll({
        where: { status: "公示中", publicityUntil: { [Op.lt]: input.day } },
        attributes: ["id", "publicityUntil"],
        raw: true,
        transaction: t,
      });
      const ids = due.map((r) => r.id);
      for (let i = 0; i < ids.length; i += 500) {
        const part = ids.slice(i, i + 500);
        await CreditRecord.update(
          { status: "已届满", statusChangedAt: input.at },
          { where: { id: part, status: "公示中" }, transaction: t },
        );
        await CreditRecordStatusChange.bulkCreate(
          part.map((id) => ({
            recordId: id,
            fromStatus: "公示中" as const,
            toStatus: "已届满" as const,
            reason: "公示期满，自动停止公示",
            actor: "system",
            at: input.at,
          })),
          { transaction: t },
        );
      }
      await ScheduledJobRun.update(
        { result: JSON.stringify({ expired: ids.length }) },
        { where: { job: EXPIRY_JOB, runDay: input.day }, transaction: t },
      );
      await audit(db, t, {
        actor: "system",
        action: "credit_record.publicity_expired",
        entityType: "scheduled_job",
        entityId: `${EXPIRY_JOB}:${input.day}`,
        detail: { day: input.day, node: input.nodeId, records: ids.slice(0, 2000), count: ids.length },
        at: input.at,
      });
      return { ran: true, expired: ids };
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError) return { ran: false, expired: [] };
    throw err;
  }
}

/** The runs of a job, newest first (the rules page shows the last ones). */
export async function recentRuns(job = EXPIRY_JOB, limit = 10): Promise<ScheduledJobRun[]> {
  return ScheduledJobRun.findAll({ where: { job }, order: [["runDay", "DESC"]], limit, raw: true });
}

/**
 * Starts the daily credit jobs in this node: every interval it runs today's expiry if no node has yet. Every node may
 * run it; the claim row makes it happen once a day.
 */
export function startCreditDailyJobs(deps: { db: Database; clock: Clock; logger: Logger; nodeId: string }, intervalMs = 60_000) {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    if (running) return;
    const at = deps.clock.now();
    running = runPublicityExpiry(deps.db, { day: chinaDay(at), nodeId: deps.nodeId, at })
      .then((r) => {
        if (r.ran) deps.logger.info({ day: chinaDay(at), expired: r.expired.length }, "credit publicity expiry ran");
      })
      .catch((err: unknown) => deps.logger.error({ err }, "credit publicity expiry failed; retried at the next tick"))
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
