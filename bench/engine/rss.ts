// RSS with 1,000 and with 20,000 instances waiting at a user task: nothing is held in memory between steps.
// Run: node --expose-gc --import tsx bench/engine/rss.ts [first] [second]   (DATABASE_URL picks the database; default SQLite)
import { randomBytes } from "node:crypto";
import { benchRuntime, benchXml, mb, openBenchDatabase } from "./common.js";

process.setSourceMapsEnabled(false); // as npm start runs

const FIRST = Number(process.argv[2] ?? 1000);
const SECOND = Number(process.argv[3] ?? 20000);
const CONCURRENCY = 8;

const gc = (globalThis as { gc?: () => void }).gc;
const rss = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().rss;
};

const { db } = await openBenchDatabase(process.env.DATABASE_URL);
const rt = benchRuntime(db);
const key = `bench-rss-${randomBytes(3).toString("hex")}`;
await rt.deploy({ name: key, files: [{ name: `${key}.bpmn`, xml: benchXml(key) }], actor: "bench" });

let started = 0;
async function startUpTo(total: number): Promise<void> {
  const worker = async () => {
    while (started < total) {
      const i = started++;
      await rt.startProcess({ key, businessKey: `R-${key}-${i}`, variables: { amount: i }, actor: "bench" });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const t0 = Date.now();
await startUpTo(FIRST);
const rss1 = rss();
await startUpTo(SECOND);
const rss2 = rss();
const waiting = await rt.countTasks({ processDefinitionKey: key });
console.log(
  JSON.stringify(
    {
      database: db.dialect,
      gcExposed: Boolean(gc),
      [`rss_mb_at_${FIRST}`]: mb(rss1),
      [`rss_mb_at_${SECOND}`]: mb(rss2),
      growth_mb: mb(rss2 - rss1),
      waiting_tasks: waiting,
      starts_per_s: Math.round((SECOND / ((Date.now() - t0) / 1000)) * 10) / 10,
    },
    null,
    2,
  ),
);
await db.close();
