import { Op, QueryTypes, type Transaction } from "sequelize";
import type { CurrentUser } from "../../../auth/currentUser.js";
import { CatalogItemVersion } from "../../../db/models/CatalogItemVersion.js";
import { Commitment } from "../../../db/models/Commitment.js";
import { CreditSubject } from "../../../db/models/CreditSubject.js";
import { Department } from "../../../db/models/Department.js";
import { User } from "../../../db/models/User.js";
import { UserRole } from "../../../db/models/UserRole.js";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../../errors.js";
import { chinaDay } from "../../calendar/days.js";
import { COMMITMENT_PROCESS_KEY, VERIFICATION_TASK_ID } from "../../commitments/processContract.js";
import { TRIGGERED_ORIGINS, type Origin } from "./contract.js";
import { planItems, startInspectionCase, type InspectionDeps, type InspectionItem, type StartedInspection } from "./startInspections.js";

/** Staff who may start inspections: a department's reviewers and dept_admins (for their department), admins (any). */
export function mayStartInspections(user: CurrentUser): boolean {
  return user.isAdmin || ((user.roles.includes("reviewer") || user.roles.includes("dept_admin")) && user.departmentId !== null);
}

/** The department an inspection is started for: the actor's own, or for an admin the one named (400 when missing). */
export async function inspectingDepartment(
  actor: CurrentUser,
  departmentCode: string | null | undefined,
  t?: Transaction,
): Promise<Department> {
  if (!mayStartInspections(actor)) throw new ForbiddenError("只有部门审核人员、部门管理员或系统管理员可以发起检查");
  if (!actor.isAdmin || !departmentCode) {
    if (actor.departmentId === null) throw new ValidationError("请选择实施检查的部门", [{ path: "departmentCode", message: "请选择部门" }]);
    const own = await Department.findByPk(actor.departmentId, { transaction: t });
    if (!own) throw new NotFoundError("找不到您所在的部门");
    if (departmentCode && departmentCode !== own.code) throw new ForbiddenError("只能为本部门发起检查");
    return own;
  }
  const named = await Department.findOne({ where: { code: departmentCode }, transaction: t });
  if (!named) throw new ValidationError("找不到该部门", [{ path: "departmentCode", message: `没有代码为 ${departmentCode} 的部门` }]);
  return named;
}

/** The department's active reviewers and dept_admins: who may be sent to inspect (the inspector pool). */
export async function inspectorPool(departmentId: number, t?: Transaction): Promise<{ username: string; displayName: string }[]> {
  const users = await User.findAll({
    where: { departmentId, active: true },
    attributes: ["id", "username", "displayName"],
    transaction: t,
  });
  if (!users.length) return [];
  const roles = await UserRole.findAll({
    where: { userId: users.map((u) => u.id), role: { [Op.in]: ["reviewer", "dept_admin"] } },
    attributes: ["userId"],
    transaction: t,
  });
  const staff = new Set(roles.map((r) => r.userId));
  return users
    .filter((u) => staff.has(u.id))
    .map((u) => ({ username: u.username, displayName: u.displayName }))
    .sort((a, b) => a.username.localeCompare(b.username));
}

async function checkInspectors(departmentId: number, inspectors: string[], t: Transaction): Promise<string[]> {
  const wanted = [...new Set(inspectors.map((u) => u.trim()).filter(Boolean))];
  if (wanted.length < 1)
    throw new ValidationError("请至少选派一名检查人员", [{ path: "inspectors", message: "请选择检查人员（一般为两名）" }]);
  const pool = new Set((await inspectorPool(departmentId, t)).map((p) => p.username));
  const outside = wanted.filter((u) => !pool.has(u));
  if (outside.length)
    throw new ValidationError("检查人员须为本部门在岗的执法检查人员", [
      { path: "inspectors", message: `${outside.join("、")} 不是本部门的检查人员` },
    ]);
  return wanted;
}

