import type { ChainVerdict } from "../domain/audit.js";
import type { AuditRow } from "../domain/auditLog.js";
import { formatDateTime } from "./helpers.js";
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, AUDIT_NOUNS, actionLabel, detailLabel, entityTypeLabel } from "./auditLabels.js";

/** The chain check as a sentence a person reads first on the audit page (and the CLI prints). */
export function verdictText(verdict: ChainVerdict): string {
  if (verdict.ok) return `审计链完整：已校验 ${verdict.checked} 条记录，未发现篡改。`;
  const b = verdict.firstBroken;
  return `审计链已损坏：第一条异常记录为 #${b?.id ?? "?"}，${b?.reason ?? "原因未知"}（此前 ${verdict.checked} 条记录校验通过）。`;
}

export function presentVerdict(verdict: ChainVerdict) {
  return { ok: verdict.ok, checked: verdict.checked, brokenId: verdict.firstBroken?.id ?? null, text: verdictText(verdict) };
}

/** An address as people write it: IPv4 clients reach a dual-stack socket as ::ffff:a.b.c.d. */
export function plainIp(ip: string | null | undefined): string {
  if (!ip) return "";
  return ip.replace(/^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i, "$1");
}

/** Labels that read better for some actions than the generic ones (a task's from/to are people, a record's statuses). */
const LABELS_BY_ACTION: Array<[prefix: string, labels: Record<string, string>]> = [
  ["task.", { from: "原办理人", to: "新办理人", users: "抄送用户", groups: "抄送用户组" }],
  ["case.copied", { users: "抄送用户", groups: "抄送用户组" }],
  ["credit_record.status_changed", { from: "原状态", to: "新状态" }],
  ["department.updated", { from: "修改前", to: "修改后" }],
];

function labelFor(action: string, key: string): string {
  for (const [prefix, labels] of LABELS_BY_ACTION) {
    if (action.startsWith(prefix) && labels[key]) return labels[key];
  }
  return detailLabel(key);
}

const MAX_ITEMS = 20;
const MAX_TEXT = 300;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A detail value in one line: lists joined with 、, objects as 标签：值, a change as 原值 → 新值; never JSON braces. */
export function compactValue(value: unknown, depth = 0): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "是" : "否";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "string") {
    if (ISO_INSTANT.test(value)) return formatDateTime(value) || value;
    return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
  }
  if (depth > 3) return "…";
  if (Array.isArray(value)) {
    if (!value.length) return "（无）";
    const shown = value.slice(0, MAX_ITEMS).map((v) => compactValue(v, depth + 1));
    return value.length > MAX_ITEMS ? `${shown.join("、")} 等共 ${value.length} 项` : shown.join("、");
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (!keys.length) return "（无）";
    if (keys.length === 2 && "from" in value && "to" in value)
      return `${compactValue(value.from, depth + 1)} → ${compactValue(value.to, depth + 1)}`;
    return keys.map((k) => `${detailLabel(k)}：${compactValue(value[k], depth + 1)}`).join("；");
  }
  return "—";
}

/** An entry's detail as labelled fields (in the order written); text that is not a JSON object is one field. */
export function presentDetail(action: string, detail: string | null): Array<{ label: string; value: string }> {
  if (!detail) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    return [{ label: "详情", value: compactValue(detail) }];
  }
  if (!isRecord(parsed)) return parsed === null ? [] : [{ label: "详情", value: compactValue(parsed) }];
  return Object.entries(parsed).map(([key, value]) => ({ label: labelFor(action, key), value: compactValue(value) }));
}

export function presentAuditEntry(row: AuditRow, brokenId: number | null) {
  const label = actionLabel(row.action);
  return {
    id: row.id,
    at: row.at,
    actor: row.actor ?? "",
    action: row.action,
    actionLabel: label,
    /** The code is shown under the name only when there is a name (an unknown action shows its code once). */
    actionKnown: label !== row.action,
    entityType: row.entityType ? entityTypeLabel(row.entityType) : "",
    entityId: row.entityId ?? "",
    fields: presentDetail(row.action, row.detail),
    ip: plainIp(row.ip),
    broken: brokenId !== null && row.id === brokenId,
  };
}

/** The action filter's choices: one group per noun, led by 「全部…操作」 (a prefix search), then each action. */
export function actionOptions(selected: string | undefined) {
  const groups = new Map<string, Array<{ value: string; label: string; selected: boolean }>>();
  for (const [action, label] of Object.entries(AUDIT_ACTIONS)) {
    const noun = action.split(".")[0]!;
    if (!groups.has(noun))
      groups.set(noun, [{ value: `${noun}.`, label: `全部${AUDIT_NOUNS[noun] ?? noun}操作`, selected: selected === `${noun}.` }]);
    groups.get(noun)!.push({ value: action, label, selected: selected === action });
  }
  const options = [...groups].map(([noun, list]) => ({ label: AUDIT_NOUNS[noun] ?? noun, options: list }));
  const known = options.some((g) => g.options.some((o) => o.selected));
  // A code typed into the address (an action this table does not know yet) stays selected rather than silently dropped.
  const other = selected && !known ? { value: selected, label: `代码 ${selected}` } : null;
  return { groups: options, other };
}

/** The object filter's choices. */
export function entityTypeOptions(selected: string | undefined) {
  const options = Object.entries(AUDIT_ENTITY_TYPES).map(([value, label]) => ({ value, label, selected: value === selected }));
  if (selected && !AUDIT_ENTITY_TYPES[selected]) options.push({ value: selected, label: selected, selected: true });
  return options;
}

export const AUDIT_CSV_HEADER = ["序号", "时间", "操作人", "操作", "操作代码", "对象类型", "对象编号", "详情", "IP地址"];

function csvCell(v: string): string {
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // a spreadsheet must not run a cell as a formula
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (CRLF-terminated) per entry, the columns of AUDIT_CSV_HEADER. */
export function auditCsvLine(row: AuditRow): string {
  const e = presentAuditEntry(row, null);
  const detail = e.fields.map((f) => `${f.label}：${f.value}`).join("；");
  return (
    [String(e.id), formatDateTime(e.at), e.actor, e.actionLabel, e.action, e.entityType, e.entityId, detail, e.ip].map(csvCell).join(",") +
    "\r\n"
  );
}

/** The CSV's start: a BOM (so Excel reads UTF-8 Chinese) and the Chinese header line. */
export function auditCsvHead(): string {
  return "\uFEFF" + AUDIT_CSV_HEADER.join(",") + "\r\n";
}
