import type { CurrentUser } from "../auth/currentUser.js";

const OFFICERS = ["reviewer", "dept_admin", "auditor"] as const;

/**
 * The public credit evaluation is department-independent: every officer reads the model, a subject's class, score and
 * reasons; only the office's admins set a new model version or run the regrade by hand. The public never sees a class.
 */
export const gradingPolicy = {
  read: (user: CurrentUser) => user.isAdmin || OFFICERS.some((r) => user.roles.includes(r)),
  write: (user: CurrentUser) => user.isAdmin,
};
