import type { Transaction } from "sequelize";
import { z } from "zod";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { Case } from "../../db/models/Case.js";
import type { CatalogItemVersion } from "../../db/models/CatalogItemVersion.js";
import { Commitment } from "../../db/models/Commitment.js";
import { CommitmentSubmission } from "../../db/models/CommitmentSubmission.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import type { Department } from "../../db/models/Department.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import { bindSubjectFieldsOf, recordSubmissionVersion, validateSubmission } from "../../forms/index.js";
import { commitmentPolicy } from "../../policies/commitment.js";
import { audit } from "../audit.js";
import { addDays, addMonths, chinaCompactDay, chinaDay } from "../calendar/days.js";
import { RULE_KEYS, ruleValue } from "../calendar/rules.js";
import { loadWorkingCalendar } from "../calendar/workingDays.js";
import { loadPublishedEntry } from "../catalog/catalogQueries.js";
import { renderLetter } from "../catalog/letter.js";
import { assertMayUseCommitmentRoute } from "./eligibility.js";
import type { EnginePort } from "./enginePort.js";
import { nextCommitmentCode } from "./numbering.js";

export interface CommitmentDeps {
  db: Database;
  engine: EnginePort;
  clock: { now(): Date };
}

/** The applicant's signature under the letter: the signer's name and an explicit "I agree". */
export const Signature = z.object(
  {
    name: z.string().trim().min(2, { error: "请填写签署人姓名" }).max(100),
    agreed: z.literal(true, { error: "请勾选“本人已阅读并同意上述承诺”" }),
  },
  { error: "请签署承诺书" },
);
export type Signature = z.infer<typeof Signature>;

/** Checks the signature; a missing name or an unticked "I agree" is a 400 naming signature.name / signature.agreed. */
export function parseSignature(input: unknown): Signature {
  const result = Signature.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    "请确认并签署信用承诺书",
    result.error.issues.map((i) => ({ path: ["signature", ...i.path.map(String)].join("."), message: i.message })),
  );
}

export interface SubmitCommitmentInput {
  actor: CurrentUser;
  itemCode: string;
  /** The subject's USCC (or resident ID number). */
  subjectCode: string;
  data: unknown;
  signature: Signature;
  ip?: string | null;
}

/** The process variables every commitment instance starts with (processes/commitment.bpmn reads them). */
export interface CommitmentVariables {
  commitmentCode: string;
  itemCode: string;
  itemVersionId: number;
  departmentCode: string;
  subjectCode: string;
  reviewDueDate: string;
  verificationDays: number;
  [key: string]: unknown;
}

/** The subject an actor may submit for; 404 for an unknown subject and for one the actor does not act for. */
export async function loadSubjectForApplicant(actor: CurrentUser, subjectCode: string, t?: Transaction): Promise<CreditSubject> {
  const subject = await CreditSubject.findOne({ where: { code: subjectCode.trim().toUpperCase() }, transaction: t });
  if (!subject || !commitmentPolicy.submitFor(actor, subject.id)) throw new NotFoundError("找不到该主体，或您不是该主体的经办人");
  return subject;
}

export function commitmentTypeLabel(v: Pick<CatalogItemVersion, "commitmentType" | "commitmentTypeOther">): string {
  return v.commitmentType === "其他" && v.commitmentTypeOther ? `其他（${v.commitmentTypeOther}）` : v.commitmentType;
}

/** The letter as signed: the item's template over the subject's and the submission's fields. */
export function renderSignedLetter(input: {
  version: CatalogItemVersion;
  department: Department;
  subject: { name: string; code: string; subjectType: string };
  data: Record<string, unknown>;
  code: string | null;
  signerName: string;
  signedAt: Date;
}): string {
  return renderLetter(input.version.letterTemplate, {
    subject: { name: input.subject.name, code: input.subject.code, type: input.subject.subjectType },
    data: input.data,
    commitment: {
      code: input.code,
      itemName: input.version.name,
      acceptingUnit: input.department.name,
      signerName: input.signerName,
      signedOn: chinaDay(input.signedAt),
    },
  });
}

/** Review deadline: the item's review time limit in working days from `from`, as an ISO instant. */
export async function reviewDueDate(from: Date, reviewDays: number, t: Transaction): Promise<Date> {
  const calendar = await loadWorkingCalendar(t);
  return calendar.workingDeadline(from, reviewDays);
}

/**
 * Submits a commitment in ONE transaction: validates the form against the item's pinned revision, checks
 * on the server that the subject may use the 告知承诺 route, numbers the commitment, stores it with its
 * first submission revision and the signed letter, starts its process (business key = 承诺编码) and audits.
 * The commitment and its process instance commit together or not at all.
 */
