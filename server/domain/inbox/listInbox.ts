import { QueryTypes } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { loadWorkingCalendar } from "../calendar/workingDays.js";

/** How many working days before its deadline a task counts as "near due" (amber in the inbox, UX.md). */
export const NEAR_DUE_WORKING_DAYS = 2;

/** The end of the near-due window: a task due at or before it (and not yet overdue) is near due (holiday calendar). */
export async function nearDueDeadline(now: Date): Promise<Date> {
  return (await loadWorkingCalendar()).workingDeadline(now, NEAR_DUE_WORKING_DAYS);
}

/** Overdue (past due), near due (due within NEAR_DUE_WORKING_DAYS working days) or neither. */
export function dueState(due: Date | null, now: Date, nearDeadline: Date): "overdue" | "near" | null {
  if (!due) return null;
  if (due.getTime() < now.getTime()) return "overdue";
  if (due.getTime() <= nearDeadline.getTime()) return "near";
  return null;
}

/** Inbox total and counts are exact up to this many tasks, and shown as "1000+" above it (a full count would read every visible task). */
export const COUNT_CAP = 1000;

export interface InboxFilter {
  /** Process key of the tasks (every process when absent). */
  processKey?: string;
  /** The case's flow kind (commitment, generic, ...). */
  kind?: string;
  /** itemCode. */
  item?: string;
  /** Department code of the case. */
  department?: string;
  /** The case's status label. */
  status?: string;
  /** The user task's id in its process (e.g. reviewTask, verificationTask). */
  activity?: string;
  /** mine: assigned to me; unassigned: nobody has claimed it; group: offered to one of my groups; all (default): everything I may see. */
  scope?: "mine" | "unassigned" | "group" | "all";
  /** assigned: somebody holds it; unassigned: nobody does (combines with scope). */
  claimed?: "assigned" | "unassigned";
  overdue?: boolean;
  /** due: the task's follow-up date (跟进日期) has come. */
  followUp?: "due";
  sort?: "due" | "created";
  order?: "asc" | "desc";
  page?: number;
  pageSize?: number;
  /** Compute total and counts (default true). They scan every visible task; a page alone reads one index range. */
  withCounts?: boolean;
  /** Also count the tasks offered to my groups (counts.group, more.group): the /tasks page's 本组任务 tab. */
  withGroupCount?: boolean;
}

export interface InboxRow {
  taskId: string;
  taskName: string | null;
  activityId: string;
  formKey: string | null;
  assignee: string | null;
  /** The assignee's name as people read it. */
  assigneeName: string | null;
  created: Date;
  due: Date | null;
  /** 跟进日期 (Camunda's followUp), when somebody set one. */
  followUp: Date | null;
  overdue: boolean;
  nearDue: boolean;
  processKey: string;
  /** The case: its flow kind, number (business key), item, department, subject and status label. */
  kind: string;
  code: string;
  itemCode: string | null;
  itemName: string;
  departmentCode: string | null;
  departmentName: string | null;
  subjectName: string;
  subjectCode: string;
  status: string;
  /** Somebody sent a 催办 on it. */
  urged: boolean;
}

export interface InboxPage {
  rows: InboxRow[];
  total: number;
  page: number;
  pageSize: number;
  /** Counts over everything the user may see (not the filter): the inbox tabs and badges. Each at most countCap. */
  counts: { all: number; mine: number; unassigned: number; overdue: number; nearDue: number; group?: number };
  /** Counts (and total) are counted up to this many; above it the number is countCap and `more` says so ("1000+"). */
  countCap: number;
  /** Which of total and counts have more than countCap matching tasks. */
  more: { total: boolean; all: boolean; mine: boolean; unassigned: boolean; overdue: boolean; nearDue: boolean; group?: boolean };
}

interface RawRow {
  task_id: string;
  task_name: string | null;
  activity_id: string;
  form_key: string | null;
  assignee: string | null;
  assignee_name: string | null;
  created_at: Date | string;
  due_at: Date | string | null;
  follow_up_at: Date | string | null;
  process_key: string;
  kind: string;
  code: string;
  item_code: string | null;
  item_name: string;
  department_code: string | null;
  department_name: string | null;
  subject_name: string | null;
  subject_code: string | null;
  status: string;
  urged: number | boolean | string;
}

