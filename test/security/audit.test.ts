// The audit log against someone who can write the database (and, for the checkpoint tests, the checkpoint files):
// truncation, re-chaining, changed and deleted rows, forged and missing checkpoints, legacy rows, and appends of two
// nodes at once. Each test plays a node of its own (its own chains, checkpoint directory and node id) on the shared
// test database and puts back what it changed.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { QueryTypes } from "sequelize";
import { loadConfig } from "../../server/config.js";
import { openDatabase, type Database } from "../../server/db/database.js";
import { createMigrator } from "../../server/db/migrator.js";
import {
  appendAuditEntry,
  auditKeyId,
  auditSettings,
  entryHash,
  GENESIS_HASH,
  keyedEntryHash,
  startAuditCheckpoints,
  verifyAuditChain,
  writeAuditCheckpoint,
  type AuditEntryRow,
  type AuditSettings,
  type EntryFields,
} from "../../server/domain/audit.js";
import { checkpointFile, signCheckpoint, type CheckpointLine } from "../../server/domain/auditCheckpoints.js";
import { buildUser, loginAs } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "xinyong-audit-"));
  tempDirs.push(dir);
  return dir;
}

/** A node of its own: this run's key, a fresh node id and checkpoint directory. */
function node(overrides: Partial<AuditSettings> = {}): AuditSettings {
  return { ...auditSettings(), nodeId: `t-${randomBytes(4).toString("hex")}`, checkpointDir: tempDir(), ...overrides };
}

async function chainRows(chainId: string, db: Database = testApp().db): Promise<AuditEntryRow[]> {
  const rows = await db.sequelize.query<AuditEntryRow>("SELECT * FROM audit_entries WHERE chain_id = :chainId ORDER BY seq", {
    type: QueryTypes.SELECT,
    replacements: { chainId },
  });
  return rows.map((r) => ({ ...r, id: Number(r.id), seq: Number(r.seq) }));
}

/** Appends n entries as node s, one transaction each; returns the node's first chain. */
async function append(s: AuditSettings, n: number, db: Database = testApp().db): Promise<AuditEntryRow[]> {
  for (let i = 0; i < n; i++) {
    await db.transaction((t) =>
      appendAuditEntry(db, t, { actor: "security-test", action: "test.secured", entityType: "test", entityId: i, detail: { i } }, s),
    );
  }
  return chainRows(`${s.nodeId}/0`, db);
}

function sqlTime(at: Date | string, dialect: "sqlite" | "mysql"): string {
  if (typeof at === "string") return at;
  const text = at.toISOString().slice(0, 23).replace("T", " ");
  return dialect === "sqlite" ? `${text} +00:00` : text;
}

/** Puts a deleted row back exactly. */
async function restore(row: AuditEntryRow, db: Database = testApp().db): Promise<void> {
  await db.sequelize.query(
    `INSERT INTO audit_entries (id, at, actor, action, entity_type, entity_id, detail, ip, prev_hash, hash, chain_id, seq, hash_alg, key_id)
     VALUES (:id, :at, :actor, :action, :entity_type, :entity_id, :detail, :ip, :prev_hash, :hash, :chain_id, :seq, :hash_alg, :key_id)`,
    { replacements: { ...row, at: sqlTime(row.at, db.dialect) } },
  );
}

async function setHead(chainId: string, row: AuditEntryRow): Promise<void> {
  await testApp().db.sequelize.query(
    "UPDATE audit_chain_heads SET last_seq = :seq, last_id = :id, last_hash = :hash WHERE chain_id = :chainId",
    {
      replacements: { chainId, seq: row.seq, id: row.id, hash: row.hash },
    },
  );
}

async function rewrite(row: Pick<AuditEntryRow, "id" | "detail" | "prev_hash" | "hash" | "key_id">): Promise<void> {
  await testApp().db.sequelize.query(
    "UPDATE audit_entries SET detail = :detail, prev_hash = :prev_hash, hash = :hash, key_id = :key_id WHERE id = :id",
    {
      replacements: row,
    },
  );
}

