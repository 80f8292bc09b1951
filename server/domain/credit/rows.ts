import { createHash } from "node:crypto";
import type { CreditSeverity } from "../../db/models/CreditRecord.js";
import type { SubjectType } from "../../db/models/CreditSubject.js";
import { assertDay } from "../calendar/days.js";
import { validateResidentId } from "../subjects/residentId.js";
import { validateUscc } from "../subjects/uscc.js";
import { ENTERED_TYPES, FIELD_BY_KEY, RECORD_FIELDS, fieldApplies, fieldRequired, type EnteredType } from "./fields.js";

/** A problem with one field of one row, in Chinese; row is the spreadsheet row (the header is row 1). */
export interface RowProblem {
  row: number;
  field: string;
  message: string;
}

/** A row that passed every check that needs no database. */
export interface RecordRow {
  recordType: EnteredType;
  severity: CreditSeverity | null;
  partyName: string;
  partyType: SubjectType;
  /** USCC or resident ID number: the credit subject the record belongs to. */
  subjectCode: string;
  divisionCode: string;
  /** A well-formed USCC whose check character does not match: accepted only for a subject an officer already accepted. */
  legacyPilot: boolean;
  decisionNumber: string;
  decidedOn: string;
  authority: string;
  /** Every non-empty field of the row, by key (what the record's detail keeps). */
  fields: Record<string, string>;
  /** sha256 of the normalised row: the same row imported again is recognised and skipped. */
  fingerprint: string;
}

const ID_TYPES = new Set(["", "身份证", "居民身份证", "公民身份号码", "中华人民共和国居民身份证"]);

/** YYYY-MM-DD from 2026-05-10, 2026/5/10, 2026.5.10, 2026年5月10日 or 20260510; null when it is none of these or no such day. */
export function parseDay(text: string): string | null {
  const t = text.trim();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (!m) return null;
  const day = `${m[1]}-${m[2]!.padStart(2, "0")}-${m[3]!.padStart(2, "0")}`;
  try {
    assertDay(day);
    return day;
  } catch {
    return null;
  }
}

const AMOUNT = /^\d{1,12}(\.\d{1,6})?$/;

/**
 * Checks one row of the 双公示 layout (an import row or the entry form) without the database: required fields by
 * record type, choices, USCC and ID check characters, dates (the decision not in the future), amounts as numbers.
 * Answers the normalised row, or the problems, each naming the field by its Chinese header.
 */
