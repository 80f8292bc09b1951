import type { Database } from "../../db/database.js";
import type { CreditSubject } from "../../db/models/CreditSubject.js";
import { Department } from "../../db/models/Department.js";
import { NotFoundError } from "../../errors.js";
import { audit } from "../audit.js";
import { chinaCompactDay, chinaDay } from "../calendar/days.js";
import { RULE_KEYS, ruleValue } from "../calendar/rules.js";
import { CITY_DIVISION } from "../cases/startCase.js";
import { listPublicCommitments } from "../commitments/queries.js";
import { listPublicRecords } from "../credit/creditRecords.js";
import { CreditDocument } from "../../db/models/CreditDocument.js";
import { canonicalJson, sha256Hex } from "./canonical.js";
import { DOCUMENT_TITLES, findDocument, publicRepairCommitments, type StoredDocument } from "./documents.js";
import { DOCUMENT_SERIES, takeDocumentNumbers } from "./numbers.js";

/** Who asked for a report: the subject itself (its applicant account) or an officer. */
export type ReportRequester = "subject" | "staff";

/** What every report says it covers (docs/credit-records.md "信用报告"). */
export const REPORT_SCOPE =
  "本报告载明截至出具之日本平台依法向社会公开的该主体信用信息：公示中的行政处罚、行政许可、严重失信主体名单、经营异常名录及违诺记录（含决定文书号、公示起止日期），可向社会公开的信用承诺，以及信用修复承诺。已修复、已届满、已屏蔽、已撤销及不予公示的记录不在报告之列。";

/**
 * The content of a subject's credit report on `today`: exactly what the public query shows now (records 公示中 within
 * their dates, commitments 可向社会公开, the 信用修复承诺 of granted repairs), never ID numbers. Pure data: the same
 * subject on the same day gives the same content.
 */
export async function creditReportContent(subject: CreditSubject, today: string) {
  const [records, commitments, repairDocs] = await Promise.all([
    listPublicRecords(subject.id, today),
    listPublicCommitments(subject.id),
    publicRepairCommitments(subject.id),
  ]);
  const departments = new Map((await Department.findAll({ attributes: ["id", "name"], raw: true })).map((d) => [d.id, d.name]));
  return {
    subject: { code: subject.code, name: subject.name, subjectType: subject.subjectType, legacyPilot: !!subject.legacyPilot },
    scope: REPORT_SCOPE,
    asOf: today,
    records: records.map((r) => ({
      type: r.recordType,
      severity: r.severity,
      title: r.title,
      decisionNumber: r.decisionNumber,
      decidedOn: r.decidedOn,
      publicityFrom: r.publicityFrom,
      publicityUntil: r.publicityUntil,
      department: r.departmentId ? (departments.get(r.departmentId) ?? null) : (r.sourceUnit ?? null),
    })),
    commitments: commitments
      .filter((c) => c.commitmentType !== "信用修复型")
      .map((c) => ({
        code: c.code,
        type: c.commitmentType,
        reason: c.reason,
        madeOn: c.madeOn,
        acceptingUnit: c.acceptingUnit,
        fulfilmentStatus: c.fulfilmentStatus,
      })),
    repairCommitments: [
      ...commitments
        .filter((c) => c.commitmentType === "信用修复型")
        .map((c) => ({ number: c.code, reason: c.reason, madeOn: c.madeOn, acceptingUnit: c.acceptingUnit })),
      ...repairDocs.map((d) => {
        // The repaired record itself is no longer public: the line names the commitment and its case, not the record.
        const c = d.content as { record?: { department?: string | null }; madeOn?: string };
        return {
          number: d.number,
          reason: `信用修复承诺（修复办件 ${d.caseKey ?? "—"}）`,
          madeOn: c.madeOn ?? d.issuedOn,
          acceptingUnit: c.record?.department ?? null,
        };
      }),
    ],
  };
}

/**
 * Issues a numbered credit report of a subject (BG + division + day + serial): its content as canonical JSON with the
 * sha256 of that text and the day, so anyone holding the paper can confirm it at /verify/<number>. Audited.
 */
export async function generateCreditReport(
  db: Database,
  input: { subject: CreditSubject; actor: string; requestedBy: ReportRequester; ip?: string | null; at: Date },
): Promise<StoredDocument> {
  const today = chinaDay(input.at);
  const content = {
    ...(await creditReportContent(input.subject, today)),
    requestedBy: input.requestedBy === "subject" ? "主体申请" : "工作人员出具",
    generatedAt: input.at.toISOString(),
  };
  const number = await db.transaction(async (t) => {
    const fallback = /^\d{6}$/.test(input.subject.divisionCode ?? "") ? input.subject.divisionCode : CITY_DIVISION;
    const division = await ruleValue<string>(RULE_KEYS.divisionCode, input.at, fallback, t);
    const [taken] = await takeDocumentNumbers(db, t, DOCUMENT_SERIES.credit_report, division, chinaCompactDay(input.at), 1);
    const full = { ...content, number: taken!, issuedOn: today, title: DOCUMENT_TITLES.credit_report };
    const text = canonicalJson(full);
    const hash = sha256Hex(text);
    await CreditDocument.create(
      {
        number: taken!,
        kind: "credit_report",
        subjectId: input.subject.id,
        recordId: null,
        caseKey: null,
        content: text,
        contentSha256: hash,
        issuedOn: today,
        issuedBy: input.actor,
        createdAt: input.at,
      },
      { transaction: t },
    );
    await audit(db, t, {
      actor: input.actor,
      action: "credit_report.generated",
      entityType: "credit_subject",
      entityId: input.subject.id,
      detail: { number: taken, sha256: hash, requestedBy: input.requestedBy, records: content.records.length },
      ip: input.ip ?? null,
      at: input.at,
    });
    return taken!;
  });
  return findDocument(number);
}

/** What /verify/<number> confirms of a report: number, subject, date and hash (a natural person's ID number is masked). */
export async function verifyReport(number: string) {
  const doc = await findDocument(number.trim().toUpperCase()).catch(() => null);
  if (!doc || doc.kind !== "credit_report") throw new NotFoundError("未找到该编号的信用报告，请核对报告编号");
  const subject = (doc.content.subject ?? {}) as { code?: string; name?: string; subjectType?: string };
  const code = subject.code ?? "";
  return {
    number: doc.number,
    issuedOn: doc.issuedOn,
    generatedAt: typeof doc.content.generatedAt === "string" ? doc.content.generatedAt : doc.createdAt.toISOString(),
    subjectName: subject.name ?? "",
    subjectCode: subject.subjectType === "自然人" ? `${code.slice(0, 4)}**********${code.slice(-4)}` : code,
    sha256: doc.contentSha256,
  };
}

/** Whether a pasted hash is the report's (case and spaces ignored); null when nothing usable was pasted. */
export function compareHash(expected: string, pasted: string | undefined): boolean | null {
  const clean = (pasted ?? "").replace(/\s+/g, "").toLowerCase();
  if (!clean) return null;
  return clean === expected.toLowerCase();
}
