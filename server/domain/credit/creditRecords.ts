import { Op, type Transaction, type WhereOptions } from "sequelize";
import type { Database } from "../../db/database.js";
import type { Commitment } from "../../db/models/Commitment.js";
import { CreditRecord, type CreditRecordStatus } from "../../db/models/CreditRecord.js";
import { CreditRecordStatusChange } from "../../db/models/CreditRecordStatusChange.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import { audit } from "../audit.js";
import { issueRepairNotices } from "../reports/documents.js";
import { chinaDay } from "../calendar/days.js";
import { PAGE_SIZE, type Page } from "../search.js";
import type { PeriodOverride } from "./periods.js";
import { loadRuleBook, parseOverride, type RuleBook } from "./rules.js";
import { RECORD_FIELDS } from "./fields.js";
import { checkRecordRow, titleOf, type RecordRow, type RowProblem } from "./rows.js";

/** Statuses that end a record's life in public for good: what people decided, not what the rules computed. */
const FINAL: readonly CreditRecordStatus[] = ["已修复（终止公示）", "已屏蔽", "已撤销"];

/**
 * The records that bar a subject from the 告知承诺 route until repaired (DOMAIN.md): a public entry on the
 * 严重失信主体名单 or any public 严重 record, and any commitment breach (违诺) not repaired, shielded or withdrawn.
 */
export async function findBarringRecords(subjectId: number, t?: Transaction): Promise<CreditRecord[]> {
  return CreditRecord.findAll({
    where: {
      subjectId,
      repaired: false,
      status: { [Op.notIn]: [...FINAL] },
      [Op.or]: [
        { recordType: "违诺" },
        { recordType: "严重失信主体名单", isPublic: true, status: "公示中" },
        { severity: "严重", isPublic: true, status: "公示中" },
      ],
    },
    order: [["createdAt", "DESC"]],
    transaction: t,
  });
}

/**
 * The records the public may see of a subject on `today`: 公示中, within their dates, not repaired. Repaired, expired,
 * shielded, withdrawn and unpublished records never appear, whatever the daily job has got to.
 */
export async function listPublicRecords(subjectId: number, today: string): Promise<CreditRecord[]> {
  return CreditRecord.findAll({
    where: {
      subjectId,
      status: "公示中",
      isPublic: true,
      repaired: false,
      publicityFrom: { [Op.lte]: today },
      [Op.or]: [{ publicityUntil: null }, { publicityUntil: { [Op.gte]: today } }],
    },
    order: [
      ["decidedOn", "DESC"],
      ["id", "DESC"],
    ],
    raw: true,
  });
}

/** Every record of a subject with its status history, for staff. */
export async function listSubjectRecordsWithHistory(subjectId: number) {
  const records = await CreditRecord.findAll({ where: { subjectId }, order: [["id", "DESC"]], limit: 500, raw: true });
  const history = records.length
    ? await CreditRecordStatusChange.findAll({ where: { recordId: records.map((r) => r.id) }, order: [["id", "ASC"]], raw: true })
    : [];
  return records.map((r) => ({ record: r, history: history.filter((h) => h.recordId === r.id) }));
}

