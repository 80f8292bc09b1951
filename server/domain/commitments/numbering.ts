import type { Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { nextCaseNumber, type CaseNumberSeries } from "../cases/numbering.js";

/** The 承诺编码 series: no prefix, 20 digits (division, day, serial). */
export const COMMITMENT_NUMBERS: CaseNumberSeries = { series: "commitment", prefix: "", label: "承诺编码" };

/** The next 承诺编码 (6-digit division code + yyyymmdd + 6-digit serial of that day) inside the caller's transaction. */
export function nextCommitmentCode(db: Database, t: Transaction, divisionCode: string, compactDay: string): Promise<string> {
  return nextCaseNumber(db, t, COMMITMENT_NUMBERS, divisionCode, compactDay);
}

/** Splits a 承诺编码 into its parts; null when it is not 20 digits. */
export function parseCommitmentCode(code: string): { divisionCode: string; day: string; serial: number } | null {
  const m = /^(\d{6})(\d{8})(\d{6})$/.exec(code);
  if (!m) return null;
  return { divisionCode: m[1]!, day: m[2]!, serial: Number(m[3]) };
}
