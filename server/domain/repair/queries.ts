import { Op } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import { CreditRecord } from "../../db/models/CreditRecord.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { Department } from "../../db/models/Department.js";
import { objectionRefusals, repairRefusals } from "./eligibility.js";

/** The records of the subjects an applicant acts for, each with whether repair and objection may be applied for today. */
export async function listApplicantRecords(user: CurrentUser, today: string) {
  if (!user.subjectIds.length) return [];
  const [records, subjects, departments] = await Promise.all([
    CreditRecord.findAll({
      where: { subjectId: user.subjectIds, recordType: { [Op.ne]: "行政许可" } },
      order: [["id", "DESC"]],
      limit: 200,
    }),
    CreditSubject.findAll({ where: { id: user.subjectIds }, attributes: ["id", "code", "name"], raw: true }),
    Department.findAll({ attributes: ["id", "name"], raw: true }),
  ]);
  return records.map((record) => ({
    record,
    subject: subjects.find((s) => s.id === record.subjectId) ?? null,
    department: departments.find((d) => d.id === record.departmentId)?.name ?? null,
    repairRefusals: repairRefusals(record, today),
    objectionRefusals: objectionRefusals(record),
  }));
}
