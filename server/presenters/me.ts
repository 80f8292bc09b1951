import type { CurrentUser } from "../auth/currentUser.js";
import { ROLE_LABELS } from "./navigation.js";

/** The caller's own account as the API shows it. */
export function presentMe(user: CurrentUser) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: user.roles,
    roleLabels: user.roles.map((r) => ROLE_LABELS[r]),
    groups: user.groups,
    department: user.departmentId ? { id: user.departmentId, name: user.departmentName } : null,
    subjectIds: user.subjectIds,
  };
}
