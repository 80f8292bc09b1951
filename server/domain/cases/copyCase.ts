import { Op } from "sequelize";
import { loadCurrentUser } from "../../auth/loadUser.js";
import type { CurrentUser } from "../../auth/currentUser.js";
import { Case } from "../../db/models/Case.js";
import { CaseCopy } from "../../db/models/CaseCopy.js";
import { Group } from "../../db/models/Group.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import type { FlowDeps } from "../../flows/registry.js";
import { audit } from "../audit.js";
import { notify, usersOfGroups } from "../actions/messages.js";
import { findVisibleTask } from "../tasks/completeTask.js";
import { caseOfInstance } from "./queries.js";

const STAFF = ["reviewer", "dept_admin", "admin", "auditor"] as const;
const MAX_RECIPIENTS = 20;

/**
 * 抄送: whoever may see a task sends a read-only copy of its case to staff users or groups (any department: a copy to
 * the 信用办 is common), with a note; each recipient then finds it under 抄送我的. Audited with the sender.
 */
export async function copyCase(
  deps: Pick<FlowDeps, "db" | "engine" | "clock">,
  input: { actor: CurrentUser; taskId: string; users?: string[]; groups?: string[]; note?: string },
): Promise<CaseCopy[]> {
  const task = await findVisibleTask(deps, input.actor, input.taskId);
  const kase = await caseOfInstance(task.processInstanceId);
  if (!kase) throw new NotFoundError("找不到该任务的办件");
  const users = [...new Set((input.users ?? []).map((u) => u.trim()).filter(Boolean))];
  const groups = [...new Set((input.groups ?? []).map((g) => g.trim()).filter(Boolean))];
  if (!users.length && !groups.length)
    throw new ValidationError("请选择抄送对象", [{ path: "users", message: "请选择至少一个抄送人或抄送组" }]);
  if (users.length + groups.length > MAX_RECIPIENTS) {
    throw new ValidationError("抄送对象太多", [{ path: "users", message: `一次最多抄送 ${MAX_RECIPIENTS} 个对象` }]);
  }
  for (const username of users) {
    const user = username.length <= 64 ? await loadCurrentUser(deps.db.sequelize, { username }) : undefined;
    if (!user || !STAFF.some((r) => user.roles.includes(r))) {
      throw new ValidationError("抄送人无效", [{ path: "users", message: `“${username}”不是在岗的工作人员` }]);
    }
  }
  const known = new Set((await Group.findAll({ where: { id: groups }, attributes: ["id"] })).map((g) => g.id));
  const unknown = groups.find((g) => !known.has(g));
  if (unknown) throw new ValidationError("抄送组无效", [{ path: "groups", message: `没有候选组“${unknown}”` }]);
  const note = input.note?.trim().slice(0, 500) || null;
  const now = deps.clock.now();
  return deps.db.transaction(async (t) => {
    const rows = await CaseCopy.bulkCreate(
      [
        ...users.map((u) => ({ toKind: "user" as const, toValue: u })),
        ...groups.map((g) => ({ toKind: "group" as const, toValue: g })),
      ].map((to) => ({ ...to, instanceId: kase.instanceId, step: task.name, note, sentBy: input.actor.username, createdAt: now })),
      { transaction: t },
    );
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "case.copied",
      entityType: "case",
      entityId: kase.businessKey ?? kase.instanceId,
      detail: { users, groups, step: task.name, note },
      at: now,
    });
    // 站内信: each recipient (the members of a group) is told of the copy.
    const to = [...users, ...(await usersOfGroups(deps.db, groups, t))].filter((u) => u !== input.actor.username);
    const title = `抄送：${kase.businessKey ?? ""} ${kase.title}（${task.name ?? ""}）`;
    await notify(
      t,
      to.map((recipient) => ({ recipient, kind: "copy" as const, title, body: note, link: "/cc", ref: `copy:${rows[0]!.id}` })),
      now,
    );
    return rows;
  });
}

/** Copies addressed to the user or one of its groups. */
function toMe(user: CurrentUser) {
  return {
    [Op.or]: [
      { toKind: "user", toValue: user.username },
      ...(user.groups.length ? [{ toKind: "group", toValue: { [Op.in]: user.groups } }] : []),
    ],
  };
}

/** 抄送我的: newest first, one row per copy. */
export async function listCopiesToMe(
  user: CurrentUser,
  page = 1,
  pageSize = 20,
): Promise<{ rows: { copy: CaseCopy; kase: Case | null }[]; total: number }> {
  const { rows, count } = await CaseCopy.findAndCountAll({
    where: toMe(user),
    order: [
      ["createdAt", "DESC"],
      ["id", "DESC"],
    ],
    limit: pageSize,
    offset: (page - 1) * pageSize,
  });
  // The page's cases in one query.
  const cases = await Case.findAll({ where: { instanceId: [...new Set(rows.map((r) => r.instanceId))] } });
  const byInstance = new Map(cases.map((c) => [c.instanceId, c]));
  return { rows: rows.map((copy) => ({ copy, kase: byInstance.get(copy.instanceId) ?? null })), total: count };
}

/** The case of a copy sent to the user (or its groups); 404 otherwise. */
export async function findCopiedCase(user: CurrentUser, copyId: number): Promise<{ copy: CaseCopy; kase: Case }> {
  const copy = Number.isSafeInteger(copyId) ? await CaseCopy.findOne({ where: { id: copyId, ...toMe(user) } }) : null;
  const kase = copy ? await caseOfInstance(copy.instanceId) : null;
  if (!copy || !kase) throw new NotFoundError("找不到该抄送");
  return { copy, kase };
}

/** The copies of a case (its timeline). */
export function copiesOf(instanceId: string): Promise<CaseCopy[]> {
  return CaseCopy.findAll({ where: { instanceId }, order: [["createdAt", "ASC"]] });
}
