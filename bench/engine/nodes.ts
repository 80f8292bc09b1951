// Throughput of start -> complete over REST with one server process vs two on one MariaDB/MySQL database.
// Run: DATABASE_URL=mysql://root@127.0.0.1:3306/xy_engine npx tsx bench/engine/nodes.ts [seconds] [concurrency]
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { createUser } from "../../server/domain/accounts/createUser.js";
import { benchXml, benchRuntime, openBenchDatabase } from "./common.js";

const SECONDS = Number(process.argv[2] ?? 20);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const url = process.env.DATABASE_URL;
if (!url?.startsWith("mysql")) throw new Error("set DATABASE_URL to a MySQL/MariaDB URL");

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function startNode(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "xy-bench-node-")),
      SESSION_SECRET: "bench",
      LOG_LEVEL: "silent",
      JOB_WORKER: "0",
      DEMO_SEED: "0",
    },
    stdio: "ignore",
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { url: base, child };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const { db } = await openBenchDatabase(url);
const rt = benchRuntime(db);
const key = `bench-nodes-${randomBytes(3).toString("hex")}`;
await rt.deploy({ name: key, files: [{ name: `${key}.bpmn`, xml: benchXml(key) }], actor: "bench" });
const username = `bench_${randomBytes(3).toString("hex")}`;
const password = "Bench@12345";
await db.transaction((t) => createUser({ username, password, displayName: username, roles: ["admin"], departmentId: null }, t));
await db.close();
const auth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
const headers = { Authorization: auth, "Content-Type": "application/json" };

async function measure(nodes: { url: string }[]): Promise<number> {
  let done = 0;
  let seq = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      while (Date.now() < until) {
        const node = nodes[(w + seq++) % nodes.length]!.url;
        const start = await fetch(`${node}/engine-rest/process-definition/key/${key}/start`, {
          method: "POST",
          headers,
          body: JSON.stringify({ businessKey: `N-${seq}-${w}`, variables: { amount: { value: 1, type: "Integer" } } }),
        });
        const { id } = (await start.json()) as { id: string };
        const tasks = (await (await fetch(`${node}/engine-rest/task?processInstanceId=${id}`, { headers })).json()) as { id: string }[];
        const res = await fetch(`${node}/engine-rest/task/${tasks[0]!.id}/complete`, {
          method: "POST",
          headers,
          body: JSON.stringify({ variables: { approved: { value: true, type: "Boolean" } } }),
        });
        if (res.status !== 204) throw new Error(`complete answered ${res.status}`);
        done++;
      }
    }),
  );
  return done / SECONDS;
}

const a = await startNode();
const one = await measure([a]);
const b = await startNode();
const two = await measure([a, b]);
for (const n of [a, b]) n.child.kill("SIGTERM");
console.log(
  JSON.stringify(
    {
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      one_node_cycles_per_s: Math.round(one * 10) / 10,
      two_nodes_cycles_per_s: Math.round(two * 10) / 10,
      ratio: Math.round((two / one) * 100) / 100,
      cpus: os.cpus().length,
      loadavg: os.loadavg().map((x) => Math.round(x * 10) / 10),
    },
    null,
    2,
  ),
);
process.exit(0);
