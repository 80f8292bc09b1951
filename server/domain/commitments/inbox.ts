import { QueryTypes } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { COMMITMENT_STATUSES, type CommitmentStatus } from "../../db/models/Commitment.js";
import { COMMITMENT_PROCESS_KEY } from "./processContract.js";

/** How close to its deadline a task counts as "near due" (highlighted in the inbox). */
export const NEAR_DUE_MS = 2 * 24 * 60 * 60 * 1000;

export interface InboxFilter {
  /** itemCode. */
  item?: string;
  /** Department code of the case. */
  department?: string;
  status?: CommitmentStatus;
  /** reviewTask (受理审查) or verificationTask (核查). */
  activity?: string;
  /** mine: assigned to me; unassigned: nobody has claimed it; all (default): everything I may see. */
  scope?: "mine" | "unassigned" | "all";
  overdue?: boolean;
  sort?: "due" | "created";
  order?: "asc" | "desc";
  page?: number;
  pageSize?: number;
  /** Compute total and counts (default true). They scan every visible task; a page alone reads one index range. */
  withCounts?: boolean;
}

export interface InboxRow {
  taskId: string;
  taskName: string | null;
  activityId: string;
  formKey: string | null;
  assignee: string | null;
  created: Date;
  due: Date | null;
  overdue: boolean;
  nearDue: boolean;
  code: string;
  itemCode: string;
  itemName: string;
  departmentCode: string;
  subjectName: string;
  subjectCode: string;
  status: CommitmentStatus;
  revision: number;
}

export interface InboxPage {
  rows: InboxRow[];
  total: number;
  page: number;
  pageSize: number;
  /** Counts over everything the user may see (not the filter): the inbox tabs and badges. */
  counts: { all: number; mine: number; unassigned: number; overdue: number; nearDue: number };
}

interface RawRow {
  task_id: string;
  task_name: string | null;
  activity_id: string;
  form_key: string | null;
  assignee: string | null;
  created_at: Date | string;
  due_at: Date | string | null;
  code: string;
  item_code: string;
  item_name: string;
  department_code: string;
  subject_name: string;
  subject_code: string;
  status: CommitmentStatus;
  revision: number;
}

