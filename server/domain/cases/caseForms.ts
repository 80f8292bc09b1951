import type { Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { listSubmissionVersions, recordSubmissionVersion } from "../../forms/index.js";

/** The submissions of a case: its start form, then each task form filled on it, in order (one version each). */
const CASE_FORMS = "case";

export interface CaseForm {
  version: number;
  formKey: string;
  formRevision: number;
  data: Record<string, unknown>;
  /** The step the form was filled at (申请, or the user task's name). */
  step: string;
  by: string;
  at: Date;
}

/** Records one form filled on a case (its instance), inside the step's transaction. */
export async function recordCaseForm(
  db: Database,
  t: Transaction,
  input: { instanceId: string; formKey: string; formRevision: number; data: Record<string, unknown>; actor: string; step: string },
): Promise<void> {
  await recordSubmissionVersion(db, t, {
    submissionType: CASE_FORMS,
    submissionId: input.instanceId,
    formKey: input.formKey,
    formRevision: input.formRevision,
    data: input.data,
    actor: input.actor,
    note: input.step.slice(0, 255),
  });
}

/** Every form filled on a case, oldest first. */
export async function listCaseForms(db: Database, instanceId: string): Promise<CaseForm[]> {
  const versions = await listSubmissionVersions(db, CASE_FORMS, instanceId);
  return versions.map((v) => ({
    version: v.version,
    formKey: v.formKey,
    formRevision: v.formRevision,
    data: v.data,
    step: v.note ?? "",
    by: v.createdBy,
    at: v.createdAt,
  }));
}
