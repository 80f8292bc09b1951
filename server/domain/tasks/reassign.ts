import { QueryTypes } from "sequelize";
import { loadCurrentUser } from "../../auth/loadUser.js";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import type { TaskView } from "../../engine/index.js";
import { ValidationError } from "../../errors.js";
import type { FlowDeps } from "../../flows/registry.js";
import { findVisibleTask } from "./completeTask.js";

const STAFF = ["reviewer", "dept_admin"] as const;

/** A colleague a task may go to: an active reviewer or dept_admin of the actor's department (any department for an admin). */
export async function colleague(db: Database, actor: CurrentUser, username: string, path: string): Promise<CurrentUser> {
  const user = username.length <= 64 ? await loadCurrentUser(db.sequelize, { username }) : undefined;
  const staff = !!user && (user.isAdmin || STAFF.some((r) => user.roles.includes(r)));
  const sameDepartment = !!user && (actor.isAdmin || (actor.departmentId !== null && user.departmentId === actor.departmentId));
  if (!user || !staff || !sameDepartment) {
    throw new ValidationError("只能交给本部门的审核人员", [{ path, message: `“${username}”不是本部门在岗的审核人员或部门管理员` }]);
  }
  if (user.username === actor.username) throw new ValidationError("不能交给自己", [{ path, message: "请选择其他同事" }]);
  return user;
}

function reasonOf(reason: string | undefined, required: boolean): string | undefined {
  const text = reason?.trim() ?? "";
  if (required && text.length < 2)
    throw new ValidationError("请填写原因", [{ path: "reason", message: "请写明原因（至少 2 个字），会记入办理记录" }]);
  if (text.length > 500) throw new ValidationError("原因太长", [{ path: "reason", message: "原因最多 500 字" }]);
  return text || undefined;
}

export interface ReassignInput {
  actor: CurrentUser;
  taskId: string;
  /** Username of the colleague. */
  to: string;
  reason?: string;
  /** /engine-rest's setAssignee has no reason: the pages and /api require one. */
  reasonRequired?: boolean;
}

/**
 * 转办: the assignee (or an admin) hands the task to a colleague of the same department, with a reason; the task page,
 * /api and /engine-rest's POST /task/{id}/assignee all come here, so nobody hands a case outside the department.
 */
export async function transferTask(deps: Pick<FlowDeps, "db" | "engine">, input: ReassignInput): Promise<TaskView> {
  const task = await findVisibleTask(deps, input.actor, input.taskId);
  const reason = reasonOf(input.reason, input.reasonRequired ?? true);
  const to = await colleague(deps.db, input.actor, input.to, "to");
  return deps.engine.setAssignee(task.id, to.username, input.actor, undefined, { action: "task.transferred", reason });
}

/** 委派: the assignee has a colleague work the task; it comes back when the colleague resolves it. */
export async function delegateTaskTo(deps: Pick<FlowDeps, "db" | "engine">, input: ReassignInput): Promise<TaskView> {
  const task = await findVisibleTask(deps, input.actor, input.taskId);
  const reason = reasonOf(input.reason, input.reasonRequired ?? true);
  const to = await colleague(deps.db, input.actor, input.to, "to");
  return deps.engine.delegateTask(task.id, to.username, input.actor, undefined, reason);
}

/** The delegate hands the task back to its owner with an opinion. */
export async function resolveDelegatedTask(
  deps: Pick<FlowDeps, "db" | "engine">,
  input: { actor: CurrentUser; taskId: string; opinion?: string },
): Promise<TaskView> {
  const task = await findVisibleTask(deps, input.actor, input.taskId);
  const opinion = input.opinion?.trim().slice(0, 1000) || undefined;
  return deps.engine.resolveTask(task.id, input.actor, undefined, opinion);
}

/** The colleagues a task may be transferred or delegated to (the picker on the task page). */
export async function listColleagues(db: Database, actor: CurrentUser): Promise<{ username: string; displayName: string }[]> {
  if (!actor.isAdmin && actor.departmentId === null) return [];
  const rows = await db.sequelize.query<{ username: string; display_name: string }>(
    `SELECT DISTINCT u.username, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id
      WHERE u.active = :yes AND r.role IN (:roles) AND u.username <> :me ${actor.isAdmin ? "" : "AND u.department_id = :department"}
      ORDER BY u.username LIMIT 500`,
    {
      replacements: { yes: true, roles: [...STAFF, "admin"], me: actor.username, department: actor.departmentId },
      type: QueryTypes.SELECT,
    },
  );
  return rows.map((r) => ({ username: r.username, displayName: r.display_name }));
}
