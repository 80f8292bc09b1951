import type { CurrentUser } from "../auth/currentUser.js";

/** The audit log is read by admins and auditors; nobody writes to it except through commands. */
export const auditPolicy = {
  read: (user: CurrentUser) => user.isAdmin || user.roles.includes("auditor"),
};
