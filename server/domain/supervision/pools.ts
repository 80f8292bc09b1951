// The 两库: the target list (检查对象名录库: credit subjects filtered by type, division, the department's commitment
// items and class) and the inspector pool (执法检查人员名录库: the department's active reviewers), with each
// inspector's recusals (subjects they must never be drawn for).
import { QueryTypes, type Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { CreditSubject, SUBJECT_TYPES, type SubjectType } from "../../db/models/CreditSubject.js";
import { InspectorRecusal } from "../../db/models/supervisionModels.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import type { Actor } from "../accounts/actor.js";
import { audit } from "../audit.js";
import { PAGE_SIZE, type Page } from "../search.js";
import { GRADES, type DrawGrade } from "./drawAlgorithm.js";
import { gradesFor } from "./grades.js";
import { inTransaction } from "./tx.js";

/** Which subjects a plan (or the target list page) covers; empty lists mean "no restriction". */
export interface TargetScope {
  subjectTypes: SubjectType[];
  /** A division code or its prefix (410182 county, 4101 city); empty = anywhere. */
  divisionCode: string;
  /** The department's catalog item codes a subject must have a commitment on; ["*"] = any of them. */
  itemCodes: string[];
  grades: DrawGrade[];
}

export const ANY_ITEM = "*";

export interface TargetRow {
  subjectId: number;
  code: string;
  name: string;
  subjectType: string;
  divisionCode: string;
  grade: DrawGrade;
}

/** Parses a stored or submitted scope, dropping anything unknown. */
export function normalizeScope(raw: unknown): TargetScope {
  const o = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  return {
    subjectTypes: list(o.subjectTypes).filter((x): x is SubjectType => (SUBJECT_TYPES as readonly string[]).includes(x)),
    divisionCode: typeof o.divisionCode === "string" && /^\d{0,6}$/.test(o.divisionCode) ? o.divisionCode : "",
    itemCodes: [
      ...new Set(
        list(o.itemCodes)
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ].slice(0, 50),
    grades: list(o.grades).filter((x): x is DrawGrade => (GRADES as readonly string[]).includes(x)),
  };
}

/** Every subject of the scope with its class, in subject id order (the frozen candidate order). */
export async function selectTargets(db: Database, departmentId: number, scope: TargetScope, t?: Transaction): Promise<TargetRow[]> {
  const conditions: string[] = [];
  const replacements: Record<string, unknown> = { departmentId };
  if (scope.subjectTypes.length) {
    conditions.push("s.subject_type IN (:types)");
    replacements.types = scope.subjectTypes;
  }
  if (scope.divisionCode) {
    conditions.push("s.division_code LIKE :division");
    replacements.division = `${scope.divisionCode}%`;
  }
  if (scope.itemCodes.length) {
    const anyItem = scope.itemCodes.includes(ANY_ITEM);
    conditions.push(
      `EXISTS (SELECT 1 FROM commitments c JOIN catalog_items ci ON ci.id = c.item_id
                WHERE c.subject_id = s.id AND ci.department_id = :departmentId${anyItem ? "" : " AND ci.item_code IN (:itemCodes)"})`,
    );
    if (!anyItem) replacements.itemCodes = scope.itemCodes;
  }
  const where = conditions.length ? `WHERE ${conditions.join(" AND ")}` : "";
  const rows = await db.sequelize.query<{ id: number; code: string; name: string; subject_type: string; division_code: string }>(
    `SELECT s.id, s.code, s.name, s.subject_type, s.division_code FROM credit_subjects s ${where} ORDER BY s.id`,
    { type: QueryTypes.SELECT, replacements, transaction: t },
  );
  const grades = await gradesFor(
    rows.map((r) => Number(r.id)),
    t,
  );
  const out: TargetRow[] = [];
  for (const r of rows) {
    const id = Number(r.id);
    const grade = grades.get(id) ?? "B";
    if (scope.grades.length && !scope.grades.includes(grade)) continue;
    out.push({ subjectId: id, code: r.code, name: r.name, subjectType: r.subject_type, divisionCode: r.division_code, grade });
  }
  return out;
}

/** One page of the target list, with the count per class of the whole filtered list. */
export async function listTargets(
  db: Database,
  departmentId: number,
  scope: TargetScope,
  page: number,
): Promise<Page<TargetRow> & { byGrade: Record<DrawGrade, number> }> {
  const all = await selectTargets(db, departmentId, scope);
  const byGrade = { A: 0, B: 0, C: 0, D: 0 };
  for (const r of all) byGrade[r.grade]++;
  const start = (page - 1) * PAGE_SIZE;
  return { rows: all.slice(start, start + PAGE_SIZE), total: all.length, page, pageSize: PAGE_SIZE, byGrade };
}

/** The department's commitment catalog items (code and current name), for the scope's item filter. */
export async function departmentCatalogItems(db: Database, departmentId: number): Promise<Array<{ code: string; name: string }>> {
  const rows = await db.sequelize.query<{ item_code: string; name: string | null }>(
    `SELECT ci.item_code, (SELECT v.name FROM catalog_item_versions v WHERE v.item_id = ci.id ORDER BY v.version DESC LIMIT 1) AS name
       FROM catalog_items ci WHERE ci.department_id = :departmentId ORDER BY ci.item_code`,
    { type: QueryTypes.SELECT, replacements: { departmentId } },
  );
  return rows.map((r) => ({ code: r.item_code, name: r.name ?? r.item_code }));
}

export interface InspectorRow {
  userId: number;
  username: string;
  displayName: string;
  recusals: number;
}

/** The inspector pool: active reviewers of the department, by username (the order the draw uses). */
export async function listInspectors(db: Database, departmentId: number, t?: Transaction): Promise<InspectorRow[]> {
  const rows = await db.sequelize.query<{ id: number; username: string; display_name: string; recusals: number }>(
    `SELECT u.id, u.username, u.display_name, (SELECT COUNT(*) FROM inspector_recusals r WHERE r.user_id = u.id) AS recusals
       FROM users u
      WHERE u.department_id = :departmentId AND u.active = :yes
        AND EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND ur.role = 'reviewer')`,
    { type: QueryTypes.SELECT, replacements: { departmentId, yes: true }, transaction: t },
  );
  return rows
    .map((r) => ({ userId: Number(r.id), username: r.username, displayName: r.display_name, recusals: Number(r.recusals) }))
    .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
}

/** An inspector of the department's pool, or 404 (also for staff of other departments). */
export async function findInspector(db: Database, departmentId: number, userId: number, t?: Transaction): Promise<InspectorRow> {
  const found = (await listInspectors(db, departmentId, t)).find((i) => i.userId === userId);
  if (!found) throw new NotFoundError("找不到该检查人员");
  return found;
}

export interface RecusalRow {
  id: number;
  subjectId: number;
  subjectCode: string;
  subjectName: string;
  reason: string;
  createdBy: string;
  createdAt: Date;
}

export async function listRecusals(db: Database, userId: number): Promise<RecusalRow[]> {
  const rows = await db.sequelize.query<{
    id: number;
    subject_id: number;
    code: string;
    name: string;
    reason: string;
    created_by: string;
    created_at: Date | string;
  }>(
    `SELECT r.id, r.subject_id, s.code, s.name, r.reason, r.created_by, r.created_at
       FROM inspector_recusals r JOIN credit_subjects s ON s.id = r.subject_id
      WHERE r.user_id = :userId ORDER BY r.id DESC`,
    { type: QueryTypes.SELECT, replacements: { userId } },
  );
  return rows.map((r) => ({
    id: Number(r.id),
    subjectId: Number(r.subject_id),
    subjectCode: r.code,
    subjectName: r.name,
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
  }));
}

/** Records that an inspector must never be drawn for a subject (found by its code). */
export async function addRecusal(
  db: Database,
  actor: Actor,
  departmentId: number,
  input: { userId: number; subjectCode: string; reason: string },
  t?: Transaction,
): Promise<RecusalRow> {
  return inTransaction(db, t, async (t) => {
    const inspector = await findInspector(db, departmentId, input.userId, t);
    const subject = await CreditSubject.findOne({ where: { code: input.subjectCode.trim().toUpperCase() }, transaction: t });
    if (!subject)
      throw new ValidationError("找不到该主体", [{ path: "subjectCode", message: "没有此统一社会信用代码（或身份证号）的主体，请核对" }]);
    const existing = await InspectorRecusal.findOne({ where: { userId: inspector.userId, subjectId: subject.id }, transaction: t });
    if (existing) throw new ConflictError("该检查人员已回避此主体", "recusal_exists", [{ path: "subjectCode", message: "已在回避名单中" }]);
    const r = await InspectorRecusal.create(
      { userId: inspector.userId, subjectId: subject.id, reason: input.reason, createdBy: actor.username },
      { transaction: t },
    );
    await audit(db, t, {
      actor: actor.username,
      action: "inspector_recusal.added",
      entityType: "inspector_recusal",
      entityId: r.id,
      detail: { inspector: inspector.username, subjectId: subject.id, subjectCode: subject.code, reason: input.reason },
      ip: actor.ip ?? null,
    });
    return {
      id: r.id,
      subjectId: subject.id,
      subjectCode: subject.code,
      subjectName: subject.name,
      reason: r.reason,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
    };
  });
}

/** Lifts a recusal; the reason for lifting it is audited. */
export async function removeRecusal(
  db: Database,
  actor: Actor,
  departmentId: number,
  input: { userId: number; recusalId: number; reason: string },
  t?: Transaction,
): Promise<void> {
  await inTransaction(db, t, async (t) => {
    const inspector = await findInspector(db, departmentId, input.userId, t);
    const r = await InspectorRecusal.findOne({ where: { id: input.recusalId, userId: inspector.userId }, transaction: t });
    if (!r) throw new NotFoundError("找不到该回避记录");
    await r.destroy({ transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: "inspector_recusal.removed",
      entityType: "inspector_recusal",
      entityId: r.id,
      detail: { inspector: inspector.username, subjectId: r.subjectId, recusedFor: r.reason, reason: input.reason },
      ip: actor.ip ?? null,
    });
  });
}

/** subjectId -> usernames recused, for the given inspectors. */
export async function recusalsOf(db: Database, userIds: number[], t?: Transaction): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (!userIds.length) return out;
  const rows = await db.sequelize.query<{ subject_id: number; username: string }>(
    `SELECT r.subject_id, u.username FROM inspector_recusals r JOIN users u ON u.id = r.user_id WHERE r.user_id IN (:userIds)`,
    { type: QueryTypes.SELECT, replacements: { userIds }, transaction: t },
  );
  for (const r of rows) {
    const id = Number(r.subject_id);
    const list = out.get(id) ?? [];
    list.push(r.username);
    out.set(id, list);
  }
  for (const list of out.values()) list.sort();
  return out;
}
