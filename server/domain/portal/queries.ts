import { QueryTypes } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { Commitment } from "../../db/models/Commitment.js";
import { CreditRecord } from "../../db/models/CreditRecord.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { findBarringRecords } from "../credit/creditRecords.js";

/** The subjects an applicant acts for, by name (the subject picker of the apply page). */
export async function subjectsOfApplicant(user: CurrentUser): Promise<CreditSubject[]> {
  if (!user.subjectIds.length) return [];
  return CreditSubject.findAll({ where: { id: user.subjectIds }, order: [["name", "ASC"]] });
}

/** Why a subject may not use the 告知承诺 route now (empty when it may): the records that bar it. */
export async function barringReasons(subjectId: number): Promise<{ type: string; title: string }[]> {
  const records = await findBarringRecords(subjectId);
  return records.map((r) => ({ type: r.recordType, title: r.title }));
}

export interface TimelineEntry {
  at: Date;
  /** submitted | accepted | returned | resubmitted | approved | rejected | verifying | verified | breached */
  kind: string;
  title: string;
  actor: string | null;
  comment: string | null;
}

const AUDIT_KINDS: Record<string, { kind: string; title: string }> = {
  "commitment.submitted": { kind: "submitted", title: "提交承诺" },
  "commitment.resubmitted": { kind: "resubmitted", title: "补正后重新提交" },
  "commitment.returned": { kind: "returned", title: "退回补正" },
  "commitment.rejected": { kind: "rejected", title: "不予受理" },
  "commitment.approved": { kind: "approved", title: "审查通过，承诺已归档（监管中）" },
  "commitment.fulfilled": { kind: "verified", title: "核查完成：全部履行，监管完成" },
  "commitment.breached": { kind: "breached", title: "核查完成：未全部履行，已记录违诺" },
  "commitment.terminated": { kind: "terminated", title: "办理流程已终止" },
};

function parseDetail(s: string | null): Record<string, unknown> {
  if (!s) return {};
  try {
    const v = JSON.parse(s) as unknown;
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The status timeline of a case, oldest first: the commitment's audited status changes (with the reviewer's
 * comment on a return or refusal) and, from the process history, when review and verification tasks opened.
 */
export async function caseTimeline(db: Database, commitment: Commitment): Promise<TimelineEntry[]> {
  const audits = await db.sequelize.query<{ at: Date | string; actor: string | null; action: string; detail: string | null }>(
    "SELECT at, actor, action, detail FROM audit_entries WHERE entity_type = 'commitment' AND entity_id = :code ORDER BY id ASC",
    { replacements: { code: commitment.code }, type: QueryTypes.SELECT },
  );
  const entries: TimelineEntry[] = [];
  for (const a of audits) {
    const known = AUDIT_KINDS[a.action];
    if (!known) continue;
    const detail = parseDetail(a.detail);
    let comment = typeof detail.comment === "string" && detail.comment ? detail.comment : null;
    let title = known.title;
    // A termination's reason is the department's, not a reviewer's opinion: part of the line itself.
    if (a.action === "commitment.terminated" && typeof detail.reason === "string") title = `${known.title}（原因：${detail.reason}）`;
    if (a.action === "commitment.breached") {
      comment = [detail.fulfilmentStatus, detail.unfulfilledContent, detail.liabilityContent]
        .filter((x) => typeof x === "string")
        .join("；");
    }
    entries.push({ at: new Date(a.at), kind: known.kind, title, actor: a.actor, comment });
  }
  if (commitment.processInstanceId) {
    const opened = await db.sequelize.query<{ at: Date | string; activity_id: string }>(
      "SELECT at, activity_id FROM engine_history WHERE instance_id = :id AND event = 'task.created' ORDER BY id ASC",
      { replacements: { id: commitment.processInstanceId }, type: QueryTypes.SELECT },
    );
    for (const h of opened) {
      if (h.activity_id === "reviewTask")
        entries.push({ at: new Date(h.at), kind: "accepted", title: "已受理，进入受理审查", actor: null, comment: null });
      if (h.activity_id === "verificationTask")
        entries.push({ at: new Date(h.at), kind: "verifying", title: "进入核查", actor: null, comment: null });
    }
  }
  const order = ["submitted", "resubmitted", "accepted", "returned", "rejected", "approved", "verifying", "verified", "breached"];
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime() || order.indexOf(a.kind) - order.indexOf(b.kind));
}

/** The subject's credit profile for a reviewer: its other commitments and its credit records (public or not). */
export async function subjectProfile(subjectId: number, exceptCode: string) {
  const [commitments, records] = await Promise.all([
    Commitment.findAll({
      where: { subjectId },
      attributes: ["code", "reason", "status", "fulfilmentStatus", "madeOn", "acceptingUnit"],
      order: [["createdAt", "DESC"]],
      limit: 21,
      raw: true,
    }),
    CreditRecord.findAll({ where: { subjectId }, order: [["createdAt", "DESC"]], limit: 50, raw: true }),
  ]);
  return { commitments: commitments.filter((c) => c.code !== exceptCode).slice(0, 20), records };
}
