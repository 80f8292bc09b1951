import type { Transaction } from "sequelize";
import { hashPassword } from "../../auth/passwords.js";
import { User } from "../../db/models/User.js";
import { UserGroup } from "../../db/models/UserGroup.js";
import { UserRole, type Role } from "../../db/models/UserRole.js";
import { UserSubject } from "../../db/models/UserSubject.js";
import { Group } from "../../db/models/Group.js";

export interface NewUser {
  username: string;
  password: string;
  /** A hash made before the transaction (hashing is slow; on SQLite it would hold the write queue). */
  passwordHash?: string;
  displayName: string;
  email?: string | null;
  phone?: string | null;
  roles: Role[];
  departmentId?: number | null;
  /** Extra candidate groups; a staff member of a department always joins its group. */
  groups?: string[];
  subjectIds?: number[];
}

/** Creates an account with its roles, groups (its department's group included) and subjects in one transaction. */
export async function createUser(input: NewUser, t: Transaction): Promise<User> {
  const passwordHash = input.passwordHash ?? (await hashPassword(input.password));
  const user = await User.create(
    {
      username: input.username,
      passwordHash,
      displayName: input.displayName,
      email: input.email ?? null,
      phone: input.phone ?? null,
      departmentId: input.departmentId ?? null,
    },
    { transaction: t },
  );
  await setUserRoles(user.id, input.roles, t);
  const groups = new Set(input.groups ?? []);
  if (input.departmentId) {
    const departmentGroup = await Group.findOne({ where: { departmentId: input.departmentId }, transaction: t });
    if (departmentGroup) groups.add(departmentGroup.id);
  }
  await setUserGroups(user.id, [...groups], t);
  if (input.subjectIds?.length) {
    await UserSubject.bulkCreate(
      input.subjectIds.map((subjectId) => ({ userId: user.id, subjectId })),
      { transaction: t },
    );
  }
  return user;
}

/** Replaces a user's roles. */
export async function setUserRoles(userId: number, roles: Role[], t: Transaction): Promise<void> {
  await UserRole.destroy({ where: { userId }, transaction: t });
  await UserRole.bulkCreate(
    [...new Set(roles)].map((role) => ({ userId, role })),
    { transaction: t },
  );
}

/** Replaces a user's candidate groups. */
export async function setUserGroups(userId: number, groups: string[], t: Transaction): Promise<void> {
  await UserGroup.destroy({ where: { userId }, transaction: t });
  await UserGroup.bulkCreate(
    [...new Set(groups)].map((groupId) => ({ userId, groupId })),
    { transaction: t },
  );
}
