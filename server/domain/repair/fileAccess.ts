import { QueryTypes } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import { Case } from "../../db/models/Case.js";
import type { UploadedFile } from "../../db/models/UploadedFile.js";
import { registerFileAccessCheck } from "../../forms/uploads.js";
import { casePolicy } from "../../policies/case.js";
import { OBJECTION, REPAIR } from "./contract.js";

/**
 * Proof uploaded with a repair or objection case may be read by the staff who may read the case (the recording
 * department): the file is referenced by its id in one of the forms filled on the case. Only cases of the reader's
 * department are searched.
 */
export async function mayReadRecordCaseFile(user: CurrentUser, file: UploadedFile): Promise<boolean> {
  if (user.departmentId === null) return false;
  const rows = await Case.sequelize!.query<{ department_id: number | null; process_key: string }>(
    `SELECT c.department_id, c.process_key FROM cases c
      JOIN submission_revisions s ON s.submission_type = 'case' AND s.submission_id = c.instance_id
     WHERE c.department_id = :department AND c.kind IN (:kinds) AND s.data LIKE :mentions
     LIMIT 5`,
    {
      replacements: { department: user.departmentId, kinds: [REPAIR.kind, OBJECTION.kind], mentions: `%${file.id}%` },
      type: QueryTypes.SELECT,
    },
  );
  return rows.some((r) => casePolicy.readAsStaff(user, { departmentId: r.department_id, processKey: r.process_key }));
}

let registered = false;

/** Lets the recording department's staff download the proof of the repair and objection cases they handle. */
export function registerRecordCaseFileAccess(): void {
  if (registered) return;
  registered = true;
  registerFileAccessCheck(mayReadRecordCaseFile);
}
