import { QueryTypes, type Transaction } from "sequelize";
import type { CurrentUser } from "../../../auth/currentUser.js";
import type { Database } from "../../../db/database.js";
import { Case } from "../../../db/models/Case.js";
import { CreditSubject } from "../../../db/models/CreditSubject.js";
import { Department } from "../../../db/models/Department.js";
import { User } from "../../../db/models/User.js";
import type { EngineRuntime } from "../../../engine/index.js";
import { ConflictError, NotFoundError } from "../../../errors.js";
import { validateSubmission } from "../../../forms/index.js";
import { audit } from "../../audit.js";
import { chinaCompactDay, chinaDay, chinaDayEnd } from "../../calendar/days.js";
import { RULE_KEYS, ruleValue } from "../../calendar/rules.js";
import { loadWorkingCalendar } from "../../calendar/workingDays.js";
import { recordCaseForm } from "../../cases/caseForms.js";
import { nextCaseNumber } from "../../cases/numbering.js";
import { CITY_DIVISION } from "../../cases/startCase.js";
import { resolveProcessDefinition } from "../../catalog/processDefinitions.js";
import { ORIGINS, SUPERVISION, SUPERVISION_LIMITS, type Origin } from "./contract.js";

export interface InspectionDeps {
  db: Database;
  engine: EngineRuntime;
  clock: { now(): Date };
}

/** One inspection item as the case carries it (抽查事项: name, method, legal basis). */
export interface InspectionItem {
  id: number | null;
  code: string | null;
  name: string;
  method: string | null;
  legalBasis: string | null;
}

export interface StartInspectionInput {
  actor: CurrentUser;
  origin: Origin;
  /** Why a triggered inspection was started (the complaint, the referral, the finding). */
  reason?: string | null;
  subjectId: number;
  departmentId: number;
  plan?: { id: number; name: string } | null;
  drawId?: number | null;
  targetId?: number | null;
  grade?: string | null;
  items: InspectionItem[];
  /** Usernames of the inspectors: the inspection and re-check tasks are theirs. */
  inspectors: string[];
  /** A 告知承诺 under verification: completing the inspection records its 核查. */
  commitment?: { id: number; code: string } | null;
  /** The day the inspection is due (YYYY-MM-DD); else today + the inspection time limit in working days. */
  dueOn?: string | null;
}

export interface StartedInspection {
  caseId: number;
  caseNumber: string;
  instanceId: string;
}

const json = (v: unknown) => JSON.stringify(v);

/**
 * Starts one supervision case (processes/supervision.bpmn) inside the caller's transaction: numbers it in the JC
 * series, starts the process with the subject, plan, items and inspectors as variables (the inspectors are the
 * candidates of the 检查 task, so it is in their inbox), gives the case its title and subject (so it is listed in the
 * inbox, on the case pages and on the subject's 我的办件), keeps the inspection row and audits the start.
 */
