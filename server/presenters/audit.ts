import type { ChainVerdict } from "../domain/audit.js";
import type { AuditRow } from "../domain/auditLog.js";

/** The chain check as a sentence a person reads first on the audit page (and the CLI prints). */
export function verdictText(verdict: ChainVerdict): string {
  if (verdict.ok) return `审计链完整：已校验 ${verdict.checked} 条记录，未发现篡改。`;
  const b = verdict.firstBroken;
  return `审计链已损坏：第一条异常记录为 #${b?.id ?? "?"}，${b?.reason ?? "原因未知"}（此前 ${verdict.checked} 条记录校验通过）。`;
}

export function presentVerdict(verdict: ChainVerdict) {
  return { ok: verdict.ok, checked: verdict.checked, brokenId: verdict.firstBroken?.id ?? null, text: verdictText(verdict) };
}

export function presentAuditEntry(row: AuditRow, brokenId: number | null) {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor ?? "",
    action: row.action,
    entity: row.entityType ? `${row.entityType}${row.entityId ? ` #${row.entityId}` : ""}` : "",
    detail: row.detail ?? "",
    ip: row.ip ?? "",
    broken: brokenId !== null && row.id === brokenId,
  };
}