function fieldsOf(row: AuditEntryRow): EntryFields {
  return {
    at: row.at instanceof Date ? row.at : new Date(row.at),
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    detail: row.detail,
    ip: row.ip,
  };
}

const verify = (s: AuditSettings, db: Database = testApp().db) => verifyAuditChain(db, { settings: s });

async function assertIntact(s: AuditSettings, db?: Database): Promise<void> {
  const verdict = await verify(s, db);
  assert.equal(verdict.ok, true, JSON.stringify(verdict, null, 1));
}

function checkpointLines(s: AuditSettings): CheckpointLine[] {
  return readFileSync(checkpointFile(s.checkpointDir, s.nodeId), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CheckpointLine);
}

describe("audit log against someone who can write the database", () => {
  it("hashes entries with the key (HMAC-SHA256), one chain per node, positions from 1 linked to the legacy chain's end", async () => {
    const s = node();
    const rows = await append(s, 3);
    assert.deepEqual(
      rows.map((r) => r.seq),
      [1, 2, 3],
    );
    assert.ok(rows.every((r) => r.hash_alg === "hmac-sha256" && r.key_id === s.keyId && r.chain_id === `${s.nodeId}/0`));
    assert.equal(rows[0]!.prev_hash, GENESIS_HASH, "the test database has no legacy rows: its legacy chain ends at genesis");
    assert.equal(rows[1]!.prev_hash, rows[0]!.hash);
    const link = { chainId: rows[0]!.chain_id, seq: 1, keyId: s.keyId, prevHash: GENESIS_HASH };
    assert.equal(keyedEntryHash(s.key, link, fieldsOf(rows[0]!)), rows[0]!.hash);
    assert.notEqual(entryHash(GENESIS_HASH, fieldsOf(rows[0]!)), rows[0]!.hash, "not the unkeyed hash");
    await assertIntact(s);
  });

  it("truncation: the last rows deleted and the head moved back are caught by the latest signed checkpoint", async () => {
    const s = node();
    const rows = await append(s, 4);
    const chainId = rows[0]!.chain_id;
    const line = await writeAuditCheckpoint(testApp().db, { settings: s, reason: "test" });
    assert.ok(line?.chains.some((c) => c.chain === chainId && c.seq === 4 && c.id === rows[3]!.id));
    const { db } = testApp();
    await db.sequelize.query("DELETE FROM audit_entries WHERE id IN (:ids)", { replacements: { ids: [rows[2]!.id, rows[3]!.id] } });
    await setHead(chainId, rows[1]!);
    try {
      const verdict = await verify(s);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.firstBroken?.id, rows[3]!.id, "names the head the checkpoint anchored");
      assert.match(verdict.firstBroken.reason, /最新记录被删除，链头也被改回/);
      assert.match(verdict.firstBroken.reason, new RegExp(`最后一条完好的记录为 #${rows[1]!.id}（.*“test\\.secured”）`));
      // Another node's verifier without that checkpoint (its own empty directory) cannot see it: the anchor is the point.
      const blind = await verify(node());
      assert.equal(blind.broken.length, 0, JSON.stringify(blind.broken));
    } finally {
      await restore(rows[2]!);
      await restore(rows[3]!);
      await setHead(chainId, rows[3]!);
    }
    await assertIntact(s);

    // The whole chain gone, rows and head row: the checkpoint still names it.
    const { db: d } = testApp();
    await d.sequelize.query("DELETE FROM audit_entries WHERE chain_id = :chainId", { replacements: { chainId } });
    await d.sequelize.query("DELETE FROM audit_chain_heads WHERE chain_id = :chainId", { replacements: { chainId } });
    try {
      const verdict = await verify(s);
      assert.equal(verdict.firstBroken?.id, rows[3]!.id);
      assert.match(verdict.firstBroken.reason, /数据库中只剩 0 条（最新记录被删除，链头也被改回）；该链已没有任何记录/);
    } finally {
      for (const r of rows) await restore(r);
    }
    // Its next audited write rebuilds the missing head row from the chain's last entry and goes on from there.
    const more = await append(s, 1);
    assert.deepEqual(
      more.map((r) => r.seq),
      [1, 2, 3, 4, 5],
    );
    await assertIntact(s);
  });

  it("re-chaining: a rewritten row with every later hash recomputed with plain SHA-256 or a wrong key is named", async () => {
    const s = node();
    const rows = await append(s, 4);
    const chainId = rows[0]!.chain_id;
    const wrongKey = Buffer.from(`wrong-${randomBytes(16).toString("hex")}`);
    const attacks: [string, (prev: string, r: AuditEntryRow, seq: number) => { hash: string; key_id: string | null }, RegExp][] = [
      ["plain SHA-256", (prev, r) => ({ hash: entryHash(prev, fieldsOf(r)), key_id: r.key_id }), /带密钥的哈希值不符/],
      [
        "a wrong key under the right key id",
        (prev, r, seq) => ({
          hash: keyedEntryHash(wrongKey, { chainId, seq, keyId: s.keyId, prevHash: prev }, fieldsOf(r)),
          key_id: s.keyId,
        }),
        /带密钥的哈希值不符/,
      ],
      [
        "a wrong key under its own key id",
        (prev, r, seq) => {
          const keyId = auditKeyId(wrongKey);
          return { hash: keyedEntryHash(wrongKey, { chainId, seq, keyId, prevHash: prev }, fieldsOf(r)), key_id: keyId };
        },
        /由另一密钥（编号 [0-9a-f]+）写入/,
      ],
    ];
    for (const [name, rehash, expected] of attacks) {
      let prev = rows[0]!.hash;
      const forged: AuditEntryRow[] = [];
      for (const original of rows.slice(1)) {
        const r = { ...original, detail: original.seq === 2 ? '{"i":"forged"}' : original.detail };
        const { hash, key_id } = rehash(prev, r, Number(r.seq));
        forged.push({ ...r, prev_hash: prev, hash, key_id });
        prev = hash;
      }
      try {
        for (const r of forged) await rewrite(r);
        await setHead(chainId, forged.at(-1)!);
        const verdict = await verify(s);
        assert.equal(verdict.ok, false, name);
        assert.equal(verdict.firstBroken?.id, rows[1]!.id, name);
        assert.match(verdict.firstBroken.reason, expected, name);
      } finally {
        for (const r of rows.slice(1)) await rewrite(r);
        await setHead(chainId, rows[3]!);
      }
    }
    await assertIntact(s);
  });

  it("a changed row is named with its id, time and action", async () => {
    const s = node();
    const rows = await append(s, 3);
    const { db } = testApp();
    await db.sequelize.query("UPDATE audit_entries SET actor = 'mallory' WHERE id = :id", { replacements: { id: rows[1]!.id } });
    try {
      const verdict = await verify(s);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.firstBroken?.id, rows[1]!.id);
      assert.equal(verdict.firstBroken?.action, "test.secured");
      assert.match(
        verdict.firstBroken.reason,
        /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 的“test\.secured”（链 t-[0-9a-f]+\/0 第 2 条）的内容与其带密钥的哈希值不符/,
      );
    } finally {
      await db.sequelize.query("UPDATE audit_entries SET actor = :actor WHERE id = :id", {
        replacements: { id: rows[1]!.id, actor: rows[1]!.actor },
      });
    }
    await assertIntact(s);
  });

  it("a deleted middle row is named by the entry after the gap", async () => {
    const s = node();
    const rows = await append(s, 3);
    const { db } = testApp();
    await db.sequelize.query("DELETE FROM audit_entries WHERE id = :id", { replacements: { id: rows[1]!.id } });
    try {
      const verdict = await verify(s);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.firstBroken?.id, rows[2]!.id);
      assert.match(verdict.firstBroken.reason, /之前的第 2 条记录缺失（记录被删除）/);
    } finally {
      await restore(rows[1]!);
    }
    await assertIntact(s);
  });

  it("an entry inserted outside any chain position is named", async () => {
    const s = node();
    const rows = await append(s, 1);
    const { db } = testApp();
    const [max] = await db.sequelize.query<{ id: number }>("SELECT MAX(id) AS id FROM audit_entries", { type: QueryTypes.SELECT });
    const fake = { ...rows[0]!, id: Number(max!.id) + 1000, seq: null as unknown as number, action: "test.inserted" };
    await restore(fake);
    try {
      const verdict = await verify(s);
      assert.equal(verdict.firstBroken?.id, fake.id);
      assert.match(verdict.firstBroken.reason, /记录被插入/);
    } finally {
      await db.sequelize.query("DELETE FROM audit_entries WHERE id = :id", { replacements: { id: fake.id } });
    }
  });

  it("a forged checkpoint line (bad signature, or signed with another key) is reported and not used as an anchor", async () => {
    const s = node();
    await append(s, 2);
    const line = (await writeAuditCheckpoint(testApp().db, { settings: s, reason: "test" }))!;
    const file = checkpointFile(s.checkpointDir, s.nodeId);
    const original = readFileSync(file, "utf8");
    const claimed = { ...line, n: 2, prev: line.mac, chains: line.chains.map((c) => ({ ...c, seq: c.seq + 5 })) };
    const wrongKey = Buffer.from(`wrong-${randomBytes(16).toString("hex")}`);
    const { mac: _mac, ...body } = claimed;
    for (const forged of [claimed, signCheckpoint(wrongKey, body)]) {
      writeFileSync(file, `${original}${JSON.stringify(forged)}\n`);
      const verdict = await verify(s);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.firstBroken, undefined, "the chains themselves are intact: the forged line anchors nothing");
      assert.equal(verdict.problems.length, 1, JSON.stringify(verdict.problems));
      assert.match(verdict.problems[0]!, /检查点文件 audit-checkpoints-t-[0-9a-f]+\.log 第 2 行签名无效（检查点被伪造或篡改）/);
    }
    writeFileSync(file, `${original}not json\n`);
    assert.match((await verify(s)).problems[0] ?? "", /第 2 行无法解析/);
    writeFileSync(file, original);
    await assertIntact(s);
  });

  it("a deleted checkpoint file, a cut tail and a removed middle line are reported as missing anchors", async () => {
    const s = node();
    const { db } = testApp();
    await append(s, 1);
    for (let i = 0; i < 3; i++) await writeAuditCheckpoint(db, { settings: s, reason: "test", force: true });
    const file = checkpointFile(s.checkpointDir, s.nodeId);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    assert.equal(lines.length, 3);
    await assertIntact(s);

    writeFileSync(file, `${lines[0]}\n${lines[2]}\n`);
    assert.match((await verify(s)).problems.join("\n"), /第 2 行（第 3 个检查点）与前一个检查点不相接/);

    writeFileSync(file, `${lines[0]}\n${lines[1]}\n`);
    const cut = await verify(s);
    assert.equal(cut.ok, false);
    assert.match(cut.problems.join("\n"), /只到第 2 个检查点，而数据库记载节点 t-[0-9a-f]+ 已于 .* 写入第 3 个检查点（文件末尾被删除）/);

    unlinkSync(file);
    const gone = await verify(s);
    assert.equal(gone.ok, false);
    assert.equal(gone.firstBroken, undefined);
    assert.match(gone.problems.join("\n"), /检查点文件缺失：.*audit-checkpoints-t-[0-9a-f]+\.log 不存在/);
    // Another node's verifier does not expect this node's file in its own directory.
    assert.equal((await verify(node())).problems.length, 0);
    await db.sequelize.query("DELETE FROM audit_checkpoint_marks WHERE node_id = :node", { replacements: { node: s.nodeId } });
  });

  it("checkpoints on start, on the timer only when a head moved, and on stop; to the file and to the application log", async function () {
    this.timeout(20_000);
    const s = node({ checkpointIntervalMs: 100 });
    const { db } = testApp();
    const logged: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => logged.push(line) });
    const checkpoints = startAuditCheckpoints(db, logger, s);
    try {
      await new Promise((r) => setTimeout(r, 350));
      assert.deepEqual(
        checkpointLines(s).map((l) => l.reason),
        ["startup"],
        "nothing moved: the timer wrote nothing",
      );
      await append(s, 1);
      for (let i = 0; i < 50 && checkpointLines(s).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await checkpoints.stop();
    }
    const lines = checkpointLines(s);
    assert.deepEqual(
      lines.map((l) => [l.n, l.reason]),
      [
        [1, "startup"],
        [2, "timer"],
      ],
      "stop wrote nothing either: no head moved since the timer's checkpoint",
    );
    assert.ok(lines[1]!.chains.some((c) => c.chain === `${s.nodeId}/0` && c.seq === 1));
    assert.equal(lines[1]!.prev, lines[0]!.mac);
    const fromLog = logged.map((l) => JSON.parse(l) as { auditCheckpoint?: CheckpointLine }).filter((l) => l.auditCheckpoint);
    assert.deepEqual(
      fromLog.map((l) => l.auditCheckpoint!.mac),
      lines.map((l) => l.mac),
    );
    await append(s, 1);
    const again = startAuditCheckpoints(db, logger, s);
    await again.stop();
    assert.deepEqual(
      checkpointLines(s).map((l) => [l.n, l.reason]),
      [
        [1, "startup"],
        [2, "timer"],
        [3, "startup"],
      ],
      "a restart numbers on from the file",
    );
    await assertIntact(s);
  });

  it("concurrent appends of two nodes keep both chains valid, and one node does not wait on the other's head", async function () {
    this.timeout(60_000);
    const { db } = testApp();
    const a = node();
    const b = node();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        db.transaction(async (t) => {
          const s = i % 2 ? a : b;
          await appendAuditEntry(db, t, { actor: "concurrent", action: "test.concurrent", entityId: i }, s);
          await appendAuditEntry(db, t, { actor: "concurrent", action: "test.concurrent_second", entityId: i }, s);
        }),
      ),
    );
    for (const s of [a, b]) {
      const rows = await db.sequelize.query<AuditEntryRow>(
        "SELECT * FROM audit_entries WHERE chain_id LIKE :prefix ORDER BY chain_id, seq",
        {
          type: QueryTypes.SELECT,
          replacements: { prefix: `${s.nodeId}/%` },
        },
      );
      assert.equal(rows.length, 30, "15 transactions of 2 entries each");
      const pairs = new Map<string, string>();
      for (const r of rows) pairs.set(r.entity_id!, `${pairs.get(r.entity_id!) ?? ""}${r.chain_id};`);
      for (const [, chains] of pairs) assert.equal(new Set(chains.split(";").filter(Boolean)).size, 1, "one transaction, one chain");
    }
    await assertIntact(a);

    if (db.dialect !== "mysql") return; // SQLite writes one transaction at a time: nobody waits on a head there
    // Node a holds its head row in an open transaction; node b, and a's own next transaction (another of a's chains), go on.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const holder = db.sequelize.transaction(async (t) => {
      await appendAuditEntry(db, t, { actor: "concurrent", action: "test.holding" }, a);
      holding();
      await released;
    });
    await held;
    const started = Date.now();
    await db.sequelize.transaction((t) => appendAuditEntry(db, t, { actor: "concurrent", action: "test.other_node" }, b));
    await db.sequelize.transaction((t) => appendAuditEntry(db, t, { actor: "concurrent", action: "test.same_node" }, a));
    const waited = Date.now() - started;
    release();
    await holder;
    assert.ok(waited < 2000, `appends waited ${waited} ms on a head row held by another transaction`);
    const [sameNode] = await db.sequelize.query<{ chain_id: string }>(
      "SELECT chain_id FROM audit_entries WHERE action = 'test.same_node' AND chain_id LIKE :p",
      {
        type: QueryTypes.SELECT,
        replacements: { p: `${a.nodeId}/%` },
      },
    );
    const [holdingRow] = await db.sequelize.query<{ chain_id: string }>(
      "SELECT chain_id FROM audit_entries WHERE action = 'test.holding' AND chain_id LIKE :p",
      {
        type: QueryTypes.SELECT,
        replacements: { p: `${a.nodeId}/%` },
      },
    );
    assert.notEqual(sameNode!.chain_id, holdingRow!.chain_id, "the node's next transaction took another of its chains");
    await assertIntact(a);
  });

  it("the audit page names a checkpoint problem in Chinese when no entry is broken", async () => {
    const { config } = testApp();
    const file = checkpointFile(config.auditCheckpointDir, config.nodeId);
    assert.equal(existsSync(file), false, "the test app writes no checkpoints of its own");
    const s = auditSettings();
    const forged = signCheckpoint(Buffer.from(`wrong-${randomBytes(16).toString("hex")}`), {
      v: 1,
      type: "audit.checkpoint",
      node: s.nodeId,
      n: 1,
      at: new Date().toISOString(),
      reason: "forged",
      kid: s.keyId,
      total: 0,
      legacy: { count: 0, id: null, hash: GENESIS_HASH },
      chains: [],
      prev: GENESIS_HASH,
    });
    writeFileSync(file, `${JSON.stringify(forged)}\n`);
    try {
      const agent = await loginAs(await buildUser({ roles: ["auditor"] }));
      const page = await agent.get("/admin/audit").expect(200);
      assert.match(
        page.text,
        /审计链已损坏：检查点文件 audit-checkpoints-[\w.-]+\.log 第 1 行签名无效（检查点被伪造或篡改），不作为锚点。/,
      );
      assert.match(page.text, /检查点无法证明最新的记录未被删除/);
      assert.doesNotMatch(page.text, /data-testid="broken-link"/);
    } finally {
      unlinkSync(file);
    }
    const agent = await loginAs(await buildUser({ roles: ["auditor"] }));
    assert.match((await agent.get("/admin/audit").expect(200)).text, /审计链完整/);
  });

  it("the key comes from AUDIT_KEY, else from DATA_DIR/audit-key created once with mode 0600", () => {
    const dataDir = tempDir();
    const env = { NODE_ENV: "test", DATA_DIR: dataDir, SESSION_SECRET: "x", DATABASE_URL: "sqlite:/tmp/unused.sqlite" };
    const first = loadConfig(env);
    const file = path.join(dataDir, "audit-key");
    assert.ok(existsSync(file));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, "utf8"), first.auditKey);
    assert.equal(loadConfig(env).auditKey, first.auditKey, "read back, not made again");
    assert.equal(loadConfig(env).nodeId, first.nodeId, "the node id is kept in DATA_DIR/node-id");
    assert.match(first.nodeId, /^node-[0-9a-f]{8}$/);
    const key = "k".repeat(40);
    assert.equal(loadConfig({ ...env, AUDIT_KEY: key, NODE_ID: "county-1" }).auditKey, key);
    assert.throws(() => loadConfig({ ...env, AUDIT_KEY: "short" }), /AUDIT_KEY must be at least 32 characters/);
    assert.throws(() => loadConfig({ ...env, NODE_ID: "no spaces" }), /NODE_ID/);
  });
});