/**
 * Records a commitment breach (违诺) for the commitment's subject inside the caller's transaction; runs at
 * most once per commitment (a unique index on the source commitment), so a retried service step is harmless.
 * It is published under the 违诺 rule when the commitment is 可向社会公开, and 不予公示 otherwise.
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
  const isPublic = c.publicType === "可向社会公开";
  const book = await loadRuleBook(t);
  const { rule, publicity } = book.publicityOf(
    { departmentId: c.departmentId, recordType: "违诺", severity: null, decidedOn, publishedOn: decidedOn },
    isPublic ? null : { publish: false },
    decidedOn,
  );
  const record = await CreditRecord.create(
    {
      subjectId: c.subjectId,
      recordType: "违诺",
      severity: null,
      title: `违反信用承诺：${c.reason}（承诺编码 ${c.code}，${input.fulfilmentStatus}）`,
      content: JSON.stringify({ unfulfilledContent: input.unfulfilledContent, liabilityContent: input.liabilityContent }),
      isPublic,
      decidedOn,
      publicityFrom: publicity.publicityFrom,
      publicityUntil: publicity.publicityUntil,
      minUntil: publicity.minUntil,
      status: publicity.status,
      ruleId: rule?.id ?? null,
      ruleSet: rule?.ruleSet ?? null,
      departmentId: c.departmentId,
      sourceUnit: c.acceptingUnit,
      sourceCommitmentId: c.id,
      repairedAt: null,
      createdBy: input.decidedBy,
      statusChangedAt: input.at,
    },
    { transaction: t },
  );
  await CreditRecordStatusChange.create(
    {
      recordId: record.id,
      fromStatus: null,
      toStatus: record.status,
      reason: `违反信用承诺（${c.code}）`,
      actor: input.decidedBy ?? "system",
      at: input.at,
    },
    { transaction: t },
  );
  await audit(db, t, {
    actor: input.decidedBy ?? "system",
    action: "credit_record.created",
    entityType: "credit_record",
    entityId: record.id,
    detail: {
      subjectId: c.subjectId,
      recordType: "违诺",
      commitment: c.code,
      fulfilmentStatus: input.fulfilmentStatus,
      status: record.status,
    },
    at: input.at,
  });
  return record;
}

/** A checked row with the spreadsheet row it came from. */
export interface NumberedRow {
  rowNumber: number;
  row: RecordRow;
}

const CHUNK = 400;

function chunks<T>(list: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * The checks that need the database: a decision number recorded before (the same row again is "unchanged", a
 * different row with that number is a problem), a number twice in the file, a legacy-pilot USCC whose subject no
 * officer has accepted. Answers the problems and the rows that are already recorded unchanged.
 */
export async function checkAgainstDatabase(
  rows: NumberedRow[],
  t?: Transaction,
): Promise<{ problems: RowProblem[]; unchanged: Set<number> }> {
  const problems: RowProblem[] = [];
  const unchanged = new Set<number>();
  const seen = new Map<string, number>();
  const repeated = new Set<number>();
  for (const { rowNumber, row } of rows) {
    const key = `${row.recordType}\u0000${row.decisionNumber}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, rowNumber);
    else {
      repeated.add(rowNumber);
      problems.push({ row: rowNumber, field: "决定文书号", message: `决定文书号“${row.decisionNumber}”与第 ${first} 行重复` });
    }
  }
  const byType = new Map<string, NumberedRow[]>();
  for (const r of rows) byType.set(r.row.recordType, [...(byType.get(r.row.recordType) ?? []), r]);
  for (const [recordType, list] of byType) {
    for (const part of chunks(list)) {
      const existing = await CreditRecord.findAll({
        where: { recordType, decisionNumber: part.map((r) => r.row.decisionNumber) },
        attributes: ["id", "decisionNumber", "fingerprint"],
        raw: true,
        transaction: t,
      });
      const byNumber = new Map(existing.map((e) => [e.decisionNumber, e]));
      for (const { rowNumber, row } of part) {
        const e = byNumber.get(row.decisionNumber);
        if (!e || repeated.has(rowNumber)) continue;
        if (e.fingerprint === row.fingerprint) unchanged.add(rowNumber);
        else
          problems.push({
            row: rowNumber,
            field: "决定文书号",
            message: `决定文书号“${row.decisionNumber}”已登记（记录 #${e.id}），内容与本行不同`,
          });
      }
    }
  }
  const legacyCodes = [...new Set(rows.filter((r) => r.row.legacyPilot).map((r) => r.row.subjectCode))];
  if (legacyCodes.length) {
    const accepted = new Set(
      (
        await CreditSubject.findAll({ where: { code: legacyCodes, legacyPilot: true }, attributes: ["code"], raw: true, transaction: t })
      ).map((s) => s.code),
    );
    for (const { rowNumber, row } of rows)
      if (row.legacyPilot && !accepted.has(row.subjectCode))
        problems.push({
          row: rowNumber,
          field: "统一社会信用代码",
          message: `统一社会信用代码“${row.subjectCode}”校验位不正确；如为早期试点代码，请先由管理员在“信用主体”中核实登记`,
        });
  }
  return { problems, unchanged };
}

