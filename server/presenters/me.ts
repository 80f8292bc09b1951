import type { CurrentUser } from "../auth/currentUser.js";
import type { CreditSubject } from "../db/models/CreditSubject.js";
import { ROLE_LABELS } from "./navigation.js";

/**
 * The caller's own account as the API shows it; `subjects` are the credit subjects an applicant acts for, by the
 * codes an API client submits with (统一社会信用代码 or ID number), with name and type.
 */
export function presentMe(user: CurrentUser, subjects: CreditSubject[] = []) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: user.roles,
    roleLabels: user.roles.map((r) => ROLE_LABELS[r]),
    groups: user.groups,
    department: user.departmentId ? { id: user.departmentId, name: user.departmentName } : null,
    subjectIds: user.subjectIds,
    subjects: subjects.map((s) => ({ code: s.code, name: s.name, type: s.subjectType })),
  };
}
