import { Op, type Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { CreditRecord, RULE_STATUSES, type CreditRecordStatus } from "../../db/models/CreditRecord.js";
import { CreditRecordStatusChange } from "../../db/models/CreditRecordStatusChange.js";
import { Department } from "../../db/models/Department.js";
import { ANY_SEVERITY, NATIONAL_RULE_SET, PublicityRule, type CountFrom, type PeriodUnit } from "../../db/models/PublicityRule.js";
import { ConflictError } from "../../errors.js";
import { audit } from "../audit.js";
import { loadWorkingCalendar, type WorkingCalendar } from "../calendar/workingDays.js";
import { chinaDay } from "../calendar/days.js";
import { applyOverride, computePublicity, type PeriodOverride, type PeriodRule, type Publicity } from "./periods.js";

/** The plain figures of a rule row (what the period arithmetic needs). */
export interface RuleRow {
  id: number | null;
  ruleSet: string;
  recordType: string;
  severity: string;
  publish: boolean;
  minValue: number | null;
  minUnit: PeriodUnit | null;
  maxValue: number | null;
  maxUnit: PeriodUnit | null;
  countFrom: CountFrom;
  effectiveFrom: string;
  legalBasis: string;
  note: string | null;
  toBeConfirmed: boolean;
}

export function periodRuleOf(row: RuleRow): PeriodRule {
  return {
    publish: !!row.publish,
    min: row.minValue !== null && row.minUnit ? { value: row.minValue, unit: row.minUnit } : null,
    max: row.maxValue !== null && row.maxUnit ? { value: row.maxValue, unit: row.maxUnit } : null,
    countFrom: row.countFrom,
  };
}

/** When no rule covers a record (decided before every effective date): published, no period, nothing derived. */
const NO_RULE: PeriodRule = { publish: true, min: null, max: null, countFrom: "decision" };

/**
 * Every publicity rule and the departments' codes, read once: resolves the rule of a record. A department's own rule
 * set (its code, e.g. scjgj) applies where it has a rule for the record's type; the national set otherwise. Within a
 * set the rule for the exact severity comes before the set's "*" rule; the one in force is the latest whose
 * effective date is on or before the record's decision date.
 */
export class RuleBook {
  constructor(
    private readonly rules: RuleRow[],
    private readonly departmentCodes: ReadonlyMap<number, string>,
    readonly calendar: WorkingCalendar,
  ) {}

  /** The same book with one more rule (for a preview of an unsaved rule). */
  with(rule: RuleRow): RuleBook {
    const rest = this.rules.filter(
      (r) =>
        !(
          r.ruleSet === rule.ruleSet &&
          r.recordType === rule.recordType &&
          r.severity === rule.severity &&
          r.effectiveFrom === rule.effectiveFrom
        ),
    );
    return new RuleBook([...rest, rule], this.departmentCodes, this.calendar);
  }

  departmentCode(departmentId: number | null): string | null {
    return departmentId === null ? null : (this.departmentCodes.get(departmentId) ?? null);
  }

  resolve(departmentId: number | null, recordType: string, severity: string | null, decidedOn: string): RuleRow | null {
    const sets = [this.departmentCode(departmentId), NATIONAL_RULE_SET].filter((s): s is string => !!s);
    for (const set of sets) {
      for (const sev of severity ? [severity, ANY_SEVERITY] : [ANY_SEVERITY]) {
        let best: RuleRow | null = null;
        for (const r of this.rules) {
          if (r.ruleSet !== set || r.recordType !== recordType || r.severity !== sev || r.effectiveFrom > decidedOn) continue;
          if (!best || r.effectiveFrom > best.effectiveFrom) best = r;
        }
        if (best) return best;
      }
    }
    return null;
  }

  /** The publicity a record has on `today` under the rule that applies to it and its override. */
  publicityOf(
    record: { departmentId: number | null; recordType: string; severity: string | null; decidedOn: string; publishedOn: string },
    override: PeriodOverride | null,
    today: string,
  ): { rule: RuleRow | null; publicity: Publicity } {
    const rule = this.resolve(record.departmentId, record.recordType, record.severity, record.decidedOn);
    const periodRule = applyOverride(rule ? periodRuleOf(rule) : NO_RULE, override);
    const publicity = computePublicity({
      rule: periodRule,
      decidedOn: record.decidedOn,
      publishedOn: record.publishedOn,
      today,
      calendar: this.calendar,
    });
    return { rule, publicity };
  }

  list(): readonly RuleRow[] {
    return this.rules;
  }
}

/** Reads every rule, the department codes and the working-day calendar. */
export async function loadRuleBook(t?: Transaction): Promise<RuleBook> {
  const [rules, departments, calendar] = await Promise.all([
    PublicityRule.findAll({ raw: true, transaction: t }),
    Department.findAll({ attributes: ["id", "code"], raw: true, transaction: t }),
    loadWorkingCalendar(t),
  ]);
  return new RuleBook(
    rules.map((r) => ({ ...r, publish: !!r.publish, toBeConfirmed: !!r.toBeConfirmed })),
    new Map(departments.map((d) => [d.id, d.code])),
    calendar,
  );
}

export function parseOverride(text: string | null): PeriodOverride | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as PeriodOverride;
  } catch {
    return null;
  }
}

