import type { InferAttributes } from "sequelize";
import type { CreditRecord } from "../db/models/CreditRecord.js";
import type { CreditRecordStatusChange } from "../db/models/CreditRecordStatusChange.js";
import type { CreditImport } from "../db/models/CreditImport.js";
import { PERIOD_UNIT_LABELS, type PublicityRule } from "../db/models/PublicityRule.js";
import { describePeriod } from "../domain/credit/periods.js";
import { RECORD_FIELDS } from "../domain/credit/fields.js";
import type { RowProblem } from "../domain/credit/rows.js";
import type { loadPublicProfile } from "../domain/publicQuery.js";
import { presentPublicCommitment } from "./commitment.js";

type RecordAttrs = InferAttributes<CreditRecord>;

export const STATUS_BADGES: Record<string, string> = {
  公示中: "danger",
  "已修复（终止公示）": "success",
  已届满: "secondary",
  不予公示: "light",
  已屏蔽: "dark",
  已撤销: "info",
};

function detailOf(r: Pick<RecordAttrs, "detail">): Record<string, string> {
  if (!r.detail) return {};
  try {
    return JSON.parse(r.detail) as Record<string, string>;
  } catch {
    return {};
  }
}

/** A record as the public sees it: 双公示 fields only, never ID numbers of people. */
export function presentPublicRecord(r: RecordAttrs) {
  const d = detailOf(r);
  return {
    type: r.recordType,
    severity: r.severity,
    title: r.title,
    decisionNumber: r.decisionNumber,
    decidedOn: r.decidedOn,
    publicityFrom: r.publicityFrom,
    publicityUntil: r.publicityUntil,
    sourceUnit: r.sourceUnit,
    authority: d.authority ?? null,
    fields: RECORD_FIELDS.filter(
      (f) =>
        f.public &&
        d[f.key] &&
        !["recordType", "severity", "partyName", "partyType", "uscc", "decisionNumber", "decidedOn"].includes(f.key),
    ).map((f) => ({ label: f.label, value: d[f.key]! })),
  };
}

/** What the public query shows of a subject, for the page and for GET /api/public/subjects/{uscc}. */
export function presentPublicProfile(profile: Awaited<ReturnType<typeof loadPublicProfile>>) {
  return {
    subject: {
      name: profile.subject.name,
      code: profile.subject.code,
      type: profile.subject.subjectType,
      // An early-pilot code whose check character does not match, accepted by an officer (DOMAIN.md).
      legacyPilot: !!profile.subject.legacyPilot,
    },
    commitments: profile.commitments.map(presentPublicCommitment),
    repairCommitments: [...profile.repairCommitments.map(presentPublicCommitment), ...profile.repairCommitmentDocuments],
    creditRecords: profile.records.map(presentPublicRecord),
  };
}

export function presentStatusChange(h: InferAttributes<CreditRecordStatusChange>) {
  return { from: h.fromStatus, to: h.toStatus, reason: h.reason, actor: h.actor, at: h.at };
}

/** A record for staff: every field, its rule, override and status. */
export function presentStaffRecord(r: RecordAttrs, departments?: Map<number, string>) {
  const d = detailOf(r);
  let override: unknown;
  try {
    override = r.periodOverride ? JSON.parse(r.periodOverride) : null;
  } catch {
    override = null;
  }
  const o = override as {
    min?: { value: number; unit: string } | null;
    max?: { value: number; unit: string } | null;
    publish?: boolean;
  } | null;
  return {
    id: r.id,
    subjectId: r.subjectId,
    type: r.recordType,
    severity: r.severity,
    title: r.title,
    decisionNumber: r.decisionNumber,
    decidedOn: r.decidedOn,
    publicityFrom: r.publicityFrom,
    publicityUntil: r.publicityUntil,
    minUntil: r.minUntil,
    status: r.status,
    badge: STATUS_BADGES[r.status] ?? "secondary",
    isPublic: !!r.isPublic,
    ruleId: r.ruleId,
    ruleSet: r.ruleSet,
    department: r.departmentId ? (departments?.get(r.departmentId) ?? null) : null,
    departmentId: r.departmentId,
    sourceUnit: r.sourceUnit,
    importId: r.importId,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    override: o
      ? {
          text: [
            o.publish === false ? "不予公示" : o.publish ? "公示" : "",
            o.min !== undefined ? `最短 ${describePeriod(o.min as never)}` : "",
            o.max !== undefined ? `最长 ${describePeriod(o.max as never)}` : "",
          ]
            .filter(Boolean)
            .join("，"),
          basis: r.overrideBasis,
        }
      : null,
    fields: RECORD_FIELDS.filter((f) => d[f.key]).map((f) => ({ label: f.label, value: d[f.key]! })),
  };
}

export function presentRule(r: PublicityRule) {
  const period = (value: number | null, unit: string | null) =>
    value !== null && unit ? `${value}${PERIOD_UNIT_LABELS[unit as keyof typeof PERIOD_UNIT_LABELS]}` : "不限";
  return {
    id: r.id,
    ruleSet: r.ruleSet,
    ruleSetLabel: r.ruleSet === "national" ? "国家规则" : r.ruleSet,
    recordType: r.recordType,
    severity: r.severity === "*" ? "（全部）" : r.severity,
    publish: !!r.publish,
    min: period(r.minValue, r.minUnit),
    max: period(r.maxValue, r.maxUnit),
    countFrom: r.countFrom === "publication" ? "公示之日" : "决定之日",
    effectiveFrom: r.effectiveFrom,
    legalBasis: r.legalBasis,
    note: r.note,
    toBeConfirmed: !!r.toBeConfirmed,
    createdBy: r.createdBy,
  };
}

export function presentImport(job: CreditImport, live?: { phase: string; processed: number; total: number }) {
  const phase = live?.phase ?? job.phase;
  const processed = live?.processed ?? job.processedRows;
  const total = live?.total ?? job.totalRows;
  let problems: RowProblem[];
  try {
    problems = job.problems ? (JSON.parse(job.problems) as RowProblem[]) : [];
  } catch {
    problems = [];
  }
  const PHASES: Record<string, string> = { parsing: "读取文件", validating: "逐行校验", writing: "写入数据库", finished: "已完成" };
  return {
    id: job.id,
    fileName: job.fileName,
    format: job.format,
    dryRun: !!job.dryRun,
    status: job.status,
    phase,
    phaseLabel: PHASES[phase] ?? phase,
    processed,
    total,
    percent: total ? Math.min(100, Math.round((processed / total) * 100)) : job.status === "running" ? 0 : 100,
    done: job.status !== "running",
    failed: job.status === "failed",
    totalRows: job.totalRows,
    badRows: job.badRows,
    createdCount: job.createdCount,
    unchangedCount: job.unchangedCount,
    subjectsCreated: job.subjectsCreated,
    message: job.message,
    problems,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}
