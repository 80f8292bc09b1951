import type { Transaction } from "sequelize";
import type { Database } from "../../db/database.js";

/** Runs fn in the caller's transaction when there is one, else in a new one (SQLite: through the write queue). */
export function inTransaction<T>(db: Database, t: Transaction | undefined, fn: (t: Transaction) => Promise<T>): Promise<T> {
  return t ? fn(t) : db.transaction(fn);
}
