// The score, class and reasons of one subject under a model version, from its records and commitments. Pure: the
// same inputs, model and day give the same grade.
import type { Grade, GradeReason } from "../../db/models/SubjectGrade.js";
import { addMonths } from "../calendar/days.js";
import { gradeOfScore, type CommitmentParams, type IndicatorDef, type ModelDef, type RecordParams } from "./model.js";

export interface RecordInput {
  id: number;
  recordType: string;
  severity: string | null;
  status: string;
  /** The decision date (or, when missing, the publication date / entry day): the record's age counts from it. */
  day: string;
  decisionNumber: string | null;
  sourceCommitmentId: number | null;
}

export interface CommitmentInput {
  id: number;
  code: string;
  fulfilmentStatus: string | null;
  /** The verification date (or the day it was made): its age counts from it. */
  day: string;
}

export interface SubjectInputs {
  records: RecordInput[];
  commitments: CommitmentInput[];
}

export interface Evaluation {
  score: number;
  grade: Grade;
  /** The base score first, then every indicator that counted something; their points add up to the score. */
  reasons: GradeReason[];
}

/** Record statuses that mean a breach record no longer counts (修复, 屏蔽, 撤销). */
export const CLEARED_STATUSES = new Set(["已修复（终止公示）", "已屏蔽", "已撤销"]);
const ORDER: Grade[] = ["A", "B", "C", "D"];

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * An indicator's age band on a day, as decision days: an item counts when after <= its day <= through, i.e. it was
 * decided less than max months ago and at least min months ago (a record decided exactly 12 months ago is no longer
 * "within 1 year"; it is in "1-3 years").
 */
export interface AgeWindow {
  /** Exclusive lower bound (null: none). */
  after: string | null;
  /** Inclusive upper bound. */
  through: string;
}

export function ageWindow(params: { minAgeMonths: number; maxAgeMonths: number | null }, day: string): AgeWindow {
  const min = params.minAgeMonths ?? 0;
  const max = params.maxAgeMonths ?? null;
  return { after: max === null ? null : addMonths(day, -max), through: min === 0 ? day : addMonths(day, -min) };
}

function inWindow(w: AgeWindow, d: string): boolean {
  return (w.after === null || d > w.after) && d <= w.through;
}

export interface PreparedIndicator {
  def: IndicatorDef;
  window: AgeWindow;
  types: Set<string> | null;
  severities: Set<string> | null;
  statuses: Set<string> | null;
  fulfilment: Set<string> | null;
}

/** Indicators of a model made ready for one evaluation day (age windows computed once). */
export function prepare(model: ModelDef, day: string): PreparedIndicator[] {
  return model.indicators
    .filter((i) => i.enabled)
    .map((def) => {
      const window = ageWindow(def.params, day);
      if (def.kind === "record") {
        const p = def.params as RecordParams;
        return {
          def,
          window,
          types: new Set(p.recordTypes),
          severities: p.severities ? new Set(p.severities) : null,
          statuses: new Set(p.statuses),
          fulfilment: null,
        };
      }
      const p = def.params as CommitmentParams;
      return { def, window, types: null, severities: null, statuses: null, fulfilment: new Set(p.fulfilment) };
    });
}

function describe(items: string[], capped: boolean, cap: number | null, forced: Grade | null): string {
  const shown = items.slice(0, 3).join("、");
  let text = `${items.length}项${shown ? `：${shown}${items.length > 3 ? "等" : ""}` : ""}`;
  if (capped && cap !== null) text += `（已达累计上限 ${cap} 分）`;
  if (forced) text += `；直接评为 ${forced} 类`;
  return text;
}

/** Scores one subject. */
export function evaluate(model: ModelDef, prepared: PreparedIndicator[], inputs: SubjectInputs): Evaluation {
  const reasons: GradeReason[] = [
    {
      indicator: "base",
      label: "基础分",
      points: round2(model.baseScore),
      detail: `评价模型第 ${model.version} 版（自 ${model.effectiveFrom} 起）`,
    },
  ];
  let score = model.baseScore;
  let forced: Grade | null = null;
  let breachStatus: Map<number, string> | undefined;
  for (const p of prepared) {
    const items: string[] = [];
    if (p.def.kind === "record") {
      for (const r of inputs.records) {
        if (!p.types!.has(r.recordType) || !p.statuses!.has(r.status)) continue;
        if (p.severities && !(r.severity && p.severities.has(r.severity))) continue;
        if (!inWindow(p.window, r.day)) continue;
        items.push(`${r.decisionNumber ?? `记录#${r.id}`}（${r.day}）`);
      }
    } else {
      const params = p.def.params as CommitmentParams;
      if (params.excludeRepaired && !breachStatus) {
        breachStatus = new Map();
        for (const r of inputs.records) if (r.sourceCommitmentId !== null) breachStatus.set(r.sourceCommitmentId, r.status);
      }
      for (const c of inputs.commitments) {
        if (!c.fulfilmentStatus || !p.fulfilment!.has(c.fulfilmentStatus)) continue;
        if (!inWindow(p.window, c.day)) continue;
        if (params.excludeRepaired && CLEARED_STATUSES.has(breachStatus!.get(c.id) ?? "")) continue;
        items.push(`承诺 ${c.code}（${c.day}）`);
      }
    }
    if (!items.length) continue;
    const raw = items.length * p.def.points;
    const capped = p.def.cap !== null && Math.abs(raw) > p.def.cap;
    const points = round2(capped ? Math.sign(raw) * p.def.cap! : raw);
    score += points;
    if (p.def.forceGrade && (!forced || ORDER.indexOf(p.def.forceGrade) > ORDER.indexOf(forced))) forced = p.def.forceGrade;
    reasons.push({ indicator: p.def.code, label: p.def.label, points, detail: describe(items, capped, p.def.cap, p.def.forceGrade) });
  }
  score = round2(score);
  const banded = gradeOfScore(model, score);
  const grade = forced && ORDER.indexOf(forced) > ORDER.indexOf(banded) ? forced : banded;
  return { score, grade, reasons };
}
