import { QueryTypes, type Transaction } from "sequelize";
import type { Database } from "../../db/database.js";

/** Said whenever a username cannot be had, taken or reserved alike: the answer confirms no account. */
export const USERNAME_UNAVAILABLE = "该用户名不可用，请换一个";
export const USERNAME_RULE = "用户名为 3-32 位字母、数字、下划线、点或短横线，以字母开头";
export const USERNAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{2,31}$/;

const RESERVED = new Set(["admin", "administrator", "root", "system", "sys", "support", "security", "audit", "null", "undefined"]);

/** Whether a username may be given to a new account: not reserved and not taken in any letter case. */
export async function usernameAvailable(db: Database, username: string, t: Transaction): Promise<boolean> {
  if (RESERVED.has(username.toLowerCase())) return false;
  // MariaDB compares case-insensitively, SQLite does not: both refuse "Alice" when "alice" exists.
  const [row] = await db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM users WHERE LOWER(username) = :u", {
    type: QueryTypes.SELECT,
    replacements: { u: username.toLowerCase() },
    transaction: t,
  });
  return Number(row?.n ?? 0) === 0;
}
