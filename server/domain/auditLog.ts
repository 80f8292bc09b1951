import { QueryTypes } from "sequelize";
import type { Database } from "../db/database.js";
import type { EntryFields } from "./audit.js";
import { likePattern, PAGE_SIZE, type Page } from "./search.js";

export interface AuditFilter {
  actor?: string;
  /** An action or an action prefix ("user." finds every account change). */
  action?: string;
  entityType?: string;
  entityId?: string;
  /** Dates as YYYY-MM-DD in China time, both inclusive. */
  from?: string;
  to?: string;
  /** Only entries up to this id (to open the log at a given entry, e.g. the first broken one). */
  upTo?: number;
  page: number;
}

export interface AuditRow extends EntryFields {
  id: number;
}

const CHINA_OFFSET_MS = 8 * 3600_000;

/** The UTC instant a China-time day begins, or undefined when the text is not a date. */
export function chinaDayStart(text: string | undefined): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? "");
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - CHINA_OFFSET_MS;
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

type Where = { where: string; replacements: Record<string, unknown> };

/** The WHERE clause of a filter (page and upTo aside, which the callers add). */
function whereOf(filter: Omit<AuditFilter, "page">, extra: string[] = []): Where {
  const conditions: string[] = [...extra];
  const replacements: Record<string, unknown> = {};
  if (filter.actor?.trim()) {
    conditions.push("actor = :actor");
    replacements.actor = filter.actor.trim();
  }
  if (filter.action?.trim()) {
    conditions.push("action LIKE :action ESCAPE '!'");
    replacements.action = likePattern(filter.action.trim(), "prefix");
  }
  if (filter.entityType?.trim()) {
    conditions.push("entity_type = :entityType");
    replacements.entityType = filter.entityType.trim();
  }
  if (filter.entityId?.trim()) {
    conditions.push("entity_id = :entityId");
    replacements.entityId = filter.entityId.trim();
  }
  const from = chinaDayStart(filter.from);
  if (from) {
    conditions.push("at >= :from");
    replacements.from = from;
  }
  const to = chinaDayStart(filter.to);
  if (to) {
    conditions.push("at < :to");
    replacements.to = new Date(to.getTime() + 24 * 3600_000);
  }
  if (filter.upTo) {
    conditions.push("id <= :upTo");
    replacements.upTo = filter.upTo;
  }
  return { where: conditions.length ? `WHERE ${conditions.join(" AND ")}` : "", replacements };
}

interface RawRow {
  id: number;
  at: Date | string;
  actor: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  detail: string | null;
  ip: string | null;
}

const toRow = (r: RawRow): AuditRow => ({
  id: Number(r.id),
  at: new Date(r.at),
  actor: r.actor,
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  detail: r.detail,
  ip: r.ip,
});

/** Searches the audit log, newest first, one page. */
export async function searchAuditLog(db: Database, filter: AuditFilter): Promise<Page<AuditRow>> {
  const { where, replacements } = whereOf(filter);
  const [count] = await db.sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_entries ${where}`, {
    type: QueryTypes.SELECT,
    replacements,
  });
  const rows = await db.sequelize.query<RawRow>(
    `SELECT id, at, actor, action, entity_type, entity_id, detail, ip FROM audit_entries ${where}
      ORDER BY id DESC LIMIT ${PAGE_SIZE} OFFSET ${(filter.page - 1) * PAGE_SIZE}`,
    { type: QueryTypes.SELECT, replacements },
  );
  return { rows: rows.map(toRow), total: Number(count?.n ?? 0), page: filter.page, pageSize: PAGE_SIZE };
}

const EXPORT_BATCH = 500;

/** Every entry matching a filter, newest first, in batches (keyset on id, so entries appended meanwhile do not shift pages). */
export async function* auditLogBatches(db: Database, filter: Omit<AuditFilter, "page">): AsyncGenerator<AuditRow[]> {
  let before: number | null = null;
  for (;;) {
    const { where, replacements } = whereOf(filter, before === null ? [] : ["id < :before"]);
    if (before !== null) replacements.before = before;
    const rows = await db.sequelize.query<RawRow>(
      `SELECT id, at, actor, action, entity_type, entity_id, detail, ip FROM audit_entries ${where} ORDER BY id DESC LIMIT ${EXPORT_BATCH}`,
      { type: QueryTypes.SELECT, replacements },
    );
    if (!rows.length) return;
    yield rows.map(toRow);
    if (rows.length < EXPORT_BATCH) return;
    before = Number(rows[rows.length - 1]!.id);
  }
}
