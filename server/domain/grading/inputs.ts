import type { Transaction } from "sequelize";
import { Commitment } from "../../db/models/Commitment.js";
import { CreditRecord } from "../../db/models/CreditRecord.js";
import { chinaDay } from "../calendar/days.js";
import type { SubjectInputs } from "./evaluate.js";

export interface LoadedInputs {
  inputs: Map<number, SubjectInputs>;
  /** The latest updated_at among each subject's records and commitments (absent: it has none). */
  latest: Map<number, Date>;
}

const asDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

/** The records and commitments of these subjects that the indicators read, with when each subject's inputs last changed. */
export async function loadInputs(subjectIds: number[], t?: Transaction): Promise<LoadedInputs> {
  const inputs = new Map<number, SubjectInputs>();
  const latest = new Map<number, Date>();
  if (!subjectIds.length) return { inputs, latest };
  const of = (id: number) => {
    let v = inputs.get(id);
    if (!v) inputs.set(id, (v = { records: [], commitments: [] }));
    return v;
  };
  const touch = (id: number, at: unknown) => {
    const d = asDate(at);
    const prev = latest.get(id);
    if (!prev || d > prev) latest.set(id, d);
  };
  const [records, commitments] = await Promise.all([
    CreditRecord.findAll({
      where: { subjectId: subjectIds },
      attributes: [
        "id",
        "subjectId",
        "recordType",
        "severity",
        "status",
        "decidedOn",
        "publicityFrom",
        "createdAt",
        "decisionNumber",
        "sourceCommitmentId",
        "updatedAt",
      ],
      raw: true,
      transaction: t,
    }),
    Commitment.findAll({
      where: { subjectId: subjectIds },
      attributes: ["id", "subjectId", "code", "fulfilmentStatus", "fulfilmentDate", "madeOn", "updatedAt"],
      raw: true,
      transaction: t,
    }),
  ]);
  for (const r of records) {
    of(r.subjectId).records.push({
      id: r.id,
      recordType: r.recordType,
      severity: r.severity,
      status: r.status,
      day: r.decidedOn ?? r.publicityFrom ?? chinaDay(asDate(r.createdAt)),
      decisionNumber: r.decisionNumber ?? null,
      sourceCommitmentId: r.sourceCommitmentId ?? null,
    });
    touch(r.subjectId, r.updatedAt);
  }
  for (const c of commitments) {
    of(c.subjectId).commitments.push({ id: c.id, code: c.code, fulfilmentStatus: c.fulfilmentStatus, day: c.fulfilmentDate ?? c.madeOn });
    touch(c.subjectId, c.updatedAt);
  }
  return { inputs, latest };
}
