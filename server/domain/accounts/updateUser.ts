import type { Database } from "../../db/database.js";
import { User } from "../../db/models/User.js";
import { UserGroup } from "../../db/models/UserGroup.js";
import { UserRole, type Role } from "../../db/models/UserRole.js";
import { NotFoundError } from "../../errors.js";
import { audit } from "../audit.js";
import type { Actor } from "./actor.js";
import { setUserGroups, setUserRoles } from "./createUser.js";
import { checkAssignment } from "./staffAccounts.js";

export interface UserChanges {
  displayName: string;
  phone: string | null;
  email: string | null;
  roles: Role[];
  departmentId: number | null;
  /** Extra candidate groups; the department's group is added by itself. */
  groups: string[];
  active: boolean;
}

/**
 * An admin changes an account's details, roles, department, groups and whether it is active. Changes take
 * effect on the account's next request (each request reloads the account). Audits what changed.
 */
export function updateUser(db: Database, actor: Actor, userId: number, input: UserChanges): Promise<User> {
  return db.transaction(async (t) => {
    const user = await User.findByPk(userId, { transaction: t, lock: db.dialect === "mysql" });
    if (!user) throw new NotFoundError("找不到该用户");
    const { departmentGroup } = await checkAssignment(input, t);
    const beforeRoles = (await UserRole.findAll({ where: { userId }, transaction: t })).map((r) => r.role).sort();
    const beforeGroups = (await UserGroup.findAll({ where: { userId }, transaction: t })).map((g) => g.groupId).sort();
    const roles = [...new Set(input.roles)].sort();
    const groups = [...new Set([...input.groups, ...(departmentGroup ? [departmentGroup] : [])])].sort();
    const before = {
      displayName: user.displayName,
      phone: user.phone,
      email: user.email,
      departmentId: user.departmentId,
      active: user.active,
    };
    user.set({
      displayName: input.displayName,
      phone: input.phone,
      email: input.email,
      departmentId: input.departmentId,
      active: input.active,
    });
    await user.save({ transaction: t });
    await setUserRoles(userId, roles, t);
    await setUserGroups(userId, groups, t);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of Object.keys(before) as Array<keyof typeof before>) {
      if (before[key] !== user[key]) changes[key] = { from: before[key], to: user[key] };
    }
    if (beforeRoles.join() !== roles.join()) changes.roles = { from: beforeRoles, to: roles };
    if (beforeGroups.join() !== groups.join()) changes.groups = { from: beforeGroups, to: groups };
    await audit(db, t, {
      actor: actor.username,
      action: "user.updated",
      entityType: "user",
      entityId: userId,
      detail: changes,
      ip: actor.ip ?? null,
    });
    if (changes.active) {
      await audit(db, t, {
        actor: actor.username,
        action: user.active ? "user.reactivated" : "user.deactivated",
        entityType: "user",
        entityId: userId,
        detail: { username: user.username },
        ip: actor.ip ?? null,
      });
    }
    return user;
  });
}
