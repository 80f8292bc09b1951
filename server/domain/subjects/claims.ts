import type { Database } from "../../db/database.js";
import { SubjectClaim } from "../../db/models/SubjectClaim.js";
import { UserSubject } from "../../db/models/UserSubject.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import type { Actor } from "../accounts/actor.js";
import { audit } from "../audit.js";

/**
 * An officer confirms or refuses an applicant's claim to act for an existing subject. Confirming writes
 * the link the applicant then acts through; refusing needs a reason the applicant will see.
 */
export function decideSubjectClaim(
  db: Database,
  actor: Actor,
  input: { claimId: number; approve: boolean; reason?: string | null },
): Promise<SubjectClaim> {
  const reason = input.reason?.trim() || null;
  if (!input.approve && !reason) throw new ValidationError("请填写不予关联的理由", [{ path: "reason", message: "必填" }]);
  return db.transaction(async (t) => {
    const claim = await SubjectClaim.findByPk(input.claimId, { transaction: t, lock: db.dialect === "mysql" });
    if (!claim) throw new NotFoundError("找不到该关联申请");
    if (claim.status !== "pending") throw new ConflictError("该关联申请已处理");
    claim.status = input.approve ? "approved" : "rejected";
    claim.decidedBy = actor.username;
    claim.decidedAt = new Date();
    claim.decisionReason = reason;
    await claim.save({ transaction: t });
    if (input.approve) {
      const exists = await UserSubject.findOne({ where: { userId: claim.userId, subjectId: claim.subjectId }, transaction: t });
      if (!exists) await UserSubject.create({ userId: claim.userId, subjectId: claim.subjectId }, { transaction: t });
    }
    await audit(db, t, {
      actor: actor.username,
      action: input.approve ? "subject.claim_approved" : "subject.claim_rejected",
      entityType: "subject",
      entityId: claim.subjectId,
      detail: { claimId: claim.id, userId: claim.userId, reason },
      ip: actor.ip ?? null,
    });
    return claim;
  });
}
