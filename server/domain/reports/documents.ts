import { Op, type InferAttributes, type Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { Case } from "../../db/models/Case.js";
import { CreditDocument, type CreditDocumentKind } from "../../db/models/CreditDocument.js";
import { CreditRecord } from "../../db/models/CreditRecord.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { Department } from "../../db/models/Department.js";
import { SubmissionRevision } from "../../db/models/SubmissionRevision.js";
import { NotFoundError } from "../../errors.js";
import { audit } from "../audit.js";
import { addDays, chinaCompactDay, chinaDay } from "../calendar/days.js";
import { RULE_KEYS, ruleValue } from "../calendar/rules.js";
import { CITY_DIVISION } from "../cases/startCase.js";
import { canonicalJson, sha256Hex } from "./canonical.js";
import { DOCUMENT_SERIES, takeDocumentNumbers } from "./numbers.js";

/** Record types served with a 信用修复告知书 (两书同达, DOMAIN.md): every penalty and every 严重失信主体名单 decision. */
export const NOTICE_RECORD_TYPES = ["行政处罚", "严重失信主体名单"] as const;

export const DOCUMENT_TITLES: Record<CreditDocumentKind, string> = {
  repair_notice: "信用修复告知书",
  repair_decision: "信用修复决定书",
  repair_refusal: "不予信用修复决定书",
  credit_report: "信用报告",
  repair_commitment: "信用修复承诺书",
};

/** Where a subject applies for repair; printed on the notice (the online door and the window). */
export const REPAIR_CHANNELS = {
  online: "荥阳市信用承诺与修复平台“信用修复”栏目（/repair/apply），或“信用中国”网站信用修复专栏",
  window: "荥阳市政务服务大厅信用修复窗口",
};

/** The part of a record every document about it repeats (never an ID number). */
function recordPart(r: CreditRecord, departments: Map<number, string>) {
  return {
    id: r.id,
    type: r.recordType,
    severity: r.severity,
    title: r.title,
    decisionNumber: r.decisionNumber,
    decidedOn: r.decidedOn,
    department: r.departmentId ? (departments.get(r.departmentId) ?? null) : null,
  };
}

async function departmentNames(ids: Array<number | null>, t?: Transaction): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (!wanted.length) return new Map();
  const rows = await Department.findAll({ where: { id: wanted }, attributes: ["id", "name"], raw: true, transaction: t });
  return new Map(rows.map((d) => [d.id, d.name]));
}

/** The division code numbers are made under (the office's rule, else the subject's). */
async function divisionOf(subject: { divisionCode: string | null } | null, at: Date, t?: Transaction): Promise<string> {
  const fallback = subject?.divisionCode && /^\d{6}$/.test(subject.divisionCode) ? subject.divisionCode : CITY_DIVISION;
  return ruleValue<string>(RULE_KEYS.divisionCode, at, fallback, t);
}

export interface IssuedDocument {
  number: string;
  kind: CreditDocumentKind;
  subjectId: number;
  recordId: number | null;
  caseKey: string | null;
  content: Record<string, unknown>;
  contentSha256: string;
  issuedOn: string;
  issuedBy: string;
}

/** Stores documents whose content is final: the content with its number and date, as canonical JSON, and its sha256. */
async function store(
  t: Transaction,
  docs: Array<Omit<IssuedDocument, "contentSha256" | "content"> & { content: Record<string, unknown> }>,
  at: Date,
): Promise<IssuedDocument[]> {
  const rows = docs.map((d) => {
    const content = { ...d.content, number: d.number, issuedOn: d.issuedOn, title: DOCUMENT_TITLES[d.kind] };
    const text = canonicalJson(content);
    return { ...d, content, text, contentSha256: sha256Hex(text) };
  });
  for (let i = 0; i < rows.length; i += 400)
    await CreditDocument.bulkCreate(
      rows.slice(i, i + 400).map((r) => ({
        number: r.number,
        kind: r.kind,
        subjectId: r.subjectId,
        recordId: r.recordId,
        caseKey: r.caseKey,
        content: r.text,
        contentSha256: r.contentSha256,
        issuedOn: r.issuedOn,
        issuedBy: r.issuedBy,
        createdAt: at,
      })),
      { transaction: t },
    );
  return rows.map(({ text: _text, ...r }) => r);
}

/**
 * Issues the 信用修复告知书 of new 行政处罚 and 严重失信主体名单 records, in the transaction that creates them (entry form and
 * import alike): the subject's repair rights, the record's publicity period, from when repair may be applied for and
 * where. One upsert numbers them all. A record that already has its notice is skipped (idempotent).
 */
