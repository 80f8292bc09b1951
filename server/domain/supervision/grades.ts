import type { Transaction } from "sequelize";
import { DEFAULT_GRADE, SubjectGrade } from "../../db/models/SubjectGrade.js";
import type { DrawGrade } from "./drawAlgorithm.js";

const CHUNK = 1000;

/**
 * The class (A-D) of each subject as the public credit evaluation has it now; a subject without a grade row is B,
 * as server/domain/grading/queries.ts gradesOf answers. Reads only the class, as raw rows: a draw asks for every
 * subject of a county at once, and gradesOf's model instances with parsed reasons cost several times more.
 */
export async function gradesFor(subjectIds: number[], t?: Transaction): Promise<Map<number, DrawGrade>> {
  const out = new Map<number, DrawGrade>();
  for (let i = 0; i < subjectIds.length; i += CHUNK) {
    const rows = (await SubjectGrade.findAll({
      attributes: ["subjectId", "grade"],
      where: { subjectId: subjectIds.slice(i, i + CHUNK) },
      raw: true,
      transaction: t,
    })) as unknown as Array<{ subjectId: number; grade: DrawGrade }>;
    for (const r of rows) out.set(Number(r.subjectId), r.grade);
  }
  for (const id of subjectIds) if (!out.has(id)) out.set(id, DEFAULT_GRADE);
  return out;
}
