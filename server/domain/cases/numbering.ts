import { QueryTypes, type Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { ConflictError } from "../../errors.js";

const MAX_SERIAL = 999_999;

/** A numbering series: its counter's name and the letters its numbers start with ("" for the 承诺编码). */
export interface CaseNumberSeries {
  series: string;
  prefix: string;
  /** Chinese name of what is numbered, for the "used up" message (e.g. 承诺编码). */
  label: string;
}

/**
 * The next case number of a series inside the caller's transaction: prefix + 6-digit division code + yyyymmdd +
 * 6-digit serial of that day. The counter row of (series, division, day) is created or incremented by one upsert,
 * which holds the row's write lock until the transaction ends: concurrent starts on MySQL/MariaDB queue on that row,
 * and on SQLite the write queue already serializes them. A rolled-back start gives its serial back.
 */
export async function nextCaseNumber(
  db: Database,
  t: Transaction,
  series: CaseNumberSeries,
  divisionCode: string,
  compactDay: string,
): Promise<string> {
  if (!/^[A-Z]{0,4}$/.test(series.prefix)) throw new Error(`a series prefix is 0-4 capital letters, got ${series.prefix}`);
  if (!/^\d{6}$/.test(divisionCode)) throw new Error(`division code must be 6 digits, got ${divisionCode}`);
  if (!/^\d{8}$/.test(compactDay)) throw new Error(`day must be yyyymmdd, got ${compactDay}`);
  const upsert =
    db.dialect === "mysql"
      ? "INSERT INTO case_counters (series, division_code, day, last_serial) VALUES (:series, :division, :day, 1) ON DUPLICATE KEY UPDATE last_serial = last_serial + 1"
      : "INSERT INTO case_counters (series, division_code, day, last_serial) VALUES (:series, :division, :day, 1) ON CONFLICT(series, division_code, day) DO UPDATE SET last_serial = last_serial + 1";
  const replacements = { series: series.series, division: divisionCode, day: compactDay };
  await db.sequelize.query(upsert, { replacements, transaction: t });
  const [row] = await db.sequelize.query<{ last_serial: number }>(
    "SELECT last_serial FROM case_counters WHERE series = :series AND division_code = :division AND day = :day",
    { replacements, transaction: t, type: QueryTypes.SELECT },
  );
  const serial = Number(row?.last_serial);
  if (!Number.isInteger(serial) || serial < 1) throw new Error(`case counter ${series.series} did not advance`);
  if (serial > MAX_SERIAL) throw new ConflictError(`今日${series.label}已用尽（每日最多 999999 件），请明日再提交`, "serial_exhausted");
  return `${series.prefix}${divisionCode}${compactDay}${String(serial).padStart(6, "0")}`;
}
