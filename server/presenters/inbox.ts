import { dueState, type InboxRow } from "../domain/inbox/listInbox.js";

export { dueState };

/** One inbox row (its overdue / near-due flags come from the inbox query: due within two working days is near) as the template shows it, with what the viewer may do with one click. */
export function presentInboxRow(row: InboxRow, viewer: { username: string; isAdmin: boolean }) {
  const state = row.overdue ? "overdue" : row.nearDue ? "near" : null;
  return {
    id: row.taskId,
    name: row.taskName ?? row.activityId,
    code: row.code,
    subjectName: row.subjectName,
    subjectCode: row.subjectCode,
    itemName: row.itemName,
    itemCode: row.itemCode,
    departmentName: row.departmentName,
    caseStatus: row.status,
    urged: row.urged,
    assignee: row.assignee,
    assigneeName: row.assigneeName,
    mine: row.assignee === viewer.username,
    dueAt: row.due?.toISOString() ?? null,
    createdAt: row.created.toISOString(),
    overdue: state === "overdue",
    nearDue: state === "near",
    rowClass: state === "overdue" ? "row-overdue table-danger" : state === "near" ? "row-near-due table-warning" : "",
    canClaim: !row.assignee,
    canUnclaim: !!row.assignee && (row.assignee === viewer.username || viewer.isAdmin),
  };
}
