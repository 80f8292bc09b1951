import { QueryTypes, type Transaction } from "sequelize";
import { NotFoundError } from "../../errors.js";
import type { TaskFilter, TaskView } from "../types.js";
import type { EngineContext } from "./context.js";
import { InvalidRequestError } from "./errors.js";
import { toDate } from "./util.js";

type CandidateRow = { task_id: string; kind: string; value: string };

function taskFromRow(r: Record<string, unknown>, cands: CandidateRow[]): TaskView {
  const mine = cands.filter((c) => c.task_id === r.id);
  return {
    id: String(r.id),
    name: (r.name as string | null) ?? null,
    assignee: (r.assignee as string | null) ?? null,
    owner: (r.owner as string | null) ?? null,
    delegationState: (r.delegation_state as TaskView["delegationState"] | undefined) ?? null,
    formKey: (r.form_key as string | null) ?? null,
    formRevision: r.form_revision === null || r.form_revision === undefined ? null : Number(r.form_revision),
    priority: Number(r.priority),
    created: toDate(r.created_at)!,
    due: toDate(r.due_at),
    followUp: toDate(r.follow_up_at),
    processInstanceId: String(r.instance_id),
    processDefinitionId: String(r.definition_id),
    processDefinitionKey: String(r.definition_key),
    businessKey: (r.business_key as string | null) ?? null,
    taskDefinitionKey: String(r.activity_id),
    executionId: String(r.execution_id),
    candidateGroups: mine.filter((c) => c.kind === "group").map((c) => c.value),
    candidateUsers: mine.filter((c) => c.kind === "user").map((c) => c.value),
  };
}

async function candidatesOf(ctx: EngineContext, ids: string[], t?: Transaction): Promise<CandidateRow[]> {
  if (!ids.length) return [];
  return ctx.db.sequelize.query<CandidateRow>("SELECT task_id, kind, value FROM engine_task_candidates WHERE task_id IN (:ids)", {
    replacements: { ids },
    type: QueryTypes.SELECT,
    transaction: t,
  });
}

/** One open task with its candidates in one query, or null (completed tasks are gone from the table; their trace is in history). */
export async function getTask(ctx: EngineContext, taskId: string, t?: Transaction): Promise<TaskView | null> {
  const rows = await ctx.db.sequelize.query<Record<string, unknown> & { c_kind: string | null; c_value: string | null }>(
    "SELECT t.*, c.kind AS c_kind, c.value AS c_value FROM engine_tasks t LEFT JOIN engine_task_candidates c ON c.task_id = t.id WHERE t.id = :id",
    { replacements: { id: taskId }, type: QueryTypes.SELECT, transaction: t },
  );
  const [row] = rows;
  if (!row) return null;
  const candidates = rows.filter((r) => r.c_kind !== null).map((r) => ({ task_id: taskId, kind: r.c_kind!, value: r.c_value! }));
  return taskFromRow(row, candidates);
}

/** One open task; 404 when it is gone. */
export async function loadTask(ctx: EngineContext, taskId: string, t?: Transaction): Promise<TaskView> {
  const task = await getTask(ctx, taskId, t);
  if (!task) throw new NotFoundError(`找不到任务 ${taskId}（可能已经完成）`);
  return task;
}

function taskWhere(f: TaskFilter): { sql: string; replacements: Record<string, unknown> } {
  const where: string[] = [];
  const r: Record<string, unknown> = {};
  const candidateIn = (kind: string, param: string) =>
    `EXISTS (SELECT 1 FROM engine_task_candidates c WHERE c.task_id = t.id AND c.kind = '${kind}' AND c.value IN (:${param}))`;
  if (f.visibleTo && !f.visibleTo.isAdmin) {
    r.vUser = f.visibleTo.username;
    r.vUserList = [f.visibleTo.username];
    // An account in no group (applicant, auditor, worker) sees only its own and its candidate-user tasks.
    const byGroup = f.visibleTo.groups.length ? ` OR ${candidateIn("group", "vGroups")}` : "";
    if (byGroup) r.vGroups = f.visibleTo.groups;
    where.push(`(t.assignee = :vUser${byGroup} OR ${candidateIn("user", "vUserList")})`);
  }
  const groups = [...(f.candidateGroups ?? []), ...(f.candidateGroup ? [f.candidateGroup] : [])];
  if (groups.length) {
    r.cGroups = groups;
    where.push(candidateIn("group", "cGroups"));
  }
  if (f.candidateUser) {
    r.cUser = [f.candidateUser];
    where.push(candidateIn("user", "cUser"));
  }
  if ((groups.length || f.candidateUser) && !f.includeAssignedTasks) where.push("t.assignee IS NULL");
  if (f.assignee) {
    r.assignee = f.assignee;
    where.push("t.assignee = :assignee");
  }
  if (f.unassigned) where.push("t.assignee IS NULL");
  const eq: [keyof TaskFilter, string][] = [
    ["processInstanceId", "instance_id"],
    ["processDefinitionKey", "definition_key"],
    ["processDefinitionId", "definition_id"],
    ["businessKey", "business_key"],
    ["taskDefinitionKey", "activity_id"],
  ];
  for (const [k, col] of eq) {
    if (f[k] !== undefined && f[k] !== null && f[k] !== "") {
      r[k] = f[k];
      where.push(`t.${col} = :${k}`);
    }
  }
  return { sql: where.length ? `WHERE ${where.join(" AND ")}` : "", replacements: r };
}

/** Rows one task query answers at most (a larger maxResults is cut to it); 1000 when not given. */
export const TASK_QUERY_LIMIT = 10_000;

/** LIMIT and OFFSET as integers safe to write into the SQL: not given -> 1000 / 0; not a non-negative integer -> 400. */
export function paging(f: Pick<TaskFilter, "firstResult" | "maxResults">): { limit: number; offset: number } {
  const check = (name: string, v: unknown, fallback: number): number => {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      throw new InvalidRequestError(`${name} 必须是不小于 0 的整数：${typeof v === "number" ? String(v) : typeof v}`);
    }
    return v;
  };
  return {
    limit: Math.min(check("maxResults", f.maxResults, 1000), TASK_QUERY_LIMIT),
    offset: check("firstResult", f.firstResult, 0),
  };
}

/** Open tasks matching a Camunda-like filter; the inbox query (indexed side table for candidates). */
export async function findTasks(ctx: EngineContext, f: TaskFilter = {}, t?: Transaction): Promise<TaskView[]> {
  const { sql, replacements } = taskWhere(f);
  const col =
    { created: "created_at", dueDate: "due_at", priority: "priority", name: "name", id: "id" }[f.sortBy ?? "created"] ?? "created_at";
  const dir = f.sortOrder === "desc" ? "DESC" : "ASC";
  const { limit, offset } = paging(f);
  const rows = await ctx.db.sequelize.query<Record<string, unknown>>(
    `SELECT t.* FROM engine_tasks t ${sql} ORDER BY t.${col} ${dir}, t.id ASC LIMIT ${limit} OFFSET ${offset}`,
    { replacements, type: QueryTypes.SELECT, transaction: t },
  );
  const cands = await candidatesOf(
    ctx,
    rows.map((r) => String(r.id)),
    t,
  );
  return rows.map((r) => taskFromRow(r, cands));
}

/** How many open tasks match the filter (paging ignored). */
export async function countTasks(ctx: EngineContext, f: TaskFilter = {}): Promise<number> {
  const { sql, replacements } = taskWhere(f);
  const [row] = await ctx.db.sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM engine_tasks t ${sql}`, {
    replacements,
    type: QueryTypes.SELECT,
  });
  return Number(row?.n ?? 0);
}