export interface WriteContext {
  actor: string;
  departmentId: number | null;
  importId: number | null;
  at: Date;
  book: RuleBook;
  reason: string;
  onProgress?: (written: number) => void;
}

/**
 * Inserts checked rows (none already recorded) in the caller's transaction: the subjects not registered yet, the
 * records with the publicity their rule gives on the day, and a status-history row each. Answers the new ids.
 */
export async function writeRecords(
  t: Transaction,
  rows: RecordRow[],
  ctx: WriteContext,
): Promise<{ ids: number[]; subjectsCreated: number }> {
  const today = chinaDay(ctx.at);
  const codes = [...new Set(rows.map((r) => r.subjectCode))];
  const subjects = new Map<string, number>();
  for (const part of chunks(codes))
    for (const s of await CreditSubject.findAll({ where: { code: part }, attributes: ["id", "code"], raw: true, transaction: t }))
      subjects.set(s.code, s.id);
  const missing = new Map<string, RecordRow>();
  for (const r of rows) if (!subjects.has(r.subjectCode) && !missing.has(r.subjectCode)) missing.set(r.subjectCode, r);
  for (const part of chunks([...missing.values()])) {
    await CreditSubject.bulkCreate(
      part.map((r) => ({
        code: r.subjectCode,
        name: r.partyName,
        subjectType: r.partyType,
        divisionCode: r.divisionCode,
        legacyOverrideReason: null,
        legacyOverrideBy: null,
      })),
      { transaction: t },
    );
    for (const s of await CreditSubject.findAll({
      where: { code: part.map((r) => r.subjectCode) },
      attributes: ["id", "code"],
      raw: true,
      transaction: t,
    }))
      subjects.set(s.code, s.id);
  }
  const ids: number[] = [];
  for (const part of chunks(rows)) {
    const values = part.map((r) => {
      const { rule, publicity } = ctx.book.publicityOf(
        { departmentId: ctx.departmentId, recordType: r.recordType, severity: r.severity, decidedOn: r.decidedOn, publishedOn: today },
        null,
        today,
      );
      return {
        subjectId: subjects.get(r.subjectCode)!,
        recordType: r.recordType,
        severity: r.severity,
        title: titleOf(r),
        content: null,
        isPublic: true,
        decidedOn: r.decidedOn,
        publicityFrom: publicity.publicityFrom,
        publicityUntil: publicity.publicityUntil,
        minUntil: publicity.minUntil,
        status: publicity.status,
        ruleId: rule?.id ?? null,
        ruleSet: rule?.ruleSet ?? null,
        departmentId: ctx.departmentId,
        decisionNumber: r.decisionNumber,
        detail: JSON.stringify(r.fields),
        fingerprint: r.fingerprint,
        importId: ctx.importId,
        sourceUnit: r.fields.sourceUnit ?? r.authority,
        sourceCommitmentId: null,
        repairedAt: null,
        createdBy: ctx.actor,
        statusChangedAt: ctx.at,
      };
    });
    await CreditRecord.bulkCreate(values, { transaction: t });
    // bulkCreate does not return ids on every dialect: read them back by the unique decision numbers.
    const created = await CreditRecord.findAll({
      where: { [Op.or]: part.map((r) => ({ recordType: r.recordType, decisionNumber: r.decisionNumber })) },
      attributes: ["id", "status"],
      raw: true,
      transaction: t,
    });
    await CreditRecordStatusChange.bulkCreate(
      created.map((c) => ({ recordId: c.id, fromStatus: null, toStatus: c.status, reason: ctx.reason, actor: ctx.actor, at: ctx.at })),
      { transaction: t },
    );
    ids.push(...created.map((c) => c.id));
    ctx.onProgress?.(ids.length);
  }
  return { ids, subjectsCreated: missing.size };
}

