import { Commitment } from "../../db/models/Commitment.js";
import { CommitmentSubmission } from "../../db/models/CommitmentSubmission.js";
import { CatalogItemVersion } from "../../db/models/CatalogItemVersion.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { Department } from "../../db/models/Department.js";
import { ConflictError, NotFoundError } from "../../errors.js";
import { bindSubjectFieldsOf, recordSubmissionVersion, validateSubmission } from "../../forms/index.js";
import { commitmentPolicy } from "../../policies/commitment.js";
import { audit } from "../audit.js";
import type { CurrentUser } from "../../auth/currentUser.js";
import { COMMITMENT_RESUBMITTED_MESSAGE } from "./processContract.js";
import { parseSignature, reviewDueDate, renderSignedLetter, type CommitmentDeps, type Signature } from "./submitCommitment.js";

export interface ResubmitCommitmentInput {
  actor: CurrentUser;
  code: string;
  data: unknown;
  signature: Signature;
  ip?: string | null;
}

/**
 * Answers a request for correction (退回补正): validates the corrected data against the form revision the
 * case was made under, keeps it as a new submission revision with a newly signed letter, and sends the
 * commitmentResubmitted message so the case returns to 受理审查 with a fresh review deadline. One transaction.
 */
export async function resubmitCommitment(deps: CommitmentDeps, input: ResubmitCommitmentInput): Promise<Commitment> {
  const signature = parseSignature(input.signature);
  return deps.db.transaction(async (t) => {
    const commitment = await Commitment.findOne({ where: { code: input.code }, transaction: t, lock: t.LOCK.UPDATE });
    if (!commitment || !commitmentPolicy.read(input.actor, commitment)) throw new NotFoundError("找不到该承诺");
    if (!input.actor.subjectIds.includes(commitment.subjectId)) throw new NotFoundError("找不到该承诺");
    if (commitment.status !== "退回补正") throw new ConflictError(`该承诺当前状态为“${commitment.status}”，不需要补正`, "not_returned");
    const [version, department, subject] = await Promise.all([
      CatalogItemVersion.findByPk(commitment.itemVersionId, { transaction: t }),
      Department.findByPk(commitment.departmentId, { transaction: t }),
      CreditSubject.findByPk(commitment.subjectId, { transaction: t }),
    ]);
    if (!version || !department || !subject) throw new Error(`commitment ${commitment.code} lost its item, department or subject`);
    // Fields bound to the subject (docs/forms.md) must still be the subject's own.
    const pinned = { formKey: commitment.formKey, revision: commitment.formRevision };
    const subjectValues = { name: subject.name, code: subject.code, type: subject.subjectType };
    const bound = await bindSubjectFieldsOf(deps.db, pinned, input.data, subjectValues, t);
    const validated = await validateSubmission(deps.db, pinned, bound, {
      t,
      userId: input.actor.id,
    });
    const now = deps.clock.now();
    const revision = commitment.revision + 1;
    const letterHtml = renderSignedLetter({
      version,
      department,
      subject,
      data: validated.data,
      code: commitment.code,
      signerName: signature.name,
      signedAt: now,
    });
    const data = JSON.stringify(validated.data);
    await CommitmentSubmission.create(
      {
        commitmentId: commitment.id,
        revision,
        data,
        formRevision: validated.revision,
        letterHtml,
        signerName: signature.name,
        agreedAt: now,
        submittedBy: input.actor.username,
      },
      { transaction: t },
    );
    const { changes } = await recordSubmissionVersion(deps.db, t, {
      submissionType: "commitment",
      submissionId: commitment.code,
      formKey: commitment.formKey,
      formRevision: validated.revision,
      data: validated.data,
      actor: input.actor.username,
      note: `第 ${revision} 次提交（补正）`,
    });
    const due = await reviewDueDate(now, version.reviewDays, t);
    await commitment.update(
      { data, revision, letterHtml, signerName: signature.name, agreedAt: now, status: "审查中", reviewDueAt: due },
      { transaction: t },
    );
    await deps.engine.correlateMessage(
      {
        messageName: COMMITMENT_RESUBMITTED_MESSAGE,
        businessKey: commitment.code,
        variables: { reviewDueDate: due.toISOString(), submissionRevision: revision },
        actor: input.actor.username,
      },
      t,
    );
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "commitment.resubmitted",
      entityType: "commitment",
      entityId: commitment.code,
      detail: { revision, changed: changes.map((c) => c.path) },
      ip: input.ip ?? null,
      at: now,
    });
    return commitment;
  });
}
