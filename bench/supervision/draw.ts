// A 双随机 draw over 10,000 candidates, beside bare baselines measured in the same run:
//  1. in memory: runDraw (canonical list, SHA-256 hash of the list, SHA-256 counter stream, stratified partial
//     Fisher-Yates, two inspectors per target from a pool of 30 with recusals and previous pairs) against a
//     Math.random Fisher-Yates of the same class lists taking the same counts and inspectors (no hash, no record);
//  2. on the database: previewDraw (scope query, classes, pool, recusals, previous pairs, the draw, the stored
//     record and its audit entry) against the plain SQL select of the same 10,000 subjects.
// Prints median and p95 of each, heap growth, and the ratios.
// Run: npx tsx bench/supervision/draw.ts [CANDIDATES] [RUNS]   (SQLite in a temporary file; DATABASE_URL=mysql://…
// for MariaDB/MySQL, an empty database of its own). Add --expose-gc (NODE_OPTIONS) for steadier heap figures.
import { createHash, randomBytes } from "node:crypto";
import { QueryTypes } from "sequelize";
import type { CurrentUser } from "../../server/auth/currentUser.js";
import { CreditSubject } from "../../server/db/models/CreditSubject.js";
import { createDepartment } from "../../server/domain/accounts/departments.js";
import { configureAudit } from "../../server/domain/audit.js";
import { loadConfig } from "../../server/config.js";
import {
  candidatesHash,
  GRADES,
  runDraw,
  type Candidate,
  type DrawGrade,
  type DrawInputs,
} from "../../server/domain/supervision/drawAlgorithm.js";
import { previewDraw } from "../../server/domain/supervision/draws.js";
import { createItem } from "../../server/domain/supervision/items.js";
import { createPlan } from "../../server/domain/supervision/plans.js";
import { selectTargets } from "../../server/domain/supervision/pools.js";
import { createUser } from "../../server/domain/accounts/createUser.js";
import { mb, openBenchDatabase } from "../engine/common.js";

const N = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 30);
const RATIOS = { A: 0.03, B: 0.05, C: 0.2, D: 0.6 };

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const r2 = (x: number) => Math.round(x * 100) / 100;
const gc = (globalThis as { gc?: () => void }).gc;

function gradeOf(i: number): DrawGrade {
  const r = createHash("sha256").update(`g${i}`).digest().readUInt32BE(0) / 2 ** 32;
  return r < 0.1 ? "A" : r < 0.7 ? "B" : r < 0.95 ? "C" : "D";
}

async function measure(label: string, runs: number, fn: () => unknown) {
  const times: number[] = [];
  let heapGrowth = 0;
  await fn(); // warm-up
  for (let i = 0; i < runs; i++) {
    gc?.();
    const before = process.memoryUsage().heapUsed;
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    heapGrowth = Math.max(heapGrowth, process.memoryUsage().heapUsed - before);
  }
  const row = { label, p50: r2(pct(times, 50)), p95: r2(pct(times, 95)), heapMb: mb(Math.max(0, heapGrowth)) };
  console.log(`${label.padEnd(46)} p50 ${String(row.p50).padStart(8)} ms   p95 ${String(row.p95).padStart(8)} ms   heap +${row.heapMb} MB`);
  return row;
}

function baselineDraw(candidates: Candidate[], pool: string[]) {
  const shuffle = <T>(a: T[], k: number) => {
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(Math.random() * (a.length - i));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a.slice(0, k);
  };
  const out: Array<{ c: Candidate; inspectors: string[] }> = [];
  for (const g of GRADES) {
    const members = candidates.filter((c) => c.grade === g);
    for (const c of shuffle(members, Math.round(RATIOS[g] * members.length))) out.push({ c, inspectors: shuffle([...pool], 2) });
  }
  return out;
}