/** Creates one record from the staff entry form; every problem is a 400 naming the field in Chinese; audited. */
export async function createCreditRecord(
  db: Database,
  input: { actor: string; ip?: string | null; departmentId: number | null; fields: Record<string, unknown>; at: Date },
): Promise<CreditRecord> {
  const today = chinaDay(input.at);
  const checked = checkRecordRow(input.fields, 1, today);
  const toDetails = (problems: RowProblem[]) => problems.map((p) => ({ path: p.field, message: p.message }));
  if (!checked.row) throw new ValidationError("记录信息有误，请按提示修改", toDetails(checked.problems));
  const row = checked.row;
  return db.transaction(async (t) => {
    const { problems, unchanged } = await checkAgainstDatabase([{ rowNumber: 1, row }], t);
    if (unchanged.size)
      throw new ConflictError(`决定文书号“${row.decisionNumber}”已登记，内容相同，无需重复登记`, "record_exists", [
        { path: "决定文书号", message: "已登记" },
      ]);
    if (problems.length) throw new ValidationError("记录信息有误，请按提示修改", toDetails(problems));
    const book = await loadRuleBook(t);
    const { ids, subjectsCreated } = await writeRecords(t, [row], {
      actor: input.actor,
      departmentId: input.departmentId,
      importId: null,
      at: input.at,
      book,
      reason: "部门登记",
    });
    const record = (await CreditRecord.findByPk(ids[0], { transaction: t }))!;
    // 两书同达: a penalty or 严重失信 record is served with its 信用修复告知书, issued in this transaction.
    const notices = await issueRepairNotices(db, t, [record.id], input.actor, input.at);
    await audit(db, t, {
      actor: input.actor,
      action: "credit_record.created",
      entityType: "credit_record",
      entityId: record.id,
      detail: {
        recordType: record.recordType,
        severity: record.severity,
        decisionNumber: record.decisionNumber,
        status: record.status,
        subjectCreated: subjectsCreated > 0,
        repairNotice: notices > 0,
      },
      ip: input.ip ?? null,
      at: input.at,
    });
    return record;
  });
}

/** Which status a record may move to from which (repair only from 公示中; nothing leaves 已撤销). */
const ALLOWED: Record<"已修复（终止公示）" | "已屏蔽" | "已撤销", readonly CreditRecordStatus[]> = {
  "已修复（终止公示）": ["公示中"],
  已屏蔽: ["公示中", "已届满", "不予公示"],
  已撤销: ["公示中", "已届满", "不予公示", "已修复（终止公示）", "已屏蔽"],
};

export type DecidedStatus = keyof typeof ALLOWED;
export const DECIDED_STATUSES = Object.keys(ALLOWED) as DecidedStatus[];

/**
 * Moves a record to a status people decide, in the caller's transaction: 已修复（终止公示） (a repair approved: the
 * repair flow calls this), 已屏蔽 (a court's 重整 / 和解 ruling) or 已撤销 (an objection upheld, the decision revoked).
 * The record stays; the change is a status-history row and an audit entry. Idempotent: the same status again is a no-op.
 */
