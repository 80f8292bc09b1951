import type { Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { CreditSubject, type SubjectType } from "../../db/models/CreditSubject.js";
import { ConflictError, ValidationError } from "../../errors.js";
import type { Actor } from "../accounts/actor.js";
import { audit } from "../audit.js";
import { identifySubject } from "./identify.js";

export interface NewSubject {
  code: string;
  name: string;
  subjectType: SubjectType;
  /** An officer's reason for accepting a legacy-pilot USCC; without it such a code is refused. */
  legacyOverrideReason?: string | null;
}

export const SUBJECT_EXISTS_MESSAGE = "该代码对应的主体已登记";

/** Inserts a subject inside the caller's transaction and audits it (and the legacy acceptance, if any). */
export async function insertSubject(db: Database, t: Transaction, actor: Actor, input: NewSubject): Promise<CreditSubject> {
  const id = identifySubject(input.subjectType, input.code, "code");
  const reason = input.legacyOverrideReason?.trim() || null;
  if (id.legacyPilot && !reason) {
    throw new ValidationError("统一社会信用代码校验位不符", [
      { path: "code", message: `${id.legacyReason ?? "校验位不正确"}。如确认为早期试点代码，请填写受理理由` },
    ]);
  }
  if (await CreditSubject.findOne({ where: { code: id.code }, transaction: t })) {
    throw new ConflictError(SUBJECT_EXISTS_MESSAGE, "subject_exists", [{ path: "code", message: SUBJECT_EXISTS_MESSAGE }]);
  }
  const subject = await CreditSubject.create(
    {
      code: id.code,
      name: input.name.trim(),
      subjectType: input.subjectType,
      divisionCode: id.divisionCode,
      legacyPilot: id.legacyPilot,
      legacyOverrideReason: id.legacyPilot ? reason : null,
      legacyOverrideBy: id.legacyPilot ? actor.username : null,
    },
    { transaction: t },
  );
  await audit(db, t, {
    actor: actor.username,
    action: "subject.created",
    entityType: "subject",
    entityId: subject.id,
    detail: { code: subject.code, name: subject.name, subjectType: subject.subjectType },
    ip: actor.ip ?? null,
  });
  if (id.legacyPilot) {
    await audit(db, t, {
      actor: actor.username,
      action: "subject.legacy_accepted",
      entityType: "subject",
      entityId: subject.id,
      detail: { code: subject.code, reason, expected: id.legacyReason },
      ip: actor.ip ?? null,
    });
  }
  return subject;
}

/** An officer registers a credit subject; a legacy-pilot USCC needs a recorded reason. */
export function createSubject(db: Database, actor: Actor, input: NewSubject): Promise<CreditSubject> {
  return db.transaction((t) => insertSubject(db, t, actor, input));
}
