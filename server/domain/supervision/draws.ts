// The 双随机 draw of a plan: freeze the candidate list (and everything else the draw depends on), record a fresh
// seed, compute the draw (drawAlgorithm.ts) and keep it as a preview; confirmation records the targets, publishes
// the draw and starts one inspection case per target. Anyone can repeat a draw: server/cli/draw-verify.ts.
import { randomBytes as cryptoRandomBytes } from "node:crypto";
import { QueryTypes, type Transaction } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { SupervisionDraw, SupervisionDrawTarget, SupervisionPlan } from "../../db/models/supervisionModels.js";
import type { EngineRuntime } from "../../engine/index.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import { audit } from "../audit.js";
import {
  ALGORITHM,
  candidatesHash,
  candidatesJson,
  DrawImpossible,
  GRADES,
  newSeed,
  runDraw,
  type Candidate,
  type DrawGrade,
  type DrawInputs,
  type DrawOutcome,
} from "./drawAlgorithm.js";
import { startInspectionsForDraw } from "./inspections/startInspections.js";
import { findPlan, type PlanRow } from "./plans.js";
import { listInspectors, recusalsOf, selectTargets } from "./pools.js";
import { inTransaction } from "./tx.js";

/** What a draw records besides seed and candidates (result_json). */
export interface DrawRecord extends DrawOutcome {
  inputs: DrawInputs;
}

export interface DrawDeps {
  db: Database;
  engine: EngineRuntime;
  clock: { now(): Date };
}

type Acting = CurrentUser & { ip?: string | null };

const CHUNK = 1000;

/** subjectId -> inspectors of the subject's latest previous drawn target (confirmed draws only have targets). */
async function previousInspectors(db: Database, subjectIds: number[], t?: Transaction): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i < subjectIds.length; i += CHUNK) {
    const rows = await db.sequelize.query<{ subject_id: number; draw_id: number; inspector_usernames_json: string }>(
      `SELECT subject_id, draw_id, inspector_usernames_json FROM supervision_draw_targets
        WHERE subject_id IN (:ids) ORDER BY subject_id, draw_id DESC, id DESC`,
      { type: QueryTypes.SELECT, replacements: { ids: subjectIds.slice(i, i + CHUNK) }, transaction: t },
    );
    for (const r of rows) {
      const key = String(Number(r.subject_id));
      if (key in out) continue;
      try {
        const list: unknown = JSON.parse(r.inspector_usernames_json);
        out[key] = Array.isArray(list) ? list.filter((x): x is string => typeof x === "string").sort() : [];
      } catch {
        out[key] = [];
      }
    }
  }
  return out;
}

/** Everything a draw of this plan depends on, as of now. */
async function freezeInputs(db: Database, plan: PlanRow, t?: Transaction) {
  const targets = await selectTargets(db, plan.departmentId, plan.scope, t);
  const candidates: Candidate[] = targets.map((c) => ({ subjectId: c.subjectId, code: c.code, grade: c.grade }));
  const names = new Map(targets.map((c) => [c.subjectId, c.name]));
  const pool = await listInspectors(db, plan.departmentId, t);
  const candidateIds = new Set(candidates.map((c) => c.subjectId));
  const recusals: Record<string, string[]> = {};
  for (const [subjectId, users] of await recusalsOf(
    db,
    pool.map((p) => p.userId),
    t,
  ))
    if (candidateIds.has(subjectId)) recusals[String(subjectId)] = users;
  const inputs: DrawInputs = {
    ratios: plan.ratios,
    inspectorsPerTarget: plan.inspectorsPerTarget,
    inspectorPool: pool.map((p) => p.username),
    recusals,
    previousInspectors: await previousInspectors(db, [...candidateIds], t),
  };
  return { candidates, names, inputs };
}

function refusal(err: unknown): never {
  if (err instanceof DrawImpossible) throw new ConflictError(err.message, "draw_impossible");
  throw err;
}

/**
 * Draws a plan's sample as a preview: freezes the candidate list and the pool, records 32 random bytes as the seed
 * and the outcome. Every preview is kept and audited (a preview cannot be quietly redrawn until it pleases).
 */
