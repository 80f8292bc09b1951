import { Op, type Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import type { Commitment } from "../../db/models/Commitment.js";
import { CreditRecord } from "../../db/models/CreditRecord.js";
import { audit } from "../audit.js";
import { chinaDay } from "../calendar/days.js";

/**
 * The records that bar a subject from the 告知承诺 route until repaired (DOMAIN.md): a public entry on the
 * 严重失信主体名单 or any public 严重 record, and any unrepaired commitment breach (违诺).
 */
export async function findBarringRecords(subjectId: number, t?: Transaction): Promise<CreditRecord[]> {
  return CreditRecord.findAll({
    where: {
      subjectId,
      repaired: false,
      [Op.or]: [{ recordType: "违诺" }, { recordType: "严重失信主体名单", isPublic: true }, { severity: "严重", isPublic: true }],
    },
    order: [["createdAt", "DESC"]],
    transaction: t,
  });
}

/** A subject's credit records, newest first; publicOnly for what the public may see. */
export async function listSubjectRecords(subjectId: number, options: { publicOnly?: boolean } = {}): Promise<CreditRecord[]> {
  const where: Record<string, unknown> = { subjectId };
  if (options.publicOnly) Object.assign(where, { isPublic: true, repaired: false });
  return CreditRecord.findAll({ where, order: [["createdAt", "DESC"]] });
}

/**
 * Records a commitment breach (违诺) for the commitment's subject inside the caller's transaction; runs at
 * most once per commitment (a unique index on the source commitment), so a retried service step is harmless.
 */
export async function recordBreachRecord(
  db: Database,
  t: Transaction,
  input: {
    commitment: Commitment;
    fulfilmentStatus: string;
    unfulfilledContent: string;
    liabilityContent: string;
    decidedBy: string | null;
    at: Date;
  },
): Promise<CreditRecord> {
  const existing = await CreditRecord.findOne({ where: { sourceCommitmentId: input.commitment.id }, transaction: t });
  if (existing) return existing;
  const c = input.commitment;
  const decidedOn = chinaDay(input.at);
  const record = await CreditRecord.create(
    {
      subjectId: c.subjectId,
      recordType: "违诺",
      severity: null,
      title: `违反信用承诺：${c.reason}（承诺编码 ${c.code}，${input.fulfilmentStatus}）`,
      content: JSON.stringify({ unfulfilledContent: input.unfulfilledContent, liabilityContent: input.liabilityContent }),
      isPublic: c.publicType === "可向社会公开",
      decidedOn,
      publicityFrom: decidedOn,
      publicityUntil: null,
      sourceUnit: c.acceptingUnit,
      sourceCommitmentId: c.id,
      repairedAt: null,
      createdBy: input.decidedBy,
    },
    { transaction: t },
  );
  await audit(db, t, {
    actor: input.decidedBy ?? "system",
    action: "credit_record.created",
    entityType: "credit_record",
    entityId: record.id,
    detail: { subjectId: c.subjectId, recordType: "违诺", commitment: c.code, fulfilmentStatus: input.fulfilmentStatus },
    at: input.at,
  });
  return record;
}