export async function startInspectionCase(deps: InspectionDeps, input: StartInspectionInput, t: Transaction): Promise<StartedInspection> {
  const subject = await CreditSubject.findByPk(input.subjectId, { transaction: t });
  if (!subject) throw new NotFoundError(`找不到检查对象（主体 ${input.subjectId}）`);
  const department = await Department.findByPk(input.departmentId, { transaction: t });
  if (!department) throw new NotFoundError("找不到实施检查的部门");
  const inspectors = [...new Set(input.inspectors.map((u) => u.trim()).filter(Boolean))];
  if (!inspectors.length) throw new ConflictError(`检查对象“${subject.name}”没有检查人员，请先选派检查人员`, "no_inspectors");
  const now = deps.clock.now();
  const today = chinaDay(now);
  const calendar = await loadWorkingCalendar(t);
  const days = await ruleValue<number>(SUPERVISION_LIMITS.inspection.key, now, SUPERVISION_LIMITS.inspection.fallback, t);
  const dueOn = input.dueOn && input.dueOn >= today ? input.dueOn : calendar.addWorkingDays(today, days);
  const division = await ruleValue<string>(RULE_KEYS.divisionCode, now, subject.divisionCode || CITY_DIVISION, t);
  const number = await nextCaseNumber(
    deps.db,
    t,
    SUPERVISION.numbers,
    /^\d{6}$/.test(division) ? division : CITY_DIVISION,
    chinaCompactDay(now),
  );
  const definitionId = await resolveProcessDefinition(deps.engine, SUPERVISION.processKey, t);
  const itemNames = input.items.map((i) => i.name).join("、") || "综合检查";
  const instance = await deps.engine.startProcess(
    {
      definitionId,
      businessKey: number,
      variables: {
        caseNumber: number,
        origin: input.origin,
        originLabel: ORIGINS[input.origin],
        reason: input.reason ?? "",
        subjectCode: subject.code,
        subjectName: subject.name,
        subject: { id: subject.id, code: subject.code, name: subject.name, grade: input.grade ?? null },
        plan: input.plan ? { id: input.plan.id, name: input.plan.name } : null,
        items: input.items,
        inspectors,
        inspectorsCsv: inspectors.join(","),
        departmentCode: department.code,
        commitmentCode: input.commitment?.code ?? "",
        inspectionDue: chinaDayEnd(dueOn).toISOString(),
      },
      actor: input.actor.username,
      departmentId: department.id,
    },
    t,
  );
  const title = input.plan ? `${ORIGINS[input.origin]}：${input.plan.name}` : `${ORIGINS[input.origin]}：${itemNames}`;
  await Case.update(
    { title: title.slice(0, 255), subjectCode: subject.code, subjectName: subject.name },
    { where: { instanceId: instance.id }, transaction: t },
  );
  const created = await Case.findOne({ where: { instanceId: instance.id }, transaction: t });
  if (!created) throw new Error(`no case row for instance ${instance.id} after its start`);
  // What the inspectors are sent to do, kept on the case as its first (read-only) form: the task page shows it.
  const names = await User.findAll({ where: { username: inspectors }, attributes: ["username", "displayName"], transaction: t });
  const assignment = await validateSubmission(
    deps.db,
    { formKey: SUPERVISION.forms.assignment },
    {
      originLabel: ORIGINS[input.origin],
      planName: input.plan?.name ?? "（计划外）",
      subjectName: `${subject.name}（${subject.code}）`.slice(0, 255),
      grade: input.grade ? `${input.grade} 类` : "",
      itemsText: (input.items.length
        ? input.items.map((i) =>
            [i.name, i.method && `方式：${i.method}`, i.legalBasis && `依据：${i.legalBasis}`].filter(Boolean).join("；"),
          )
        : ["综合检查"]
      )
        .join("\n")
        .slice(0, 4000),
      reason: (input.reason ?? "").slice(0, 1000),
      inspectorsText: inspectors
        .map((u) => names.find((n) => n.username === u)?.displayName ?? u)
        .join("、")
        .slice(0, 500),
      dueOn,
    },
    { t },
  );
  await recordCaseForm(deps.db, t, {
    instanceId: instance.id,
    formKey: SUPERVISION.forms.assignment,
    formRevision: assignment.revision,
    data: assignment.data,
    actor: input.actor.username,
    step: "检查任务",
  });
  await deps.db.sequelize.query(
    `INSERT INTO supervision_inspections
       (instance_id, case_number, origin, reason, draw_id, target_id, plan_id, department_id, subject_id, subject_code,
        subject_name, grade, item_names, inspectors_json, commitment_id, due_on, false_commitment, created_by, created_at, updated_at)
     VALUES (:instanceId, :number, :origin, :reason, :drawId, :targetId, :planId, :departmentId, :subjectId, :subjectCode,
        :subjectName, :grade, :itemNames, :inspectors, :commitmentId, :dueOn, :no, :actor, :now, :now)`,
    {
      replacements: {
        instanceId: instance.id,
        number,
        origin: input.origin,
        reason: input.reason?.slice(0, 1000) ?? null,
        drawId: input.drawId ?? null,
        targetId: input.targetId ?? null,
        planId: input.plan?.id ?? null,
        departmentId: department.id,
        subjectId: subject.id,
        subjectCode: subject.code,
        subjectName: subject.name,
        grade: input.grade ?? null,
        itemNames: itemNames.slice(0, 1000),
        inspectors: json(inspectors),
        commitmentId: input.commitment?.id ?? null,
        dueOn,
        no: false,
        actor: input.actor.username,
        now,
      },
      type: QueryTypes.INSERT,
      transaction: t,
    },
  );
  await audit(deps.db, t, {
    actor: input.actor.username,
    action: "supervision.inspection_started",
    entityType: "case",
    entityId: number,
    detail: {
      origin: input.origin,
      subject: subject.code,
      plan: input.plan?.id ?? null,
      draw: input.drawId ?? null,
      inspectors,
      commitment: input.commitment?.code ?? null,
      processInstanceId: instance.id,
    },
    at: now,
  });
  return { caseId: created.id, caseNumber: number, instanceId: instance.id };
}

