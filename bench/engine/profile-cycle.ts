// Profiling aid: the runtime cycle alone (SQLite, or DATABASE_URL), with the time of start, find and complete and
// the time spent in each kind of SQL statement (wall time from the call to its answer).
// Run: npx tsx bench/engine/profile-cycle.ts [N]   (add node --cpu-prof via `node --import tsx` for a CPU profile)
import { randomBytes } from "node:crypto";
import { benchRuntime, benchXml, openBenchDatabase } from "./common.js";

process.setSourceMapsEnabled(false); // as npm start runs

const N = Number(process.argv[2] ?? 300);
const { db } = await openBenchDatabase(process.env.DATABASE_URL);
const sqlTime = new Map<string, { ms: number; count: number }>();
const query = db.sequelize.query.bind(db.sequelize) as (...args: unknown[]) => Promise<unknown>;
(db.sequelize as unknown as { query: typeof query }).query = async (...args: unknown[]) => {
  const sql = typeof args[0] === "string" ? args[0] : (args[0] as { query: string }).query;
  const kind = sql
    .replace(/\s+/g, " ")
    .replace(/^(\w+(?: INTO| FROM)? `?\w+`?).*$/s, "$1")
    .slice(0, 60);
  const t0 = process.hrtime.bigint();
  try {
    return await query(...args);
  } finally {
    const e = sqlTime.get(kind) ?? { ms: 0, count: 0 };
    e.ms += Number(process.hrtime.bigint() - t0) / 1e6;
    e.count += 1;
    sqlTime.set(kind, e);
  }
};
const rt = benchRuntime(db);
const key = `bench-${randomBytes(3).toString("hex")}`;
await rt.deploy({ name: key, files: [{ name: `${key}.bpmn`, xml: benchXml(key) }], actor: "bench" });
sqlTime.clear();
const t0 = process.hrtime.bigint();
let tStart = 0n,
  tFind = 0n,
  tDone = 0n;
for (let i = 0; i < N; i++) {
  const a = process.hrtime.bigint();
  const inst = await rt.startProcess({ key, businessKey: `B-${key}-${i}`, variables: { amount: 1000 + i }, actor: "bench" });
  const b = process.hrtime.bigint();
  const [task] = await rt.findTasks({ processInstanceId: inst.id });
  const c = process.hrtime.bigint();
  await rt.completeTask(task!.id, { actor: "bench", variables: { approved: i % 2 === 0 } });
  const d = process.hrtime.bigint();
  tStart += b - a;
  tFind += c - b;
  tDone += d - c;
}
const perCycle = (ns: bigint) => Math.round(Number(ns) / 1e4 / N) / 100;
const total = process.hrtime.bigint() - t0;
const sql = [...sqlTime].sort((x, y) => y[1].ms - x[1].ms);
console.log(
  JSON.stringify(
    {
      N,
      per_s: Math.round((N / (Number(total) / 1e9)) * 10) / 10,
      ms_per_cycle: { start: perCycle(tStart), find: perCycle(tFind), complete: perCycle(tDone) },
      sql_ms_per_cycle: Math.round((sql.reduce((s, [, e]) => s + e.ms, 0) / N) * 100) / 100,
      statements_per_cycle: Math.round((sql.reduce((s, [, e]) => s + e.count, 0) / N) * 10) / 10,
      by_statement: Object.fromEntries(sql.map(([k, e]) => [k, Math.round((e.ms / N) * 100) / 100])),
    },
    null,
    2,
  ),
);
await db.close();