// MySQL returns Date objects; SQLite returns Sequelize's text form "YYYY-MM-DD HH:MM:SS.SSS +00:00".
const toDate = (v: Date | string | null): Date | null => {
  if (v === null) return null;
  if (v instanceof Date) return v;
  const iso = v.replace(/ ?\+00:00$/, "Z").replace(" ", "T");
  return new Date(/Z$|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
};

/** The case of a task (its instance's row in cases), its item and department, as the inbox joins them after `join`. */
function caseJoins(join: string): string {
  return `${join} cases k ON k.instance_id = t.instance_id
      LEFT JOIN catalog_items i ON i.id = k.item_id
      LEFT JOIN catalog_item_versions v ON v.id = k.item_version_id
      LEFT JOIN departments d ON d.id = k.department_id`;
}

/**
 * The reviewer inbox over every process: open user tasks the user may see (assigned to the user, or offered to one
 * of its groups or to it by name; admin all) joined with their case, filtered (process, kind, item, department, status,
 * step), sorted and paginated, with counts for the tabs. One raw query per page plus one per count (the hot read).
 */
export async function listInbox(db: Database, user: CurrentUser, filter: InboxFilter, now: Date): Promise<InboxPage> {
  const page = Math.max(1, Math.floor(filter.page ?? 1));
  const pageSize = Math.min(100, Math.max(1, Math.floor(filter.pageSize ?? 20)));
  const soon = await nearDueDeadline(now);
  const r: Record<string, unknown> = { me: user.username, now, soon };
  // No group: '' matches no candidate row (candidate values are never empty). Not NUL: SQLite ends the SQL text there.
  const myGroups = user.groups.length ? user.groups : [""];
  const inMyGroups =
    "EXISTS (SELECT 1 FROM engine_task_candidates g2 WHERE g2.task_id = t.id AND g2.kind = 'group' AND g2.value IN (:groups))";
  // Visibility of a task: assigned to me, or offered to one of my groups (or to me by name); admin sees all.
  // (A reviewer's pages other than "mine" are driven from the candidate rows, candidatePageIds; its counts by cappedCount.)
  let visibleTask = "1 = 1";
  if (!user.isAdmin) {
    r.groups = myGroups;
    // Two EXISTS (not one with OR inside) so each is one lookup in engine_task_candidates (kind, value, task_id).
    visibleTask = `(t.assignee = :me
      OR EXISTS (SELECT 1 FROM engine_task_candidates g WHERE g.task_id = t.id AND g.kind = 'group' AND g.value IN (:groups))
      OR EXISTS (SELECT 1 FROM engine_task_candidates u WHERE u.task_id = t.id AND u.kind = 'user' AND u.value = :me))`;
  }
  const joins = caseJoins("JOIN");
  const where: string[] = [];
  // The process key: on the task in the page queries; on the candidate row's copy in the candidate branches.
  const keyed = filter.processKey !== undefined;
  if (keyed) r.key = filter.processKey;
  if (filter.kind) {
    r.kind = filter.kind;
    where.push("k.kind = :kind");
  }
  if (filter.item) {
    r.item = filter.item;
    where.push("i.item_code = :item");
  }
  if (filter.department) {
    r.department = filter.department;
    where.push("d.code = :department");
  }
  if (filter.status) {
    r.status = filter.status;
    where.push("k.status = :status");
  }
  if (filter.activity) {
    r.activity = filter.activity;
    where.push("t.activity_id = :activity");
  }
  if (filter.scope === "mine") where.push("t.assignee = :me");
  if (filter.scope === "unassigned") where.push("t.assignee IS NULL");
  if (filter.claimed === "assigned") where.push("t.assignee IS NOT NULL");
  if (filter.claimed === "unassigned" && filter.scope !== "unassigned") where.push("t.assignee IS NULL");
  if (filter.scope === "group" && user.isAdmin) {
    r.groups = myGroups;
    where.push(inMyGroups);
  }
  // Unary plus: the tasks assigned to me are found by the assignee index, never by walking every overdue task.
  if (filter.overdue) where.push("+t.due_at < :now");
  if (filter.followUp === "due") where.push("t.follow_up_at <= :now");
  const order = filter.order === "desc" ? "DESC" : "ASC";
  const offset = (page - 1) * pageSize;
  const nowMs = now.getTime();
  // A reviewer's "all" or "unassigned" view: driven from the candidate rows (see candidatePageIds), not the task table.
  const ids = user.isAdmin || filter.scope === "mine" ? null : await candidatePageIds(db, user, filter, where, r, order, pageSize, offset);
  // The page walks the (due_at, id) or (created_at, id) index (with a process key: (definition_key, due_at, id) or
  // (definition_key, created_at)) in order and stops after one page, checking visibility per task; it never sorts
  // the whole visible set.
  const orderBy = filter.sort === "created" ? `t.created_at ${order}` : `t.due_at ${order}, t.id ${order}`;
  const select = `t.id AS task_id, t.name AS task_name, t.activity_id, t.form_key, t.assignee, t.created_at, t.due_at,
            t.definition_key AS process_key, k.kind, COALESCE(k.business_key, k.instance_id) AS code, i.item_code,
            COALESCE(v.name, k.title) AS item_name, d.code AS department_code, d.name AS department_name, k.subject_name,
            k.subject_code, k.status, EXISTS (SELECT 1 FROM task_reminders r WHERE r.task_id = t.id) AS urged,
            au.display_name AS assignee_name, t.follow_up_at`;
  // The rows of a page only: who holds each task, by name.
  const rowJoins = `${joins} LEFT JOIN users au ON au.username = t.assignee`;
  const taskKey = keyed ? ["t.definition_key = :key"] : [];
  const rows = ids
    ? ids.length
      ? sortLike(
          ids,
          await db.sequelize.query<RawRow>(`SELECT ${select} FROM engine_tasks t ${rowJoins} WHERE t.id IN (:ids)`, {
            type: QueryTypes.SELECT,
            replacements: { ids },
          }),
        )
      : []
    : await db.sequelize.query<RawRow>(
        // STRAIGHT_JOIN: MariaDB otherwise starts from the one-row catalog tables and scans every task.
        `SELECT ${db.dialect === "mysql" ? "STRAIGHT_JOIN " : ""}${select}
       FROM engine_tasks t ${rowJoins}
      WHERE ${[...(filter.scope === "mine" && keyed ? ["+t.definition_key = :key"] : taskKey), visibleTask, ...where].join(" AND ")}
      ORDER BY ${orderBy} LIMIT ${pageSize} OFFSET ${offset}`,
        { type: QueryTypes.SELECT, replacements: r },
      );
  const presented = rows.map((x) => presentRow(x, nowMs, soon.getTime()));
  if (filter.withCounts === false) {
    const none = { total: false, all: false, mine: false, unassigned: false, overdue: false, nearDue: false };
    return {
      rows: presented,
      total: -1,
      page,
      pageSize,
      counts: { all: -1, mine: -1, unassigned: -1, overdue: -1, nearDue: -1 },
      countCap: COUNT_CAP,
      more: none,
    };
  }
  if (!user.isAdmin) {
    // Each count walks at most COUNT_CAP + 1 rows of each branch: exact up to the cap, "more than COUNT_CAP" above it.
    const scoped =
      filter.scope === "mine"
        ? { cand: null, mine: [] }
        : { cand: [], mine: filter.scope === "unassigned" || filter.scope === "group" ? null : [], groupsOnly: filter.scope === "group" };
    const all = cappedCount(db, user, r, { cand: [], mine: [], where: [], withCase: false });
    // Unfiltered, the total is the 全部 count (every task has its case): counted once.
    const unfiltered = !where.length && !filter.overdue && (filter.scope === undefined || filter.scope === "all");
    const [total, allCount, mine, unassigned, overdue, nearDue, group] = await Promise.all([
      unfiltered ? all : cappedCount(db, user, r, { ...scoped, where, withCase: true, overdue: filter.overdue === true }),
      all,
      cappedCount(db, user, r, { cand: null, mine: [], where: [], withCase: false }),
      cappedCount(db, user, r, { cand: ["x.assignee IS NULL"], mine: null, where: [], withCase: false }),
      cappedCount(db, user, r, { cand: ["x.due_at < :now"], mine: ["+t.due_at < :now"], where: [], withCase: false }),
      cappedCount(db, user, r, {
        cand: ["x.due_at >= :now", "x.due_at <= :soon"],
        mine: ["+t.due_at >= :now", "+t.due_at <= :soon"],
        where: [],
        withCase: false,
      }),
      filter.withGroupCount ? cappedCount(db, user, r, { cand: [], mine: null, groupsOnly: true, where: [], withCase: false }) : undefined,
    ]);
    return capped(presented, page, pageSize, { total, all: allCount, mine, unassigned, overdue, nearDue }, group);
  }
  // Admin: every task (unary plus keeps SQLite off the unselective definition_key index).
  const base = keyed ? ["+t.definition_key = :key"] : ["1 = 1"];
  const from = `FROM engine_tasks t ${joins}`;
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
            SUM(CASE WHEN t.due_at >= :now AND t.due_at <= :soon THEN 1 ELSE 0 END) AS near_n
       FROM engine_tasks t WHERE ${base.join(" AND ")}`,
    { type: QueryTypes.SELECT, replacements: r },
  );
  let group: number | undefined;
  if (filter.withGroupCount) {
    const [g] = await db.sequelize.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM engine_tasks t WHERE ${[...base, inMyGroups].join(" AND ")}`,
      {
        type: QueryTypes.SELECT,
        replacements: { ...r, groups: myGroups },
      },
    );
    group = Number(g?.n ?? 0);
  }
  return capped(
    presented,
    page,
    pageSize,
    {
      total: Number(totalRow?.n ?? 0),
      all: Number(counts?.all_n ?? 0),
      mine: Number(counts?.mine_n ?? 0),
      unassigned: Number(counts?.unassigned_n ?? 0),
      overdue: Number(counts?.overdue_n ?? 0),
      nearDue: Number(counts?.near_n ?? 0),
    },
    group,
  );
}

