import type { Grade } from "../db/models/SubjectGrade.js";
import type { SubjectGradeView } from "../domain/grading/queries.js";

export const GRADE_LABELS: Record<Grade, string> = { A: "低风险", B: "一般风险", C: "较高风险", D: "高风险" };
export const GRADE_BADGES: Record<Grade, string> = { A: "success", B: "primary", C: "warning", D: "danger" };

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** What the credit-grade partial shows staff: class, score and the reasons (never shown to the public). */
export function presentGrade(view: SubjectGradeView): ReturnType<typeof presentGradeView>;
export function presentGrade(view: SubjectGradeView | null): ReturnType<typeof presentGradeView> | null;
export function presentGrade(view: SubjectGradeView | null) {
  return view ? presentGradeView(view) : null;
}

function presentGradeView(view: SubjectGradeView) {
  return {
    grade: view.grade,
    label: GRADE_LABELS[view.grade],
    badge: GRADE_BADGES[view.grade],
    graded: view.graded,
    score: view.graded ? view.score.toFixed(2).replace(/\.00$/, "") : null,
    computedAt: view.computedAt,
    reasons: view.reasons.map((r) => ({
      label: r.label,
      points: signed(r.points),
      detail: r.detail,
      tone: r.indicator === "base" ? "secondary" : r.points < 0 ? "danger" : r.points > 0 ? "success" : "secondary",
    })),
  };
}
