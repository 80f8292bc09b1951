import { QueryTypes, type Transaction } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { audit } from "../audit.js";

/** The /tasks query parameters a saved filter keeps (page is never saved: a filter opens on its first page). */
export const SAVED_FILTER_KEYS = ["kind", "scope", "status", "overdue", "item", "department", "sort", "followUp"] as const;
/** Saved filters per user. */
export const MAX_SAVED_FILTERS = 20;

export interface SavedFilter {
  id: number;
  name: string;
  /** The query string, e.g. "scope=mine&overdue=1" (no leading "?"). */
  query: string;
}

/** Keeps only the inbox's own parameters, in a fixed order: the same filter saved twice is the same text. */
export function normalizeFilterQuery(query: string): string {
  const given = new URLSearchParams(query.replace(/^\?/, ""));
  const kept = new URLSearchParams();
  for (const key of SAVED_FILTER_KEYS) {
    const v = given.get(key);
    if (v && v.length <= 64) kept.set(key, v);
  }
  return kept.toString();
}

/** The user's saved filters, by name. */
export async function listSavedFilters(db: Database, user: CurrentUser, t?: Transaction): Promise<SavedFilter[]> {
  const rows = await db.sequelize.query<{ id: number; name: string; query: string }>(
    "SELECT id, name, query FROM inbox_saved_filters WHERE username = :me ORDER BY name",
    { type: QueryTypes.SELECT, replacements: { me: user.username }, transaction: t },
  );
  return rows.map((r) => ({ id: Number(r.id), name: r.name, query: r.query }));
}

/** Saves the filter under a name (the same name again replaces it), audited. */
export async function saveInboxFilter(
  db: Database,
  user: CurrentUser,
  input: { name: string; query: string },
  now: Date,
): Promise<SavedFilter> {
  const name = input.name.trim();
  if (!name) throw new ValidationError("请填写筛选名称", [{ path: "name", message: "请给这个筛选起个名字，例如“本周逾期”" }]);
  if (name.length > 40) throw new ValidationError("筛选名称太长", [{ path: "name", message: "名称最多 40 个字" }]);
  const query = normalizeFilterQuery(input.query);
  if (!query)
    throw new ValidationError("没有可保存的筛选条件", [{ path: "query", message: "请先选择筛选条件（类型、事项、部门等），再保存" }]);
  return db.transaction(async (t) => {
    const existing = (await listSavedFilters(db, user, t)).find((f) => f.name === name);
    if (existing) {
      await db.sequelize.query("UPDATE inbox_saved_filters SET query = :query, updated_at = :now WHERE id = :id", {
        replacements: { query, now, id: existing.id },
        transaction: t,
      });
    } else {
      const [{ n }] = (await db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM inbox_saved_filters WHERE username = :me", {
        type: QueryTypes.SELECT,
        replacements: { me: user.username },
        transaction: t,
      })) as [{ n: number }];
      if (Number(n) >= MAX_SAVED_FILTERS)
        throw new ValidationError("保存的筛选太多", [
          { path: "name", message: `每人最多保存 ${MAX_SAVED_FILTERS} 个筛选，请先删除不用的` },
        ]);
      await db.sequelize.query(
        "INSERT INTO inbox_saved_filters (username, name, query, created_at, updated_at) VALUES (:me, :name, :query, :now, :now)",
        { replacements: { me: user.username, name, query, now }, transaction: t },
      );
    }
    const saved = (await listSavedFilters(db, user, t)).find((f) => f.name === name)!;
    await audit(db, t, {
      actor: user.username,
      action: "inbox.filter_saved",
      entityType: "inbox_filter",
      entityId: saved.id,
      detail: { name, query },
    });
    return saved;
  });
}

/** Deletes one of the user's saved filters (another user's is not found), audited. */
export async function deleteInboxFilter(db: Database, user: CurrentUser, id: number): Promise<SavedFilter> {
  return db.transaction(async (t) => {
    const filter = (await listSavedFilters(db, user, t)).find((f) => f.id === id);
    if (!filter) throw new NotFoundError("找不到该筛选（可能已经删除）");
    await db.sequelize.query("DELETE FROM inbox_saved_filters WHERE id = :id AND username = :me", {
      replacements: { id, me: user.username },
      transaction: t,
    });
    await audit(db, t, {
      actor: user.username,
      action: "inbox.filter_deleted",
      entityType: "inbox_filter",
      entityId: id,
      detail: { name: filter.name, query: filter.query },
    });
    return filter;
  });
}
