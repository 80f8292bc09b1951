// Keeping every subject's class current: regrade a set of subjects (writing their grade rows and auditing every class
// change), the job that every minute regrades the subjects whose inputs changed, and the nightly full regrade.
import { fn, col, Op, UniqueConstraintError, type QueryInterface, type Transaction } from "sequelize";
import type { Clock } from "../../clock.js";
import type { Database } from "../../db/database.js";
import { Commitment } from "../../db/models/Commitment.js";
import { CreditRecord } from "../../db/models/CreditRecord.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { ScheduledJobRun } from "../../db/models/ScheduledJobRun.js";
import { DEFAULT_GRADE, SubjectGrade, type Grade } from "../../db/models/SubjectGrade.js";
import type { Logger } from "../../logger.js";
import { audit } from "../audit.js";
import { chinaDay } from "../calendar/days.js";
import { evaluate, prepare, type Evaluation, type PreparedIndicator } from "./evaluate.js";
import { loadInputs } from "./inputs.js";
import { listModels, modelOn, type ModelDef } from "./model.js";

export const GRADING_TICK_JOB = "grading.changed";
export const GRADING_NIGHTLY_JOB = "grading.nightly";
/** China-time hour from which the nightly full regrade runs (once per day). */
export const NIGHTLY_HOUR = 2;
/**
 * How long a write may take to commit: a change is looked for this far back, and a subject's inputs count as seen
 * only up to this long before it was graded, so a record committed late is still picked up at the next ticks.
 */
export const COMMIT_MARGIN_MS = 120_000;
/** Subjects of an earlier model version regraded per tick once a new version is in force (the rest: next ticks, nightly). */
export const MODEL_CHANGE_BATCH = 5000;
const CHUNK = 1000;

const asDate = (v: Date | string | null | undefined): Date | null =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(v);

export interface ClassChange {
  subjectId: number;
  from: Grade;
  to: Grade;
  score: number;
}

export interface RegradeResult {
  /** Subjects whose grade row was written. */
  recomputed: number[];
  changes: ClassChange[];
}

export interface RegradeOptions {
  model: ModelDef;
  day: string;
  at: Date;
  /** Write only subjects whose inputs changed after their grade (or graded under another version, or never). */
  onlyChanged: boolean;
  marginMs?: number;
  /** Real time (timestamps of rows are real time even when the app's clock is not). */
  realNow?: Date;
}

/** Scores a chunk of subjects under a model without writing (preview, bench). */
export async function evaluateSubjects(
  subjectIds: number[],
  model: ModelDef,
  prepared: PreparedIndicator[],
  t?: Transaction,
): Promise<Map<number, Evaluation>> {
  const { inputs } = await loadInputs(subjectIds, t);
  const out = new Map<number, Evaluation>();
  for (const id of subjectIds) out.set(id, evaluate(model, prepared, inputs.get(id) ?? { records: [], commitments: [] }));
  return out;
}