export async function submitCommitment(
  deps: CommitmentDeps,
  input: SubmitCommitmentInput,
): Promise<{ commitment: Commitment; processInstanceId: string }> {
  const signature = parseSignature(input.signature);
  return deps.db.transaction(async (t) => {
    const subject = await loadSubjectForApplicant(input.actor, input.subjectCode, t);
    const { item, department, published: version } = await loadPublishedEntry(input.itemCode, t);
    if (item.kind !== "commitment")
      throw new ConflictError(`事项“${version.name}”不是告知承诺事项，请按办事指南申请办理`, "wrong_item_kind");
    const pinned = { formKey: version.formKey, revision: version.formRevision ?? undefined };
    // Fields bound to the subject (docs/forms.md, "Fields bound to the subject") must be the acting subject's own.
    const subjectValues = { name: subject.name, code: subject.code, type: subject.subjectType };
    const bound = await bindSubjectFieldsOf(deps.db, pinned, input.data, subjectValues, t);
    const validated = await validateSubmission(deps.db, pinned, bound, { t, userId: input.actor.id });
    await assertMayUseCommitmentRoute(subject, t);

    const now = deps.clock.now();
    const madeOn = chinaDay(now);
    const division = await ruleValue<string>(RULE_KEYS.divisionCode, now, subject.divisionCode, t);
    const reviewDue = await reviewDueDate(now, version.reviewDays, t);
    // The counter row stays locked from here to commit: everything that does not need the code is done above.
    const code = await nextCommitmentCode(deps.db, t, division, chinaCompactDay(now));
    const letterHtml = renderSignedLetter({
      version,
      department,
      subject,
      data: validated.data,
      code,
      signerName: signature.name,
      signedAt: now,
    });
    const commitment = await Commitment.create(
      {
        code,
        itemId: item.id,
        itemVersionId: version.id,
        departmentId: department.id,
        subjectId: subject.id,
        submitterId: input.actor.id,
        subjectName: subject.name,
        subjectType: subject.subjectType,
        subjectCode: subject.code,
        commitmentType: commitmentTypeLabel(version),
        reason: `申请办理${version.name}`,
        data: JSON.stringify(validated.data),
        formKey: version.formKey,
        formRevision: validated.revision,
        revision: 1,
        letterHtml,
        signerName: signature.name,
        agreedAt: now,
        status: "审查中",
        fulfilmentStatus: null,
        fulfilmentDate: null,
        fulfilmentUnit: null,
        unfulfilledContent: null,
        liabilityContent: null,
        supervisionStatus: null,
        publicType: version.publicType,
        madeOn,
        validUntil: addDays(addMonths(madeOn, version.validityMonths), -1),
        acceptingUnit: department.name,
        acceptingUnitUscc: department.uscc,
        processInstanceId: null,
        reviewDueAt: reviewDue,
        verificationDueAt: null,
        decisionComment: null,
        decidedBy: null,
        decidedAt: null,
      },
      { transaction: t },
    );
    await CommitmentSubmission.create(
      {
        commitmentId: commitment.id,
        revision: 1,
        data: commitment.data,
        formRevision: validated.revision,
        letterHtml,
        signerName: signature.name,
        agreedAt: now,
        submittedBy: input.actor.username,
      },
      { transaction: t },
    );
    await recordSubmissionVersion(deps.db, t, {
      submissionType: "commitment",
      submissionId: code,
      formKey: version.formKey,
      formRevision: validated.revision,
      data: validated.data,
      actor: input.actor.username,
      note: "首次提交",
    });
    const variables: CommitmentVariables = {
      commitmentCode: code,
      itemCode: item.itemCode,
      itemVersionId: version.id,
      departmentCode: department.code,
      subjectCode: subject.code,
      reviewDueDate: reviewDue.toISOString(),
      verificationDays: version.verificationDays,
    };
    const instance = await deps.engine.startProcess(
      {
        definitionId: version.processDefinitionId ?? undefined,
        key: version.processDefinitionId ? undefined : version.processKey,
        businessKey: code,
        variables,
        actor: input.actor.username,
        departmentId: department.id,
      },
      t,
    );
    await commitment.update({ processInstanceId: instance.id }, { transaction: t });
    // The case the engine opened for the instance reads as the item applied for, about this subject.
    await Case.update(
      {
        title: version.name.slice(0, 255),
        subjectCode: subject.code,
        subjectName: subject.name,
        itemId: item.id,
        itemVersionId: version.id,
      },
      { where: { instanceId: instance.id }, transaction: t },
    );
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "commitment.submitted",
      entityType: "commitment",
      entityId: code,
      detail: { item: item.itemCode, itemVersion: version.version, subject: subject.code, processInstanceId: instance.id },
      ip: input.ip ?? null,
      at: now,
    });
    return { commitment, processInstanceId: instance.id };
  });
}
