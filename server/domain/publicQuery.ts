import { Op } from "sequelize";
import { CreditSubject } from "../db/models/CreditSubject.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { listSubjectRecords } from "./credit/creditRecords.js";
import { findSubjectByCode, listPublicCommitments } from "./commitments/queries.js";
import { validateUscc } from "./subjects/uscc.js";

const NAME_RESULTS = 20;

/**
 * What the public may see of a subject found by its USCC: its commitments open to the public and its
 * public, unrepaired credit records. A malformed code or a wrong check character is a 400 saying which;
 * a well-formed code of an unknown subject is a 404. Natural persons are never found by the public query.
 */
export async function loadPublicProfile(rawCode: string) {
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
  const [commitments, records] = await Promise.all([
    listPublicCommitments(subject.id),
    listSubjectRecords(subject.id, { publicOnly: true }),
  ]);
  return { subject, commitments, records };
}

/** Subjects (not natural persons) whose name contains the words typed, for the public search box. */
export async function searchSubjectsByName(name: string): Promise<Array<{ code: string; name: string; subjectType: string }>> {
  const words = name
    .trim()
    .replace(/[%_\\]/g, "")
    .slice(0, 50);
  if (words.length < 2)
    throw new ValidationError("请输入至少两个字的名称，或完整的18位统一社会信用代码", [{ path: "q", message: "名称至少两个字" }]);
  return CreditSubject.findAll({
    where: { name: { [Op.like]: `%${words}%` }, subjectType: { [Op.ne]: "自然人" } },
    attributes: ["code", "name", "subjectType"],
    order: [["name", "ASC"]],
    limit: NAME_RESULTS,
    raw: true,
  });
}
