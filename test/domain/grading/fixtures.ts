import { randomBytes, randomInt } from "node:crypto";
import { CatalogItem } from "../../../server/db/models/CatalogItem.js";
import { Commitment, type FulfilmentStatus } from "../../../server/db/models/Commitment.js";
import {
  CreditRecord,
  type CreditRecordStatus,
  type CreditRecordType,
  type CreditSeverity,
} from "../../../server/db/models/CreditRecord.js";
import type { CreditSubject } from "../../../server/db/models/CreditSubject.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem } from "../commitments/fixtures.js";

const uniq = () => randomBytes(5).toString("hex");

/** A record of a subject, as a department would enter it (only the columns grading reads matter). */
export async function buildRecord(
  subject: CreditSubject,
  fields: {
    type?: CreditRecordType;
    severity?: CreditSeverity | null;
    decidedOn: string;
    status?: CreditRecordStatus;
    sourceCommitmentId?: number;
  },
): Promise<CreditRecord> {
  return CreditRecord.create({
    subjectId: subject.id,
    recordType: fields.type ?? "行政处罚",
    severity: fields.severity === undefined ? "一般" : fields.severity,
    title: "测试记录",
    content: null,
    isPublic: true,
    decidedOn: fields.decidedOn,
    publicityFrom: fields.decidedOn,
    publicityUntil: null,
    sourceUnit: "市市场监管局",
    sourceCommitmentId: fields.sourceCommitmentId ?? null,
    repairedAt: null,
    createdBy: "test",
    status: fields.status ?? "公示中",
    decisionNumber: `荥市监罚〔${uniq()}〕号`,
  });
}

let item: { itemId: number; versionId: number; departmentId: number } | undefined;

/** A commitment of a subject with a verification result (fulfilment) on a day. */
export async function buildCommitment(subject: CreditSubject, fulfilment: FulfilmentStatus | null, day: string): Promise<Commitment> {
  if (!item) {
    const code = await buildPublishedItem("scjgj");
    const row = (await CatalogItem.findOne({ where: { itemCode: code } }))!;
    item = { itemId: row.id, versionId: row.publishedVersionId!, departmentId: row.departmentId };
  }
  return Commitment.create({
    code: `410182${day.replaceAll("-", "")}${String(randomInt(1_000_000)).padStart(6, "0")}`,
    itemId: item.itemId,
    itemVersionId: item.versionId,
    departmentId: item.departmentId,
    subjectId: subject.id,
    submitterId: null,
    subjectName: subject.name,
    subjectType: subject.subjectType,
    subjectCode: subject.code,
    commitmentType: "审批替代型",
    reason: "测试承诺",
    data: "{}",
    formKey: "test",
    formRevision: 1,
    revision: 1,
    letterHtml: "<p>承诺书</p>",
    signerName: "张三",
    agreedAt: new Date(),
    status: fulfilment ? "监管完成" : "监管中",
    fulfilmentStatus: fulfilment,
    fulfilmentDate: fulfilment ? day : null,
    fulfilmentUnit: null,
    unfulfilledContent: fulfilment && fulfilment !== "全部履行" ? "未按承诺落实" : null,
    liabilityContent: fulfilment && fulfilment !== "全部履行" ? "责令整改" : null,
    supervisionStatus: fulfilment ? "监管完成" : "监管中",
    publicType: "可向社会公开",
    madeOn: day,
    validUntil: null,
    acceptingUnit: "市市场监管局",
    acceptingUnitUscc: null,
    processInstanceId: null,
    reviewDueAt: null,
    verificationDueAt: null,
    decisionComment: null,
    decidedBy: null,
    decidedAt: null,
  });
}

/** Moves a row's updated_at forward (as a later write would), independent of the clock of the test. */
export async function touch(table: "credit_records" | "commitments", id: number, secondsLater = 5): Promise<void> {
  const { db } = testApp();
  const at = new Date(Date.now() + secondsLater * 1000);
  await db.sequelize.query(`UPDATE ${table} SET updated_at = :at WHERE id = :id`, { replacements: { at, id } });
}
