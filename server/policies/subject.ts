import type { CurrentUser } from "../auth/currentUser.js";

const OFFICERS = ["reviewer", "dept_admin", "auditor"] as const;

/** Officers read the subject register; only admins add subjects, accept legacy-pilot codes and decide claims. */
export const subjectPolicy = {
  list: (user: CurrentUser) => user.isAdmin || OFFICERS.some((r) => user.roles.includes(r)),
  read: (user: CurrentUser, subject: { id: number }) =>
    user.isAdmin || OFFICERS.some((r) => user.roles.includes(r)) || user.subjectIds.includes(subject.id),
  create: (user: CurrentUser) => user.isAdmin,
  acceptLegacy: (user: CurrentUser) => user.isAdmin,
  decideClaim: (user: CurrentUser) => user.isAdmin,
};

export function subjectActions(user: CurrentUser) {
  return { create: subjectPolicy.create(user), decideClaim: subjectPolicy.decideClaim(user) };
}