export async function changeRecordStatus(
  db: Database,
  t: Transaction,
  input: { recordId: number; to: DecidedStatus; reason: string; actor: string; ip?: string | null; at: Date },
): Promise<CreditRecord> {
  const record = await CreditRecord.findByPk(input.recordId, { transaction: t, lock: t.LOCK.UPDATE });
  if (!record) throw new NotFoundError("找不到该信用记录");
  if (record.status === input.to) return record;
  const reason = input.reason.trim();
  if (!reason)
    throw new ValidationError("请填写变更理由", [{ path: "reason", message: "变更状态须写明理由（如法院裁定文号、修复决定文号）" }]);
  if (!ALLOWED[input.to].includes(record.status))
    throw new ConflictError(`“${record.status}”的记录不能变更为“${input.to}”`, "status_transition", [
      { path: "to", message: `当前状态为${record.status}` },
    ]);
  const from = record.status;
  await record.update(
    {
      status: input.to,
      statusChangedAt: input.at,
      ...(input.to === "已修复（终止公示）" ? { repaired: true, repairedAt: input.at } : {}),
    },
    { transaction: t },
  );
  await CreditRecordStatusChange.create(
    { recordId: record.id, fromStatus: from, toStatus: input.to, reason, actor: input.actor, at: input.at },
    { transaction: t },
  );
  await audit(db, t, {
    actor: input.actor,
    action: "credit_record.status_changed",
    entityType: "credit_record",
    entityId: record.id,
    detail: { from, to: input.to, reason },
    ip: input.ip ?? null,
    at: input.at,
  });
  return record;
}

/**
 * Sets (or clears, with override null) a record's own period, set by a law or administrative regulation that prevails
 * over the rule; the legal basis is required. Recomputes the record's dates and status at once; audited.
 */
export async function setPeriodOverride(
  db: Database,
  input: { recordId: number; override: PeriodOverride | null; basis: string | null; actor: string; ip?: string | null; at: Date },
): Promise<CreditRecord> {
  const basis = input.basis?.trim() ?? "";
  if (input.override && !basis)
    throw new ValidationError("请填写法律依据", [{ path: "overrideBasis", message: "单独设定公示期须写明设定期限的法律、行政法规条款" }]);
  return db.transaction(async (t) => {
    const record = await CreditRecord.findByPk(input.recordId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!record) throw new NotFoundError("找不到该信用记录");
    if (FINAL.includes(record.status)) throw new ConflictError(`“${record.status}”的记录不再计算公示期`, "record_final");
    if (!record.decidedOn) throw new ConflictError("该记录没有决定日期，无法计算公示期", "no_decision_date");
    const today = chinaDay(input.at);
    const book = await loadRuleBook(t);
    const { rule, publicity } = book.publicityOf(
      {
        departmentId: record.departmentId,
        recordType: record.recordType,
        severity: record.severity,
        decidedOn: record.decidedOn,
        publishedOn: record.publicityFrom ?? today,
      },
      input.override ?? (record.isPublic ? null : { publish: false }),
      today,
    );
    const from = record.status;
    const before = {
      publicityUntil: record.publicityUntil,
      minUntil: record.minUntil,
      override: parseOverride(record.periodOverride),
      basis: record.overrideBasis,
    };
    await record.update(
      {
        periodOverride: input.override ? JSON.stringify(input.override) : null,
        overrideBasis: input.override ? basis : null,
        status: publicity.status,
        publicityFrom: publicity.publicityFrom,
        publicityUntil: publicity.publicityUntil,
        minUntil: publicity.minUntil,
        ruleId: rule?.id ?? null,
        ruleSet: rule?.ruleSet ?? null,
        ...(from !== publicity.status ? { statusChangedAt: input.at } : {}),
      },
      { transaction: t },
    );
    if (from !== publicity.status)
      await CreditRecordStatusChange.create(
        {
          recordId: record.id,
          fromStatus: from,
          toStatus: publicity.status,
          reason: input.override ? `单独设定公示期：${basis}` : "取消单独设定的公示期",
          actor: input.actor,
          at: input.at,
        },
        { transaction: t },
      );
    await audit(db, t, {
      actor: input.actor,
      action: "credit_record.period_overridden",
      entityType: "credit_record",
      entityId: record.id,
      detail: {
        before,
        after: {
          override: input.override,
          basis,
          publicityUntil: publicity.publicityUntil,
          minUntil: publicity.minUntil,
          status: publicity.status,
        },
      },
      ip: input.ip ?? null,
      at: input.at,
    });
    return record;
  });
}

export interface RecordFilter {
  q?: string;
  recordType?: string;
  status?: string;
  departmentId?: number | null;
  page: number;
}

