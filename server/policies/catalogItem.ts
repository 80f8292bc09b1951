import type { CurrentUser } from "../auth/currentUser.js";

/** The fields a catalog policy reads. */
export interface CatalogItemRef {
  departmentId: number;
}

/** Everyone reads published items; a dept_admin manages its own department's items; admin manages all. */
export const catalogItemPolicy = {
  create: (user: CurrentUser, departmentId: number) =>
    user.isAdmin || (user.roles.includes("dept_admin") && user.departmentId === departmentId),
  manage: (user: CurrentUser, item: CatalogItemRef) =>
    user.isAdmin || (user.roles.includes("dept_admin") && user.departmentId === item.departmentId),
  /** Drafts and withdrawn versions: the managers, plus the department's own staff. */
  readUnpublished: (user: CurrentUser, item: CatalogItemRef) =>
    user.isAdmin || (user.departmentId === item.departmentId && (user.roles.includes("dept_admin") || user.roles.includes("reviewer"))),
};

export function catalogItemActions(user: CurrentUser | undefined, item: CatalogItemRef) {
  const manage = !!user && catalogItemPolicy.manage(user, item);
  return { edit: manage, publish: manage, withdraw: manage };
}
