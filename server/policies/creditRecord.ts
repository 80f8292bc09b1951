import type { CurrentUser } from "../auth/currentUser.js";
import { NATIONAL_RULE_SET } from "../db/models/PublicityRule.js";

const has = (user: CurrentUser, ...roles: string[]) => user.isAdmin || roles.some((r) => user.roles.includes(r as never));

/**
 * Credit records are shared across departments: every officer reads them. A department records its own (staff
 * with a department enter and import); status changes and period overrides are for the recording department's
 * admins and the office's admins. Rules: admins every set, a department admin its department's set.
 */
export const creditRecordPolicy = {
  read: (user: CurrentUser) => has(user, "reviewer", "dept_admin", "auditor"),
  create: (user: CurrentUser) => user.isAdmin || (has(user, "reviewer", "dept_admin") && user.departmentId !== null),
  decide: (user: CurrentUser, record: { departmentId: number | null }) =>
    user.isAdmin || (user.roles.includes("dept_admin") && user.departmentId !== null && user.departmentId === record.departmentId),
  readRules: (user: CurrentUser) => has(user, "reviewer", "dept_admin", "auditor"),
  writeRules: (user: CurrentUser, ruleSet: string, departmentCode: string | null) =>
    user.isAdmin || (user.roles.includes("dept_admin") && ruleSet !== NATIONAL_RULE_SET && ruleSet === departmentCode),
  runJobs: (user: CurrentUser) => user.isAdmin,
};