async function loadItems(deps: InspectionDeps, departmentId: number, itemIds: number[], t: Transaction): Promise<InspectionItem[]> {
  if (!itemIds.length) return [];
  const items = await planItems(deps.db, JSON.stringify(itemIds), t);
  const [own] = await deps.db.sequelize.query<{ n: number | string }>(
    "SELECT COUNT(*) AS n FROM supervision_items WHERE id IN (:ids) AND department_id = :d",
    { replacements: { ids: itemIds, d: departmentId }, type: QueryTypes.SELECT, transaction: t },
  );
  if (items.length !== itemIds.length || Number(own?.n ?? 0) !== itemIds.length)
    throw new ValidationError("抽查事项无效", [{ path: "itemIds", message: "请从本部门的抽查事项清单中选择" }]);
  return items;
}

export interface TriggeredInput {
  actor: CurrentUser;
  origin: Origin;
  subjectCode: string;
  reason: string;
  inspectors: string[];
  itemIds?: number[];
  departmentCode?: string | null;
  dueOn?: string | null;
}

/**
 * Starts a triggered inspection (投诉举报 / 转办交办 / 大数据监测) of any subject, whatever its class and outside any
 * draw: the reason is required, the inspectors must be the department's staff; one transaction with the case.
 */
export async function startTriggeredInspection(deps: InspectionDeps, input: TriggeredInput): Promise<StartedInspection> {
  if (!(TRIGGERED_ORIGINS as readonly string[]).includes(input.origin))
    throw new ValidationError("请选择检查来源", [{ path: "origin", message: "检查来源应为投诉举报、转办交办或大数据监测" }]);
  const reason = input.reason.trim();
  if (!reason) throw new ValidationError("请写明检查事由", [{ path: "reason", message: "写明投诉举报、转办交办或监测发现的内容" }]);
  if (input.dueOn && !/^\d{4}-\d{2}-\d{2}$/.test(input.dueOn))
    throw new ValidationError("办理期限无效", [{ path: "dueOn", message: "应为 YYYY-MM-DD" }]);
  if (input.dueOn && input.dueOn < chinaDay(deps.clock.now()))
    throw new ValidationError("办理期限无效", [{ path: "dueOn", message: "办理期限不能早于今天" }]);
  return deps.db.transaction(async (t) => {
    const department = await inspectingDepartment(input.actor, input.departmentCode, t);
    const code = input.subjectCode.trim().toUpperCase();
    const subject = code ? await CreditSubject.findOne({ where: { code }, transaction: t }) : null;
    if (!subject)
      throw new ValidationError("找不到检查对象", [
        { path: "subjectCode", message: `没有统一社会信用代码（或证件号码）为 ${code || "（空）"} 的主体` },
      ]);
    const inspectors = await checkInspectors(department.id, input.inspectors, t);
    const items = await loadItems(deps, department.id, input.itemIds ?? [], t);
    return startInspectionCase(
      deps,
      {
        actor: input.actor,
        origin: input.origin,
        reason,
        subjectId: subject.id,
        departmentId: department.id,
        items,
        inspectors,
        dueOn: input.dueOn,
      },
      t,
    );
  });
}

export interface DueVerification {
  commitmentId: number;
  code: string;
  subjectName: string;
  subjectCode: string;
  itemName: string;
  verificationMethod: string | null;
  due: Date | null;
}

/**
 * The 核查 of 告知承诺 that are due in a department (their commitment's 核查 task is open) and not yet taken into an
 * open inspection: what a plan can batch (item 6).
 */
