import { QueryTypes, type Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { ConflictError } from "../../errors.js";

const MAX_SERIAL = 999_999;

/**
 * The next 承诺编码 (20 characters: 6-digit division code + yyyymmdd + 6-digit serial of that day) inside
 * the caller's transaction. The counter row of (division, day) is created or incremented by one upsert,
 * which holds the row's write lock until the transaction ends: concurrent submissions on MySQL/MariaDB
 * queue on that row, and on SQLite the write queue already serializes them. A rolled-back submission
 * gives its serial back.
 */
export async function nextCommitmentCode(db: Database, t: Transaction, divisionCode: string, compactDay: string): Promise<string> {
  if (!/^\d{6}$/.test(divisionCode)) throw new Error(`division code must be 6 digits, got ${divisionCode}`);
  if (!/^\d{8}$/.test(compactDay)) throw new Error(`day must be yyyymmdd, got ${compactDay}`);
  const upsert =
    db.dialect === "mysql"
      ? "INSERT INTO commitment_counters (division_code, day, last_serial) VALUES (:division, :day, 1) ON DUPLICATE KEY UPDATE last_serial = last_serial + 1"
      : "INSERT INTO commitment_counters (division_code, day, last_serial) VALUES (:division, :day, 1) ON CONFLICT(division_code, day) DO UPDATE SET last_serial = last_serial + 1";
  const replacements = { division: divisionCode, day: compactDay };
  await db.sequelize.query(upsert, { replacements, transaction: t });
  const [row] = await db.sequelize.query<{ last_serial: number }>(
    "SELECT last_serial FROM commitment_counters WHERE division_code = :division AND day = :day",
    { replacements, transaction: t, type: QueryTypes.SELECT },
  );
  const serial = Number(row?.last_serial);
  if (!Number.isInteger(serial) || serial < 1) throw new Error("commitment counter did not advance");
  if (serial > MAX_SERIAL) throw new ConflictError("今日承诺编码已用尽（每日最多 999999 件），请明日再提交", "serial_exhausted");
  return `${divisionCode}${compactDay}${String(serial).padStart(6, "0")}`;
}

/** Splits a 承诺编码 into its parts; null when it is not 20 digits. */
export function parseCommitmentCode(code: string): { divisionCode: string; day: string; serial: number } | null {
  const m = /^(\d{6})(\d{8})(\d{6})$/.exec(code);
  if (!m) return null;
  return { divisionCode: m[1]!, day: m[2]!, serial: Number(m[3]) };
}
