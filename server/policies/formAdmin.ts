import type { CurrentUser } from "../auth/currentUser.js";
import { formPolicy, type FormRef } from "./form.js";

/**
 * Form administration beside the designer (duplicate, revision diff, usage, delete): those who design the form,
 * i.e. admins for every form and a dept_admin for its own department's forms. Anyone else is told the form does
 * not exist (404), since its drafts and its users are not theirs to see.
 */
export const formAdminPolicy = {
  /** The management page, the revision diff and the usage. */
  manage: (user: CurrentUser, form: FormRef) => formPolicy.readDrafts(user, form),
  /** A copy stays in the source's department, so the designer must be allowed to create forms there. */
  duplicate: (user: CurrentUser, form: FormRef) => formPolicy.readDrafts(user, form) && formPolicy.create(user, form.departmentId),
  delete: (user: CurrentUser, form: FormRef) => formPolicy.edit(user, form),
};

export function formAdminActions(user: CurrentUser, form: FormRef) {
  return {
    manage: formAdminPolicy.manage(user, form),
    duplicate: formAdminPolicy.duplicate(user, form),
    delete: formAdminPolicy.delete(user, form),
  };
}