export async function listDueVerifications(
  deps: Pick<InspectionDeps, "db">,
  departmentId: number,
  t?: Transaction,
): Promise<DueVerification[]> {
  const rows = await deps.db.sequelize.query<{
    id: number;
    code: string;
    subject_name: string;
    subject_code: string;
    item_version_id: number;
    due_at: unknown;
  }>(
    `SELECT c.id, c.code, c.subject_name, c.subject_code, c.item_version_id, t.due_at
       FROM engine_tasks t JOIN commitments c ON c.code = t.business_key
      WHERE t.definition_key = :key AND t.activity_id = :activity AND c.department_id = :d AND c.status = '监管中'
        AND NOT EXISTS (SELECT 1 FROM supervision_inspections s WHERE s.commitment_id = c.id AND s.closed_at IS NULL)
      ORDER BY t.due_at, c.id
      LIMIT 500`,
    {
      replacements: { key: COMMITMENT_PROCESS_KEY, activity: VERIFICATION_TASK_ID, d: departmentId },
      type: QueryTypes.SELECT,
      transaction: t,
    },
  );
  const versions = rows.length
    ? await CatalogItemVersion.findAll({ where: { id: [...new Set(rows.map((r) => Number(r.item_version_id)))] }, transaction: t })
    : [];
  const byId = new Map(versions.map((v) => [v.id, v]));
  return rows.map((r) => {
    const v = byId.get(Number(r.item_version_id));
    return {
      commitmentId: Number(r.id),
      code: r.code,
      subjectName: r.subject_name,
      subjectCode: r.subject_code,
      itemName: v?.name ?? "告知承诺事项",
      verificationMethod: v?.verificationMethod ?? null,
      due: r.due_at ? new Date(r.due_at as string) : null,
    };
  });
}

export interface VerificationBatchInput {
  actor: CurrentUser;
  commitmentCodes: string[];
  inspectors: string[];
  planId?: number | null;
  departmentCode?: string | null;
}

/**
 * Takes due 核查 of 告知承诺 into supervision (one case each, origin 告知承诺核查, optionally under a plan): completing
 * the inspection records the commitment's 核查 through the commitment flow. Idempotent: a commitment already taken
 * into an open inspection is skipped; one not due for 核查 is refused by name (409).
 */
export async function startVerificationInspections(deps: InspectionDeps, input: VerificationBatchInput): Promise<StartedInspection[]> {
  const codes = [...new Set(input.commitmentCodes.map((c) => c.trim()).filter(Boolean))];
  if (!codes.length) throw new ValidationError("请选择要核查的承诺", [{ path: "commitmentCodes", message: "至少选择一项到期核查" }]);
  return deps.db.transaction(async (t) => {
    const department = await inspectingDepartment(input.actor, input.departmentCode, t);
    const inspectors = await checkInspectors(department.id, input.inspectors, t);
    let plan: { id: number; name: string } | null = null;
    if (input.planId) {
      const [row] = await deps.db.sequelize.query<{ id: number; name: string; department_id: number }>(
        "SELECT id, name, department_id FROM supervision_plans WHERE id = :id",
        { replacements: { id: input.planId }, type: QueryTypes.SELECT, transaction: t },
      );
      if (!row || Number(row.department_id) !== department.id)
        throw new ValidationError("抽查计划无效", [{ path: "planId", message: "请选择本部门的抽查计划" }]);
      plan = { id: Number(row.id), name: row.name };
    }
    const due = new Map((await listDueVerifications(deps, department.id, t)).map((d) => [d.code, d]));
    const commitments = await Commitment.findAll({ where: { code: codes }, transaction: t, lock: t.LOCK.UPDATE });
    const started: StartedInspection[] = [];
    for (const code of codes) {
      const c = commitments.find((x) => x.code === code);
      if (!c || c.departmentId !== department.id) throw new NotFoundError(`找不到本部门的承诺 ${code}`);
      const [open] = await deps.db.sequelize.query<{ id: number }>(
        "SELECT id FROM supervision_inspections WHERE commitment_id = :c AND closed_at IS NULL",
        { replacements: { c: c.id }, type: QueryTypes.SELECT, transaction: t },
      );
      if (open) continue;
      const d = due.get(code);
      if (!d) throw new ConflictError(`承诺 ${code}（${c.subjectName}）当前不在核查期，不能纳入检查`, "commitment_not_due");
      started.push(
        await startInspectionCase(
          deps,
          {
            actor: input.actor,
            origin: "verification",
            reason: `告知承诺核查：${d.itemName}（承诺编码 ${code}）`,
            subjectId: c.subjectId,
            departmentId: department.id,
            plan,
            items: [{ id: null, code: null, name: `告知承诺核查：${d.itemName}`, method: d.verificationMethod, legalBasis: null }],
            inspectors,
            commitment: { id: c.id, code },
            dueOn: d.due ? chinaDay(d.due) : null,
          },
          t,
        ),
      );
    }
    return started;
  });
}
