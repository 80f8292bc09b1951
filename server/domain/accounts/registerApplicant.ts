import { UniqueConstraintError } from "sequelize";
import { hashPassword, passwordProblem } from "../../auth/passwords.js";
import type { Database } from "../../db/database.js";
import { CreditSubject, type SubjectType } from "../../db/models/CreditSubject.js";
import { SubjectClaim } from "../../db/models/SubjectClaim.js";
import type { User } from "../../db/models/User.js";
import { UserSubject } from "../../db/models/UserSubject.js";
import { ValidationError } from "../../errors.js";
import { audit } from "../audit.js";
import { identifySubject } from "../subjects/identify.js";
import { insertSubject } from "../subjects/createSubject.js";
import { createUser } from "./createUser.js";
import { USERNAME_UNAVAILABLE, usernameAvailable } from "./usernames.js";

export interface Registration {
  username: string;
  password: string;
  displayName: string;
  phone: string;
  email: string | null;
  subjectType: SubjectType;
  subjectCode: string;
  subjectName: string;
  ip?: string | null;
}

export interface Registered {
  user: User;
  subject: CreditSubject;
  /** "linked": the applicant acts for the subject now; "pending": an officer must confirm the claim first. */
  link: "linked" | "pending";
}

/** What a self-registrant hears about a code whose check character does not match: fix a typo, or see an officer. */
export function legacyAtRegistration(expectedCheck: string | undefined): string {
  return (
    `统一社会信用代码校验位不正确（按国家标准第18位应为“${expectedCheck ?? "?"}”），请核对营业执照上的代码。` +
    "如确为早期试点地区依法赋予的代码，须由工作人员核实后受理：请携带营业执照到信用办办理登记，暂不能自助注册"
  );
}

/**
 * Registers an applicant account and the subject it acts for. The rule for subjects:
 * a subject not yet on the platform is created and linked at once (nobody else acts for it);
 * a subject already on the platform is never linked by self-registration: the account gets a
 * pending claim that an officer confirms after checking the applicant really represents it.
 * Legacy-pilot USCCs are refused here: only an officer may accept them, with a recorded reason.
 */
export async function registerApplicant(db: Database, input: Registration): Promise<Registered> {
  const problem = passwordProblem(input.password);
  if (problem) throw new ValidationError(problem, [{ path: "password", message: problem }]);
  const id = identifySubject(input.subjectType, input.subjectCode);
  if (id.legacyPilot) {
    const message = legacyAtRegistration(id.expectedCheck);
    throw new ValidationError(message, [{ path: "subjectCode", message }]);
  }
  const passwordHash = await hashPassword(input.password);
  const unavailable = () => new ValidationError(USERNAME_UNAVAILABLE, [{ path: "username", message: USERNAME_UNAVAILABLE }]);
  try {
    return await db.transaction(async (t) => {
      if (!(await usernameAvailable(db, input.username, t))) throw unavailable();
      const existing = await CreditSubject.findOne({ where: { code: id.code }, transaction: t });
      const user = await createUser(
        {
          username: input.username,
          password: input.password,
          passwordHash,
          displayName: input.displayName,
          phone: input.phone,
          email: input.email,
          roles: ["applicant"],
          subjectIds: [],
        },
        t,
      );
      const actor = { id: user.id, username: user.username, ip: input.ip ?? null };
      await audit(db, t, {
        actor: user.username,
        action: "user.registered",
        entityType: "user",
        entityId: user.id,
        detail: { subjectCode: id.code, subjectType: input.subjectType, existingSubject: Boolean(existing) },
        ip: input.ip ?? null,
      });
      if (existing) {
        const claim = await SubjectClaim.create(
          { userId: user.id, subjectId: existing.id, decidedBy: null, decidedAt: null, decisionReason: null },
          { transaction: t },
        );
        await audit(db, t, {
          actor: user.username,
          action: "subject.claim_requested",
          entityType: "subject",
          entityId: existing.id,
          detail: { claimId: claim.id, userId: user.id },
          ip: input.ip ?? null,
        });
        return { user, subject: existing, link: "pending" as const };
      }
      const subject = await insertSubject(db, t, actor, { code: id.code, name: input.subjectName, subjectType: input.subjectType });
      await UserSubject.create({ userId: user.id, subjectId: subject.id }, { transaction: t });
      await audit(db, t, {
        actor: user.username,
        action: "subject.linked",
        entityType: "subject",
        entityId: subject.id,
        detail: { userId: user.id },
        ip: input.ip ?? null,
      });
      return { user, subject, link: "linked" as const };
    });
  } catch (err) {
    // Two registrations racing for one username: the loser hears the same generic answer.
    if (err instanceof UniqueConstraintError && JSON.stringify([err.fields, err.errors.map((e) => e.path)]).includes("username")) {
      throw unavailable();
    }
    throw err;
  }
}