/** Regrades subjects inside the caller's transaction; every class change is an audit entry (actor system). */
export async function regradeSubjects(db: Database, t: Transaction, subjectIds: number[], opts: RegradeOptions): Promise<RegradeResult> {
  const prepared = prepare(opts.model, opts.day);
  const realNow = opts.realNow ?? new Date();
  const seenUpTo = new Date(realNow.getTime() - (opts.marginMs ?? COMMIT_MARGIN_MS));
  const result: RegradeResult = { recomputed: [], changes: [] };
  const ids = [...new Set(subjectIds)].sort((a, b) => a - b);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const [{ inputs, latest }, existingRows] = await Promise.all([
      loadInputs(part, t),
      SubjectGrade.findAll({
        where: { subjectId: part },
        attributes: ["subjectId", "grade", "score", "reasons", "modelId", "inputsAt"],
        raw: true,
        transaction: t,
      }),
    ]);
    const existing = new Map(existingRows.map((g) => [g.subjectId, g]));
    const rows: Array<Record<string, unknown>> = [];
    const sameAsBefore: number[] = [];
    for (const subjectId of part) {
      const old = existing.get(subjectId);
      const last = latest.get(subjectId) ?? null;
      const seen = asDate(old?.inputsAt);
      if (opts.onlyChanged && old && old.modelId === opts.model.id) {
        if (!last || (seen && last <= seen)) continue;
      }
      if (opts.onlyChanged && !old && !last) continue;
      const e = evaluate(opts.model, prepared, inputs.get(subjectId) ?? { records: [], commitments: [] });
      const reasons = JSON.stringify(e.reasons);
      const inputsAt = last ? (last < seenUpTo ? last : seenUpTo) : null;
      result.recomputed.push(subjectId);
      if (
        old &&
        old.grade === e.grade &&
        Number(old.score) === e.score &&
        old.reasons === reasons &&
        old.modelId === opts.model.id &&
        (seen?.getTime() ?? null) === (inputsAt?.getTime() ?? null)
      ) {
        // Recomputed to the same result: only its computed_at moves (one statement for the chunk).
        sameAsBefore.push(subjectId);
        continue;
      }
      rows.push({
        subject_id: subjectId,
        grade: e.grade,
        score: e.score,
        reasons,
        model_id: opts.model.id!,
        computed_at: opts.at,
        inputs_at: inputsAt,
        created_at: opts.at,
        updated_at: opts.at,
      });
      const from = old?.grade ?? DEFAULT_GRADE;
      if (from !== e.grade) {
        result.changes.push({ subjectId, from, to: e.grade, score: e.score });
        await audit(db, t, {
          actor: "system",
          action: "subject.grade_changed",
          entityType: "credit_subject",
          entityId: subjectId,
          detail: {
            from,
            fromGraded: !!old,
            to: e.grade,
            score: e.score,
            reasons: e.reasons,
            model: { id: opts.model.id, version: opts.model.version, effectiveFrom: opts.model.effectiveFrom },
            day: opts.day,
          },
          at: opts.at,
        });
      }
    }
    if (rows.length)
      await db.sequelize.getQueryInterface().bulkInsert("subject_grades", rows, {
        transaction: t,
        updateOnDuplicate: ["grade", "score", "reasons", "model_id", "computed_at", "inputs_at", "updated_at"],
        upsertKeys: ["subject_id"],
      } as Parameters<QueryInterface["bulkInsert"]>[2]);
    if (sameAsBefore.length) await SubjectGrade.update({ computedAt: opts.at }, { where: { subjectId: sameAsBefore }, transaction: t });
  }
  return result;
}

/** Every subject id, in id order, a page at a time. */
export async function* allSubjectIds(t?: Transaction, page = 5000): AsyncGenerator<number[]> {
  let after = 0;
  for (;;) {
    const rows = await CreditSubject.findAll({
      where: { id: { [Op.gt]: after } },
      attributes: ["id"],
      order: [["id", "ASC"]],
      limit: page,
      raw: true,
      transaction: t,
    });
    if (!rows.length) return;
    after = rows[rows.length - 1]!.id;
    yield rows.map((r) => r.id);
  }
}

/** Regrades every subject under the model in force on `day` (nightly, and after a new version in tests and bench). */
export async function regradeAll(db: Database, t: Transaction, opts: Omit<RegradeOptions, "onlyChanged">): Promise<RegradeResult> {
  const total: RegradeResult = { recomputed: [], changes: [] };
  for await (const ids of allSubjectIds(t)) {
    const r = await regradeSubjects(db, t, ids, { ...opts, onlyChanged: false });
    for (const id of r.recomputed) total.recomputed.push(id);
    for (const c of r.changes) total.changes.push(c);
  }
  return total;
}

async function changedSince(since: Date | null, t: Transaction): Promise<number[]> {
  const where = since ? { updatedAt: { [Op.gt]: since } } : {};
  const [records, commitments] = await Promise.all([
    CreditRecord.findAll({ where, attributes: [[fn("DISTINCT", col("subject_id")), "subjectId"]], raw: true, transaction: t }),
    Commitment.findAll({ where, attributes: [[fn("DISTINCT", col("subject_id")), "subjectId"]], raw: true, transaction: t }),
  ]);
  return [...new Set([...records, ...commitments].map((r) => Number(r.subjectId)))];
}

