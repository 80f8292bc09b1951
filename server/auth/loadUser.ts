import { QueryTypes, type Sequelize } from "sequelize";
import type { Role } from "../db/models/UserRole.js";
import type { CurrentUser } from "./currentUser.js";

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  department_id: number | null;
  department_name: string | null;
  active: number | boolean;
}

/** Loads an active user with roles, groups and subjects as one plain object (raw queries: every request pays for this). */
export async function loadCurrentUser(
  sequelize: Sequelize,
  where: { id: number } | { username: string },
): Promise<CurrentUser | undefined> {
  const byId = "id" in where;
  const [row] = await sequelize.query<UserRow>(
    `SELECT u.id, u.username, u.display_name, u.department_id, d.name AS department_name, u.active
       FROM users u LEFT JOIN departments d ON d.id = u.department_id
      WHERE ${byId ? "u.id = :key" : "u.username = :key"}`,
    { type: QueryTypes.SELECT, replacements: { key: byId ? where.id : where.username } },
  );
  if (!row || !row.active) return undefined;
  const [roles, groups, subjects] = await Promise.all([
    sequelize.query<{ role: Role }>("SELECT role FROM user_roles WHERE user_id = :id ORDER BY role", {
      type: QueryTypes.SELECT,
      replacements: { id: row.id },
    }),
    sequelize.query<{ group_id: string }>("SELECT group_id FROM user_groups WHERE user_id = :id ORDER BY group_id", {
      type: QueryTypes.SELECT,
      replacements: { id: row.id },
    }),
    sequelize.query<{ subject_id: number }>("SELECT subject_id FROM user_subjects WHERE user_id = :id ORDER BY subject_id", {
      type: QueryTypes.SELECT,
      replacements: { id: row.id },
    }),
  ]);
  const roleList = roles.map((r) => r.role);
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: roleList,
    groups: groups.map((g) => g.group_id),
    departmentId: row.department_id,
    departmentName: row.department_name,
    subjectIds: subjects.map((s) => Number(s.subject_id)),
    isAdmin: roleList.includes("admin"),
  };
}

/** Reads the stored password hash of a username (undefined when there is no such active account). */
export async function loadPasswordHash(sequelize: Sequelize, username: string): Promise<{ id: number; hash: string } | undefined> {
  const [row] = await sequelize.query<{ id: number; password_hash: string; active: number | boolean }>(
    "SELECT id, password_hash, active FROM users WHERE username = :username",
    { type: QueryTypes.SELECT, replacements: { username } },
  );
  return row && row.active ? { id: row.id, hash: row.password_hash } : undefined;
}