export async function previewDraw(
  db: Database,
  actor: Acting,
  planId: number,
  opts: { randomBytes?: (n: number) => Buffer; now?: Date } = {},
  t?: Transaction,
): Promise<SupervisionDraw> {
  return inTransaction(db, t, async (t) => {
    const plan = await findPlan(planId, t);
    if (!plan) throw new NotFoundError("找不到该抽查计划");
    if (plan.status === "closed") throw new ConflictError("计划已结束，不能再抽取");
    const { candidates, names, inputs } = await freezeInputs(db, plan, t);
    if (!candidates.length)
      throw new ValidationError("该计划的范围内没有检查对象，请调整计划的抽查范围", [{ path: "scope", message: "范围内没有主体" }]);
    if (!inputs.inspectorPool.length)
      throw new ConflictError("本部门的执法检查人员名录库为空（需要本部门启用的审核人员账号），无法抽取检查人员");
    const seed = newSeed(opts.randomBytes ?? cryptoRandomBytes);
    let outcome: DrawOutcome;
    try {
      outcome = runDraw(seed, candidates, inputs, names);
    } catch (err) {
      refusal(err);
    }
    const record: DrawRecord = { ...outcome, inputs };
    const draw = await SupervisionDraw.create(
      {
        planId,
        seed,
        candidatesHash: candidatesHash(candidates),
        candidateCount: candidates.length,
        candidatesJson: candidatesJson(candidates),
        resultJson: JSON.stringify(record),
        status: "preview",
        drawnBy: actor.username,
        confirmedBy: null,
        confirmedAt: null,
        publishedAt: null,
      },
      { transaction: t },
    );
    await audit(db, t, {
      actor: actor.username,
      action: "supervision_draw.previewed",
      entityType: "supervision_draw",
      entityId: draw.id,
      detail: { planId, seed, candidatesHash: draw.candidatesHash, candidates: candidates.length, drawn: outcome.targets.length },
      ip: actor.ip ?? null,
    });
    return draw;
  });
}

export function parseRecord(draw: Pick<SupervisionDraw, "resultJson">): DrawRecord {
  return JSON.parse(draw.resultJson) as DrawRecord;
}

/** Recomputes a draw from its recorded seed, candidates and inputs and says whether it matches what was recorded. */
export function verifyRecordedDraw(draw: Pick<SupervisionDraw, "seed" | "candidatesJson" | "candidatesHash" | "resultJson">) {
  const candidates = JSON.parse(draw.candidatesJson) as Candidate[];
  const record = parseRecord(draw);
  const hash = candidatesHash(candidates);
  const again = runDraw(draw.seed, candidates, record.inputs);
  const same =
    JSON.stringify(again.targets) === JSON.stringify(record.targets) && JSON.stringify(again.perClass) === JSON.stringify(record.perClass);
  return { hashMatches: hash === draw.candidatesHash, resultMatches: same, hash, outcome: again };
}

/**
 * Confirms the plan's latest preview: checks that it still repeats from its record and that no drawn inspector has
 * since been recused or left the pool, writes the targets, publishes the draw, and starts the inspections.
 */
