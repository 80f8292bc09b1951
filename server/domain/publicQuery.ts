import { Op } from "sequelize";
import { Case } from "../db/models/Case.js";
import { Commitment } from "../db/models/Commitment.js";
import { CreditSubject } from "../db/models/CreditSubject.js";
import { Department } from "../db/models/Department.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { listPublicRecords, listSubjectRecordsWithHistory } from "./credit/creditRecords.js";
import { findSubjectByCode, listPublicCommitments } from "./commitments/queries.js";
import { documentsOfRecords, publicRepairCommitments, reportsOfSubject } from "./reports/documents.js";
import { validateUscc } from "./subjects/uscc.js";

const NAME_RESULTS = 20;

/**
 * What the public may see of a subject found by its USCC on `today`: its commitments open to the public (the
 * 信用修复型 ones among them listed apart) and its records 公示中 within their dates. A malformed code or a wrong check
 * character is a 400 saying which; a well-formed code of an unknown subject is a 404. An early-pilot code (wrong check
 * character) is found only when an officer accepted it, and is shown flagged. Natural persons are never found here.
 */
export async function loadPublicProfile(rawCode: string, today: string) {
  const verdict = validateUscc(rawCode);
  if (!verdict.valid) {
    if (!verdict.legacyPilot)
      throw new ValidationError(`统一社会信用代码格式不正确：${verdict.reason}`, [{ path: "code", message: verdict.reason }]);
    // Early pilot codes are lawful but need an officer's acceptance (DOMAIN.md): only accepted ones are found.
    const accepted = await findSubjectByCode(verdict.code);
    if (!accepted?.legacyPilot) {
      throw new ValidationError(`统一社会信用代码校验位不正确（第18位应为“${verdict.expectedCheck}”）`, [
        { path: "code", message: verdict.reason },
      ]);
    }
  }
  const subject = await findSubjectByCode(verdict.code);
  if (!subject || subject.subjectType === "自然人") throw new NotFoundError("未查询到该统一社会信用代码对应的主体");
  const [commitments, records, repairDocs] = await Promise.all([
    listPublicCommitments(subject.id),
    listPublicRecords(subject.id, today),
    publicRepairCommitments(subject.id),
  ]);
  return {
    subject,
    commitments: commitments.filter((c) => c.commitmentType !== "信用修复型"),
    repairCommitments: commitments.filter((c) => c.commitmentType === "信用修复型"),
    // The 信用修复承诺 of granted repairs (credit_documents), shown beside the 信用修复型 commitments of the archive.
    repairCommitmentDocuments: repairDocs.map((d) => {
      // The repaired record itself is no longer public: the line names the commitment and its case, not the record.
      const c = d.content as { record?: { department?: string | null }; madeOn?: string };
      return {
        code: d.number,
        reason: `信用修复承诺（修复办件 ${d.caseKey ?? "—"}）`,
        madeOn: c.madeOn ?? d.issuedOn,
        acceptingUnit: c.record?.department ?? "",
      };
    }),
    records,
  };
}

/** Subjects (not natural persons) whose name contains the words typed, for the public search box. */
export async function searchSubjectsByName(
  name: string,
): Promise<Array<{ code: string; name: string; subjectType: string; legacyPilot: boolean }>> {
  const words = name
    .trim()
    .replace(/[%_\\]/g, "")
    .slice(0, 50);
  if (words.length < 2)
    throw new ValidationError("请输入至少两个字的名称，或完整的18位统一社会信用代码", [{ path: "q", message: "名称至少两个字" }]);
  const rows = await CreditSubject.findAll({
    where: { name: { [Op.like]: `%${words}%` }, subjectType: { [Op.ne]: "自然人" } },
    attributes: ["code", "name", "subjectType", "legacyPilot"],
    order: [["name", "ASC"]],
    limit: NAME_RESULTS,
    raw: true,
  });
  return rows.map((r) => ({ ...r, legacyPilot: !!r.legacyPilot }));
}

/** Everything staff see of a subject: every record with its status history, its commitments, and its cases (repair, objection, ...). */
export async function loadStaffProfile(code: string) {
  const subject = await CreditSubject.findOne({ where: { code: code.trim().toUpperCase() }, raw: true });
  if (!subject) throw new NotFoundError("找不到该主体");
  const [records, commitments, cases, departments] = await Promise.all([
    listSubjectRecordsWithHistory(subject.id),
    Commitment.findAll({
      where: { subjectId: subject.id },
      attributes: ["code", "commitmentType", "reason", "status", "publicType", "fulfilmentStatus", "madeOn", "acceptingUnit"],
      order: [["id", "DESC"]],
      limit: 200,
      raw: true,
    }),
    Case.findAll({ where: { subjectCode: subject.code }, order: [["id", "DESC"]], limit: 200, raw: true }),
    Department.findAll({ attributes: ["id", "name"], raw: true }),
  ]);
  const [documents, reports] = await Promise.all([documentsOfRecords(records.map((r) => r.record.id)), reportsOfSubject(subject.id)]);
  return {
    subject,
    records: records.map((r) => ({ ...r, documents: documents.filter((d) => d.recordId === r.record.id) })),
    commitments,
    cases,
    reports,
    departments: new Map(departments.map((d) => [d.id, d.name])),
  };
}
