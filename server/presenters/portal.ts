import type { CreditSubject } from "../db/models/CreditSubject.js";
import type { CatalogEntry } from "../domain/catalog/catalogQueries.js";
import type { TimelineEntry } from "../domain/portal/queries.js";
import { presentCatalogSummary, type CatalogSummaryView } from "./catalog.js";

/** Bootstrap badge colour of a case status. */
export const STATUS_BADGES: Record<string, string> = {
  审查中: "primary",
  退回补正: "warning",
  不予受理: "danger",
  监管中: "info",
  监管完成: "success",
  已终止: "secondary",
};

/** The badge colour of any case's status label: the commitment's own statuses, else by what the label says. */
export function caseBadge(status: string): string {
  const known = STATUS_BADGES[status];
  if (known) return known;
  if (status === "已撤回") return "secondary";
  if (status.startsWith("不予")) return "danger";
  if (status === "已办结") return "success";
  if (status.includes("补正") || status.includes("退回")) return "warning";
  return "primary";
}

/** The public catalog grouped by department, departments in the order they first appear. */
export function presentCatalogGroups(entries: CatalogEntry[]) {
  const groups = new Map<string, { code: string; name: string; items: CatalogSummaryView[] }>();
  for (const entry of entries) {
    const summary = presentCatalogSummary(entry);
    let group = groups.get(summary.department.code);
    if (!group) {
      group = { code: summary.department.code, name: summary.department.name, items: [] };
      groups.set(summary.department.code, group);
    }
    group.items.push(summary);
  }
  return [...groups.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/** The 告知 text split into paragraphs (each line of the item's text is a paragraph). */
export function paragraphs(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

export function presentSubjectOption(s: CreditSubject, selectedCode: string | null) {
  return { code: s.code, name: s.name, type: s.subjectType, selected: s.code === selectedCode };
}

const STAGES = [
  { key: "submitted", label: "提交承诺" },
  { key: "review", label: "受理审查" },
  { key: "approved", label: "审查通过" },
  { key: "verifying", label: "核查" },
  { key: "done", label: "监管完成" },
] as const;

/** The stepper above a case's timeline: which stages are done and which one the case is in now. */
export function presentStages(status: string, timeline: TimelineEntry[]) {
  const reached = new Set(timeline.map((e) => e.kind));
  let current: string;
  if (status === "审查中" || status === "退回补正") current = "review";
  else if (status === "不予受理" || status === "已终止") current = "review";
  else if (status === "监管中") current = reached.has("verifying") ? "verifying" : "approved";
  else current = "done";
  const index = STAGES.findIndex((s) => s.key === current);
  return STAGES.map((s, i) => ({
    label: s.key === "review" && ["退回补正", "不予受理", "已终止"].includes(status) ? status : s.label,
    done: i < index || (status === "监管完成" && i === index),
    current: i === index && status !== "监管完成",
    problem: i === index && (status === "退回补正" || status === "不予受理" || status === "已终止"),
  }));
}

export function presentTimeline(entries: TimelineEntry[]) {
  const tone: Record<string, string> = {
    returned: "warning",
    rejected: "danger",
    breached: "danger",
    terminated: "danger",
    approved: "success",
    verified: "success",
  };
  return entries.map((e) => ({ ...e, at: e.at.toISOString(), tone: tone[e.kind] ?? "primary" }));
}

/** What the applicant should expect next, in plain words, by status. */
export function nextStepText(status: string): string {
  switch (status) {
    case "审查中":
      return "承诺已提交，部门正在受理审查。审查结果会显示在本页，请留意办件进度。";
    case "退回补正":
      return "部门要求补正：请按审核意见修改申请内容后重新提交。";
    case "不予受理":
      return "部门决定不予受理，理由见下方办理记录。您可以按一般程序提交完整材料办理。";
    case "监管中":
      return "承诺已通过审查并归档，进入事中事后监管：部门将在核查时限内按核查方式核查承诺履行情况。";
    case "监管完成":
      return "核查已完成，监管结束。";
    case "已终止":
      return "办理流程已由管理部门终止，终止原因见下方办理记录。如有疑问请联系受理部门。";
    default:
      return "";
  }
}