export async function confirmDraw(
  deps: DrawDeps,
  drawId: number,
  actor: Acting,
  opts: { startInspections?: typeof startInspectionsForDraw } = {},
  t?: Transaction,
): Promise<{ draw: SupervisionDraw; targets: number; cases: number }> {
  const { db } = deps;
  return inTransaction(db, t, async (t) => {
    const draw = await SupervisionDraw.findByPk(drawId, { transaction: t, lock: db.dialect === "mysql" ? t.LOCK.UPDATE : undefined });
    if (!draw) throw new NotFoundError("找不到该抽取记录");
    if (draw.status === "confirmed") throw new ConflictError("该抽取结果已经确认过");
    const plan = await SupervisionPlan.findByPk(draw.planId, { transaction: t });
    if (!plan) throw new NotFoundError("找不到该抽查计划");
    if (plan.status === "closed") throw new ConflictError("计划已结束，不能确认抽取结果");
    const latest = await SupervisionDraw.findOne({ where: { planId: draw.planId }, order: [["id", "DESC"]], transaction: t });
    if (latest && latest.id !== draw.id) throw new ConflictError("该计划已有更新的抽取预览，只能确认最新的一次预览");
    const check = verifyRecordedDraw(draw);
    if (!check.hashMatches || !check.resultMatches) throw new ConflictError("抽取记录与重新计算的结果不一致，不能确认");
    const record = parseRecord(draw);
    // The record froze recusals and the pool at the preview; what changed since must not slip through.
    const poolUsers = await listInspectors(db, plan.departmentId, t);
    const pool = new Set(poolUsers.map((p) => p.username));
    const recusedNow = await recusalsOf(
      db,
      poolUsers.map((p) => p.userId),
      t,
    );
    const previousNow = await previousInspectors(
      db,
      record.targets.map((x) => x.subjectId),
      t,
    );
    for (const target of record.targets) {
      const gone = target.inspectors.filter((u) => !pool.has(u));
      const recused = target.inspectors.filter((u) => recusedNow.get(target.subjectId)?.includes(u));
      const prev = previousNow[String(target.subjectId)] ?? [];
      const repeats = prev.length === target.inspectors.length && target.inspectors.every((u) => prev.includes(u));
      if (gone.length || recused.length || repeats)
        throw new ConflictError(
          `检查对象 ${target.code} 的检查人员${gone.length ? `（${gone.join("、")}）已不在名录库中` : recused.length ? `（${recused.join("、")}）已登记回避` : "与其上一次检查的人员组合相同"}，请重新预览抽取后再确认`,
          "draw_stale",
        );
    }
    const now = deps.clock.now();
    if (record.targets.length)
      await SupervisionDrawTarget.bulkCreate(
        record.targets.map((x) => ({
          drawId: draw.id,
          subjectId: x.subjectId,
          grade: x.grade,
          inspectorUsernamesJson: JSON.stringify(x.inspectors),
          caseId: null,
        })),
        { transaction: t },
      );
    draw.set({ status: "confirmed", confirmedBy: actor.username, confirmedAt: now, publishedAt: now });
    await draw.save({ transaction: t });
    if (plan.status === "draft") {
      plan.status = "active";
      await plan.save({ transaction: t });
    }
    await audit(db, t, {
      actor: actor.username,
      action: "supervision_draw.confirmed",
      entityType: "supervision_draw",
      entityId: draw.id,
      detail: {
        planId: plan.id,
        seed: draw.seed,
        candidatesHash: draw.candidatesHash,
        targets: record.targets.map((x) => ({ subjectId: x.subjectId, grade: x.grade, inspectors: x.inspectors })),
      },
      ip: actor.ip ?? null,
    });
    const start = opts.startInspections ?? startInspectionsForDraw;
    const started = await start(deps, draw.id, actor, t);
    return { draw, targets: record.targets.length, cases: started.length };
  });
}

export interface DrawView {
  id: number;
  planId: number;
  planName: string;
  departmentId: number;
  departmentName: string;
  year: number;
  seed: string;
  candidatesHash: string;
  candidateCount: number;
  status: "preview" | "confirmed";
  algorithm: string;
  drawnBy: string;
  createdAt: Date;
  confirmedBy: string | null;
  confirmedAt: Date | null;
  publishedAt: Date | null;
  perClass: Array<{ grade: DrawGrade; candidates: number; drawn: number; ratio: number }>;
  targets: Array<{
    subjectId: number;
    code: string;
    name: string;
    subjectType: string;
    grade: DrawGrade;
    inspectors: Array<{ username: string; name: string }>;
    caseId: number | null;
  }>;
}

