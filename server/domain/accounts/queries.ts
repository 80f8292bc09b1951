import { QueryTypes } from "sequelize";
import type { Database } from "../../db/database.js";
import { ROLES, type Role } from "../../db/models/UserRole.js";
import { likePattern, PAGE_SIZE, type Page } from "../search.js";

export interface UserRow {
  id: number;
  username: string;
  displayName: string;
  phone: string | null;
  email: string | null;
  departmentId: number | null;
  departmentName: string | null;
  active: boolean;
  roles: Role[];
  groups: string[];
  createdAt: Date;
}

interface RawUser {
  id: number;
  username: string;
  display_name: string;
  phone: string | null;
  email: string | null;
  department_id: number | null;
  department_name: string | null;
  active: number | boolean;
  created_at: Date | string;
}

export interface UserFilter {
  q?: string;
  role?: string;
  departmentId?: number;
  page: number;
}

async function withRolesAndGroups(db: Database, raws: RawUser[]): Promise<UserRow[]> {
  if (raws.length === 0) return [];
  const ids = raws.map((r) => Number(r.id));
  const [roles, groups] = await Promise.all([
    db.sequelize.query<{ user_id: number; role: Role }>("SELECT user_id, role FROM user_roles WHERE user_id IN (:ids) ORDER BY role", {
      type: QueryTypes.SELECT,
      replacements: { ids },
    }),
    db.sequelize.query<{ user_id: number; group_id: string }>(
      "SELECT user_id, group_id FROM user_groups WHERE user_id IN (:ids) ORDER BY group_id",
      { type: QueryTypes.SELECT, replacements: { ids } },
    ),
  ]);
  return raws.map((r) => ({
    id: Number(r.id),
    username: r.username,
    displayName: r.display_name,
    phone: r.phone,
    email: r.email,
    departmentId: r.department_id === null ? null : Number(r.department_id),
    departmentName: r.department_name,
    active: Boolean(Number(r.active)),
    roles: roles.filter((x) => Number(x.user_id) === Number(r.id)).map((x) => x.role),
    groups: groups.filter((x) => Number(x.user_id) === Number(r.id)).map((x) => x.group_id),
    createdAt: new Date(r.created_at),
  }));
}

const SELECT = `SELECT u.id, u.username, u.display_name, u.phone, u.email, u.department_id, d.name AS department_name, u.active, u.created_at
  FROM users u LEFT JOIN departments d ON d.id = u.department_id`;

/** Accounts matching a search (username or name), a role and a department; newest first, one page. */
export async function listUsers(db: Database, filter: UserFilter): Promise<Page<UserRow>> {
  const conditions: string[] = [];
  const replacements: Record<string, unknown> = {};
  const q = filter.q?.trim();
  if (q) {
    conditions.push("(u.username LIKE :q ESCAPE '!' OR u.display_name LIKE :q ESCAPE '!')");
    replacements.q = likePattern(q);
  }
  if (filter.role && (ROLES as readonly string[]).includes(filter.role)) {
    conditions.push("EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = :role)");
    replacements.role = filter.role;
  }
  if (filter.departmentId) {
    conditions.push("u.department_id = :departmentId");
    replacements.departmentId = filter.departmentId;
  }
  const where = conditions.length ? `WHERE ${conditions.join(" AND ")}` : "";
  const [count] = await db.sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM users u ${where}`, {
    type: QueryTypes.SELECT,
    replacements,
  });
  const raws = await db.sequelize.query<RawUser>(
    `${SELECT} ${where} ORDER BY u.id DESC LIMIT ${PAGE_SIZE} OFFSET ${(filter.page - 1) * PAGE_SIZE}`,
    { type: QueryTypes.SELECT, replacements },
  );
  return { rows: await withRolesAndGroups(db, raws), total: Number(count?.n ?? 0), page: filter.page, pageSize: PAGE_SIZE };
}

export async function findUser(db: Database, id: number): Promise<UserRow | undefined> {
  const raws = await db.sequelize.query<RawUser>(`${SELECT} WHERE u.id = :id`, { type: QueryTypes.SELECT, replacements: { id } });
  const [row] = await withRolesAndGroups(db, raws);
  return row;
}

export interface DepartmentRow {
  id: number;
  code: string;
  name: string;
  uscc: string | null;
  staff: number;
}

/** Every department with its number of active staff, in code order of creation. */
export async function listDepartments(db: Database): Promise<DepartmentRow[]> {
  const rows = await db.sequelize.query<{ id: number; code: string; name: string; uscc: string | null; staff: number }>(
    `SELECT d.id, d.code, d.name, d.uscc, (SELECT COUNT(*) FROM users u WHERE u.department_id = d.id AND u.active = :yes) AS staff
       FROM departments d ORDER BY d.id`,
    { type: QueryTypes.SELECT, replacements: { yes: true } },
  );
  return rows.map((r) => ({ id: Number(r.id), code: r.code, name: r.name, uscc: r.uscc, staff: Number(r.staff) }));
}

export async function listGroups(db: Database): Promise<Array<{ id: string; name: string; departmentId: number | null }>> {
  const rows = await db.sequelize.query<{ id: string; name: string; department_id: number | null }>(
    "SELECT id, name, department_id FROM `groups` ORDER BY id",
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({ id: r.id, name: r.name, departmentId: r.department_id === null ? null : Number(r.department_id) }));
}
