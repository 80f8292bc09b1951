import type { InboxRow } from "../domain/inbox/queries.js";

/** Overdue (past due), near due (due within two working days) or neither; the inbox colours rows by it. */
export function dueState(due: Date | null, now: Date, nearDeadline: Date): "overdue" | "near" | null {
  if (!due) return null;
  if (due.getTime() < now.getTime()) return "overdue";
  if (due.getTime() <= nearDeadline.getTime()) return "near";
  return null;
}

/** One inbox row as the template shows it, with what the viewer may do with one click. */
export function presentInboxRow(row: InboxRow, viewer: { username: string; isAdmin: boolean }, now: Date, nearDeadline: Date) {
  const state = dueState(row.dueAt, now, nearDeadline);
  return {
    id: row.id,
    name: row.name ?? row.activityId,
    code: row.code ?? row.businessKey,
    subjectName: row.subjectName,
    subjectCode: row.subjectCode,
    itemName: row.itemName,
    itemCode: row.itemCode,
    departmentName: row.departmentName,
    caseStatus: row.caseStatus,
    assignee: row.assignee,
    mine: row.assignee === viewer.username,
    dueAt: row.dueAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    overdue: state === "overdue",
    nearDue: state === "near",
    rowClass: state === "overdue" ? "row-overdue table-danger" : state === "near" ? "row-near-due table-warning" : "",
    canClaim: !row.assignee,
    canUnclaim: !!row.assignee && (row.assignee === viewer.username || viewer.isAdmin),
  };
}
