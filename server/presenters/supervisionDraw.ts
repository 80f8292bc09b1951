import type { DrawGrade } from "../domain/supervision/drawAlgorithm.js";
import type { DrawView } from "../domain/supervision/draws.js";
import { PLAN_STATUS_LABELS, type PlanRow } from "../domain/supervision/plans.js";
import { formatDate, formatDateTime } from "./helpers.js";

export const GRADE_LABELS: Record<DrawGrade, string> = {
  A: "A类（信用风险低）",
  B: "B类（信用风险一般）",
  C: "C类（信用风险较高）",
  D: "D类（信用风险高）",
};

export const GRADE_BADGES: Record<DrawGrade, string> = { A: "success", B: "primary", C: "warning", D: "danger" };

/** A fraction as a percentage with at most two decimals: 0.125 -> "12.5%". */
export function percent(ratio: number): string {
  return `${Math.round(ratio * 10_000) / 100}%`;
}

export function presentPlan(plan: PlanRow, items: Array<{ id: number; code: string; name: string }> = []) {
  const itemById = new Map(items.map((i) => [i.id, i]));
  return {
    ...plan,
    statusLabel: PLAN_STATUS_LABELS[plan.status],
    statusBadge: plan.status === "active" ? "success" : plan.status === "closed" ? "secondary" : "warning",
    period: `${formatDate(plan.periodStart)} 至 ${formatDate(plan.periodEnd)}`,
    ratioList: (["A", "B", "C", "D"] as const).map((g) => ({
      grade: g,
      label: GRADE_LABELS[g],
      badge: GRADE_BADGES[g],
      text: percent(plan.ratios[g]),
    })),
    itemList: plan.itemIds.map((id) => itemById.get(id) ?? { id, code: "", name: `事项 #${id}` }),
    scopeText: [
      plan.scope.subjectTypes.length ? `主体类型：${plan.scope.subjectTypes.join("、")}` : "主体类型：全部",
      plan.scope.divisionCode ? `区划：${plan.scope.divisionCode}` : "区划：全部",
      plan.scope.itemCodes.length
        ? `承诺事项：${plan.scope.itemCodes.includes("*") ? "本部门任一承诺事项" : plan.scope.itemCodes.join("、")}`
        : "承诺事项：不限",
      plan.scope.grades.length ? `信用分类：${plan.scope.grades.join("、")}` : "信用分类：全部",
    ],
    editable: plan.status !== "closed" && plan.confirmedDraws === 0,
  };
}

/** A draw for a page; `publicView` leaves out what only staff see (who previewed, case links). */
export function presentDraw(view: DrawView, publicView = false) {
  return {
    id: view.id,
    planId: view.planId,
    planName: view.planName,
    departmentName: view.departmentName,
    year: view.year,
    seed: view.seed,
    candidatesHash: view.candidatesHash,
    candidateCount: view.candidateCount,
    algorithm: view.algorithm,
    confirmed: view.status === "confirmed",
    statusLabel: view.status === "confirmed" ? "已确认并公布" : "预览（未确认）",
    drawnBy: publicView ? undefined : view.drawnBy,
    createdAt: formatDateTime(view.createdAt),
    confirmedBy: publicView ? undefined : view.confirmedBy,
    confirmedAt: view.confirmedAt ? formatDateTime(view.confirmedAt) : null,
    publishedAt: view.publishedAt ? formatDate(view.publishedAt) : null,
    perClass: view.perClass.map((c) => ({ ...c, label: GRADE_LABELS[c.grade], badge: GRADE_BADGES[c.grade], ratioText: percent(c.ratio) })),
    totalDrawn: view.targets.length,
    targets: view.targets.map((x, i) => ({
      n: i + 1,
      // A natural person's name and ID number are not published in full: the public page masks them.
      name: publicView && x.subjectType === "自然人" ? `${[...x.name][0] ?? ""}**` : x.name,
      code: publicView && x.subjectType === "自然人" ? `${x.code.slice(0, 6)}********${x.code.slice(-4)}` : x.code,
      grade: x.grade,
      gradeBadge: GRADE_BADGES[x.grade],
      inspectors: x.inspectors.map((p) => p.name).join("、"),
      inspectorList: x.inspectors,
      caseId: publicView ? null : x.caseId,
    })),
  };
}
