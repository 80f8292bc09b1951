import type { ClaimRow, SubjectRow } from "../domain/subjects/queries.js";

const CLAIM_LABELS = { pending: "待核实", approved: "已确认", rejected: "未通过" } as const;

/** A credit subject for the register pages; the legacy-pilot acceptance is shown with who accepted it and why. */
export function presentSubject(row: SubjectRow) {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    subjectType: row.subjectType,
    divisionCode: row.divisionCode,
    legacyPilot: row.legacyPilot,
    legacyOverrideReason: row.legacyOverrideReason ?? "",
    legacyOverrideBy: row.legacyOverrideBy ?? "",
    createdAt: row.createdAt,
  };
}

/** A claim to act for a subject, with the claimant's contact details for the officer who checks it. */
export function presentClaim(row: ClaimRow) {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    phone: row.phone ?? "",
    email: row.email ?? "",
    subjectId: row.subjectId,
    subjectCode: row.subjectCode,
    subjectName: row.subjectName,
    status: row.status,
    statusLabel: CLAIM_LABELS[row.status],
    pending: row.status === "pending",
    decidedBy: row.decidedBy ?? "",
    decidedAt: row.decidedAt,
    decisionReason: row.decisionReason ?? "",
    createdAt: row.createdAt,
  };
}
