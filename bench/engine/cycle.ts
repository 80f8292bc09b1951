// Start -> user task -> save -> recover -> complete -> end, as instances per second:
// (a) bpmn-engine alone (cached parsed definition, state serialized and recovered, no database),
// (b) the runtime on SQLite, (c) the runtime on MariaDB/MySQL when DATABASE_URL is set.
// Run: npx tsx bench/engine/cycle.ts [N]     (DATABASE_URL=mysql://root@127.0.0.1:3306/xy_engine for (c))
import { randomBytes } from "node:crypto";
import { initModels } from "../../server/db/models/index.js";
import { EngineRun, parseDefinition } from "../../server/engine/bpmn.js";
import { benchRuntime, benchXml, openBenchDatabase } from "./common.js";

// As `npm start` runs (SOURCE_MAP_STACKS unset): no source-mapped stacks, which Sequelize would build on every query.
process.setSourceMapsEnabled(false);

const N = Number(process.argv[2] ?? 500);
/** Clients running cycles at once against the runtime (the bare engine is one thread's work either way). */
const CONCURRENCY = Math.max(1, Number(process.argv[3] ?? 1));
const WARMUP = 30;

const noEvents = { onActivity: () => undefined, onService: () => undefined };

/** A benchmark: a warm-up, then batches of cycles; returns the seconds a batch took. */
interface Mode {
  name: string;
  batch(from: number, n: number): Promise<number>;
  close(): Promise<void>;
}

const time = async (fn: () => Promise<void>) => {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
};

async function bare(): Promise<Mode> {
  const key = "bench-bare";
  const parsed = await parseDefinition(benchXml(key), key);
  const cycle = async (i: number) => {
    const e1 = new EngineRun(parsed, `b${i}`, noEvents);
    await e1.start({ amount: 1000 + i });
    const json = JSON.stringify(await e1.getState());
    const e2 = new EngineRun(parsed, `b${i}`, noEvents);
    await e2.resume(JSON.parse(json));
    const task = e2.postponed().find((p) => p.id === "review");
    if (!task) throw new Error("not waiting at the user task");
    e2.assignVariables({ approved: i % 2 === 0 });
    e2.signal({ id: "review", executionId: task.executionId });
    await new Promise((r) => setImmediate(r));
    if (!e2.ended) throw new Error(`cycle ${i} did not end`);
  };
  for (let i = 0; i < WARMUP; i++) await cycle(i);
  return {
    name: "a_bare_engine",
    batch: (from, n) =>
      time(async () => {
        for (let i = from; i < from + n; i++) await cycle(i);
      }),
    close: () => Promise.resolve(),
  };
}

async function runtime(url: string | undefined): Promise<Mode> {
  const { db } = await openBenchDatabase(url);
  const rt = benchRuntime(db);
  const key = `bench-${randomBytes(3).toString("hex")}`;
  await rt.deploy({ name: key, files: [{ name: `${key}.bpmn`, xml: benchXml(key) }], actor: "bench" });
  const cycle = async (i: number) => {
    const inst = await rt.startProcess({ key, businessKey: `B-${key}-${i}`, variables: { amount: 1000 + i }, actor: "bench" });
    const [task] = await rt.findTasks({ processInstanceId: inst.id });
    if (!task) throw new Error("no task");
    const done = await rt.completeTask(task.id, { actor: "bench", variables: { approved: i % 2 === 0 } });
    if (done.state !== "COMPLETED") throw new Error(`cycle ${i} did not end`);
  };
  for (let i = 0; i < WARMUP; i++) await cycle(-1 - i);
  return {
    name: url ? `c_runtime_${db.dialect}` : "b_runtime_sqlite",
    batch: (from, n) => {
      // Models are process-wide: bind them to this mode's database before its batch.
      initModels(db.sequelize);
      // CONCURRENCY clients each run their share of the batch's cycles at the same time (1: one after another).
      return time(async () => {
        let next = from;
        const client = async () => {
          for (let i = next++; i < from + n; i = next++) await cycle(i);
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, client));
      });
    },
    close: () => db.close(),
  };
}

// Batches of each mode alternate, so a machine busy with other work slows every mode alike.
const modes = [await bare(), await runtime(undefined), ...(process.env.DATABASE_URL ? [await runtime(process.env.DATABASE_URL)] : [])];
const ROUNDS = 10;
const per = Math.max(1, Math.floor(N / ROUNDS));
const seconds = new Map<string, number>(modes.map((m) => [m.name, 0]));
for (let r = 0; r < ROUNDS; r++) {
  for (const m of modes) seconds.set(m.name, seconds.get(m.name)! + (await m.batch(r * per, per)));
}
for (const m of modes) await m.close();
const rate = (name: string) => (per * ROUNDS) / seconds.get(name)!;
const r1 = (x: number) => Math.round(x * 10) / 10;
const a = rate("a_bare_engine");
const out: Record<string, number> = { N: per * ROUNDS };
for (const m of modes) out[`${m.name}_per_s`] = r1(rate(m.name));
for (const m of modes.slice(1)) out[`ratio_${m.name.slice(0, 1)}_a`] = Math.round((rate(m.name) / a) * 100) / 100;
console.log(JSON.stringify(out, null, 2));
