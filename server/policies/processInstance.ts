import type { CurrentUser } from "../auth/currentUser.js";

/** The loaded fields an instance policy reads. */
export interface InstanceRef {
  departmentId: number | null;
  definitionKey: string;
}

const STAFF_ROLES = ["reviewer", "dept_admin"] as const;

function isStaff(user: CurrentUser): boolean {
  return STAFF_ROLES.some((r) => user.roles.includes(r));
}

/**
 * Who sees and operates process instances through /engine-rest and the console, in the spirit of Camunda 7's
 * authorizations: admins every instance; a department's reviewers and dept_admins the instances their department
 * owns; nobody else (an auditor reads the audit log, not cases). Routes answer 404 to the rest.
 */
export const processInstancePolicy = {
  read: (user: CurrentUser, i: InstanceRef) =>
    user.isAdmin || (isStaff(user) && i.departmentId !== null && i.departmentId === user.departmentId),
  /** Cancel (DELETE) and variable changes: the owning department's dept_admin, or an admin. */
  operate: (user: CurrentUser, i: InstanceRef) =>
    user.isAdmin || (user.roles.includes("dept_admin") && i.departmentId !== null && i.departmentId === user.departmentId),
  /** The departments whose instances a list may show: undefined = all (admin); [] = none. */
  visibleDepartments: (user: CurrentUser): number[] | undefined => {
    if (user.isAdmin) return undefined;
    return isStaff(user) && user.departmentId !== null ? [user.departmentId] : [];
  },
};