async function main() {
  console.log(`双随机 draw, ${N} candidates, ${RUNS} runs each; node ${process.version}; ${gc ? "gc between runs" : "no --expose-gc"}`);
  const candidates: Candidate[] = Array.from({ length: N }, (_, i) => ({
    subjectId: i + 1,
    code: `91410182${String(i).padStart(10, "0")}`,
    grade: gradeOf(i),
  }));
  const pool = Array.from({ length: 30 }, (_, i) => `inspector${String(i).padStart(2, "0")}`);
  const recusals: Record<string, string[]> = {};
  const previousInspectors: Record<string, string[]> = {};
  for (let i = 1; i <= N; i += 50) recusals[String(i)] = [pool[i % 30]!];
  for (let i = 2; i <= N; i += 3) previousInspectors[String(i)] = [pool[i % 30]!, pool[(i + 1) % 30]!].sort();
  const inputs: DrawInputs = { ratios: RATIOS, inspectorsPerTarget: 2, inspectorPool: pool, recusals, previousInspectors };

  console.log("\n1. in memory");
  const ours = await measure("runDraw + candidates hash (sha256-ctr-v1)", RUNS, () => {
    candidatesHash(candidates);
    return runDraw(randomBytes(32).toString("hex"), candidates, inputs);
  });
  const bare = await measure("baseline: Math.random Fisher-Yates", RUNS, () => baselineDraw(candidates, pool));
  console.log(`ratio (ours / baseline) p50: ${r2(ours.p50 / bare.p50)}x`);

  console.log("\n2. on the database");
  const { db, url } = await openBenchDatabase(process.env.DATABASE_URL);
  configureAudit(
    loadConfig({ ...process.env, DATABASE_URL: url, AUDIT_KEY: process.env.AUDIT_KEY ?? "bench-audit-key-not-for-production-000000" }),
  );
  const code = `bench${Date.now().toString(36)}`;
  const division = String(900000 + Math.floor(Math.random() * 99999)).slice(0, 6);
  const department = await db.transaction((t) => createDepartment({ code, name: `压测部门${code}` }, t));
  const inspectors = [];
  for (let i = 0; i < 30; i++)
    inspectors.push(
      await db.transaction((t) =>
        createUser(
          {
            username: `${code}_i${i}`,
            password: "Bench@12345",
            displayName: `检查员${i}`,
            roles: ["reviewer"],
            departmentId: department.id,
          },
          t,
        ),
      ),
    );
  const admin = await db.transaction((t) =>
    createUser(
      { username: `${code}_admin`, password: "Bench@12345", displayName: "压测管理员", roles: ["dept_admin"], departmentId: department.id },
      t,
    ),
  );
  const actor: CurrentUser = {
    id: admin.id,
    username: admin.username,
    displayName: "压测管理员",
    roles: ["dept_admin"],
    groups: [code],
    departmentId: department.id,
    departmentName: department.name,
    subjectIds: [],
    isAdmin: false,
  };
  const seedStart = Date.now();
  for (let start = 0; start < N; start += 500) {
    const rows = Array.from({ length: Math.min(500, N - start) }, (_, j) => ({
      code: `91${division}${code.slice(-4).toUpperCase()}${String(start + j).padStart(6, "0")}`.slice(0, 18),
      name: `压测主体${start + j}`,
      subjectType: "法人及非法人组织" as const,
      divisionCode: division,
      legacyOverrideReason: null,
      legacyOverrideBy: null,
    }));
    const created = await CreditSubject.bulkCreate(rows, { returning: true });
    const ids = created.length && created[0]!.id ? created.map((c) => c.id) : [];
    if (!ids.length) continue;
    const now = new Date();
    await db.sequelize.query(
      `INSERT INTO subject_grades (subject_id, grade, score, reasons, model_id, computed_at, created_at, updated_at) VALUES ${ids.map(() => "(?, ?, 0, '[]', 0, ?, ?, ?)").join(",")}`,
      { type: QueryTypes.INSERT, replacements: ids.flatMap((id, j) => [id, gradeOf(start + j), now, now, now]) },
    );
  }
  console.log(`(seeded ${N} subjects with classes in ${Math.round((Date.now() - seedStart) / 1000)} s)`);
  const item = await createItem(db, actor, department.id, { code: "BENCH", name: "压测事项", legalBasis: "压测", method: "书面检查" });
  const plan = await createPlan(db, actor, {
    departmentId: department.id,
    year: 2026,
    name: "压测计划",
    scope: { subjectTypes: [], divisionCode: division, itemCodes: [], grades: [] },
    itemIds: [item.id],
    ratios: RATIOS,
    inspectorsPerTarget: 2,
    periodStart: "2026-01-01",
    periodEnd: "2026-12-31",
  });
  const dbRuns = Math.max(5, Math.floor(RUNS / 3));
  const scope = { subjectTypes: [], divisionCode: division, itemCodes: [], grades: [] };
  await measure("  of which selectTargets (scope query + classes)", dbRuns, () => selectTargets(db, department.id, scope));
  const preview = await measure("previewDraw (freeze, draw, store, audit)", dbRuns, () => previewDraw(db, actor, plan.id));
  const sql = await measure("baseline: SELECT the same subjects", dbRuns, () =>
    db.sequelize.query("SELECT id, code, name, subject_type, division_code FROM credit_subjects WHERE division_code LIKE ? ORDER BY id", {
      type: QueryTypes.SELECT,
      replacements: [`${division}%`],
    }),
  );
  console.log(`ratio (previewDraw / plain SELECT) p50: ${r2(preview.p50 / sql.p50)}x`);
  console.log(`database: ${db.dialect}; rss ${mb(process.memoryUsage().rss)} MB at the end`);
  await db.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
