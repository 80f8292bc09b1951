import type { CreditRecord } from "../../db/models/CreditRecord.js";
import { addDays } from "../calendar/days.js";
import { isPublicOn, minimumPassed } from "../credit/periods.js";

type RecordFacts = Pick<
  CreditRecord,
  "recordType" | "severity" | "status" | "isPublic" | "repaired" | "publicityFrom" | "publicityUntil" | "minUntil" | "departmentId"
>;

/** Record types that are not dishonesty information: nothing to repair (a licence is published, not held against anyone). */
const NOT_REPAIRABLE_TYPES = new Set(["行政许可"]);

/**
 * Why a record may not be repaired on `today`, in Chinese (empty: it may). DOMAIN.md: only a record shown to the public
 * can stop being shown; the minimum publicity period must have passed, except for 轻微 records, which have none (repair
 * may be applied for once the obligations are performed); the recording department decides ("谁认定、谁修复").
 */
export function repairRefusals(record: RecordFacts, today: string): string[] {
  if (NOT_REPAIRABLE_TYPES.has(record.recordType)) return [`${record.recordType}信息不属于失信信息，无需申请信用修复`];
  if (record.status !== "公示中" || !isPublicOn(record, today)) {
    const why =
      record.status === "已修复（终止公示）"
        ? "该记录已修复并终止公示"
        : record.status === "已届满"
          ? "该记录公示期已届满，已停止公示"
          : record.status === "公示中"
            ? "该记录当前不在公示期内"
            : `该记录当前状态为“${record.status}”，未在公示`;
    return [`${why}，无需申请信用修复`];
  }
  const refusals: string[] = [];
  if (record.severity !== "轻微" && !minimumPassed(record, today) && record.minUntil) {
    refusals.push(
      `该记录为${record.severity ?? record.recordType}信息，最短公示期至 ${record.minUntil} 届满，${addDays(record.minUntil, 1)} 起方可申请信用修复`,
    );
  }
  if (record.departmentId === null) refusals.push("该记录没有登记认定部门，无法按“谁认定、谁修复”转办，请到市信用办窗口申请");
  return refusals;
}

/** Why a subject may not dispute a record (empty: it may): a withdrawn record is already gone; the department must be known. */
export function objectionRefusals(record: Pick<CreditRecord, "status" | "departmentId">): string[] {
  const refusals: string[] = [];
  if (record.status === "已撤销") refusals.push("该记录已撤销，无需提出异议");
  if (record.departmentId === null) refusals.push("该记录没有登记认定部门，请到市信用办窗口提出异议");
  return refusals;
}
