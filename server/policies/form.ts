import type { CurrentUser } from "../auth/currentUser.js";

/** The fields a form policy reads. */
export interface FormRef {
  departmentId: number | null;
}

const isDeptAdmin = (user: CurrentUser) => user.roles.includes("dept_admin");

/**
 * Admins design every form; a dept_admin designs its own department's forms (global forms are the
 * admins'); everyone else reads published revisions only.
 */
export const formPolicy = {
  /** May open the designer at all (list, builder, preview). */
  design: (user: CurrentUser) => user.isAdmin || isDeptAdmin(user),
  create: (user: CurrentUser, departmentId: number | null) =>
    user.isAdmin || (isDeptAdmin(user) && departmentId !== null && user.departmentId === departmentId),
  edit: (user: CurrentUser, form: FormRef) =>
    user.isAdmin || (isDeptAdmin(user) && form.departmentId !== null && user.departmentId === form.departmentId),
  publish: (user: CurrentUser, form: FormRef) => formPolicy.edit(user, form),
  /** Unpublished revisions and revision history: those who may edit. */
  readDrafts: (user: CurrentUser, form: FormRef) => formPolicy.edit(user, form),
  readPublished: (_user: CurrentUser, _form: FormRef) => true,
};

export function formActions(user: CurrentUser | undefined, form: FormRef) {
  const edit = !!user && formPolicy.edit(user, form);
  return { edit, publish: edit, export: edit };
}
