import { QueryTypes } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import { Commitment } from "../../db/models/Commitment.js";
import type { UploadedFile } from "../../db/models/UploadedFile.js";
import { registerFileAccessCheck } from "../../forms/uploads.js";
import { commitmentPolicy } from "../../policies/commitment.js";

/**
 * Evidence uploaded with a commitment may be read by whoever may read the commitment (its department's staff, the
 * subject's applicants): the file is referenced by its id in the submission data, current or an earlier revision.
 * Only the commitments of the reader's department and subjects are searched (department index), so the scan stays
 * within one department's cases.
 */
export async function mayReadCommitmentFile(user: CurrentUser, file: UploadedFile): Promise<boolean> {
  const scope: string[] = [];
  const replacements: Record<string, unknown> = { mentions: `%${file.id}%` }; // a UUID: no LIKE wildcard to escape
  if (user.departmentId !== null) {
    scope.push("c.department_id = :department");
    replacements.department = user.departmentId;
  }
  if (user.subjectIds.length) {
    scope.push("c.subject_id IN (:subjects)");
    replacements.subjects = user.subjectIds;
  }
  if (!scope.length) return false;
  // Through the model's connection: models are bound to the database the process runs on.
  const rows = await Commitment.sequelize!.query<{ subject_id: number; department_id: number; status: string }>(
    `SELECT c.subject_id, c.department_id, c.status FROM commitments c
      WHERE (${scope.join(" OR ")})
        AND (c.data LIKE :mentions
             OR EXISTS (SELECT 1 FROM commitment_submissions s WHERE s.commitment_id = c.id AND s.data LIKE :mentions))
      LIMIT 20`,
    { replacements, type: QueryTypes.SELECT },
  );
  return rows.some((r) => commitmentPolicy.read(user, { subjectId: r.subject_id, departmentId: r.department_id, status: r.status }));
}

let registered = false;

/** Lets commitment readers download the evidence files of the commitments they may read (registered once per process). */
export function registerCommitmentFileAccess(): void {
  if (registered) return;
  registered = true;
  registerFileAccessCheck(mayReadCommitmentFile);
}