async function latestInputChange(t: Transaction): Promise<Date | null> {
  const [a, b] = await Promise.all([CreditRecord.max("updatedAt", { transaction: t }), Commitment.max("updatedAt", { transaction: t })]);
  const dates = [asDate(a as Date | string | null), asDate(b as Date | string | null)].filter((d): d is Date => !!d);
  return dates.length ? new Date(Math.max(...dates.map((d) => d.getTime()))) : null;
}

export interface TickResult {
  ran: boolean;
  candidates: number;
  recomputed: number[];
  changes: ClassChange[];
}

/** The minute key of an instant, as the run_day of a tick's claim row. */
export const minuteKey = (at: Date) => String(Math.floor(at.getTime() / 60_000));

async function claim(job: string, key: string, nodeId: string, at: Date, t: Transaction): Promise<boolean> {
  if (await ScheduledJobRun.findOne({ where: { job, runDay: key }, transaction: t })) return false;
  await ScheduledJobRun.create({ job, runDay: key, nodeId, result: null, ranAt: at }, { transaction: t });
  return true;
}

/**
 * The minute's regrade, exactly once across nodes (the claim row (job, minute) is inserted in the same transaction as
 * the work, as for the daily expiry): subjects with a record or commitment written since the last tick (less the
 * commit margin) whose inputs changed after their grade, plus a batch of subjects graded under another version.
 */
