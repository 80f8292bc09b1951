import { QueryTypes, type Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import type { CreditDocumentKind } from "../../db/models/CreditDocument.js";
import { ConflictError } from "../../errors.js";
import type { CaseNumberSeries } from "../cases/numbering.js";

/**
 * The numbering of each kind of document, in the same case_counters table as case numbers (numbering.ts): prefix +
 * 6-digit division + yyyymmdd + 6-digit serial of the day. 决定书 and 不予修复决定书 share one series.
 */
export const DOCUMENT_SERIES: Record<CreditDocumentKind, CaseNumberSeries> = {
  repair_notice: { series: "doc-repair-notice", prefix: "GZ", label: "信用修复告知书编号" },
  repair_decision: { series: "doc-repair-decision", prefix: "JD", label: "信用修复决定书编号" },
  repair_refusal: { series: "doc-repair-decision", prefix: "JD", label: "信用修复决定书编号" },
  repair_commitment: { series: "doc-repair-commitment", prefix: "CN", label: "信用修复承诺书编号" },
  credit_report: { series: "credit-report", prefix: "BG", label: "信用报告编号" },
};

const MAX_SERIAL = 999_999;

/**
 * `count` consecutive numbers of a series for one division and day, in the caller's transaction, with one upsert
 * (an import of thousands of penalty records numbers its 告知书 in one statement). The counter row stays locked until
 * the transaction ends, so concurrent issuers queue; a rollback gives the numbers back.
 */
export async function takeDocumentNumbers(
  db: Database,
  t: Transaction,
  series: CaseNumberSeries,
  divisionCode: string,
  compactDay: string,
  count: number,
): Promise<string[]> {
  if (count < 1) return [];
  if (!/^\d{6}$/.test(divisionCode)) throw new Error(`division code must be 6 digits, got ${divisionCode}`);
  if (!/^\d{8}$/.test(compactDay)) throw new Error(`day must be yyyymmdd, got ${compactDay}`);
  const upsert =
    db.dialect === "mysql"
      ? "INSERT INTO case_counters (series, division_code, day, last_serial) VALUES (:series, :division, :day, :n) ON DUPLICATE KEY UPDATE last_serial = last_serial + :n"
      : "INSERT INTO case_counters (series, division_code, day, last_serial) VALUES (:series, :division, :day, :n) ON CONFLICT(series, division_code, day) DO UPDATE SET last_serial = last_serial + :n";
  const replacements = { series: series.series, division: divisionCode, day: compactDay, n: count };
  await db.sequelize.query(upsert, { replacements, transaction: t });
  const [row] = await db.sequelize.query<{ last_serial: number }>(
    "SELECT last_serial FROM case_counters WHERE series = :series AND division_code = :division AND day = :day",
    { replacements, transaction: t, type: QueryTypes.SELECT },
  );
  const last = Number(row?.last_serial);
  if (!Number.isInteger(last) || last < count) throw new Error(`document counter ${series.series} did not advance`);
  if (last > MAX_SERIAL) throw new ConflictError(`今日${series.label}已用尽（每日最多 999999 份），请明日再办理`, "serial_exhausted");
  const first = last - count + 1;
  return Array.from({ length: count }, (_, i) => `${series.prefix}${divisionCode}${compactDay}${String(first + i).padStart(6, "0")}`);
}
