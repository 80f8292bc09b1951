import { QueryTypes } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";

export const INBOX_PAGE_SIZE = 20;

export interface InboxFilter {
  /** mine: assigned to me; group: my groups' tasks; all: everything I may see (default). */
  scope?: "all" | "mine" | "group";
  /** assigned | unassigned */
  status?: "assigned" | "unassigned";
  overdue?: boolean;
  /** catalog itemCode */
  item?: string;
  /** department code */
  department?: string;
  sort?: "due" | "created";
  page?: number;
}

export interface InboxRow {
  id: string;
  name: string | null;
  activityId: string;
  formKey: string | null;
  assignee: string | null;
  businessKey: string | null;
  dueAt: Date | null;
  createdAt: Date;
  code: string | null;
  subjectName: string | null;
  subjectCode: string | null;
  caseStatus: string | null;
  itemCode: string | null;
  itemName: string | null;
  departmentCode: string | null;
  departmentName: string | null;
}

const toDate = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(v as string));

const FROM = `FROM engine_tasks t
  LEFT JOIN commitments c ON c.code = t.business_key
  LEFT JOIN catalog_items ci ON ci.id = c.item_id
  LEFT JOIN catalog_item_versions v ON v.id = c.item_version_id
  LEFT JOIN departments d ON d.id = c.department_id`;

const inGroups = "EXISTS (SELECT 1 FROM engine_task_candidates g WHERE g.task_id = t.id AND g.kind = 'group' AND g.value IN (:groups))";
const asCandidateUser =
  "EXISTS (SELECT 1 FROM engine_task_candidates u WHERE u.task_id = t.id AND u.kind = 'user' AND u.value = :username)";

/** The WHERE clause of what a user may see: admin everything; others tasks assigned to them or offered to them or their groups. */
function visibility(user: CurrentUser, r: Record<string, unknown>): string[] {
  r.username = user.username;
  r.groups = user.groups.length ? user.groups : ["\u0000"];
  if (user.isAdmin) return [];
  return [`(t.assignee = :username OR ${inGroups} OR ${asCandidateUser})`];
}

function whereOf(user: CurrentUser, f: InboxFilter, now: Date): { sql: string; r: Record<string, unknown> } {
  const r: Record<string, unknown> = { now };
  const where = visibility(user, r);
  if (f.scope === "mine") where.push("t.assignee = :username");
  if (f.scope === "group") where.push(inGroups);
  if (f.status === "assigned") where.push("t.assignee IS NOT NULL");
  if (f.status === "unassigned") where.push("t.assignee IS NULL");
  if (f.overdue) where.push("t.due_at IS NOT NULL AND t.due_at < :now");
  if (f.item) {
    r.item = f.item;
    where.push("ci.item_code = :item");
  }
  if (f.department) {
    r.department = f.department;
    where.push("d.code = :department");
  }
  return { sql: where.length ? `WHERE ${where.join(" AND ")}` : "", r };
}

/**
 * One page of the reviewer inbox: open tasks the user may see, joined to their case (item, department,
 * subject) by business key = 承诺编码; filtered, sorted by due date (no due date last) or newest first.
 */
