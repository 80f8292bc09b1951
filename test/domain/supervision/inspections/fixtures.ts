import { QueryTypes } from "sequelize";
import type { CurrentUser } from "../../../../server/auth/currentUser.js";
import type { CreditSubject } from "../../../../server/db/models/CreditSubject.js";
import { buildSubject, buildUser, departmentId } from "../../../helpers/factories.js";
import { testApp } from "../../../helpers/testApp.js";
import { currentUserOf } from "../../commitments/fixtures.js";

export const deps = () => {
  const ctx = testApp().app.locals.context;
  return { db: ctx.db, engine: ctx.engine, clock: ctx.clock, flows: ctx.flows };
};

const sql = async (query: string, replacements: Record<string, unknown>) => {
  const [id] = await testApp().db.sequelize.query(query, { replacements, type: QueryTypes.INSERT });
  return Number(id);
};

const lastId = async (table: string, where: string, replacements: Record<string, unknown>) => {
  const [row] = await testApp().db.sequelize.query<{ id: number }>(`SELECT MAX(id) AS id FROM ${table} WHERE ${where}`, {
    replacements,
    type: QueryTypes.SELECT,
  });
  return Number(row!.id);
};

export interface DrawWorld {
  drawId: number;
  planId: number;
  subjects: CreditSubject[];
  inspectors: CurrentUser[];
  admin: CurrentUser;
}

/**
 * A plan of 市市场监管局 with one inspection item, and a confirmed draw of `n` fresh subjects, each target with the
 * same two inspectors (the draw itself is H-draw's: its rows are written here as its confirmation writes them).
 */
export async function buildConfirmedDraw(n = 2, status: "preview" | "confirmed" = "confirmed"): Promise<DrawWorld> {
  const now = testApp().clock.now();
  const dept = await departmentId("scjgj");
  const code = `T${Math.random().toString(36).slice(2, 8)}`;
  await sql(
    `INSERT INTO supervision_items (department_id, code, name, legal_basis, method, active, created_at, updated_at)
     VALUES (:dept, :code, '食品经营许可事项检查', '《食品安全法》第一百一十条', '现场检查', :yes, :now, :now)`,
    { dept, code, now, yes: true },
  );
  const itemId = await lastId("supervision_items", "code = :code", { code });
  const name = `测试抽查计划${code}`;
  await sql(
    `INSERT INTO supervision_plans (department_id, year, name, scope_json, item_ids_json, ratios_json, inspectors_per_target,
       period_start, period_end, status, created_by, created_at, updated_at)
     VALUES (:dept, 2026, :name, '{}', :items, '{"A":0,"B":0.1,"C":0.3,"D":0.8}', 2, '2026-01-01', '2099-12-31', 'active', 'admin', :now, :now)`,
    { dept, name, items: JSON.stringify([itemId]), now },
  );
  const planId = await lastId("supervision_plans", "name = :name", { name });
  const seed = "ab".repeat(32);
  await sql(
    `INSERT INTO supervision_draws (plan_id, seed, candidates_hash, candidate_count, candidates_json, result_json, status, drawn_by,
       confirmed_by, confirmed_at, published_at, created_at, updated_at)
     VALUES (:planId, :seed, :seed, :n, '[]', '{}', :status, 'admin', 'admin', :now, :now, :now, :now)`,
    { planId, seed, n, status, now },
  );
  const drawId = await lastId("supervision_draws", "plan_id = :planId", { planId });
  const inspectors = [
    await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id),
    await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id),
  ];
  const subjects: CreditSubject[] = [];
  for (let i = 0; i < n; i++) {
    const subject = await buildSubject();
    subjects.push(subject);
    await sql(
      `INSERT INTO supervision_draw_targets (draw_id, subject_id, grade, inspector_usernames_json, case_id, created_at, updated_at)
       VALUES (:drawId, :subjectId, 'C', :inspectors, NULL, :now, :now)`,
      { drawId, subjectId: subject.id, inspectors: JSON.stringify(inspectors.map((u) => u.username)), now },
    );
  }
  const admin = await currentUserOf((await buildUser({ roles: ["admin"], department: "fgw" })).id);
  return { drawId, planId, subjects, inspectors, admin };
}

export interface InspectionRow {
  id: number;
  case_number: string;
  origin: string;
  result: string | null;
  recheck_result: string | null;
  rectify_deadline: string | null;
  false_commitment: number | boolean;
  commitment_id: number | null;
  published_at: unknown;
  publish_due_on: string | null;
  closed_at: unknown;
  subject_code: string;
  item_names: string;
}

export async function inspectionOf(caseNumber: string): Promise<InspectionRow> {
  const [row] = await testApp().db.sequelize.query<InspectionRow>("SELECT * FROM supervision_inspections WHERE case_number = :c", {
    replacements: { c: caseNumber },
    type: QueryTypes.SELECT,
  });
  if (!row) throw new Error(`no inspection ${caseNumber}`);
  return row;
}

export async function targetCaseIds(drawId: number): Promise<(number | null)[]> {
  const rows = await testApp().db.sequelize.query<{ case_id: number | null }>(
    "SELECT case_id FROM supervision_draw_targets WHERE draw_id = :drawId ORDER BY id",
    { replacements: { drawId }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => (r.case_id === null ? null : Number(r.case_id)));
}
