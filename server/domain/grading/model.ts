// The public credit evaluation model (公共信用综合评价) as dated configuration: versions with an effective date, each
// with its indicators (what they count, points per item, a cap, a class they force) and the score bands of A-D.
import type { Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { GradingIndicator, INDICATOR_KINDS, type IndicatorKind } from "../../db/models/GradingIndicator.js";
import { GradingModel } from "../../db/models/GradingModel.js";
import { GRADES, type Grade } from "../../db/models/SubjectGrade.js";
import { ValidationError, type ErrorDetail } from "../../errors.js";
import { audit } from "../audit.js";
import { assertDay } from "../calendar/days.js";

/** Credit records of these types, severities (null: any) and statuses, decided within the age band. */
export interface RecordParams {
  recordTypes: string[];
  severities: string[] | null;
  statuses: string[];
  /** Age band in months, from the decision date to the evaluation day: min <= age < max (max null: no limit). */
  minAgeMonths: number;
  maxAgeMonths: number | null;
}

/** Commitments whose verification (核查) result is one of these, verified within the age band. */
export interface CommitmentParams {
  fulfilment: string[];
  /** Leave out a breach whose 违诺 record was repaired, shielded or withdrawn. */
  excludeRepaired: boolean;
  minAgeMonths: number;
  maxAgeMonths: number | null;
}

export interface IndicatorDef {
  code: string;
  label: string;
  kind: IndicatorKind;
  params: RecordParams | CommitmentParams;
  /** Points per counted item: negative deducts. */
  points: number;
  /** Largest total the indicator adds or deducts (absolute); null: no cap. */
  cap: number | null;
  /** The class a subject is at least (or worse) when the indicator counts anything. */
  forceGrade: Grade | null;
  enabled: boolean;
  sort: number;
  note: string | null;
}

export interface ModelDef {
  id: number | null;
  name: string;
  version: number;
  effectiveFrom: string;
  baseScore: number;
  /** Lowest score of A, B and C; below minC is D. */
  minA: number;
  minB: number;
  minC: number;
  note: string | null;
  toBeConfirmed: boolean;
  createdBy: string | null;
  createdAt: Date | null;
  indicators: IndicatorDef[];
}

const num = (v: number | string | null): number => Number(v ?? 0);

function indicatorDef(row: GradingIndicator): IndicatorDef {
  return {
    code: row.code,
    label: row.label,
    kind: row.kind,
    params: JSON.parse(row.params) as RecordParams | CommitmentParams,
    points: num(row.points),
    cap: row.cap === null ? null : num(row.cap),
    forceGrade: (row.forceGrade as Grade | null) ?? null,
    enabled: !!row.enabled,
    sort: row.sort,
    note: row.note,
  };
}

/** Every version, newest effective date first, with its indicators in display order. */
export async function listModels(t?: Transaction): Promise<ModelDef[]> {
  const [models, indicators] = await Promise.all([
    GradingModel.findAll({ order: [["effectiveFrom", "DESC"]], transaction: t }),
    GradingIndicator.findAll({
      order: [
        ["sort", "ASC"],
        ["id", "ASC"],
      ],
      transaction: t,
    }),
  ]);
  return models.map((m) => ({
    id: m.id,
    name: m.name,
    version: m.version,
    effectiveFrom: m.effectiveFrom,
    baseScore: num(m.baseScore),
    minA: num(m.minA),
    minB: num(m.minB),
    minC: num(m.minC),
    note: m.note,
    toBeConfirmed: !!m.toBeConfirmed,
    createdBy: m.createdBy,
    createdAt: m.createdAt,
    indicators: indicators.filter((i) => i.modelId === m.id).map(indicatorDef),
  }));
}

/** The version in force on a day: the latest whose effective date is on or before it (null before every version). */
export function modelOn(models: ModelDef[], day: string): ModelDef | null {
  return models.filter((m) => m.effectiveFrom <= day).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0] ?? null;
}

export async function modelInForce(day: string, t?: Transaction): Promise<ModelDef | null> {
  return modelOn(await listModels(t), day);
}

/** The class of a score under a model's bands. */
export function gradeOfScore(model: Pick<ModelDef, "minA" | "minB" | "minC">, score: number): Grade {
  if (score >= model.minA) return "A";
  if (score >= model.minB) return "B";
  if (score >= model.minC) return "C";
  return "D";
}

export interface IndicatorChange {
  code: string;
  points: number;
  cap: number | null;
  forceGrade: Grade | null;
  enabled: boolean;
}

export interface NewVersionInput {
  effectiveFrom: string;
  baseScore: number;
  minA: number;
  minB: number;
  minC: number;
  note: string | null;
  toBeConfirmed: boolean;
  indicators: IndicatorChange[];
}

/**
 * The draft of a new version: the version in force on its effective date (or the latest) with the new base score,
 * bands and indicator figures. Checks in Chinese: a day, bands falling A > B > C, figures in range, known indicators.
 */
