import type { CurrentUser } from "../auth/currentUser.js";
import type { Case } from "../db/models/Case.js";
import { processInstancePolicy } from "./processInstance.js";

/**
 * Who sees a case of any flow: its applicant (whoever started it, or an agent of the subject it is about), the owning
 * department's staff, an admin. Routes answer 404 to everyone else (existence does not leak).
 */
export const casePolicy = {
  readAsApplicant: (user: CurrentUser, c: Pick<Case, "startedBy" | "subjectCode">, mySubjectCodes: readonly string[]) =>
    user.roles.includes("applicant") && (c.startedBy === user.username || (!!c.subjectCode && mySubjectCodes.includes(c.subjectCode))),
  readAsStaff: (user: CurrentUser, c: Pick<Case, "departmentId" | "processKey">) =>
    processInstancePolicy.read(user, { departmentId: c.departmentId, definitionKey: c.processKey }),
};