type CountName = "total" | "all" | "mine" | "unassigned" | "overdue" | "nearDue";

/** Caps every count at COUNT_CAP and says which ones were capped (the same for every user, admin included). */
function capped(rows: InboxRow[], page: number, pageSize: number, n: Record<CountName, number>, group?: number): InboxPage {
  const cap = (x: number) => Math.min(x, COUNT_CAP);
  const more: InboxPage["more"] = Object.fromEntries(Object.entries(n).map(([k, v]) => [k, v > COUNT_CAP])) as Record<CountName, boolean>;
  const counts: InboxPage["counts"] = {
    all: cap(n.all),
    mine: cap(n.mine),
    unassigned: cap(n.unassigned),
    overdue: cap(n.overdue),
    nearDue: cap(n.nearDue),
  };
  if (group !== undefined) {
    counts.group = cap(group);
    more.group = group > COUNT_CAP;
  }
  return { rows, total: cap(n.total), page, pageSize, counts, countCap: COUNT_CAP, more };
}

/**
 * How many visible tasks match, counted up to COUNT_CAP + 1: the union of the candidate branches (one per group and the
 * user's own name, each an index range of engine_task_candidates, conditions `cand` on its copies; null: no such branch)
 * and the branch of tasks assigned to the user (conditions `mine`; null: none), each cut at COUNT_CAP + 1 rows, then
 * de-duplicated. If no branch was cut the count is exact; if one was, it alone has COUNT_CAP + 1 distinct tasks.
 */