export async function issueRepairNotices(db: Database, t: Transaction, recordIds: number[], actor: string, at: Date): Promise<number> {
  if (!recordIds.length) return 0;
  const records: CreditRecord[] = [];
  for (let i = 0; i < recordIds.length; i += 400)
    records.push(
      ...(await CreditRecord.findAll({
        where: { id: recordIds.slice(i, i + 400), recordType: [...NOTICE_RECORD_TYPES] },
        transaction: t,
      })),
    );
  if (!records.length) return 0;
  const already = new Set<number>();
  for (let i = 0; i < records.length; i += 400)
    for (const d of await CreditDocument.findAll({
      where: { kind: "repair_notice", recordId: records.slice(i, i + 400).map((r) => r.id) },
      attributes: ["recordId"],
      raw: true,
      transaction: t,
    }))
      already.add(d.recordId!);
  const todo = records.filter((r) => !already.has(r.id));
  if (!todo.length) return 0;
  const subjects = new Map<number, CreditSubject>();
  const subjectIds = [...new Set(todo.map((r) => r.subjectId))];
  for (let i = 0; i < subjectIds.length; i += 400)
    for (const s of await CreditSubject.findAll({ where: { id: subjectIds.slice(i, i + 400) }, transaction: t })) subjects.set(s.id, s);
  const departments = await departmentNames(
    todo.map((r) => r.departmentId),
    t,
  );
  const issuedOn = chinaDay(at);
  const division = await divisionOf(null, at, t);
  const numbers = await takeDocumentNumbers(db, t, DOCUMENT_SERIES.repair_notice, division, chinaCompactDay(at), todo.length);
  await store(
    t,
    todo.map((r, i) => {
      const s = subjects.get(r.subjectId);
      return {
        number: numbers[i]!,
        kind: "repair_notice" as const,
        subjectId: r.subjectId,
        recordId: r.id,
        caseKey: null,
        issuedOn,
        issuedBy: actor,
        content: {
          subject: { name: s?.name ?? "", code: s?.code ?? "" },
          record: recordPart(r, departments),
          publicity: { status: r.status, from: r.publicityFrom, until: r.publicityUntil, minUntil: r.minUntil },
          // 轻微 has no minimum (repair once the obligations are performed); otherwise the day after the minimum ends.
          repairFrom: r.severity === "轻微" || !r.minUntil ? null : addDays(r.minUntil, 1),
          channels: REPAIR_CHANNELS,
          issuer: r.departmentId ? (departments.get(r.departmentId) ?? null) : null,
        },
      };
    }),
    at,
  );
  return todo.length;
}

/** The 信用修复承诺 the applicant signed on its application (the newest application form on the case), read in `t`. */
async function repairCommitmentOf(instanceId: string, formKey: string, t: Transaction) {
  const row = await SubmissionRevision.findOne({
    where: { submissionType: "case", submissionId: instanceId, formKey },
    order: [["version", "DESC"]],
    transaction: t,
  });
  const data = row ? (JSON.parse(row.data) as Record<string, unknown>) : {};
  const str = (v: unknown) => (typeof v === "string" ? v.trim() : "");
  return { signerName: str(data.signerName), agreed: data.commitmentAgreed === true, madeOn: row ? chinaDay(row.createdAt) : null };
}

/** The fixed text of the 信用修复承诺 (forms/credit-repair-application.json shows the same four points). */
export const REPAIR_COMMITMENT_POINTS = [
  "本主体已纠正失信行为，已履行行政处理决定规定的全部义务",
  "所提交的申请材料真实、合法、有效，不存在隐瞒或虚构情况",
  "自觉接受行政机关和社会的监督，本承诺书依法向社会公开",
  "如承诺不实，愿意承担相应法律责任：修复决定可被撤销，相关失信信息按规定重新公示，并记入本主体信用记录",
];

/**
 * Issues the decision of a repair case in the deciding step's transaction: on approval the 信用修复决定书 (终止公示,
 * 停止共享, whether the 告知承诺 bar is lifted) and the subject's public 信用修复承诺 (the commitment archive of repair
 * commitments, shown by the public query and the credit report); on 不予修复 the 不予信用修复决定书 with its reason.
 * Idempotent per case and kind (a retried step issues nothing twice).
 */