export function draftVersion(models: ModelDef[], input: NewVersionInput, today: string): ModelDef {
  const problems: ErrorDetail[] = [];
  try {
    assertDay(input.effectiveFrom);
  } catch {
    problems.push({ path: "effectiveFrom", message: "生效日期应为有效的 YYYY-MM-DD" });
  }
  if (!problems.length && input.effectiveFrom < today)
    problems.push({ path: "effectiveFrom", message: `生效日期不能早于今天（${today}）：评价模型不追溯修改` });
  if (models.some((m) => m.effectiveFrom === input.effectiveFrom))
    problems.push({ path: "effectiveFrom", message: `${input.effectiveFrom} 已有一个版本生效，请另选日期` });
  for (const [key, value] of [
    ["baseScore", input.baseScore],
    ["minA", input.minA],
    ["minB", input.minB],
    ["minC", input.minC],
  ] as const) {
    if (!Number.isFinite(value) || Math.abs(value) > 9999) problems.push({ path: key, message: "应为 -9999 到 9999 之间的数" });
  }
  if (!(input.minA > input.minB && input.minB > input.minC))
    problems.push({ path: "minA", message: "分级界限应满足 A 类最低分 > B 类最低分 > C 类最低分" });
  const base = modelOn(models, input.effectiveFrom) ?? models[0];
  if (!base) throw new ValidationError("尚无评价模型，无法在其基础上修改");
  const changes = new Map(input.indicators.map((c) => [c.code, c]));
  for (const code of changes.keys()) {
    if (!base.indicators.some((i) => i.code === code)) problems.push({ path: `indicators.${code}`, message: `没有指标 ${code}` });
  }
  const indicators = base.indicators.map((i) => {
    const c = changes.get(i.code);
    if (!c) return { ...i };
    if (!Number.isFinite(c.points) || Math.abs(c.points) > 9999)
      problems.push({ path: `indicators.${i.code}.points`, message: `“${i.label}”的分值应为 -9999 到 9999 之间的数` });
    if (c.cap !== null && (!Number.isFinite(c.cap) || c.cap < 0 || c.cap > 9999))
      problems.push({ path: `indicators.${i.code}.cap`, message: `“${i.label}”的上限应为 0 到 9999 之间的数，或留空（不设上限）` });
    if (c.forceGrade !== null && !GRADES.includes(c.forceGrade))
      problems.push({ path: `indicators.${i.code}.forceGrade`, message: `“${i.label}”的直接定级应为 A、B、C、D 或不设` });
    return { ...i, points: c.points, cap: c.cap, forceGrade: c.forceGrade, enabled: c.enabled };
  });
  if (problems.length) throw new ValidationError("评价模型填写有误，请按提示修改", problems);
  return {
    id: null,
    name: base.name,
    version: Math.max(...models.map((m) => m.version)) + 1,
    effectiveFrom: input.effectiveFrom,
    baseScore: input.baseScore,
    minA: input.minA,
    minB: input.minB,
    minC: input.minC,
    note: input.note,
    toBeConfirmed: input.toBeConfirmed,
    createdBy: null,
    createdAt: null,
    indicators,
  };
}

/**
 * Saves a drafted version (never edits an earlier one) and audits it with the indicators. Subjects are regraded by
 * the grading job once the version is in force: every grade of another model is recomputed at the next ticks.
 */
export async function saveVersion(
  db: Database,
  t: Transaction,
  draft: ModelDef,
  actor: { username: string; at: Date },
): Promise<GradingModel> {
  for (const i of draft.indicators) {
    if (!INDICATOR_KINDS.includes(i.kind)) throw new ValidationError(`指标 ${i.code} 的类别无效`);
  }
  const model = await GradingModel.create(
    {
      name: draft.name,
      version: draft.version,
      effectiveFrom: draft.effectiveFrom,
      baseScore: draft.baseScore,
      minA: draft.minA,
      minB: draft.minB,
      minC: draft.minC,
      note: draft.note,
      toBeConfirmed: draft.toBeConfirmed,
      createdBy: actor.username,
    },
    { transaction: t },
  );
  await GradingIndicator.bulkCreate(
    draft.indicators.map((i) => ({
      modelId: model.id,
      code: i.code,
      label: i.label,
      kind: i.kind,
      params: JSON.stringify(i.params),
      points: i.points,
      cap: i.cap,
      forceGrade: i.forceGrade,
      enabled: i.enabled,
      sort: i.sort,
      note: i.note,
    })),
    { transaction: t },
  );
  await audit(db, t, {
    actor: actor.username,
    action: "grading_model.version_created",
    entityType: "grading_model",
    entityId: model.id,
    detail: {
      version: draft.version,
      effectiveFrom: draft.effectiveFrom,
      baseScore: draft.baseScore,
      bands: { A: draft.minA, B: draft.minB, C: draft.minC },
      indicators: draft.indicators.map((i) => ({
        code: i.code,
        points: i.points,
        cap: i.cap,
        forceGrade: i.forceGrade,
        enabled: i.enabled,
      })),
    },
    at: actor.at,
  });
  return model;
}