async function cappedCount(
  db: Database,
  user: CurrentUser,
  r: Record<string, unknown>,
  o: { cand: string[] | null; mine: string[] | null; where: string[]; withCase: boolean; overdue?: boolean; groupsOnly?: boolean },
): Promise<number> {
  const limit = COUNT_CAP + 1;
  const p: Record<string, unknown> = { ...r };
  // Join order forced as in candidatePageIds: the candidate (or assignee) index first, the rest by primary key.
  const join = db.dialect === "mysql" ? "STRAIGHT_JOIN" : "CROSS JOIN";
  const joined = o.withCase ? caseJoins(join) : "";
  const keyed = r.key !== undefined;
  const branches: string[] = [];
  if (o.cand) {
    const cand = o.cand;
    candidatesOf(user, o.groupsOnly).forEach(([kind, value], n) => {
      p[`k${n}`] = kind;
      p[`v${n}`] = value;
      const conds = [`x.kind = :k${n}`, `x.value = :v${n}`, ...(keyed ? ["x.definition_key = :key"] : []), ...cand, ...o.where];
      if (o.overdue) conds.push("x.due_at < :now");
      branches.push(
        o.where.length || o.withCase
          ? `SELECT x.task_id AS id FROM engine_task_candidates x ${join} engine_tasks t ON t.id = x.task_id ${joined} WHERE ${conds.join(" AND ")} LIMIT ${limit}`
          : `SELECT x.task_id AS id FROM engine_task_candidates x WHERE ${conds.join(" AND ")} LIMIT ${limit}`,
      );
    });
  }
  if (o.mine) {
    branches.push(
      `SELECT t.id AS id FROM engine_tasks t ${joined} WHERE ${["t.assignee = :me", ...(keyed ? ["+t.definition_key = :key"] : []), ...o.mine, ...o.where].join(" AND ")} LIMIT ${limit}`,
    );
  }
  if (!branches.length) return 0;
  const union = branches.map((b, n) => `SELECT id FROM (${b}) b${n}`).join(" UNION ALL ");
  const [row] = await db.sequelize.query<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM (SELECT id FROM (${union}) u GROUP BY id LIMIT ${limit}) z`,
    { type: QueryTypes.SELECT, replacements: p },
  );
  return Number(row?.n ?? 0);
}

/** The candidate rows that make a task visible to the user: each of its groups, and its own name. */
function candidatesOf(user: CurrentUser, groupsOnly = false): [string, string][] {
  const groups = [...new Set(user.groups)].map((g): [string, string] => ["group", g]);
  return groupsOnly ? groups : [...groups, ["user", user.username]];
}

/**
 * The task ids of one page of a reviewer's inbox, in order. Visible tasks are those offered to one of the user's groups
 * or to the user by name (engine_task_candidates) or assigned to the user. Each candidate row carries its task's process
 * key, due and creation time, so for each group (and the user's own name) one walk of the index (kind, value,
 * definition_key, due_at|created_at, task_id) yields that branch in page order; each branch stops after
 * offset + pageSize matching rows (the task and case are joined by primary key to apply the filters), the tasks
 * assigned to the user are a third branch, and the union of these few rows is sorted and cut to the page.
 */
async function candidatePageIds(
  db: Database,
  user: CurrentUser,
  filter: InboxFilter,
  where: string[],
  r: Record<string, unknown>,
  order: "ASC" | "DESC",
  pageSize: number,
  offset: number,
): Promise<string[]> {
  const limit = offset + pageSize;
  const byCreated = filter.sort === "created";
  const col = byCreated ? "created_at" : "due_at";
  const mysql = db.dialect === "mysql";
  // Join order is forced (STRAIGHT_JOIN on MariaDB, CROSS JOIN on SQLite): the candidate index first, then by primary key.
  const join = mysql ? "STRAIGHT_JOIN" : "CROSS JOIN";
  const joined = caseJoins(join);
  const keyed = r.key !== undefined;
  const p: Record<string, unknown> = { ...r };
  const branches: string[] = [];
  candidatesOf(user, filter.scope === "group").forEach(([kind, value], n) => {
    p[`k${n}`] = kind;
    p[`v${n}`] = value;
    const conds = [`x.kind = :k${n}`, `x.value = :v${n}`, ...(keyed ? ["x.definition_key = :key"] : []), ...where];
    if (filter.overdue) conds.push("x.due_at < :now");
    branches.push(`SELECT x.task_id AS id, x.${col} AS k FROM engine_task_candidates x
      ${join} engine_tasks t ON t.id = x.task_id ${joined}
      WHERE ${conds.join(" AND ")} ORDER BY x.${col} ${order}, x.task_id ${order} LIMIT ${limit}`);
  });
  // The tasks assigned to me: through the assignee index (unary plus keeps SQLite off the definition_key index).
  if (filter.scope !== "unassigned" && filter.scope !== "group" && filter.claimed !== "unassigned") {
    branches.push(`SELECT t.id AS id, t.${col} AS k FROM engine_tasks t ${joined}
      WHERE ${["t.assignee = :me", ...(keyed ? ["+t.definition_key = :key"] : []), ...where].join(" AND ")} ORDER BY t.${col} ${order}, t.id ${order} LIMIT ${limit}`);
  }
  // UNION ALL plus GROUP BY: a task reached by two branches (two of my groups, or also assigned to me) appears once.
  if (!branches.length) return [];
  const union = branches.map((b, n) => `SELECT id, k FROM (${b}) b${n}`).join(" UNION ALL ");
  const rows = await db.sequelize.query<{ id: string }>(
    `SELECT id, MIN(k) AS k FROM (${union}) u GROUP BY id ORDER BY k ${order}, id ${order} LIMIT ${pageSize} OFFSET ${offset}`,
    { type: QueryTypes.SELECT, replacements: p },
  );
  return rows.map((x) => String(x.id));
}

function sortLike(ids: string[], rows: RawRow[]): RawRow[] {
  const at = new Map(ids.map((id, n) => [id, n]));
  return [...rows].sort((a, b) => at.get(String(a.task_id))! - at.get(String(b.task_id))!);
}

function presentRow(x: RawRow, nowMs: number, soonMs: number): InboxRow {
  const due = toDate(x.due_at);
  return {
    taskId: String(x.task_id),
    taskName: x.task_name,
    activityId: x.activity_id,
    formKey: x.form_key,
    assignee: x.assignee,
    assigneeName: x.assignee ? (x.assignee_name ?? x.assignee) : null,
    created: toDate(x.created_at)!,
    due,
    followUp: toDate(x.follow_up_at),
    overdue: !!due && due.getTime() < nowMs,
    nearDue: !!due && due.getTime() >= nowMs && due.getTime() <= soonMs,
    processKey: x.process_key,
    kind: x.kind,
    code: String(x.code),
    itemCode: x.item_code,
    itemName: x.item_name,
    departmentCode: x.department_code,
    departmentName: x.department_name,
    subjectName: x.subject_name ?? "",
    subjectCode: x.subject_code ?? "",
    status: x.status,
    urged: Number(x.urged) === 1 || x.urged === true,
  };
}