export async function issueRepairDecision(
  db: Database,
  t: Transaction,
  input: {
    caseKey: string;
    instanceId: string;
    recordId: number;
    approved: boolean;
    reason: string;
    barLifted?: boolean;
    applicationFormKey: string;
    actor: string;
    at: Date;
  },
): Promise<IssuedDocument[]> {
  const kind: CreditDocumentKind = input.approved ? "repair_decision" : "repair_refusal";
  const existing = await CreditDocument.findOne({ where: { caseKey: input.caseKey, kind }, transaction: t });
  if (existing) return [];
  const record = await CreditRecord.findByPk(input.recordId, { transaction: t });
  if (!record) throw new NotFoundError("找不到该信用记录");
  const subject = await CreditSubject.findByPk(record.subjectId, { transaction: t });
  const kase = await Case.findOne({ where: { instanceId: input.instanceId }, transaction: t });
  const departments = await departmentNames([record.departmentId], t);
  const issuedOn = chinaDay(input.at);
  const division = await divisionOf(subject, input.at, t);
  const kinds: CreditDocumentKind[] = input.approved ? ["repair_decision", "repair_commitment"] : ["repair_refusal"];
  const decisionNumber = (await takeDocumentNumbers(db, t, DOCUMENT_SERIES[kind], division, chinaCompactDay(input.at), 1))[0]!;
  const base = {
    subject: { name: subject?.name ?? "", code: subject?.code ?? "" },
    record: recordPart(record, departments),
    case: { number: input.caseKey, appliedOn: kase ? chinaDay(kase.startedAt) : null },
    issuer: record.departmentId ? (departments.get(record.departmentId) ?? null) : null,
  };
  const docs: Parameters<typeof store>[1] = [
    {
      number: decisionNumber,
      kind,
      subjectId: record.subjectId,
      recordId: record.id,
      caseKey: input.caseKey,
      issuedOn,
      issuedBy: input.actor,
      content: {
        ...base,
        decision: input.approved ? "同意信用修复" : "不予信用修复",
        reason: input.reason,
        effect: input.approved ? ["终止公示", "停止共享"] : [],
        commitmentRouteBarLifted: input.approved ? (input.barLifted ?? false) : null,
      },
    },
  ];
  if (kinds.includes("repair_commitment")) {
    const signed = await repairCommitmentOf(input.instanceId, input.applicationFormKey, t);
    const number = (await takeDocumentNumbers(db, t, DOCUMENT_SERIES.repair_commitment, division, chinaCompactDay(input.at), 1))[0]!;
    docs.push({
      number,
      kind: "repair_commitment",
      subjectId: record.subjectId,
      recordId: record.id,
      caseKey: input.caseKey,
      issuedOn,
      issuedBy: input.actor,
      content: { ...base, points: REPAIR_COMMITMENT_POINTS, signerName: signed.signerName, madeOn: signed.madeOn ?? issuedOn },
    });
  }
  const issued = await store(t, docs, input.at);
  await audit(db, t, {
    actor: input.actor,
    action: "document.issued",
    entityType: "credit_record",
    entityId: record.id,
    detail: { case: input.caseKey, documents: issued.map((d) => ({ number: d.number, kind: d.kind })) },
    at: input.at,
  });
  return issued;
}

export interface StoredDocument extends IssuedDocument {
  id: number;
  title: string;
  createdAt: Date;
}

function present(row: InferAttributes<CreditDocument>): StoredDocument {
  return {
    id: row.id,
    number: row.number,
    kind: row.kind,
    title: DOCUMENT_TITLES[row.kind] ?? row.kind,
    subjectId: row.subjectId,
    recordId: row.recordId,
    caseKey: row.caseKey,
    content: JSON.parse(row.content) as Record<string, unknown>,
    contentSha256: row.contentSha256,
    issuedOn: row.issuedOn,
    issuedBy: row.issuedBy,
    createdAt: new Date(row.createdAt),
  };
}

/** One document by its number, or 404. */
export async function findDocument(number: string): Promise<StoredDocument> {
  const row = /^[A-Z]{2}\d{20}$/.test(number) ? await CreditDocument.findOne({ where: { number }, raw: true }) : null;
  if (!row) throw new NotFoundError("找不到该编号的文书或报告");
  return present(row);
}

/** The documents about some records (the staff profile), newest first. */
export async function documentsOfRecords(recordIds: number[]): Promise<StoredDocument[]> {
  if (!recordIds.length) return [];
  const rows = await CreditDocument.findAll({
    where: { recordId: recordIds, kind: { [Op.ne]: "credit_report" } },
    order: [["id", "DESC"]],
    limit: 1000,
    raw: true,
  });
  return rows.map(present);
}

/** The documents of a case (决定书, 承诺书), for its case page. */
export async function documentsOfCase(caseKey: string | null): Promise<StoredDocument[]> {
  if (!caseKey) return [];
  return (await CreditDocument.findAll({ where: { caseKey }, order: [["id", "ASC"]], raw: true })).map(present);
}

/** The public 信用修复承诺 of a subject (those of granted repairs), newest first. */
export async function publicRepairCommitments(subjectId: number): Promise<StoredDocument[]> {
  return (
    await CreditDocument.findAll({ where: { subjectId, kind: "repair_commitment" }, order: [["id", "DESC"]], limit: 100, raw: true })
  ).map(present);
}

/** The credit reports issued for a subject, newest first (a page of 20). */
export async function reportsOfSubject(subjectId: number): Promise<StoredDocument[]> {
  return (await CreditDocument.findAll({ where: { subjectId, kind: "credit_report" }, order: [["id", "DESC"]], limit: 20, raw: true })).map(
    present,
  );
}