/** Records for the staff list: by subject name or code or decision number, type, status and department; newest first. */
export async function searchRecords(filter: RecordFilter): Promise<Page<CreditRecord & { subjectName: string; subjectCode: string }>> {
  const where: WhereOptions[] = [];
  if (filter.recordType) where.push({ recordType: filter.recordType });
  if (filter.status) where.push({ status: filter.status });
  if (filter.departmentId) where.push({ departmentId: filter.departmentId });
  const q = filter.q?.trim();
  if (q) {
    const subjects = await CreditSubject.findAll({
      where: { [Op.or]: [{ code: q.toUpperCase() }, { name: { [Op.like]: `%${q.replace(/[%_\\]/g, "")}%` } }] },
      attributes: ["id"],
      limit: 500,
      raw: true,
    });
    where.push({ [Op.or]: [{ subjectId: subjects.map((s) => s.id) }, { decisionNumber: q }] });
  }
  const { rows, count } = await CreditRecord.findAndCountAll({
    where: { [Op.and]: where },
    order: [["id", "DESC"]],
    limit: PAGE_SIZE,
    offset: (filter.page - 1) * PAGE_SIZE,
    raw: true,
  });
  const subjects = new Map(
    (
      await CreditSubject.findAll({
        where: { id: [...new Set(rows.map((r) => r.subjectId))] },
        attributes: ["id", "name", "code"],
        raw: true,
      })
    ).map((s) => [s.id, s]),
  );
  return {
    rows: rows.map((r) => ({
      ...r,
      subjectName: subjects.get(r.subjectId)?.name ?? "",
      subjectCode: subjects.get(r.subjectId)?.code ?? "",
    })) as Array<CreditRecord & { subjectName: string; subjectCode: string }>,
    total: count,
    page: filter.page,
    pageSize: PAGE_SIZE,
  };
}

/** One record with its subject and status history, or null. */
export async function findRecord(id: number) {
  const record = await CreditRecord.findByPk(id, { raw: true });
  if (!record) return null;
  const [subject, history] = await Promise.all([
    CreditSubject.findByPk(record.subjectId, { raw: true }),
    CreditRecordStatusChange.findAll({ where: { recordId: id }, order: [["id", "ASC"]], raw: true }),
  ]);
  return { record, subject: subject!, history };
}

/** Fields an objection may not correct: who the record is about and what kind it is (a wrong subject is withdrawn instead). */
const NOT_CORRECTABLE = new Set(["recordType", "partyType", "uscc", "idType", "idNumber"]);

/** A field change of a correction: the field key, its Chinese label, the old and the new value. */
export interface FieldCorrection {
  field: string;
  label: string;
  from: string | null;
  to: string;
}

/**
 * Checks a correction of a record's 双公示 fields (an upheld objection): only known fields other than the party's
 * identity and the record type; the corrected record must pass every check of the entry form. Answers the corrected row
 * and the field changes, or a 400 naming the field in Chinese. Reads nothing but the record.
 */
export function checkCorrection(
  record: Pick<CreditRecord, "detail" | "recordType">,
  changes: Array<{ field: string; value: string }>,
  today: string,
): { row: RecordRow; changes: FieldCorrection[] } {
  const fields = record.detail ? (JSON.parse(record.detail) as Record<string, string>) : {};
  if (!record.detail) throw new ConflictError("该记录没有双公示字段（如违诺记录），不能更正，请选择撤销", "not_correctable");
  const out: FieldCorrection[] = [];
  const raw: Record<string, unknown> = { ...fields };
  changes.forEach((c, i) => {
    const def = RECORD_FIELDS.find((f) => f.key === c.field);
    const path = `corrections[${i}].field`;
    if (!def || NOT_CORRECTABLE.has(c.field))
      throw new ValidationError("更正的字段不可更正", [
        { path, message: "不能更正信息类别和行政相对人身份，如主体有误请选择“异议成立，撤销记录”" },
      ]);
    if (out.some((o) => o.field === c.field)) throw new ValidationError("同一字段只能更正一次", [{ path, message: `“${def.label}”重复` }]);
    const value = c.value.trim();
    if ((fields[c.field] ?? "") === value)
      throw new ValidationError("更正后的值与原值相同", [{ path: `corrections[${i}].value`, message: `“${def.label}”未改变` }]);
    raw[c.field] = value;
    out.push({ field: c.field, label: def.label, from: fields[c.field] ?? null, to: value });
  });
  if (!out.length) throw new ValidationError("请填写要更正的字段", [{ path: "corrections", message: "至少更正一个字段" }]);
  const checked = checkRecordRow(raw, 1, today);
  if (!checked.row)
    throw new ValidationError(
      `更正后的记录有误：${checked.problems.map((p) => `${p.field}：${p.message}`).join("；")}`,
      checked.problems.map((p) => ({ path: "corrections", message: `${p.field}：${p.message}` })),
    );
  return { row: checked.row, changes: out.map((o) => ({ ...o, to: checked.row!.fields[o.field] ?? o.to })) };
}

