import { QueryTypes } from "sequelize";
import type { Database } from "../../../db/database.js";
import { chinaDay } from "../../calendar/days.js";
import { likePattern, PAGE_SIZE, type Page } from "../../search.js";
import { ORIGINS, RECHECK_RESULTS, RESULTS, type Origin, type RecheckValue, type ResultValue } from "./contract.js";

export interface PublicResult {
  caseNumber: string;
  subjectName: string;
  /** The USCC; a natural person's ID number is never shown. */
  subjectCode: string | null;
  department: string;
  origin: string;
  items: string;
  result: string;
  recheck: string | null;
  inspectedOn: string | null;
  publishedAt: Date;
}

const mask = (name: string) => (name.length <= 1 ? name : `${name.slice(0, 1)}${"*".repeat(Math.min(2, name.length - 1))}`);

/** 检查结果公示: only published results, newest first; filters by subject (name or code), result and department. */
export async function listPublishedResults(
  db: Database,
  filter: { q?: string; result?: string; department?: string; page?: number },
): Promise<Page<PublicResult>> {
  const where = ["s.published_at IS NOT NULL"];
  const r: Record<string, unknown> = {};
  if (filter.q) {
    where.push("(s.subject_name LIKE :q ESCAPE '!' OR s.subject_code = :code)");
    r.q = likePattern(filter.q);
    r.code = filter.q.toUpperCase();
  }
  if (filter.result && filter.result in RESULTS) {
    where.push("s.result = :result");
    r.result = filter.result;
  }
  if (filter.department) {
    where.push("d.code = :department");
    r.department = filter.department;
  }
  const page = Math.max(1, filter.page ?? 1);
  const from = `FROM supervision_inspections s JOIN departments d ON d.id = s.department_id
     LEFT JOIN credit_subjects cs ON cs.id = s.subject_id WHERE ${where.join(" AND ")}`;
  const [count] = await db.sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n ${from}`, {
    replacements: r,
    type: QueryTypes.SELECT,
  });
  const rows = await db.sequelize.query<{
    case_number: string;
    subject_name: string;
    subject_code: string;
    subject_type: string | null;
    department: string;
    origin: Origin;
    item_names: string;
    result: ResultValue | null;
    recheck_result: RecheckValue | null;
    inspected_on: string | null;
    published_at: string | Date;
  }>(
    `SELECT s.case_number, s.subject_name, s.subject_code, cs.subject_type, d.name AS department, s.origin, s.item_names, s.result,
            s.recheck_result, s.inspected_on, s.published_at
       ${from} ORDER BY s.published_at DESC, s.id DESC LIMIT ${PAGE_SIZE} OFFSET ${(page - 1) * PAGE_SIZE}`,
    { replacements: r, type: QueryTypes.SELECT },
  );
  return {
    rows: rows.map((x) => {
      const person = x.subject_type === "自然人";
      return {
        caseNumber: x.case_number,
        subjectName: person ? mask(x.subject_name) : x.subject_name,
        subjectCode: person ? null : x.subject_code,
        department: x.department,
        origin: ORIGINS[x.origin] ?? x.origin,
        items: x.item_names,
        result: x.result ? RESULTS[x.result] : "",
        recheck: x.recheck_result ? RECHECK_RESULTS[x.recheck_result] : null,
        inspectedOn: x.inspected_on,
        publishedAt: new Date(x.published_at),
      };
    }),
    total: Number(count?.n ?? 0),
    page,
    pageSize: PAGE_SIZE,
  };
}

const GRADES = ["A", "B", "C", "D"] as const;
type Grade = (typeof GRADES)[number];
type ByGrade = Record<Grade, number>;
const zero = (): ByGrade => ({ A: 0, B: 0, C: 0, D: 0 });

export interface ReportRow {
  departmentId: number;
  department: string;
  planId: number | null;
  plan: string;
  year: number | null;
  candidates: ByGrade;
  drawn: ByGrade;
  /** drawn / candidates per class, in percent (null without candidates). */
  coverage: Record<Grade, number | null>;
  inspections: number;
  open: number;
  /** Open inspections past their due day, and closed ones finished after it. */
  overdue: number;
  results: Record<ResultValue, number>;
  rectified: number;
  notRectified: number;
  published: number;
  publishedLate: number;
}

export interface ReportFilter {
  year?: number;
  /** Department ids the reader may see (undefined: all). */
  departmentIds?: number[];
  departmentId?: number;
  planId?: number;
}

/**
 * 监管报表 per plan and department: coverage by class (drawn vs the frozen candidates of the plan's confirmed draws),
 * inspections open and overdue, results, re-checks and publication (late = after the publication deadline).
 * Inspections outside any plan (triggered ones) form one row per department.
 */
export async function supervisionReport(db: Database, filter: ReportFilter, now: Date): Promise<ReportRow[]> {
  const today = chinaDay(now);
  const deptWhere: string[] = [];
  const r: Record<string, unknown> = {};
  if (filter.departmentIds) {
    if (!filter.departmentIds.length) return [];
    deptWhere.push("p.department_id IN (:depts)");
    r.depts = filter.departmentIds;
  }
  if (filter.departmentId) {
    deptWhere.push("p.department_id = :dept");
    r.dept = filter.departmentId;
  }
  if (filter.year) {
    deptWhere.push("p.year = :year");
    r.year = filter.year;
  }
  if (filter.planId) {
    deptWhere.push("p.id = :plan");
    r.plan = filter.planId;
  }
  const plans = await db.sequelize.query<{ id: number; name: string; year: number; department_id: number; department: string }>(
    `SELECT p.id, p.name, p.year, p.department_id, d.name AS department FROM supervision_plans p JOIN departments d ON d.id = p.department_id
      ${deptWhere.length ? `WHERE ${deptWhere.join(" AND ")}` : ""} ORDER BY d.id, p.year DESC, p.id`,
    { replacements: r, type: QueryTypes.SELECT },
  );
  const rows = new Map<string, ReportRow>();
  const blank = (departmentId: number, department: string, planId: number | null, plan: string, year: number | null): ReportRow => ({
    departmentId,
    department,
    planId,
    plan,
    year,
    candidates: zero(),
    drawn: zero(),
    coverage: { A: null, B: null, C: null, D: null },
    inspections: 0,
    open: 0,
    overdue: 0,
    results: { none: 0, rectify: 0, case: 0 },
    rectified: 0,
    notRectified: 0,
    published: 0,
    publishedLate: 0,
  });
  for (const p of plans) rows.set(`p${p.id}`, blank(Number(p.department_id), p.department, Number(p.id), p.name, Number(p.year)));
  const planIds = plans.map((p) => Number(p.id));
  if (planIds.length) {
    const draws = await db.sequelize.query<{ id: number; plan_id: number; candidates_json: string | null }>(
      "SELECT id, plan_id, candidates_json FROM supervision_draws WHERE status = 'confirmed' AND plan_id IN (:planIds)",
      { replacements: { planIds }, type: QueryTypes.SELECT },
    );
    for (const d of draws) {
      const row = rows.get(`p${d.plan_id}`)!;
      let list: { grade?: string }[] = [];
      try {
        const parsed: unknown = JSON.parse(d.candidates_json ?? "[]");
        if (Array.isArray(parsed)) list = parsed as { grade?: string }[];
      } catch {
        list = [];
      }
      for (const c of list) if (c && GRADES.includes(c.grade as Grade)) row.candidates[c.grade as Grade]++;
    }
    const drawn = await db.sequelize.query<{ plan_id: number; grade: string; n: number | string }>(
      `SELECT d.plan_id, t.grade, COUNT(*) AS n FROM supervision_draw_targets t JOIN supervision_draws d ON d.id = t.draw_id
        WHERE d.status = 'confirmed' AND d.plan_id IN (:planIds) GROUP BY d.plan_id, t.grade`,
      { replacements: { planIds }, type: QueryTypes.SELECT },
    );
    for (const x of drawn) if (GRADES.includes(x.grade as Grade)) rows.get(`p${x.plan_id}`)!.drawn[x.grade as Grade] += Number(x.n);
  }
  // Inspections: those of the plans above, and for the departments in view those outside any plan.
  const iw: string[] = [];
  const ir: Record<string, unknown> = { today };
  if (planIds.length) {
    iw.push("s.plan_id IN (:planIds)");
    ir.planIds = planIds;
  }
  if (!filter.planId) {
    const w = ["s.plan_id IS NULL"];
    if (filter.departmentIds) {
      w.push("s.department_id IN (:depts)");
      ir.depts = filter.departmentIds;
    }
    if (filter.departmentId) {
      w.push("s.department_id = :dept");
      ir.dept = filter.departmentId;
    }
    if (filter.year) {
      w.push("s.created_at >= :yearStart AND s.created_at < :yearEnd");
      ir.yearStart = new Date(`${filter.year}-01-01T00:00:00+08:00`);
      ir.yearEnd = new Date(`${filter.year + 1}-01-01T00:00:00+08:00`);
    }
    iw.push(`(${w.join(" AND ")})`);
  }
  if (!iw.length) return [...rows.values()];
  const inspections = await db.sequelize.query<{
    plan_id: number | null;
    department_id: number;
    department: string;
    result: ResultValue | null;
    recheck_result: RecheckValue | null;
    closed: number | string;
    overdue: number | string;
    published: number | string;
    late: number | string;
    n: number | string;
  }>(
    `SELECT s.plan_id, s.department_id, d.name AS department, s.result, s.recheck_result,
            SUM(CASE WHEN s.closed_at IS NOT NULL THEN 1 ELSE 0 END) AS closed,
            SUM(CASE WHEN s.due_on < COALESCE(s.inspected_on, :today) THEN 1 ELSE 0 END) AS overdue,
            SUM(CASE WHEN s.published_at IS NOT NULL THEN 1 ELSE 0 END) AS published,
            SUM(CASE WHEN s.published_at IS NOT NULL AND s.published_on > s.publish_due_on THEN 1 ELSE 0 END) AS late,
            COUNT(*) AS n
       FROM supervision_inspections s JOIN departments d ON d.id = s.department_id
      WHERE ${iw.join(" OR ")}
      GROUP BY s.plan_id, s.department_id, d.name, s.result, s.recheck_result`,
    { replacements: ir, type: QueryTypes.SELECT },
  );
  for (const x of inspections) {
    const key = x.plan_id ? `p${x.plan_id}` : `d${x.department_id}`;
    let row = rows.get(key);
    if (!row) {
      row = blank(Number(x.department_id), x.department, null, "计划外（触发检查）", filter.year ?? null);
      rows.set(key, row);
    }
    const n = Number(x.n);
    row.inspections += n;
    row.open += n - Number(x.closed);
    row.overdue += Number(x.overdue);
    row.published += Number(x.published);
    row.publishedLate += Number(x.late);
    if (x.result) row.results[x.result] += n;
    if (x.recheck_result === "rectified") row.rectified += n;
    if (x.recheck_result === "notRectified") row.notRectified += n;
  }
  for (const row of rows.values())
    for (const g of GRADES) row.coverage[g] = row.candidates[g] ? Math.round((row.drawn[g] / row.candidates[g]) * 1000) / 10 : null;
  return [...rows.values()].sort((a, b) => a.departmentId - b.departmentId || (a.planId ?? 1e9) - (b.planId ?? 1e9));
}

const CSV_COLUMNS: [string, (r: ReportRow) => string | number | null][] = [
  ["部门", (r) => r.department],
  ["抽查计划", (r) => r.plan],
  ["年度", (r) => r.year],
  ...GRADES.flatMap((g): [string, (r: ReportRow) => string | number | null][] => [
    [`${g}类名录数`, (r) => r.candidates[g]],
    [`${g}类抽取数`, (r) => r.drawn[g]],
    [`${g}类覆盖率(%)`, (r) => r.coverage[g]],
  ]),
  ["检查数", (r) => r.inspections],
  ["办理中", (r) => r.open],
  ["逾期", (r) => r.overdue],
  ["未发现问题", (r) => r.results.none],
  ["责令整改", (r) => r.results.rectify],
  ["立案查处", (r) => r.results.case],
  ["整改到位", (r) => r.rectified],
  ["逾期未整改", (r) => r.notRectified],
  ["已公开", (r) => r.published],
  ["超期公开", (r) => r.publishedLate],
];

const cell = (v: string | number | null) => {
  const s = v === null ? "" : String(v);
  // A leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The report as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese). */
export function reportCsv(rows: ReportRow[]): string {
  const lines = [CSV_COLUMNS.map(([h]) => h).join(","), ...rows.map((r) => CSV_COLUMNS.map(([, f]) => cell(f(r))).join(","))];
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}
