import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { QueryTypes } from "sequelize";
import { buildUser, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { admin, engine } from "./helpers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DATABASE_URL = process.env.DATABASE_URL ?? "";

/**
 * Several nodes on one database need a database that several processes can write: MariaDB/MySQL.
 * SQLite is one writer in one process (the write queue), so on SQLite this suite is not defined at
 * all rather than skipped; run it with DATABASE_URL=mysql://... (npm test does on MariaDB in CI).
 */
const multiNode = DATABASE_URL.startsWith("mysql") || DATABASE_URL.startsWith("mariadb");
if (!multiNode) {
  console.log("  (engine multi-node test: defined only when DATABASE_URL is a MySQL/MariaDB URL; this run uses SQLite)");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Node {
  port: number;
  child: ChildProcess;
  url: string;
}

/** Starts `node server/main.ts` on a port over the shared database, with its job worker; resolves when it listens. */
async function startNode(port: number): Promise<Node> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "test",
      PORT: String(port),
      DATABASE_URL,
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "xy-node-")),
      SESSION_SECRET: "multinode-test-secret",
      LOG_LEVEL: "silent",
      JOB_WORKER: "1",
      DEMO_SEED: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`node on ${port} exited: ${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return { port, child, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`node on ${port} did not start: ${output}`);
}

async function stopNode(node: Node): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = new Promise((r) => node.child.once("exit", r));
  node.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (node.child.exitCode === null) node.child.kill("SIGKILL");
}

const processXml = (key: string) => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Def_${key}" targetNamespace="http://xinyong.example/test">
  <process id="${key}" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <userTask id="review" name="审核" camunda:candidateGroups="scjgj" />
    <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>`;

const timerXml = (key: string) => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Def_${key}" targetNamespace="http://xinyong.example/test">
  <process id="${key}" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <intermediateCatchEvent id="wait"><timerEventDefinition><timeDate>\${fireAt}</timeDate></timerEventDefinition></intermediateCatchEvent>
    <sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>`;

/** A process started by its timer start event (timer: the timerEventDefinition's child). */
const timerStartXml = (key: string, timer: string) => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Def_${key}" targetNamespace="http://xinyong.example/test">
  <process id="${key}" isExecutable="true">
    <startEvent id="start"><timerEventDefinition>${timer}</timerEventDefinition></startEvent>
    <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <userTask id="review" name="审核" camunda:candidateGroups="timer-start-test" />
    <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>`;