export function checkRecordRow(
  raw: Record<string, unknown>,
  rowNumber: number,
  today: string,
): { row: RecordRow | null; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const bad = (key: string, message: string) => problems.push({ row: rowNumber, field: FIELD_BY_KEY.get(key)?.label ?? key, message });
  const v: Record<string, string> = {};
  for (const f of RECORD_FIELDS) {
    const value = raw[f.key];
    const text = typeof value === "string" ? value.replace(/\u3000/g, " ").trim() : typeof value === "number" ? String(value) : "";
    if (text.length > f.max) bad(f.key, `${f.label}不能超过 ${f.max} 字（当前 ${text.length} 字）`);
    v[f.key] = text;
  }
  const typeText = v.recordType!;
  if (!typeText) {
    bad("recordType", "信息类别必填");
    return { row: null, problems };
  }
  if (!(ENTERED_TYPES as readonly string[]).includes(typeText)) {
    bad("recordType", `未知的信息类别“${typeText}”，应为${ENTERED_TYPES.join("、")}之一`);
    return { row: null, problems };
  }
  const recordType = typeText as EnteredType;
  for (const f of RECORD_FIELDS) {
    if (!fieldApplies(f, recordType)) v[f.key] = "";
    else if (fieldRequired(f, recordType) && !v[f.key]) bad(f.key, `${f.label}必填（${recordType}）`);
  }
  let severity: CreditSeverity | null = null;
  if (v.severity) {
    if (["轻微", "一般", "严重"].includes(v.severity)) severity = v.severity as CreditSeverity;
    else bad("severity", `未知的严重程度“${v.severity}”，应为轻微、一般、严重之一`);
  }
  let partyType: SubjectType | null = null;
  if (v.partyType) {
    if (["法人及非法人组织", "自然人", "个体工商户"].includes(v.partyType)) partyType = v.partyType as SubjectType;
    else bad("partyType", `未知的行政相对人类别“${v.partyType}”，应为法人及非法人组织、自然人、个体工商户之一`);
  }
  let subjectCode = "";
  let divisionCode = "";
  let legacyPilot = false;
  if (partyType === "自然人") {
    if (!ID_TYPES.has(v.idType!)) bad("idType", `自然人的证件类型暂只支持身份证，当前为“${v.idType}”`);
    else if (!v.idNumber) bad("idNumber", "自然人的证件号码必填");
    else {
      const id = validateResidentId(v.idNumber);
      if (id.valid) {
        subjectCode = id.code;
        divisionCode = id.divisionCode;
        v.idNumber = id.code;
      } else bad("idNumber", id.reason);
    }
  } else if (partyType) {
    if (!v.uscc) bad("uscc", `${partyType}的统一社会信用代码必填`);
    else {
      const u = validateUscc(v.uscc);
      if (u.valid || u.legacyPilot) {
        subjectCode = u.code;
        divisionCode = u.divisionCode;
        legacyPilot = u.legacyPilot;
        v.uscc = u.code;
      } else bad("uscc", `统一社会信用代码无效：${u.reason}`);
    }
  }
  if (v.legalRepIdNumber && ID_TYPES.has(v.legalRepIdType!)) {
    const id = validateResidentId(v.legalRepIdNumber);
    if (!id.valid) bad("legalRepIdNumber", `法定代表人证件号码无效：${id.reason}`);
  }
  for (const key of ["authorityUscc", "sourceUnitUscc"]) {
    if (!v[key]) continue;
    const u = validateUscc(v[key]);
    if (!u.valid) bad(key, `${FIELD_BY_KEY.get(key)!.label}无效：${u.reason}`);
    else v[key] = u.code;
  }
  for (const key of ["decidedOn", "validFrom", "validUntil", "sourceDeadline"]) {
    if (!v[key]) continue;
    const day = parseDay(v[key]);
    if (!day) bad(key, `${FIELD_BY_KEY.get(key)!.label}“${v[key]}”不是有效日期，请写作 2026-05-10`);
    else v[key] = day;
  }
  if (v.decidedOn && parseDay(v.decidedOn) && v.decidedOn > today)
    bad("decidedOn", `决定日期 ${v.decidedOn} 晚于今天（${today}），不能登记未来的决定`);
  if (v.validFrom && v.validUntil && parseDay(v.validFrom) && parseDay(v.validUntil) && v.validUntil < v.validFrom)
    bad("validUntil", "有效期至早于有效期自");
  for (const key of ["fineAmount", "confiscatedAmount"]) {
    if (!v[key]) continue;
    const n = v[key].replace(/,/g, "");
    if (!AMOUNT.test(n)) bad(key, `${FIELD_BY_KEY.get(key)!.label}“${v[key]}”不是数字，请填写以万元为单位的金额，例如 0.5`);
    else v[key] = n;
  }
  if (problems.length || !partyType) return { row: null, problems };
  const fields: Record<string, string> = {};
  for (const f of RECORD_FIELDS) if (v[f.key]) fields[f.key] = v[f.key]!;
  if (!fields.sourceUnit) fields.sourceUnit = v.authority!;
  const fingerprint = createHash("sha256")
    .update(JSON.stringify(RECORD_FIELDS.map((f) => fields[f.key] ?? "")))
    .digest("hex");
  return {
    row: {
      recordType,
      severity,
      partyName: v.partyName!,
      partyType,
      subjectCode,
      divisionCode,
      legacyPilot,
      decisionNumber: v.decisionNumber!,
      decidedOn: v.decidedOn!,
      authority: v.authority!,
      fields,
      fingerprint,
    },
    problems,
  };
}

/** The record's one-line title: what the penalty, licence or listing is. */
export function titleOf(row: RecordRow): string {
  const f = row.fields;
  const text =
    row.recordType === "行政处罚"
      ? `${f.penaltyCategory ?? "行政处罚"}：${f.penaltyContent ?? ""}`
      : row.recordType === "行政许可"
        ? `${f.licenceCategory ?? "行政许可"}：${f.licenceContent ?? ""}`
        : `列入${row.recordType}：${f.listingReason ?? ""}`;
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}