/** What a record would become under a rule book: the fields the rules decide. */
export interface RecordChange {
  id: number;
  subjectId: number;
  recordType: string;
  severity: string | null;
  decisionNumber: string | null;
  title: string;
  decidedOn: string;
  before: { status: CreditRecordStatus; publicityUntil: string | null; minUntil: string | null; ruleId: number | null };
  after: {
    status: CreditRecordStatus;
    publicityFrom: string | null;
    publicityUntil: string | null;
    minUntil: string | null;
    ruleId: number | null;
    ruleSet: string | null;
  };
}

type RuleDecidedRecord = Pick<
  CreditRecord,
  | "id"
  | "subjectId"
  | "recordType"
  | "severity"
  | "decisionNumber"
  | "title"
  | "decidedOn"
  | "departmentId"
  | "status"
  | "publicityFrom"
  | "publicityUntil"
  | "minUntil"
  | "ruleId"
  | "ruleSet"
  | "periodOverride"
  | "createdAt"
>;

/** The changes a rule book makes to records whose status the rules decide (repaired, shielded, withdrawn are kept). */
export function diffRecords(records: RuleDecidedRecord[], book: RuleBook, today: string): RecordChange[] {
  const changes: RecordChange[] = [];
  for (const r of records) {
    if (!r.decidedOn || !RULE_STATUSES.includes(r.status)) continue;
    // A record keeps the day it was first published; one never published would be published today.
    const publishedOn = r.publicityFrom ?? today;
    const { rule, publicity } = book.publicityOf(
      { departmentId: r.departmentId, recordType: r.recordType, severity: r.severity, decidedOn: r.decidedOn, publishedOn },
      parseOverride(r.periodOverride),
      today,
    );
    const ruleId = rule?.id ?? null;
    if (
      publicity.status === r.status &&
      publicity.publicityUntil === r.publicityUntil &&
      publicity.minUntil === r.minUntil &&
      ruleId === r.ruleId
    )
      continue;
    changes.push({
      id: r.id,
      subjectId: r.subjectId,
      recordType: r.recordType,
      severity: r.severity,
      decisionNumber: r.decisionNumber,
      title: r.title,
      decidedOn: r.decidedOn,
      before: { status: r.status, publicityUntil: r.publicityUntil, minUntil: r.minUntil, ruleId: r.ruleId },
      after: { ...publicity, ruleId, ruleSet: rule?.ruleSet ?? null },
    });
  }
  return changes;
}

/** Writes rule-driven changes to records, with a status-history row for each status that changes. */
export async function applyRecordChanges(
  t: Transaction,
  changes: RecordChange[],
  input: { actor: string; reason: string; at: Date },
): Promise<void> {
  for (const c of changes) {
    const statusChanged = c.before.status !== c.after.status;
    await CreditRecord.update(
      {
        status: c.after.status,
        publicityFrom: c.after.publicityFrom,
        publicityUntil: c.after.publicityUntil,
        minUntil: c.after.minUntil,
        ruleId: c.after.ruleId,
        ruleSet: c.after.ruleSet,
        ...(statusChanged ? { statusChangedAt: input.at } : {}),
      },
      { where: { id: c.id }, transaction: t },
    );
    if (statusChanged)
      await CreditRecordStatusChange.create(
        { recordId: c.id, fromStatus: c.before.status, toStatus: c.after.status, reason: input.reason, actor: input.actor, at: input.at },
        { transaction: t },
      );
  }
}

