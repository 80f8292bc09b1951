import type { Transaction } from "sequelize";
import { Case } from "../../db/models/Case.js";
import { CreditRecord } from "../../db/models/CreditRecord.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";

/**
 * The record a repair or objection case is about (its recordId variable, locked), checked against the case's own
 * subject and department: a service step never acts on a record of another subject, whatever a variable says.
 */
export async function recordOfCase(instanceId: string, recordId: unknown, t: Transaction): Promise<CreditRecord> {
  const kase = await Case.findOne({ where: { instanceId }, transaction: t });
  const record = await CreditRecord.findByPk(Number(recordId), { transaction: t, lock: t.LOCK.UPDATE });
  const subject = record ? await CreditSubject.findByPk(record.subjectId, { transaction: t }) : null;
  if (!kase || !record || !subject || subject.code !== kase.subjectCode || record.departmentId !== kase.departmentId)
    throw new Error(`case of instance ${instanceId} does not match credit record ${String(recordId)}`);
  return record;
}