export async function runGradingTick(
  db: Database,
  input: { at: Date; nodeId: string; marginMs?: number; realNow?: Date },
): Promise<TickResult> {
  const none: TickResult = { ran: false, candidates: 0, recomputed: [], changes: [] };
  const marginMs = input.marginMs ?? COMMIT_MARGIN_MS;
  try {
    return await db.transaction(async (t) => {
      const key = minuteKey(input.at);
      if (!(await claim(GRADING_TICK_JOB, key, input.nodeId, input.at, t))) return none;
      const previous = await ScheduledJobRun.findOne({
        where: { job: GRADING_TICK_JOB, runDay: { [Op.ne]: key }, result: { [Op.ne]: null } },
        order: [["ranAt", "DESC"]],
        transaction: t,
      });
      const prevMark = previous?.result ? (JSON.parse(previous.result) as { watermark?: string | null }).watermark : null;
      const since = prevMark ? new Date(new Date(prevMark).getTime() - marginMs) : null;
      const day = chinaDay(input.at);
      const model = modelOn(await listModels(t), day);
      const watermark = await latestInputChange(t);
      let out: TickResult = { ran: true, candidates: 0, recomputed: [], changes: [] };
      if (model) {
        const changed = await changedSince(since, t);
        const stale = await SubjectGrade.findAll({
          where: { modelId: { [Op.ne]: model.id! } },
          attributes: ["subjectId"],
          limit: MODEL_CHANGE_BATCH,
          raw: true,
          transaction: t,
        });
        const candidates = [...new Set([...changed, ...stale.map((s) => s.subjectId)])];
        const r = await regradeSubjects(db, t, candidates, {
          model,
          day,
          at: input.at,
          onlyChanged: true,
          marginMs,
          realNow: input.realNow,
        });
        out = { ran: true, candidates: candidates.length, recomputed: r.recomputed, changes: r.changes };
      }
      // Claim rows of earlier ticks are kept a day (they carry the watermark), then removed.
      await ScheduledJobRun.destroy({
        where: { job: GRADING_TICK_JOB, ranAt: { [Op.lt]: new Date(input.at.getTime() - 86_400_000) } },
        transaction: t,
      });
      await ScheduledJobRun.update(
        {
          result: JSON.stringify({
            watermark: (watermark ?? (prevMark ? new Date(prevMark) : null))?.toISOString() ?? null,
            candidates: out.candidates,
            recomputed: out.recomputed.length,
            changed: out.changes.length,
          }),
        },
        { where: { job: GRADING_TICK_JOB, runDay: key }, transaction: t },
      );
      return out;
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError) return none;
    throw err;
  }
}

/** Subjects regraded per transaction by the nightly run (short transactions: SQLite has one writer). */
export const NIGHTLY_CHUNK = 2000;

interface NightlyState {
  state: "running" | "done";
  cursor: number;
  recomputed: number;
  changed: number;
  model: number | null;
}

/**
 * The nightly full regrade of `day` (record ages move on with the calendar), once per day across nodes. The node that
 * inserts the (job, day) row runs it; then every chunk of subjects is one transaction that also advances the row's
 * cursor, so each chunk is written once and a second node never works on the day. A run whose node stops midway stays
 * unfinished for that day (the minute ticks go on; the next night regrades everyone).
 */
export async function runNightlyGrading(
  db: Database,
  input: { day: string; at: Date; nodeId: string; chunk?: number },
): Promise<{ ran: boolean; recomputed: number; changes: ClassChange[] }> {
  const where = { job: GRADING_NIGHTLY_JOB, runDay: input.day };
  const model = modelOn(await listModels(), input.day);
  let state: NightlyState = { state: "running", cursor: 0, recomputed: 0, changed: 0, model: model?.version ?? null };
  try {
    const claimed = await db.transaction(async (t) => {
      if (!(await claim(GRADING_NIGHTLY_JOB, input.day, input.nodeId, input.at, t))) return false;
      await ScheduledJobRun.update({ result: JSON.stringify(state) }, { where, transaction: t });
      return true;
    });
    if (!claimed) return { ran: false, recomputed: 0, changes: [] };
  } catch (err) {
    if (err instanceof UniqueConstraintError) return { ran: false, recomputed: 0, changes: [] };
    throw err;
  }
  const changes: ClassChange[] = [];
  for (;;) {
    const done = await db.transaction(async (t) => {
      const row = await ScheduledJobRun.findOne({ where, transaction: t, lock: t.LOCK.UPDATE });
      const current = row?.result ? (JSON.parse(row.result) as NightlyState) : null;
      if (!row || row.nodeId !== input.nodeId || !current || current.state !== "running") return true;
      const ids = (
        await CreditSubject.findAll({
          where: { id: { [Op.gt]: current.cursor } },
          attributes: ["id"],
          order: [["id", "ASC"]],
          limit: input.chunk ?? NIGHTLY_CHUNK,
          raw: true,
          transaction: t,
        })
      ).map((r) => r.id);
      const r = model && ids.length ? await regradeSubjects(db, t, ids, { model, day: input.day, at: input.at, onlyChanged: false }) : null;
      for (const c of r?.changes ?? []) changes.push(c);
      state = {
        ...current,
        cursor: ids.length ? ids[ids.length - 1]! : current.cursor,
        recomputed: current.recomputed + (r?.recomputed.length ?? 0),
        changed: current.changed + (r?.changes.length ?? 0),
        state: ids.length ? "running" : "done",
      };
      await ScheduledJobRun.update({ result: JSON.stringify(state) }, { where, transaction: t });
      if (state.state === "done")
        await audit(db, t, {
          actor: "system",
          action: "grading.nightly_regraded",
          entityType: "scheduled_job",
          entityId: `${GRADING_NIGHTLY_JOB}:${input.day}`,
          detail: { day: input.day, node: input.nodeId, recomputed: state.recomputed, changed: state.changed, model: state.model },
          at: input.at,
        });
      return state.state === "done";
    });
    if (done) break;
  }
  return { ran: true, recomputed: state.recomputed, changes };
}

/** The China-time hour of an instant. */
const chinaHour = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).getUTCHours();

/**
 * Starts the grading jobs in this node: every interval the minute's regrade of changed subjects, and from
 * NIGHTLY_HOUR (China time) the day's full regrade if no node ran it yet. Every node may tick; claim rows make each
 * run happen once.
 */
export function startGradingJobs(deps: { db: Database; clock: Clock; logger: Logger; nodeId: string }, intervalMs = 60_000) {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    if (running) return;
    const at = deps.clock.now();
    running = runGradingTick(deps.db, { at, nodeId: deps.nodeId })
      .then(async (r) => {
        if (r.ran && r.changes.length)
          deps.logger.info({ recomputed: r.recomputed.length, changed: r.changes.length }, "grades recomputed");
        if (chinaHour(at) >= NIGHTLY_HOUR) {
          const n = await runNightlyGrading(deps.db, { day: chinaDay(at), at, nodeId: deps.nodeId });
          if (n.ran) deps.logger.info({ day: chinaDay(at), recomputed: n.recomputed, changed: n.changes.length }, "nightly grading ran");
        }
      })
      .catch((err: unknown) => deps.logger.error({ err }, "grading job failed; retried at the next tick"))
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