export async function listInbox(
  db: Database,
  user: CurrentUser,
  f: InboxFilter,
  now: Date,
): Promise<{ rows: InboxRow[]; total: number; page: number; pageSize: number }> {
  const { sql, r } = whereOf(user, f, now);
  const page = Math.max(1, Math.floor(f.page ?? 1));
  const order =
    f.sort === "created"
      ? "t.created_at DESC, t.id ASC"
      : "CASE WHEN t.due_at IS NULL THEN 1 ELSE 0 END ASC, t.due_at ASC, t.created_at ASC, t.id ASC";
  const [countRow] = await db.sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n ${FROM} ${sql}`, {
    replacements: r,
    type: QueryTypes.SELECT,
  });
  const rows = await db.sequelize.query<Record<string, unknown>>(
    `SELECT t.id, t.name, t.activity_id, t.form_key, t.assignee, t.business_key, t.due_at, t.created_at,
       c.code, c.subject_name, c.subject_code, c.status AS case_status, ci.item_code, v.name AS item_name, d.code AS department_code, d.name AS department_name
     ${FROM} ${sql} ORDER BY ${order} LIMIT ${INBOX_PAGE_SIZE} OFFSET ${(page - 1) * INBOX_PAGE_SIZE}`,
    { replacements: r, type: QueryTypes.SELECT },
  );
  return {
    rows: rows.map((x) => ({
      id: String(x.id),
      name: (x.name as string | null) ?? null,
      activityId: String(x.activity_id),
      formKey: (x.form_key as string | null) ?? null,
      assignee: (x.assignee as string | null) ?? null,
      businessKey: (x.business_key as string | null) ?? null,
      dueAt: toDate(x.due_at),
      createdAt: toDate(x.created_at)!,
      code: (x.code as string | null) ?? null,
      subjectName: (x.subject_name as string | null) ?? null,
      subjectCode: (x.subject_code as string | null) ?? null,
      caseStatus: (x.case_status as string | null) ?? null,
      itemCode: (x.item_code as string | null) ?? null,
      itemName: (x.item_name as string | null) ?? null,
      departmentCode: (x.department_code as string | null) ?? null,
      departmentName: (x.department_name as string | null) ?? null,
    })),
    total: Number(countRow?.n ?? 0),
    page,
    pageSize: INBOX_PAGE_SIZE,
  };
}

/** The inbox counters: assigned to me, offered to my groups, overdue among everything I may see. */
export async function inboxCounts(
  db: Database,
  user: CurrentUser,
  now: Date,
): Promise<{ mine: number; group: number; overdue: number; all: number }> {
  const count = async (f: InboxFilter) => {
    const { sql, r } = whereOf(user, f, now);
    const [row] = await db.sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n ${FROM} ${sql}`, {
      replacements: r,
      type: QueryTypes.SELECT,
    });
    return Number(row?.n ?? 0);
  };
  const [mine, group, overdue, all] = await Promise.all([
    count({ scope: "mine" }),
    count({ scope: "group" }),
    count({ overdue: true }),
    count({}),
  ]);
  return { mine, group, overdue, all };
}

/** The items and departments that have open tasks the user may see (the filter drop-downs). */
export async function inboxFilterOptions(db: Database, user: CurrentUser, now: Date) {
  const { sql, r } = whereOf(user, {}, now);
  const items = await db.sequelize.query<{ item_code: string; item_name: string }>(
    `SELECT DISTINCT ci.item_code, v.name AS item_name ${FROM} ${sql ? `${sql} AND` : "WHERE"} ci.item_code IS NOT NULL ORDER BY ci.item_code`,
    { replacements: r, type: QueryTypes.SELECT },
  );
  const departments = await db.sequelize.query<{ code: string; name: string }>(
    `SELECT DISTINCT d.code, d.name ${FROM} ${sql ? `${sql} AND` : "WHERE"} d.code IS NOT NULL ORDER BY d.code`,
    { replacements: r, type: QueryTypes.SELECT },
  );
  const seen = new Set<string>();
  return {
    items: items.filter((i) => !seen.has(i.item_code) && seen.add(i.item_code)).map((i) => ({ code: i.item_code, name: i.item_name })),
    departments: departments.map((d) => ({ code: d.code, name: d.name })),
  };
}

/** The next task after completing one: the first of the user's inbox by due date (assigned to me first), or null. */
export async function nextTaskId(db: Database, user: CurrentUser, now: Date, exceptId: string): Promise<string | null> {
  for (const scope of ["mine", "all"] as const) {
    const { sql, r } = whereOf(user, { scope, status: scope === "all" ? "unassigned" : undefined }, now);
    r.except = exceptId;
    const rows = await db.sequelize.query<{ id: string }>(
      `SELECT t.id ${FROM} ${sql ? `${sql} AND` : "WHERE"} t.id <> :except ORDER BY CASE WHEN t.due_at IS NULL THEN 1 ELSE 0 END ASC, t.due_at ASC, t.created_at ASC, t.id ASC LIMIT 1`,
      { replacements: r, type: QueryTypes.SELECT },
    );
    if (rows[0]) return String(rows[0].id);
  }
  return null;
}