/**
 * Corrects a record's fields in the caller's transaction (an objection upheld with 更正): the 双公示 fields, title,
 * severity, 决定文书号 and decision date change; the publicity is recomputed under the rule of the (new) decision date;
 * one audit entry lists each field's old and new value; a status-history row when the status changes. Never deletes.
 */
export async function correctRecord(
  db: Database,
  t: Transaction,
  input: { recordId: number; changes: Array<{ field: string; value: string }>; reason: string; actor: string; at: Date },
): Promise<CreditRecord> {
  const record = await CreditRecord.findByPk(input.recordId, { transaction: t, lock: t.LOCK.UPDATE });
  if (!record) throw new NotFoundError("找不到该信用记录");
  if (FINAL.includes(record.status)) throw new ConflictError(`“${record.status}”的记录不能更正`, "record_final");
  const today = chinaDay(input.at);
  const { row, changes } = checkCorrection(record, input.changes, today);
  if (row.decisionNumber !== record.decisionNumber) {
    const clash = await CreditRecord.findOne({
      where: { recordType: record.recordType, decisionNumber: row.decisionNumber, id: { [Op.ne]: record.id } },
      transaction: t,
    });
    if (clash)
      throw new ValidationError(`决定文书号“${row.decisionNumber}”已登记（记录 #${clash.id}）`, [
        { path: "corrections", message: "决定文书号已被其他记录使用" },
      ]);
  }
  const book = await loadRuleBook(t);
  const { rule, publicity } = book.publicityOf(
    {
      departmentId: record.departmentId,
      recordType: record.recordType,
      severity: row.severity,
      decidedOn: row.decidedOn,
      publishedOn: record.publicityFrom ?? today,
    },
    parseOverride(record.periodOverride) ?? (record.isPublic ? null : { publish: false }),
    today,
  );
  const from = record.status;
  await record.update(
    {
      severity: row.severity,
      title: titleOf(row),
      decisionNumber: row.decisionNumber,
      decidedOn: row.decidedOn,
      detail: JSON.stringify(row.fields),
      fingerprint: row.fingerprint,
      status: publicity.status,
      publicityFrom: publicity.publicityFrom,
      publicityUntil: publicity.publicityUntil,
      minUntil: publicity.minUntil,
      ruleId: rule?.id ?? null,
      ruleSet: rule?.ruleSet ?? null,
      ...(from !== publicity.status ? { statusChangedAt: input.at } : {}),
    },
    { transaction: t },
  );
  if (from !== publicity.status)
    await CreditRecordStatusChange.create(
      { recordId: record.id, fromStatus: from, toStatus: publicity.status, reason: input.reason, actor: input.actor, at: input.at },
      { transaction: t },
    );
  await audit(db, t, {
    actor: input.actor,
    action: "credit_record.corrected",
    entityType: "credit_record",
    entityId: record.id,
    detail: { reason: input.reason, changes, status: { from, to: publicity.status }, publicityUntil: publicity.publicityUntil },
    at: input.at,
  });
  return record;
}