export interface NewRuleInput {
  ruleSet: string;
  recordType: string;
  severity: string;
  publish: boolean;
  minValue: number | null;
  minUnit: PeriodUnit | null;
  maxValue: number | null;
  maxUnit: PeriodUnit | null;
  countFrom: CountFrom;
  effectiveFrom: string;
  legalBasis: string;
  note: string | null;
  toBeConfirmed: boolean;
}

/** Records a new rule would touch: of its type (and severity), decided on or after its effective date, of its department. */
async function candidates(input: NewRuleInput, t?: Transaction) {
  const where: Record<string | symbol, unknown> = {
    recordType: input.recordType,
    status: [...RULE_STATUSES],
    decidedOn: { [Op.gte]: input.effectiveFrom },
  };
  if (input.severity !== ANY_SEVERITY) where.severity = input.severity;
  if (input.ruleSet !== NATIONAL_RULE_SET) {
    const department = await Department.findOne({ where: { code: input.ruleSet }, attributes: ["id"], transaction: t });
    where.departmentId = department?.id ?? -1;
  }
  return CreditRecord.findAll({ where, order: [["id", "ASC"]], transaction: t, raw: true });
}

function asRow(input: NewRuleInput): RuleRow {
  return { ...input, id: null };
}

/** What saving a new rule would change for existing records, without saving anything. */
export async function previewPublicityRule(input: NewRuleInput, today: string): Promise<RecordChange[]> {
  const book = (await loadRuleBook()).with(asRow(input));
  // The unsaved rule has no id yet: compare what it decides, not which row decides it.
  return diffRecords(await candidates(input), book, today).filter(
    (c) =>
      c.before.status !== c.after.status || c.before.publicityUntil !== c.after.publicityUntil || c.before.minUntil !== c.after.minUntil,
  );
}

/** Saves a new rule (rows are never edited) and applies it to the records it covers, in one transaction; audited. */
export async function savePublicityRule(
  db: Database,
  input: NewRuleInput & { actor: string; at: Date },
): Promise<{ rule: PublicityRule; changed: number }> {
  return db.transaction(async (t) => {
    const clash = await PublicityRule.findOne({
      where: { ruleSet: input.ruleSet, recordType: input.recordType, severity: input.severity, effectiveFrom: input.effectiveFrom },
      transaction: t,
    });
    if (clash)
      throw new ConflictError("该规则集对此类记录在同一生效日期已有规则；规则不修改，请另选生效日期", "rule_exists", [
        { path: "effectiveFrom", message: "同一生效日期已有规则" },
      ]);
    const { actor, at, ...fields } = input;
    const rule = await PublicityRule.create({ ...fields, createdBy: actor }, { transaction: t });
    const book = await loadRuleBook(t);
    const changes = diffRecords(await candidates(input, t), book, chinaDay(at));
    await applyRecordChanges(t, changes, { actor, reason: `公示规则变更（规则 #${rule.id}，自 ${input.effectiveFrom} 起）`, at });
    await audit(db, t, {
      actor,
      action: "publicity_rule.created",
      entityType: "publicity_rule",
      entityId: rule.id,
      detail: { ...fields, changedRecords: changes.map((c) => c.id) },
      at,
    });
    return { rule, changed: changes.length };
  });
}

/** Every rule, newest effective date first within each set, type and severity (the admin page's history). */
export async function listPublicityRules(): Promise<PublicityRule[]> {
  return PublicityRule.findAll({
    order: [
      ["ruleSet", "ASC"],
      ["recordType", "ASC"],
      ["severity", "ASC"],
      ["effectiveFrom", "DESC"],
    ],
  });
}