// MySQL returns Date objects; SQLite returns Sequelize's text form "YYYY-MM-DD HH:MM:SS.SSS +00:00".
const toDate = (v: Date | string | null): Date | null => {
  if (v === null) return null;
  if (v instanceof Date) return v;
  const iso = v.replace(/ ?\+00:00$/, "Z").replace(" ", "T");
  return new Date(/Z$|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
};

/**
 * The reviewer inbox of commitment tasks: open 受理审查 and 核查 tasks the user may see (assigned to the user,
 * or offered to one of its groups; admin all) joined with their case, filtered, sorted and paginated, with
 * counts for the tabs. One raw query per page plus one for the counts (the inbox is the hot read).
 */
export async function listCommitmentInbox(db: Database, user: CurrentUser, filter: InboxFilter, now: Date): Promise<InboxPage> {
  const page = Math.max(1, Math.floor(filter.page ?? 1));
  const pageSize = Math.min(100, Math.max(1, Math.floor(filter.pageSize ?? 20)));
  const r: Record<string, unknown> = { key: COMMITMENT_PROCESS_KEY, me: user.username, now, soon: new Date(now.getTime() + NEAR_DUE_MS) };
  // Visibility of a task: assigned to me, or offered to one of my groups (or to me by name); admin sees all.
  let visibleTask = "1 = 1";
  // For counts: visible task ids from the candidate lookup index and the assignee index (a UNION, so each side
  // uses its index); unary plus keeps SQLite from driving through the unselective definition_key index.
  let visibleSet = "engine_tasks t";
  if (!user.isAdmin) {
    r.groups = user.groups.length ? user.groups : ["\u0000"];
    // Two EXISTS (not one with OR inside) so each is one lookup in engine_task_candidates (kind, value, task_id).
    visibleTask = `(t.assignee = :me
      OR EXISTS (SELECT 1 FROM engine_task_candidates g WHERE g.task_id = t.id AND g.kind = 'group' AND g.value IN (:groups))
      OR EXISTS (SELECT 1 FROM engine_task_candidates u WHERE u.task_id = t.id AND u.kind = 'user' AND u.value = :me))`;
    visibleSet = `(SELECT g.task_id AS id FROM engine_task_candidates g WHERE g.kind = 'group' AND g.value IN (:groups)
       UNION SELECT u.task_id FROM engine_task_candidates u WHERE u.kind = 'user' AND u.value = :me
       UNION SELECT a.id FROM engine_tasks a WHERE a.assignee = :me) vis
      JOIN engine_tasks t ON t.id = vis.id`;
  }
  const joins = `JOIN commitments c ON c.code = t.business_key
    JOIN catalog_items i ON i.id = c.item_id
    JOIN catalog_item_versions v ON v.id = c.item_version_id
    JOIN departments d ON d.id = c.department_id`;
  const where: string[] = [];
  if (filter.item) {
    r.item = filter.item;
    where.push("i.item_code = :item");
  }
  if (filter.department) {
    r.department = filter.department;
    where.push("d.code = :department");
  }
  if (filter.status && (COMMITMENT_STATUSES as readonly string[]).includes(filter.status)) {
    r.status = filter.status;
    where.push("c.status = :status");
  }
  if (filter.activity) {
    r.activity = filter.activity;
    where.push("t.activity_id = :activity");
  }
  if (filter.scope === "mine") where.push("t.assignee = :me");
  if (filter.scope === "unassigned") where.push("t.assignee IS NULL");
  if (filter.overdue) where.push("t.due_at < :now");
  const order = filter.order === "desc" ? "DESC" : "ASC";
  // The page walks the (definition_key, due_at, id) or (definition_key, created_at) index in order and stops
  // after one page, checking visibility per task; it never sorts the whole visible set.
  const orderBy = filter.sort === "created" ? `t.created_at ${order}` : `t.due_at ${order}, t.id ${order}`;
  const rows = await db.sequelize.query<RawRow>(
    // STRAIGHT_JOIN: MariaDB otherwise starts from the one-row catalog tables and scans every task.
    `SELECT ${db.dialect === "mysql" ? "STRAIGHT_JOIN " : ""}t.id AS task_id, t.name AS task_name, t.activity_id, t.form_key, t.assignee, t.created_at, t.due_at,
            c.code, i.item_code, v.name AS item_name, d.code AS department_code, c.subject_name, c.subject_code, c.status, c.revision
       FROM engine_tasks t ${joins}
      WHERE ${[filter.scope === "mine" ? "+t.definition_key = :key" : "t.definition_key = :key", visibleTask, ...where].join(" AND ")}
      ORDER BY ${orderBy} LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
    { type: QueryTypes.SELECT, replacements: r },
  );
  const nowMs = now.getTime();
  const presented = rows.map((x) => presentRow(x, nowMs));
  if (filter.withCounts === false) {
    return { rows: presented, total: -1, page, pageSize, counts: { all: -1, mine: -1, unassigned: -1, overdue: -1, nearDue: -1 } };
  }
  const base = ["+t.definition_key = :key"];
  const from = `FROM ${visibleSet} ${joins}`;
  const [totalRow] = await db.sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n ${from} WHERE ${[...base, ...where].join(" AND ")}`, {
    type: QueryTypes.SELECT,
    replacements: r,
  });
  const [counts] = await db.sequelize.query<{
    all_n: number;
    mine_n: number | null;
    unassigned_n: number | null;
    overdue_n: number | null;
    near_n: number | null;
  }>(
    `SELECT COUNT(*) AS all_n,
            SUM(CASE WHEN t.assignee = :me THEN 1 ELSE 0 END) AS mine_n,
            SUM(CASE WHEN t.assignee IS NULL THEN 1 ELSE 0 END) AS unassigned_n,
            SUM(CASE WHEN t.due_at < :now THEN 1 ELSE 0 END) AS overdue_n,
            SUM(CASE WHEN t.due_at >= :now AND t.due_at < :soon THEN 1 ELSE 0 END) AS near_n
       FROM ${visibleSet} WHERE ${base.join(" AND ")}`,
    { type: QueryTypes.SELECT, replacements: r },
  );
  return {
    rows: presented,
    total: Number(totalRow?.n ?? 0),
    page,
    pageSize,
    counts: {
      all: Number(counts?.all_n ?? 0),
      mine: Number(counts?.mine_n ?? 0),
      unassigned: Number(counts?.unassigned_n ?? 0),
      overdue: Number(counts?.overdue_n ?? 0),
      nearDue: Number(counts?.near_n ?? 0),
    },
  };
}

function presentRow(x: RawRow, nowMs: number): InboxRow {
  const due = toDate(x.due_at);
  return {
    taskId: String(x.task_id),
    taskName: x.task_name,
    activityId: x.activity_id,
    formKey: x.form_key,
    assignee: x.assignee,
    created: toDate(x.created_at)!,
    due,
    overdue: !!due && due.getTime() < nowMs,
    nearDue: !!due && due.getTime() >= nowMs && due.getTime() < nowMs + NEAR_DUE_MS,
    code: x.code,
    itemCode: x.item_code,
    itemName: x.item_name,
    departmentCode: x.department_code,
    subjectName: x.subject_name,
    subjectCode: x.subject_code,
    status: x.status,
    revision: Number(x.revision),
  };
}