/** Runs up to `width` jobs at a time. */
async function pool<T>(items: T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

if (multiNode) {
  describe("engine on several nodes (MariaDB/MySQL only)", function () {
    this.timeout(300_000);
    const nodes: Node[] = [];
    let worker: TestUser;
    const auth = () => `Basic ${Buffer.from(`${worker.username}:${worker.password}`).toString("base64")}`;
    const call = (node: Node, method: string, p: string, body?: unknown) =>
      fetch(`${node.url}/engine-rest${p}`, {
        method,
        headers: { Authorization: auth(), "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    before(async () => {
      worker = await buildUser({ roles: ["admin"] });
      for (let i = 0; i < 3; i++) nodes.push(await startNode(await freePort()));
    });
    after(async () => {
      await Promise.all(nodes.map(stopNode));
    });

    it("600 starts and their completions across three nodes, one SIGKILLed and restarted: one instance per acknowledged start, no task completed twice", async () => {
      const key = `mn-${randomBytes(4).toString("hex")}`;
      await engine().deploy({ name: key, files: [{ name: `${key}.bpmn`, xml: processXml(key) }], actor: admin() });
      const acknowledged = new Map<string, string>(); // businessKey -> instance id
      const unacknowledged: string[] = [];
      const keys = Array.from({ length: 600 }, (_, i) => `${key}-${i}`);
      let killed = false;
      let restarted: Promise<void> = Promise.resolve();
      await pool(keys, 12, async (businessKey, i) => {
        if (i === 200 && !killed) {
          killed = true;
          nodes[1]!.child.kill("SIGKILL"); // mid-load: requests in flight on node 1 are lost
          restarted = startNode(nodes[1]!.port).then((n) => {
            nodes[1] = n;
          });
        }
        const node = nodes[i % 3]!;
        try {
          const res = await call(node, "POST", `/process-definition/key/${key}/start`, { businessKey });
          if (res.status === 200) acknowledged.set(businessKey, ((await res.json()) as { id: string }).id);
          else unacknowledged.push(businessKey);
        } catch {
          unacknowledged.push(businessKey);
        }
      });
      // Wait for the restarted node, then complete every acknowledged instance's task, each one twice at once on two nodes.
      await restarted;
      assert.ok(acknowledged.size >= 350, `most starts were acknowledged (${acknowledged.size})`);
      const completions = new Map<string, number>();
      await pool([...acknowledged.values()], 8, async (instanceId, i) => {
        const tasks = (await (await call(nodes[i % 3]!, "GET", `/task?processInstanceId=${instanceId}`)).json()) as { id: string }[];
        assert.equal(tasks.length, 1);
        const answers = await Promise.all(
          [nodes[i % 3]!, nodes[(i + 1) % 3]!].map(async (n) => {
            try {
              return (await call(n, "POST", `/task/${tasks[0]!.id}/complete`, { variables: { ok: { value: true, type: "Boolean" } } }))
                .status;
            } catch {
              return 0;
            }
          }),
        );
        completions.set(instanceId, answers.filter((s) => s === 204).length);
      });

      const { db } = testApp();
      const rows = await db.sequelize.query<{ business_key: string; id: string; state: string }>(
        "SELECT business_key, id, state FROM engine_instances WHERE definition_key = :key",
        { replacements: { key }, type: QueryTypes.SELECT },
      );
      const byKey = new Map<string, { id: string; state: string }[]>();
      for (const r of rows) byKey.set(r.business_key, [...(byKey.get(r.business_key) ?? []), r]);
      for (const [businessKey, id] of acknowledged) {
        const found = byKey.get(businessKey) ?? [];
        assert.equal(found.length, 1, `exactly one instance for acknowledged start ${businessKey}`);
        assert.equal(found[0]!.id, id);
        assert.equal(found[0]!.state, "COMPLETED");
      }
      for (const businessKey of unacknowledged)
        assert.ok((byKey.get(businessKey) ?? []).length <= 1, `at most one instance for ${businessKey}`);
      for (const [instanceId, ok] of completions) assert.equal(ok, 1, `task of ${instanceId} completed exactly once`);
      const doubles = await db.sequelize.query<{ instance_id: string; n: number }>(
        "SELECT h.instance_id, COUNT(*) AS n FROM engine_history h JOIN engine_instances i ON i.id = h.instance_id WHERE i.definition_key = :key AND h.event = 'task.completed' GROUP BY h.instance_id HAVING COUNT(*) > 1",
        { replacements: { key }, type: QueryTypes.SELECT },
      );
      assert.deepEqual(doubles, [], "no task was completed twice");
      // Instances of unacknowledged starts that did commit are ended or waiting at a valid task.
      for (const r of rows.filter((x) => x.state === "ACTIVE")) {
        const tasks = await engine().findTasks({ processInstanceId: r.id });
        assert.deepEqual(
          tasks.map((t) => t.taskDefinitionKey),
          ["review"],
        );
        await engine().cancelInstance(r.id, { actor: "test-cleanup", reason: "测试结束" });
      }
    });

    it("a SIGKILLed node's claimed timer jobs fire once on the other nodes within 30 s, not after their 5-minute lease", async () => {
      const { db } = testApp();
      const nodeIds = async () =>
        (await db.sequelize.query<{ node_id: string }>("SELECT node_id FROM engine_nodes", { type: QueryTypes.SELECT })).map(
          (r) => r.node_id,
        );
      const before = new Set(await nodeIds());
      const victim = await startNode(await freePort());
      let victimId: string | undefined;
      for (let i = 0; i < 100 && !victimId; i++) {
        victimId = (await nodeIds()).find((n) => !before.has(n));
        if (!victimId) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(victimId, "the new node wrote its heartbeat");
      const key = `mk-${randomBytes(4).toString("hex")}`;
      await engine().deploy({ name: key, files: [{ name: `${key}.bpmn`, xml: timerXml(key) }], actor: admin() });
      const fireAt = new Date(Date.now() + 4_000).toISOString();
      const ids: string[] = [];
      for (let i = 0; i < 20; i++)
        ids.push((await engine().startProcess({ key, businessKey: `${key}-${i}`, variables: { fireAt }, actor: admin() })).id);
      // As the victim leaves them when it dies between claiming and firing: owned by it, leased for five minutes.
      await db.sequelize.query("UPDATE engine_jobs SET owner = :owner, lock_until = :until WHERE instance_id IN (:ids)", {
        replacements: { owner: victimId, until: new Date(Date.now() + 5 * 60_000), ids },
      });
      victim.child.kill("SIGKILL");
      const killedAt = Date.now();
      await new Promise((r) => victim.child.once("exit", r));
      const completed = async () =>
        Number(
          (
            await db.sequelize.query<{ n: number }>(
              "SELECT COUNT(*) AS n FROM engine_instances WHERE definition_key = :key AND state = 'COMPLETED'",
              {
                replacements: { key },
                type: QueryTypes.SELECT,
              },
            )
          )[0]?.n ?? 0,
        );
      while ((await completed()) < 20 && Date.now() - killedAt < 60_000) await new Promise((r) => setTimeout(r, 250));
      const took = Date.now() - killedAt;
      assert.equal(await completed(), 20, "every job the dead node held fired");
      assert.ok(took < 30_000, `the dead node's jobs fired ${took} ms after the kill (aim: within 30 s)`);
      const fired = await db.sequelize.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM engine_history h JOIN engine_instances i ON i.id = h.instance_id WHERE i.definition_key = :key AND h.event = 'timer.fired'",
        { replacements: { key }, type: QueryTypes.SELECT },
      );
      assert.equal(Number(fired[0]?.n ?? 0), 20, "each fired once");
      console.log(`      (the dead node's 20 jobs fired within ${took} ms of the SIGKILL)`);
    });

    it("300 timers due at one moment fire exactly once across the nodes' job workers", async () => {
      const key = `mt-${randomBytes(4).toString("hex")}`;
      await engine().deploy({ name: key, files: [{ name: `${key}.bpmn`, xml: timerXml(key) }], actor: admin() });
      const fireAt = new Date(Date.now() + 20_000).toISOString();
      const ids: string[] = [];
      await pool(
        Array.from({ length: 300 }, (_, i) => i),
        10,
        async (i) => {
          const inst = await engine().startProcess({ key, businessKey: `${key}-${i}`, variables: { fireAt }, actor: admin() });
          ids.push(inst.id);
        },
      );
      const { db } = testApp();
      const count = async (state: string) =>
        Number(
          (
            await db.sequelize.query<{ n: number }>(
              "SELECT COUNT(*) AS n FROM engine_instances WHERE definition_key = :key AND state = :state",
              {
                replacements: { key, state },
                type: QueryTypes.SELECT,
              },
            )
          )[0]?.n ?? 0,
        );
      for (let i = 0; i < 1200 && (await count("COMPLETED")) < 300; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await count("COMPLETED"), 300);
      const fired = await db.sequelize.query<{ instance_id: string; n: number }>(
        "SELECT h.instance_id, COUNT(*) AS n FROM engine_history h JOIN engine_instances i ON i.id = h.instance_id WHERE i.definition_key = :key AND h.event = 'activity.end' AND h.activity_id = 'wait' GROUP BY h.instance_id",
        { replacements: { key }, type: QueryTypes.SELECT },
      );
      assert.equal(fired.length, 300);
      assert.ok(
        fired.every((f) => Number(f.n) === 1),
        "every timer fired exactly once",
      );
      const jobs = await db.sequelize.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM engine_jobs j JOIN engine_instances i ON i.id = j.instance_id WHERE i.definition_key = :key",
        { replacements: { key }, type: QueryTypes.SELECT },
      );
      assert.equal(Number(jobs[0]?.n ?? 0), 0);
    });

    it("timer start jobs due at one moment start exactly one instance each across the nodes' job workers; a cycle starts one per occurrence", async () => {
      const prefix = `ms-${randomBytes(4).toString("hex")}`;
      const fireAt = new Date(Date.now() + 15_000).toISOString();
      const keys = Array.from({ length: 30 }, (_, i) => `${prefix}-${i}`);
      for (const key of keys) {
        await engine().deploy({
          name: key,
          files: [{ name: `${key}.bpmn`, xml: timerStartXml(key, `<timeDate>${fireAt}</timeDate>`) }],
          actor: admin(),
        });
      }
      const cycleKey = `${prefix}-cycle`;
      const cycle = `R4/${new Date(Date.now() + 15_000).toISOString()}/PT4S`;
      await engine().deploy({
        name: cycleKey,
        files: [{ name: `${cycleKey}.bpmn`, xml: timerStartXml(cycleKey, `<timeCycle>${cycle}</timeCycle>`) }],
        actor: admin(),
      });
      const { db } = testApp();
      const counts = async () =>
        new Map(
          (
            await db.sequelize.query<{ definition_key: string; n: number }>(
              "SELECT definition_key, COUNT(*) AS n FROM engine_instances WHERE definition_key LIKE :p GROUP BY definition_key",
              { replacements: { p: `${prefix}-%` }, type: QueryTypes.SELECT },
            )
          ).map((r) => [r.definition_key, Number(r.n)]),
        );
      const done = (c: Map<string, number>) => keys.every((k) => (c.get(k) ?? 0) >= 1) && (c.get(cycleKey) ?? 0) >= 4;
      for (let i = 0; i < 900 && !done(await counts()); i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 3000)); // a double firing would show by now
      const c = await counts();
      for (const key of keys) assert.equal(c.get(key), 1, `exactly one instance of ${key}`);
      assert.equal(c.get(cycleKey), 4, "one instance per occurrence of R4");
      const fired = await db.sequelize.query<{ job: string; n: number }>(
        `SELECT JSON_VALUE(h.detail, '$.jobId') AS job, COUNT(*) AS n FROM engine_history h JOIN engine_instances i ON i.id = h.instance_id
          WHERE i.definition_key LIKE :p AND h.event = 'timer.fired' GROUP BY JSON_VALUE(h.detail, '$.jobId')`,
        { replacements: { p: `${prefix}-%` }, type: QueryTypes.SELECT },
      );
      assert.equal(fired.length, 34, "one timer start job per instance");
      assert.ok(
        fired.every((f) => Number(f.n) === 1),
        "every timer start job fired exactly once",
      );
      const left = await db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM engine_jobs WHERE definition_key LIKE :p", {
        replacements: { p: `${prefix}-%` },
        type: QueryTypes.SELECT,
      });
      assert.equal(Number(left[0]?.n ?? 0), 0, "no timer start job is left");
      for (const inst of await engine().findInstances({ keyPrefix: prefix, state: "ACTIVE" })) {
        await engine().cancelInstance(inst.id, { actor: "test-cleanup", reason: "测试结束" });
      }
    });
  });
}
