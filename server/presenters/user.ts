import type { CurrentUser } from "../auth/currentUser.js";
import type { UserRow } from "../domain/accounts/queries.js";
import { ROLES } from "../db/models/UserRole.js";
import { userActions } from "../policies/user.js";
import { ROLE_LABELS } from "./navigation.js";

/** An account as the admin pages show it (never the password hash). */
export function presentUser(row: UserRow, viewer: CurrentUser) {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    phone: row.phone ?? "",
    email: row.email ?? "",
    departmentId: row.departmentId,
    departmentName: row.departmentName ?? "",
    active: row.active,
    roles: row.roles,
    roleLabels: row.roles.map((r) => ROLE_LABELS[r] ?? r),
    groups: row.groups,
    createdAt: row.createdAt,
    isSelf: row.id === viewer.id,
    can: userActions(viewer, row),
  };
}

/** The role checkboxes of the account forms, ticked as given. */
export function roleOptions(selected: readonly string[]) {
  return ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r], checked: selected.includes(r) }));
}