/** A draw with its plan, subject names and inspectors' names, for the staff and public pages. */
export async function loadDrawView(db: Database, draw: SupervisionDraw, t?: Transaction): Promise<DrawView> {
  const plan = await findPlan(draw.planId, t);
  const record = parseRecord(draw);
  const subjectIds = record.targets.map((x) => x.subjectId);
  const usernames = [...new Set(record.targets.flatMap((x) => x.inspectors))];
  const subjects = new Map<number, { name: string; type: string }>();
  for (let i = 0; i < subjectIds.length; i += CHUNK) {
    const rows = await db.sequelize.query<{ id: number; name: string; subject_type: string }>(
      "SELECT id, name, subject_type FROM credit_subjects WHERE id IN (:ids)",
      { type: QueryTypes.SELECT, replacements: { ids: subjectIds.slice(i, i + CHUNK) }, transaction: t },
    );
    for (const r of rows) subjects.set(Number(r.id), { name: r.name, type: r.subject_type });
  }
  const people = new Map<string, string>();
  if (usernames.length) {
    const rows = await db.sequelize.query<{ username: string; display_name: string }>(
      "SELECT username, display_name FROM users WHERE username IN (:usernames)",
      { type: QueryTypes.SELECT, replacements: { usernames }, transaction: t },
    );
    for (const r of rows) people.set(r.username, r.display_name);
  }
  const cases = new Map<number, number | null>();
  if (draw.status === "confirmed") {
    const rows = await SupervisionDrawTarget.findAll({ where: { drawId: draw.id }, attributes: ["subjectId", "caseId"], transaction: t });
    for (const r of rows) cases.set(r.subjectId, r.caseId);
  }
  return {
    id: draw.id,
    planId: draw.planId,
    planName: plan?.name ?? "",
    departmentId: plan?.departmentId ?? 0,
    departmentName: plan?.departmentName ?? "",
    year: plan?.year ?? 0,
    seed: draw.seed,
    candidatesHash: draw.candidatesHash,
    candidateCount: draw.candidateCount,
    status: draw.status,
    algorithm: record.algorithm ?? ALGORITHM,
    drawnBy: draw.drawnBy,
    createdAt: draw.createdAt,
    confirmedBy: draw.confirmedBy,
    confirmedAt: draw.confirmedAt,
    publishedAt: draw.publishedAt,
    perClass: GRADES.map((g) => ({ grade: g, ...record.perClass[g], ratio: record.inputs.ratios[g] })),
    targets: record.targets.map((x) => ({
      subjectId: x.subjectId,
      code: x.code,
      name: subjects.get(x.subjectId)?.name ?? x.code,
      subjectType: subjects.get(x.subjectId)?.type ?? "",
      grade: x.grade,
      inspectors: x.inspectors.map((u) => ({ username: u, name: people.get(u) ?? u })),
      caseId: cases.get(x.subjectId) ?? null,
    })),
  };
}

export async function findDraw(id: number, t?: Transaction): Promise<SupervisionDraw | null> {
  return SupervisionDraw.findByPk(id, { transaction: t });
}

/** A plan's draws, newest first (previews and confirmed). */
export async function drawsOfPlan(planId: number): Promise<SupervisionDraw[]> {
  return SupervisionDraw.findAll({ where: { planId }, order: [["id", "DESC"]] });
}

export interface PublishedDrawRow {
  id: number;
  planName: string;
  departmentName: string;
  year: number;
  publishedAt: Date;
  candidateCount: number;
  targets: number;
  seed: string;
}

/** Published (confirmed) draws, newest first, one page. */
export async function listPublishedDraws(
  db: Database,
  page: number,
  pageSize = 20,
): Promise<{ rows: PublishedDrawRow[]; total: number; page: number; pageSize: number }> {
  const [count] = await db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM supervision_draws WHERE status = 'confirmed'", {
    type: QueryTypes.SELECT,
  });
  const rows = await db.sequelize.query<{
    id: number;
    plan_name: string;
    department_name: string;
    year: number;
    published_at: Date | string;
    candidate_count: number;
    seed: string;
    targets: number;
  }>(
    `SELECT d.id, p.name AS plan_name, dep.name AS department_name, p.year, d.published_at, d.candidate_count, d.seed,
            (SELECT COUNT(*) FROM supervision_draw_targets t WHERE t.draw_id = d.id) AS targets
       FROM supervision_draws d JOIN supervision_plans p ON p.id = d.plan_id JOIN departments dep ON dep.id = p.department_id
      WHERE d.status = 'confirmed' ORDER BY d.published_at DESC, d.id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
    { type: QueryTypes.SELECT },
  );
  return {
    rows: rows.map((r) => ({
      id: Number(r.id),
      planName: r.plan_name,
      departmentName: r.department_name,
      year: Number(r.year),
      publishedAt: new Date(r.published_at),
      candidateCount: Number(r.candidate_count),
      targets: Number(r.targets),
      seed: r.seed,
    })),
    total: Number(count?.n ?? 0),
    page,
    pageSize,
  };
}
