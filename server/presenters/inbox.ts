import { dueState, type InboxRow } from "../domain/inbox/listInbox.js";

export { dueState };

/** One inbox row (its overdue / near-due flags come from the inbox query: due within two working days is near) as the template shows it, with what the viewer may do with one click. */
/** A moment as the day it falls on in China (UTC+8), "YYYY-MM-DD": the value of a date input. */
export function chinaDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function presentInboxRow(row: InboxRow, viewer: { username: string; isAdmin: boolean }, now: Date = new Date()) {
  const mine = row.assignee === viewer.username;
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
    mine,
    dueAt: row.due?.toISOString() ?? null,
    createdAt: row.created.toISOString(),
    overdue: state === "overdue",
    nearDue: state === "near",
    rowClass: state === "overdue" ? "row-overdue table-danger" : state === "near" ? "row-near-due table-warning" : "",
    canClaim: !row.assignee,
    canUnclaim: !!row.assignee && (row.assignee === viewer.username || viewer.isAdmin),
    /** 跟进日期: the day, whether it has come, and whether the viewer may change it (holder, candidate of an unclaimed task, admin). */
    followUpDay: row.followUp ? chinaDay(row.followUp) : "",
    followUpDue: !!row.followUp && row.followUp.getTime() <= now.getTime(),
    canFollowUp: !row.assignee || mine || viewer.isAdmin,
    /** 转办 to a colleague: the holder of the task (or an admin, of a held task), as on the task page. */
    canAssign: mine || (viewer.isAdmin && !!row.assignee),
  };
}
