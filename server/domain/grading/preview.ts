import { fn, col } from "sequelize";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { DEFAULT_GRADE, GRADES, SubjectGrade, type Grade } from "../../db/models/SubjectGrade.js";
import { prepare } from "./evaluate.js";
import type { ModelDef } from "./model.js";
import { allSubjectIds, evaluateSubjects } from "./recompute.js";

export type ClassCounts = Record<Grade, number>;

const empty = (): ClassCounts => ({ A: 0, B: 0, C: 0, D: 0 });

export interface VersionPreview {
  day: string;
  total: number;
  before: ClassCounts;
  after: ClassCounts;
  /** Subjects whose class would differ from their class now. */
  changed: number;
  /** Up to 20 examples of subjects changing class. */
  examples: Array<{ subjectId: number; from: Grade; to: Grade; score: number }>;
}

/**
 * How many subjects would be in each class under a drafted version on its effective date, beside their class now
 * (ungraded subjects count as B). Reads every subject; writes nothing.
 */
export async function previewVersion(draft: ModelDef): Promise<VersionPreview> {
  const day = draft.effectiveFrom;
  const prepared = prepare(draft, day);
  const out: VersionPreview = { day, total: 0, before: empty(), after: empty(), changed: 0, examples: [] };
  for await (const ids of allSubjectIds()) {
    const [current, next] = await Promise.all([
      SubjectGrade.findAll({ where: { subjectId: ids }, attributes: ["subjectId", "grade"], raw: true }),
      evaluateSubjects(ids, draft, prepared),
    ]);
    const now = new Map(current.map((g) => [g.subjectId, g.grade]));
    for (const id of ids) {
      const from = now.get(id) ?? DEFAULT_GRADE;
      const e = next.get(id)!;
      out.total++;
      out.before[from]++;
      out.after[e.grade]++;
      if (from !== e.grade) {
        out.changed++;
        if (out.examples.length < 20) out.examples.push({ subjectId: id, from, to: e.grade, score: e.score });
      }
    }
  }
  return out;
}

/** Subjects per class now (ungraded subjects as B) and how many are not yet graded. */
export async function classCounts(): Promise<{ counts: ClassCounts; ungraded: number; total: number }> {
  const rows = (await SubjectGrade.findAll({
    attributes: ["grade", [fn("COUNT", col("subject_id")), "n"]],
    group: ["grade"],
    raw: true,
  })) as unknown as Array<{ grade: Grade; n: number | string }>;
  const counts = empty();
  let graded = 0;
  for (const r of rows) {
    if (GRADES.includes(r.grade)) counts[r.grade] += Number(r.n);
    graded += Number(r.n);
  }
  const total = await CreditSubject.count();
  const ungraded = Math.max(0, total - graded);
  counts.B += ungraded;
  return { counts, ungraded, total };
}
