import type { CurrentUser } from "../auth/currentUser.js";

const has = (user: CurrentUser, ...roles: string[]) => user.isAdmin || roles.some((r) => user.roles.includes(r as never));

/**
 * 双随机 supervision of a department: its officers (and auditors) read the 两库, 清单, plans and draws; the department's
 * admins and the office's admins maintain them, draw and confirm. A department's lists are its own: a department
 * admin of another department may read but never change them.
 */
export const supervisionPolicy = {
  read: (user: CurrentUser) => has(user, "reviewer", "dept_admin", "auditor"),
  manage: (user: CurrentUser, departmentId: number) =>
    user.isAdmin || (user.roles.includes("dept_admin") && user.departmentId !== null && user.departmentId === departmentId),
};
