import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { Case } from "../../db/models/Case.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { ConflictError, NotFoundError } from "../../errors.js";
import { validateSubmission } from "../../forms/index.js";
import type { EnginePort } from "../commitments/enginePort.js";
import { audit } from "../audit.js";
import { chinaCompactDay } from "../calendar/days.js";
import { RULE_KEYS, ruleValue } from "../calendar/rules.js";
import { loadPublishedEntry } from "../catalog/catalogQueries.js";
import { recordCaseForm } from "./caseForms.js";
import { nextCaseNumber, type CaseNumberSeries } from "./numbering.js";

/** The 办件编号 series of 通用事项: TY + division + day + serial of the day. */
export const GENERIC_NUMBERS: CaseNumberSeries = { series: "generic", prefix: "TY", label: "办件编号" };
/** 荥阳市: the division a case without a subject is numbered in (unless the division rule says otherwise). */
export const CITY_DIVISION = "410182";

export interface StartCaseDeps {
  db: Database;
  engine: EnginePort;
  clock: { now(): Date };
}

export interface StartCaseInput {
  actor: CurrentUser;
  itemCode: string;
  /** The subject the applicant acts for (one of its own), or none for a person applying for itself. */
  subjectCode?: string | null;
  /** The filled start form. */
  data: Record<string, unknown>;
  ip?: string | null;
}

/**
 * Applies for a 通用事项: validates the start form against the item's pinned revision, numbers the case, starts the
 * item's pinned process version with the form's top-level fields as variables (plus `initiator`, the applicant's
 * username, as Camunda's camunda:initiator would set it), and records the form on the case; one transaction.
 */
export async function startItemCase(deps: StartCaseDeps, input: StartCaseInput): Promise<Case> {
  return deps.db.transaction(async (t) => {
    const { item, published: version } = await loadPublishedEntry(input.itemCode, t);
    if (item.kind !== "generic") throw new ConflictError(`事项“${version.name}”不是通用事项，请从该事项的办理页面申请`, "wrong_item_kind");
    let subject: CreditSubject | null = null;
    if (input.subjectCode) {
      subject = await CreditSubject.findOne({ where: { code: input.subjectCode.trim().toUpperCase() }, transaction: t });
      if (!subject || !input.actor.subjectIds.includes(subject.id)) throw new NotFoundError("找不到该主体，或您不是该主体的经办人");
    }
    const formRevision = version.formRevision ?? undefined;
    const validated = await validateSubmission(deps.db, { formKey: version.formKey, revision: formRevision }, input.data, {
      t,
      userId: input.actor.id,
    });
    const now = deps.clock.now();
    const division = await ruleValue<string>(RULE_KEYS.divisionCode, now, subject?.divisionCode ?? CITY_DIVISION, t);
    const number = await nextCaseNumber(deps.db, t, GENERIC_NUMBERS, division, chinaCompactDay(now));
    const variables: Record<string, unknown> = {
      ...validated.data,
      initiator: input.actor.username,
      itemCode: item.itemCode,
      caseNumber: number,
      ...(subject ? { subjectCode: subject.code, subjectName: subject.name } : {}),
    };
    const instance = await deps.engine.startProcess(
      {
        definitionId: version.processDefinitionId ?? undefined,
        key: version.processDefinitionId ? undefined : version.processKey,
        businessKey: number,
        variables,
        actor: input.actor.username,
        departmentId: item.departmentId,
      },
      t,
    );
    await Case.update(
      {
        title: version.name.slice(0, 255),
        itemId: item.id,
        itemVersionId: version.id,
        subjectCode: subject?.code ?? null,
        subjectName: subject?.name ?? null,
      },
      { where: { instanceId: instance.id }, transaction: t },
    );
    await recordCaseForm(deps.db, t, {
      instanceId: instance.id,
      formKey: version.formKey,
      formRevision: validated.revision,
      data: validated.data,
      actor: input.actor.username,
      step: "申请",
    });
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "case.started",
      entityType: "case",
      entityId: number,
      detail: { item: item.itemCode, itemVersion: version.version, subject: subject?.code ?? null, processInstanceId: instance.id },
      ip: input.ip ?? null,
      at: now,
    });
    const created = await Case.findOne({ where: { instanceId: instance.id }, transaction: t });
    if (!created) throw new Error(`no case row for instance ${instance.id} after its start`);
    return created;
  });
}
