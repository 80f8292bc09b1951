import { hasRole, type CurrentUser } from "../../auth/currentUser.js";

/**
 * Who may do what in the process console (/admin/processes, /admin/instances):
 * - admin: everything (deploy, cancel instances, retry incidents);
 * - dept_admin: reads every definition and instance (processes are shared across departments) and may deploy,
 *   as the runtime's REST API lets them (POST /engine-rest/deployment/create); cancelling an instance and
 *   retrying an incident change a running case of any department, so they stay with the credit office's admins;
 * - everyone else: 403.
 */
export const processConsolePolicy = {
  read: (user: CurrentUser): boolean => hasRole(user, "dept_admin"),
  deploy: (user: CurrentUser): boolean => hasRole(user, "dept_admin"),
  operate: (user: CurrentUser): boolean => user.isAdmin,
};