describe("audit log written before keyed hashes (legacy rows)", () => {
  const MIGRATION = "20261129100000-partition-and-key-audit-chain";
  let scratch: { db: Database; drop: () => Promise<void> } | undefined;

  /** A database of the suite's kind of its own: the legacy chain must come before every keyed one. */
  async function scratchDatabase(): Promise<{ db: Database; drop: () => Promise<void> }> {
    const main = testApp().db;
    if (main.dialect === "sqlite") {
      const dir = tempDir();
      const db = await openDatabase(`sqlite:${path.join(dir, "legacy.sqlite")}`);
      return { db, drop: () => db.close() };
    }
    const url = new URL(process.env.DATABASE_URL!);
    const name = `${url.pathname.slice(1)}_legacy_${randomBytes(3).toString("hex")}`;
    await main.sequelize.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    url.pathname = `/${name}`;
    const db = await openDatabase(url.toString());
    return {
      db,
      drop: async () => {
        await db.close();
        await main.sequelize.query(`DROP DATABASE \`${name}\``);
      },
    };
  }

  afterEach(async () => {
    await scratch?.drop();
    scratch = undefined;
  });

  it("legacy rows verify as the old chain; the first keyed row links to its end; tampering on either side is named", async function () {
    this.timeout(120_000);
    scratch = await scratchDatabase();
    const { db } = scratch;
    const migrator = createMigrator(db);
    const names = (await migrator.pending()).map((m) => m.name);
    await migrator.up({ to: names[names.indexOf(MIGRATION) - 1]! });
    // Three entries the way the old code wrote them: sha256 chain, head in audit_head.
    let prev = GENESIS_HASH;
    for (let i = 1; i <= 3; i++) {
      const fields: EntryFields = {
        at: new Date(Date.UTC(2026, 0, i, 1, 2, 3, 456)),
        actor: "old",
        action: "legacy.entry",
        entityType: null,
        entityId: String(i),
        detail: null,
        ip: null,
      };
      const hash = entryHash(prev, fields);
      await db.sequelize.query(
        "INSERT INTO audit_entries (id, at, actor, action, entity_type, entity_id, detail, ip, prev_hash, hash) VALUES (:id, :at, :actor, :action, NULL, :entityId, NULL, NULL, :prev, :hash)",
        { replacements: { ...fields, id: i, at: sqlTime(fields.at, db.dialect), prev, hash } },
      );
      await db.sequelize.query("UPDATE audit_head SET last_hash = :hash, last_id = :id WHERE id = 1", { replacements: { hash, id: i } });
      prev = hash;
    }
    await migrator.up();
    const s = node();
    const keyed = await append(s, 2, db);
    assert.equal(keyed[0]!.prev_hash, prev, "the first keyed row links to the last legacy hash");
    const intact = await verify(s, db);
    assert.equal(intact.ok, true, JSON.stringify(intact));
    assert.equal(intact.checked, 5);
    const line = (await writeAuditCheckpoint(db, { settings: s, reason: "test" }))!;
    assert.deepEqual(line.legacy, { count: 3, id: 3, hash: prev });
    assert.equal(line.total, 5);

    await db.sequelize.query("UPDATE audit_entries SET actor = 'mallory' WHERE id = 2");
    const changed = await verify(s, db);
    assert.equal(changed.firstBroken?.id, 2);
    assert.match(changed.firstBroken.reason, /旧版（未加密钥）哈希链）的内容与其哈希值不符（记录被修改）/);
    await db.sequelize.query("UPDATE audit_entries SET actor = 'old' WHERE id = 2");

    // The legacy tail deleted and audit_head moved back: the checkpoint and the keyed chain's first link both show it.
    const [two] = await db.sequelize.query<{ hash: string }>("SELECT hash FROM audit_entries WHERE id = 2", { type: QueryTypes.SELECT });
    await db.sequelize.query("DELETE FROM audit_entries WHERE id = 3");
    await db.sequelize.query("UPDATE audit_head SET last_hash = :hash, last_id = 2 WHERE id = 1", { replacements: { hash: two!.hash } });
    const truncated = await verify(s, db);
    assert.equal(truncated.ok, false);
    assert.equal(truncated.firstBroken?.id, 3);
    assert.match(
      truncated.firstBroken.reason,
      /旧版（未加密钥）哈希链在节点 .* 写入的第 1 个检查点中有 3 条，数据库中只剩 2 条（最新记录被删除）/,
    );
    assert.equal(truncated.broken[1]?.id, keyed[0]!.id);
    assert.match(truncated.broken[1].reason, /所链接的旧版审计链链尾与数据库中的不一致/);
  });
});
