// 抽查计划: a department's sampling plan for a year: scope, inspection items from its 清单, the ratio per class (A may
// be 0: class A is inspected on a trigger, which is a separate inspection outside any draw), inspectors per target
// and the period. Draft and active plans can be drawn; a plan with a confirmed draw keeps its settings.
import { QueryTypes, type Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { Department } from "../../db/models/Department.js";
import { SupervisionDraw, SupervisionItem, SupervisionPlan, type PlanStatus } from "../../db/models/supervisionModels.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import type { Actor } from "../accounts/actor.js";
import { audit } from "../audit.js";
import { GRADES, ratioPermyriad, type Ratios } from "./drawAlgorithm.js";
import { normalizeScope, type TargetScope } from "./pools.js";
import { inTransaction } from "./tx.js";

export const PLAN_STATUS_LABELS: Record<PlanStatus, string> = { draft: "草拟", active: "执行中", closed: "已结束" };

export interface PlanInput {
  departmentId: number;
  year: number;
  name: string;
  scope: TargetScope;
  itemIds: number[];
  ratios: Ratios;
  inspectorsPerTarget: number;
  periodStart: string;
  periodEnd: string;
}

export interface PlanRow extends PlanInput {
  id: number;
  departmentName: string;
  status: PlanStatus;
  createdBy: string;
  createdAt: Date;
  confirmedDraws: number;
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function ratiosOf(raw: unknown): Ratios {
  const o = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  return { A: Number(o.A ?? 0) || 0, B: Number(o.B ?? 0) || 0, C: Number(o.C ?? 0) || 0, D: Number(o.D ?? 0) || 0 };
}

function toRow(p: SupervisionPlan, departmentName: string, confirmedDraws: number): PlanRow {
  return {
    id: p.id,
    departmentId: p.departmentId,
    departmentName,
    year: p.year,
    name: p.name,
    scope: normalizeScope(parseJson(p.scopeJson, {})),
    itemIds: parseJson<unknown[]>(p.itemIdsJson, []).map(Number).filter(Number.isInteger),
    ratios: ratiosOf(parseJson(p.ratiosJson, {})),
    inspectorsPerTarget: p.inspectorsPerTarget,
    periodStart: String(p.periodStart).slice(0, 10),
    periodEnd: String(p.periodEnd).slice(0, 10),
    status: p.status,
    createdBy: p.createdBy,
    createdAt: p.createdAt,
    confirmedDraws,
  };
}

async function validate(input: PlanInput, t: Transaction): Promise<void> {
  const problems: Array<{ path: string; message: string }> = [];
  if (!(await Department.findByPk(input.departmentId, { transaction: t }))) problems.push({ path: "departmentId", message: "请选择部门" });
  if (!input.periodStart.startsWith(`${input.year}-`) || !input.periodEnd.startsWith(`${input.year}-`))
    problems.push({ path: "periodStart", message: `抽查期间应在 ${input.year} 年内` });
  if (input.periodStart > input.periodEnd) problems.push({ path: "periodEnd", message: "结束日期不能早于开始日期" });
  for (const g of GRADES) {
    const r = input.ratios[g];
    if (!Number.isFinite(r) || r < 0 || r > 1) problems.push({ path: `ratio${g}`, message: "比例应在 0 到 100% 之间" });
    else if (Math.abs(ratioPermyriad(r) - r * 10_000) > 1e-6)
      problems.push({ path: `ratio${g}`, message: "比例最多保留两位小数（如 12.5%）" });
  }
  if (GRADES.every((g) => !(input.ratios[g] > 0))) problems.push({ path: "ratioB", message: "至少一个类别的抽查比例应大于 0" });
  if (!Number.isInteger(input.inspectorsPerTarget) || input.inspectorsPerTarget < 1 || input.inspectorsPerTarget > 10)
    problems.push({ path: "inspectorsPerTarget", message: "每个对象的检查人员数应为 1-10 人" });
  if (!input.itemIds.length) problems.push({ path: "itemIds", message: "请至少选择一个抽查事项" });
  else {
    const items = await SupervisionItem.findAll({ where: { id: input.itemIds }, transaction: t });
    const ok = items.filter((i) => i.departmentId === input.departmentId && i.active);
    if (ok.length !== new Set(input.itemIds).size) problems.push({ path: "itemIds", message: "抽查事项应是本部门清单中启用的事项" });
  }
  if (problems.length) throw new ValidationError("抽查计划填写有误，请按提示修改", problems);
}

const columns = (input: PlanInput) => ({
  departmentId: input.departmentId,
  year: input.year,
  name: input.name,
  scopeJson: JSON.stringify(input.scope),
  itemIdsJson: JSON.stringify([...new Set(input.itemIds)].sort((a, b) => a - b)),
  ratiosJson: JSON.stringify({ A: input.ratios.A, B: input.ratios.B, C: input.ratios.C, D: input.ratios.D }),
  inspectorsPerTarget: input.inspectorsPerTarget,
  periodStart: input.periodStart,
  periodEnd: input.periodEnd,
});

/** Creates a draft plan. */
export async function createPlan(db: Database, actor: Actor, input: PlanInput, t?: Transaction): Promise<PlanRow> {
  return inTransaction(db, t, async (t) => {
    await validate(input, t);
    const plan = await SupervisionPlan.create({ ...columns(input), status: "draft", createdBy: actor.username }, { transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: "supervision_plan.created",
      entityType: "supervision_plan",
      entityId: plan.id,
      detail: { ...columns(input) },
      ip: actor.ip ?? null,
    });
    return (await findPlan(plan.id, t))!;
  });
}

async function confirmedDrawCount(planId: number, t?: Transaction): Promise<number> {
  return SupervisionDraw.count({ where: { planId, status: "confirmed" }, transaction: t });
}

/** Changes a plan's settings while it has no confirmed draw (a published draw must stay explainable by its plan). */
export async function updatePlan(db: Database, actor: Actor, id: number, input: PlanInput, t?: Transaction): Promise<PlanRow> {
  return inTransaction(db, t, async (t) => {
    const plan = await SupervisionPlan.findByPk(id, { transaction: t });
    if (!plan) throw new NotFoundError("找不到该抽查计划");
    if (plan.status === "closed") throw new ConflictError("计划已结束，不能再修改");
    if (await confirmedDrawCount(id, t)) throw new ConflictError("计划已有确认的抽取结果，不能再修改；如需调整请新建计划");
    if (input.departmentId !== plan.departmentId)
      throw new ValidationError("计划的部门不能更改", [{ path: "departmentId", message: "部门不能更改" }]);
    await validate(input, t);
    plan.set(columns(input));
    await plan.save({ transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: "supervision_plan.updated",
      entityType: "supervision_plan",
      entityId: plan.id,
      detail: { ...columns(input) },
      ip: actor.ip ?? null,
    });
    return (await findPlan(plan.id, t))!;
  });
}

/** Activates or closes a plan (a closed plan cannot be drawn again). */
export async function setPlanStatus(db: Database, actor: Actor, id: number, status: PlanStatus, t?: Transaction): Promise<PlanRow> {
  return inTransaction(db, t, async (t) => {
    const plan = await SupervisionPlan.findByPk(id, { transaction: t });
    if (!plan) throw new NotFoundError("找不到该抽查计划");
    if (plan.status === status) return (await findPlan(id, t))!;
    if (plan.status === "closed") throw new ConflictError("计划已结束，不能重新启用");
    const before = plan.status;
    plan.status = status;
    await plan.save({ transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: status === "closed" ? "supervision_plan.closed" : "supervision_plan.activated",
      entityType: "supervision_plan",
      entityId: plan.id,
      detail: { from: before, to: status },
      ip: actor.ip ?? null,
    });
    return (await findPlan(id, t))!;
  });
}

export async function findPlan(id: number, t?: Transaction): Promise<PlanRow | undefined> {
  const plan = await SupervisionPlan.findByPk(id, { transaction: t });
  if (!plan) return undefined;
  const department = await Department.findByPk(plan.departmentId, { transaction: t });
  return toRow(plan, department?.name ?? "", await confirmedDrawCount(id, t));
}

/** The plans of a year (all departments, or one), by department then start date. */
export async function listPlans(db: Database, filter: { year: number; departmentId?: number }): Promise<PlanRow[]> {
  const where = filter.departmentId ? { year: filter.year, departmentId: filter.departmentId } : { year: filter.year };
  const plans = await SupervisionPlan.findAll({
    where,
    order: [
      ["departmentId", "ASC"],
      ["periodStart", "ASC"],
      ["id", "ASC"],
    ],
  });
  if (!plans.length) return [];
  const departments = new Map((await Department.findAll({ attributes: ["id", "name"], raw: true })).map((d) => [d.id, d.name]));
  const counts = await db.sequelize.query<{ plan_id: number; n: number }>(
    "SELECT plan_id, COUNT(*) AS n FROM supervision_draws WHERE status = 'confirmed' AND plan_id IN (:ids) GROUP BY plan_id",
    { type: QueryTypes.SELECT, replacements: { ids: plans.map((p) => p.id) } },
  );
  const byPlan = new Map(counts.map((c) => [Number(c.plan_id), Number(c.n)]));
  return plans.map((p) => toRow(p, departments.get(p.departmentId) ?? "", byPlan.get(p.id) ?? 0));
}
