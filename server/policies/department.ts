import type { CurrentUser } from "../auth/currentUser.js";

/** Departments (and their candidate groups) are the credit office's to maintain. */
export const departmentPolicy = {
  list: (user: CurrentUser) => user.isAdmin,
  manage: (user: CurrentUser) => user.isAdmin,
};
