import type { Transaction } from "sequelize";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { DEFAULT_GRADE, SubjectGrade, type Grade, type GradeReason } from "../../db/models/SubjectGrade.js";

export interface SubjectGradeView {
  grade: Grade;
  score: number;
  reasons: GradeReason[];
  /** False for a subject never graded: it counts as B (ordinary risk) with no score. */
  graded: boolean;
  computedAt: Date | null;
}

export function parseReasons(text: string): GradeReason[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as GradeReason[]) : [];
  } catch {
    return [];
  }
}

/**
 * The class of each subject. A subject without a grade row counts as 'B' (not yet graded = ordinary risk),
 * score 0, no reasons; every id asked for is in the map.
 */
export async function gradesOf(subjectIds: number[], t?: Transaction): Promise<Map<number, SubjectGradeView>> {
  const ids = [...new Set(subjectIds.filter((id) => Number.isInteger(id)))];
  const result = new Map<number, SubjectGradeView>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await SubjectGrade.findAll({ where: { subjectId: ids.slice(i, i + 1000) }, transaction: t });
    for (const row of rows) {
      result.set(row.subjectId, {
        grade: row.grade,
        score: Number(row.score),
        reasons: parseReasons(row.reasons),
        graded: true,
        computedAt: row.computedAt,
      });
    }
  }
  for (const id of ids) {
    if (!result.has(id)) result.set(id, { grade: DEFAULT_GRADE, score: 0, reasons: [], graded: false, computedAt: null });
  }
  return result;
}

/** The class of one subject (see gradesOf). */
export async function gradeOf(subjectId: number, t?: Transaction): Promise<SubjectGradeView> {
  return (await gradesOf([subjectId], t)).get(subjectId)!;
}

/** The class of the subject a case or commitment is about, by id or by code (USCC / ID number); null when none. */
export async function gradeOfSubjectRef(ref: number | string | null | undefined, t?: Transaction): Promise<SubjectGradeView | null> {
  if (ref === null || ref === undefined || ref === "") return null;
  let id: number | undefined = typeof ref === "number" ? ref : undefined;
  if (typeof ref === "string") {
    const subject = await CreditSubject.findOne({ where: { code: ref }, attributes: ["id"], raw: true, transaction: t });
    id = subject?.id;
  }
  return id === undefined ? null : gradeOf(id, t);
}
