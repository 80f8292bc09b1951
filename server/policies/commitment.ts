import type { CurrentUser } from "../auth/currentUser.js";

/** The loaded fields a commitment policy reads. */
export interface CommitmentRef {
  subjectId: number;
  departmentId: number;
  status: string;
}

const STAFF_ROLES = ["reviewer", "dept_admin"] as const;

function isDepartmentStaff(user: CurrentUser, departmentId: number): boolean {
  return user.departmentId === departmentId && STAFF_ROLES.some((r) => user.roles.includes(r));
}

/**
 * Who sees and acts on a commitment. Reading is limited to the subject's applicants, the item's department
 * staff and admin; routes answer 404 (not 403) to anyone else so a case's existence does not leak.
 */
export const commitmentPolicy = {
  read: (user: CurrentUser, c: CommitmentRef) =>
    user.isAdmin || user.subjectIds.includes(c.subjectId) || isDepartmentStaff(user, c.departmentId),
  /** Submit for a subject: an applicant acting for it. */
  submitFor: (user: CurrentUser, subjectId: number) => user.roles.includes("applicant") && user.subjectIds.includes(subjectId),
  resubmit: (user: CurrentUser, c: CommitmentRef) => user.subjectIds.includes(c.subjectId) && c.status === "退回补正",
  /** Review and verification decisions: the department's staff (the engine also checks the task's candidate groups). */
  decide: (user: CurrentUser, c: CommitmentRef) => user.isAdmin || isDepartmentStaff(user, c.departmentId),
  /** Staff lists and the archive export; non-admin staff see their own department only. */
  listAll: (user: CurrentUser) => user.isAdmin,
  listDepartment: (user: CurrentUser) => user.isAdmin || (user.departmentId !== null && STAFF_ROLES.some((r) => user.roles.includes(r))),
};

export function commitmentActions(user: CurrentUser | undefined, c: CommitmentRef) {
  if (!user) return { resubmit: false, decide: false };
  return {
    resubmit: commitmentPolicy.resubmit(user, c),
    decide: commitmentPolicy.decide(user, c) && (c.status === "审查中" || c.status === "监管中"),
  };
}
