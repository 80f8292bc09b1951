import type { Transaction } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { Case } from "../../db/models/Case.js";
import { CreditRecord } from "../../db/models/CreditRecord.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { Department } from "../../db/models/Department.js";
import type { EngineRuntime } from "../../engine/index.js";
import { ConflictError, NotFoundError } from "../../errors.js";
import { validateSubmission } from "../../forms/index.js";
import { audit } from "../audit.js";
import { chinaCompactDay, chinaDay } from "../calendar/days.js";
import { RULE_KEYS, ruleValue } from "../calendar/rules.js";
import { loadWorkingCalendar } from "../calendar/workingDays.js";
import { recordCaseForm } from "../cases/caseForms.js";
import { nextCaseNumber, type CaseNumberSeries } from "../cases/numbering.js";
import { CITY_DIVISION } from "../cases/startCase.js";
import { resolveProcessDefinition } from "../catalog/processDefinitions.js";

export interface RecordCaseDeps {
  db: Database;
  engine: EngineRuntime;
  clock: { now(): Date };
}

/** What distinguishes the repair and the objection application: their process, form, numbers, checks and words. */
export interface RecordCaseSpec {
  processKey: string;
  formKey: string;
  numbers: CaseNumberSeries;
  /** 信用修复 / 异议申诉: used in the title, the refusal and the audit entry. */
  label: string;
  auditAction: string;
  /** Why the record may not be the subject of this case today (Chinese; empty when it may). */
  refusals(record: CreditRecord, today: string): string[];
  /** The first task's due date variable and its working-day limit rule. */
  due: { variable: string; limit: { key: string; fallback: number } };
}

export interface StartRecordCaseInput {
  actor: CurrentUser;
  recordId: number;
  data: Record<string, unknown>;
  ip?: string | null;
}

/** 行政处罚 · 决定文书号 · 公示期, as the application form shows the record (never an ID number). */
export function recordSummary(record: CreditRecord): string {
  const parts = [
    `${record.recordType}${record.severity ? `（${record.severity}）` : ""}`,
    record.decisionNumber ? `决定文书号 ${record.decisionNumber}` : null,
    record.title,
    record.publicityFrom ? `公示 ${record.publicityFrom} 至 ${record.publicityUntil ?? "不限"}` : null,
  ];
  return parts.filter(Boolean).join(" · ").slice(0, 500);
}

/** A record of a subject the applicant acts for, or 404 (records of others are indistinguishable from missing ones). */
export async function findApplicantRecord(actor: CurrentUser, recordId: number, t?: Transaction): Promise<CreditRecord> {
  const record = Number.isSafeInteger(recordId) ? await CreditRecord.findByPk(recordId, { transaction: t, lock: t?.LOCK.UPDATE }) : null;
  if (!record || !actor.subjectIds.includes(record.subjectId)) throw new NotFoundError("找不到该信用记录，或您不是该主体的经办人");
  return record;
}

/** The open case of this process about this record, if any (a subject's open cases of one flow are few). */
export async function openCaseForRecord(engine: EngineRuntime, processKey: string, subjectCode: string, recordId: number, t?: Transaction) {
  const open = await Case.findAll({ where: { processKey, subjectCode, endedAt: null }, transaction: t });
  for (const c of open) {
    const instance = await engine.getInstance(c.instanceId, t);
    if (instance && Number(instance.variables.recordId) === recordId) return c;
  }
  return null;
}

/**
 * Applies for a repair or an objection about one credit record of a subject the applicant acts for: checks the record
 * (a Chinese explanation when refused, 409), validates the application form, numbers the case in the flow's series,
 * starts the process with the recording department's group as the candidates ("谁认定、谁修复") and gives the case its
 * title, subject and department; one transaction, so no case exists without its process or the other way round.
 */
export async function startRecordCase(deps: RecordCaseDeps, spec: RecordCaseSpec, input: StartRecordCaseInput): Promise<Case> {
  return deps.db.transaction(async (t) => {
    // Locked: two applications about one record queue here, and the second sees the first's open case.
    const record = await findApplicantRecord(input.actor, input.recordId, t);
    const subject = await CreditSubject.findByPk(record.subjectId, { transaction: t });
    if (!subject) throw new NotFoundError("找不到该信用记录的主体");
    const now = deps.clock.now();
    const today = chinaDay(now);
    const refusals = spec.refusals(record, today);
    if (refusals.length)
      throw new ConflictError(
        `该记录暂不能申请${spec.label}：${refusals.join("；")}`,
        "record_not_eligible",
        refusals.map((message) => ({ path: "recordId", message })),
      );
    const open = await openCaseForRecord(deps.engine, spec.processKey, subject.code, record.id, t);
    if (open)
      throw new ConflictError(`该记录已有正在办理的${spec.label}申请（办件编号 ${open.businessKey}），请勿重复申请`, "case_open", [
        { path: "recordId", message: `办件 ${open.businessKey} 办理中` },
      ]);
    const department = await Department.findByPk(record.departmentId!, { transaction: t });
    if (!department) throw new ConflictError("找不到该记录的认定部门，请到市信用办窗口申请", "no_department");

    const summary = recordSummary(record);
    const { recordSummary: _ignored, ...typed } = input.data;
    void _ignored;
    const validated = await validateSubmission(deps.db, { formKey: spec.formKey }, typed, { t, userId: input.actor.id });
    const data = { ...validated.data, recordSummary: summary };

    const division = await ruleValue<string>(RULE_KEYS.divisionCode, now, subject.divisionCode ?? CITY_DIVISION, t);
    const number = await nextCaseNumber(deps.db, t, spec.numbers, division, chinaCompactDay(now));
    const days = await ruleValue<number>(spec.due.limit.key, now, spec.due.limit.fallback, t);
    const calendar = await loadWorkingCalendar(t);
    const definitionId = await resolveProcessDefinition(deps.engine, spec.processKey, t);
    const instance = await deps.engine.startProcess(
      {
        definitionId,
        businessKey: number,
        variables: {
          initiator: input.actor.username,
          caseNumber: number,
          subjectCode: subject.code,
          subjectName: subject.name,
          recordId: record.id,
          recordDepartment: department.code,
          [spec.due.variable]: calendar.workingDeadline(today, days).toISOString(),
        },
        actor: input.actor.username,
        departmentId: department.id,
      },
      t,
    );
    await Case.update(
      { title: `${spec.label}：${record.title}`.slice(0, 255), subjectCode: subject.code, subjectName: subject.name },
      { where: { instanceId: instance.id }, transaction: t },
    );
    await recordCaseForm(deps.db, t, {
      instanceId: instance.id,
      formKey: spec.formKey,
      formRevision: validated.revision,
      data,
      actor: input.actor.username,
      step: "申请",
    });
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: spec.auditAction,
      entityType: "case",
      entityId: number,
      detail: { recordId: record.id, subject: subject.code, department: department.code, processInstanceId: instance.id },
      ip: input.ip ?? null,
      at: now,
    });
    const created = await Case.findOne({ where: { instanceId: instance.id }, transaction: t });
    if (!created) throw new Error(`no case row for instance ${instance.id} after its start`);
    return created;
  });
}
