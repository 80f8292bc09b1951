import { hasRole, type CurrentUser } from "../../auth/currentUser.js";

/**
 * Who may do what in the process console (/admin/processes, /admin/instances):
 * - admin: everything (deploy, cancel instances, retry incidents);
 * - dept_admin: reads every definition (processes are shared across departments) and may deploy new keys and
 *   its department's keys (policies/processDefinition.ts); sees and cancels its own department's instances only
 *   (policies/processInstance.ts, the same rules as /engine-rest); retrying an incident stays with admins;
 * - everyone else: 403.
 */
export const processConsolePolicy = {
  read: (user: CurrentUser): boolean => hasRole(user, "dept_admin"),
  deploy: (user: CurrentUser): boolean => hasRole(user, "dept_admin"),
  operate: (user: CurrentUser): boolean => user.isAdmin,
};