interface DrawRow {
  id: number;
  plan_id: number;
  status: string;
}
interface PlanRow {
  id: number;
  name: string;
  department_id: number;
  item_ids_json: string | null;
  period_end: string | null;
}
interface TargetRow {
  id: number;
  subject_id: number;
  grade: string | null;
  inspector_usernames_json: string | null;
  case_id: number | null;
}
interface ItemRow {
  id: number;
  code: string;
  name: string;
  method: string | null;
  legal_basis: string | null;
}

const parseList = (v: string | null): unknown[] => {
  try {
    const parsed: unknown = v ? JSON.parse(v) : [];
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
};

/** The plan's inspection items (抽查事项清单 rows), in the plan's order. */
export async function planItems(db: Database, itemIdsJson: string | null, t?: Transaction): Promise<InspectionItem[]> {
  const ids = parseList(itemIdsJson).map(Number).filter(Number.isSafeInteger);
  if (!ids.length) return [];
  const rows = await db.sequelize.query<ItemRow>("SELECT id, code, name, method, legal_basis FROM supervision_items WHERE id IN (:ids)", {
    replacements: { ids },
    type: QueryTypes.SELECT,
    transaction: t,
  });
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [{ id: Number(r.id), code: r.code, name: r.name, method: r.method, legalBasis: r.legal_basis }] : [];
  });
}

/**
 * Starts one supervision case per target of a confirmed draw (inside the confirming transaction when given) and
 * fills each target's case_id; idempotent: a target that has a case already is skipped, so a retried confirmation
 * never starts a second inspection of one target. Answers the cases started now.
 */
export async function startInspectionsForDraw(
  ctx: InspectionDeps,
  drawId: number,
  actor: CurrentUser,
  t?: Transaction,
): Promise<StartedInspection[]> {
  const run = async (tx: Transaction): Promise<StartedInspection[]> => {
    const q = <T extends object>(sql: string, replacements: Record<string, unknown>) =>
      ctx.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: tx });
    const [draw] = await q<DrawRow>("SELECT id, plan_id, status FROM supervision_draws WHERE id = :id", { id: drawId });
    if (!draw) throw new NotFoundError(`找不到抽查 ${drawId}`);
    if (draw.status !== "confirmed") throw new ConflictError("抽查结果尚未确认，确认后才能启动检查", "draw_not_confirmed");
    const [plan] = await q<PlanRow>("SELECT id, name, department_id, item_ids_json, period_end FROM supervision_plans WHERE id = :id", {
      id: draw.plan_id,
    });
    if (!plan) throw new NotFoundError(`找不到抽查 ${drawId} 的抽查计划`);
    const items = await planItems(ctx.db, plan.item_ids_json, tx);
    const targets = await q<TargetRow>(
      "SELECT id, subject_id, grade, inspector_usernames_json, case_id FROM supervision_draw_targets WHERE draw_id = :id ORDER BY id",
      { id: drawId },
    );
    const started: StartedInspection[] = [];
    for (const target of targets) {
      if (target.case_id) continue;
      const inspectors = parseList(target.inspector_usernames_json).filter((u): u is string => typeof u === "string");
      const one = await startInspectionCase(
        ctx,
        {
          actor,
          origin: "draw",
          subjectId: Number(target.subject_id),
          departmentId: Number(plan.department_id),
          plan: { id: Number(plan.id), name: plan.name },
          drawId: Number(draw.id),
          targetId: Number(target.id),
          grade: target.grade,
          items,
          inspectors,
          dueOn: plan.period_end ? String(plan.period_end).slice(0, 10) : null,
        },
        tx,
      );
      await ctx.db.sequelize.query("UPDATE supervision_draw_targets SET case_id = :caseId, updated_at = :now WHERE id = :id", {
        replacements: { caseId: one.caseId, now: ctx.clock.now(), id: target.id },
        type: QueryTypes.UPDATE,
        transaction: tx,
      });
      started.push(one);
    }
    return started;
  };
  return t ? run(t) : ctx.db.transaction(run);
}
