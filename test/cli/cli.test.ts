import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AuditEntry } from "../../server/db/models/AuditEntry.js";
import { appendAuditEntry, audit, auditSettings, writeAuditCheckpoint } from "../../server/domain/audit.js";
import { checkpointFile } from "../../server/domain/auditCheckpoints.js";
import { testApp } from "../helpers/testApp.js";

function run(script: string, args: string[], env: Record<string, string>) {
  const res = spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    env: { ...process.env, LOG_LEVEL: "silent", SESSION_SECRET: "cli-test", ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

describe("command-line tools", () => {
  it("migrate: up, down one, and up-down-up on a fresh database", function () {
    this.timeout(180_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), "xinyong-cli-"));
    const env = { DATA_DIR: dir, DATABASE_URL: `sqlite:${path.join(dir, "cli.sqlite")}` };
    try {
      const up = run("server/cli/migrate.ts", ["up"], env);
      assert.equal(up.code, 0, up.out);
      assert.match(up.out, /已执行 \d+ 个迁移/);
      const again = run("server/cli/migrate.ts", ["up"], env);
      assert.match(again.out, /数据库已是最新/);
      const down = run("server/cli/migrate.ts", ["down"], env);
      assert.equal(down.code, 0, down.out);
      assert.match(down.out, /已回退迁移/);
      const cycle = run("server/cli/migrate.ts", ["up-down-up"], env);
      assert.equal(cycle.code, 0, cycle.out);
      assert.match(cycle.out, /已回退全部 \d+ 个迁移/);
      const bad = run("server/cli/migrate.ts", ["sideways"], env);
      assert.equal(bad.code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("audit:verify prints the verdict in Chinese and exits 1 when the chain is broken", async function () {
    this.timeout(120_000);
    const { db, config } = testApp();
    const env = { DATABASE_URL: config.databaseUrl, DATA_DIR: config.dataDir };
    await db.transaction((t) => audit(db, t, { actor: "cli-test", action: "test.cli" }));
    const ok = run("server/cli/audit-verify.ts", [], env);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /审计链完整/);
    const last = await AuditEntry.findOne({ order: [["id", "DESC"]] });
    assert.ok(last, "the suite has written audit entries");
    await db.sequelize.query("UPDATE audit_entries SET action = 'forged.action' WHERE id = :id", { replacements: { id: last.id } });
    try {
      const broken = run("server/cli/audit-verify.ts", [], env);
      assert.equal(broken.code, 1, broken.out);
      assert.match(broken.out, new RegExp(`审计链已损坏：第一条异常记录为 #${last.id}`));
    } finally {
      await db.sequelize.query("UPDATE audit_entries SET action = :a WHERE id = :id", { replacements: { id: last.id, a: last.action } });
    }
  });

  it("audit:verify checks the checkpoints: a truncated chain, a forged line and an application log given with --checkpoints", async function () {
    this.timeout(120_000);
    const { db, config } = testApp();
    const dir = mkdtempSync(path.join(os.tmpdir(), "xinyong-cli-cp-"));
    const nodeId = `cli-${path.basename(dir).slice(-6)}`;
    const settings = { ...auditSettings(), nodeId, checkpointDir: dir };
    const env = { DATABASE_URL: config.databaseUrl, DATA_DIR: dir, NODE_ID: nodeId };
    try {
      for (let i = 0; i < 3; i++)
        await db.transaction((t) => appendAuditEntry(db, t, { actor: "cli-test", action: "test.cli_checkpoint" }, settings));
      await writeAuditCheckpoint(db, { settings, reason: "test" });
      const ok = run("server/cli/audit-verify.ts", [], env);
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /审计链完整/);
      assert.match(ok.out, new RegExp(`最新的检查点：节点 ${nodeId} 于 .* 写入的第 1 个检查点`));

      const [last] = await AuditEntry.findAll({ where: { chainId: `${nodeId}/0` }, order: [["seq", "DESC"]], limit: 1 });
      await db.sequelize.query("DELETE FROM audit_entries WHERE id = :id", { replacements: { id: last!.id } });
      const truncated = run("server/cli/audit-verify.ts", [], env);
      assert.equal(truncated.code, 1, truncated.out);
      assert.match(truncated.out, new RegExp(`审计链已损坏：第一条异常记录为 #${last!.id}，已不在数据库中：链 ${nodeId}/0 `));
      const at = last!.at.toISOString().slice(0, 23).replace("T", " ");
      await db.sequelize.query(
        `INSERT INTO audit_entries (id, at, actor, action, entity_type, entity_id, detail, ip, prev_hash, hash, chain_id, seq, hash_alg, key_id)
         VALUES (:id, :at, :actor, :action, :entityType, :entityId, :detail, :ip, :prevHash, :hash, :chainId, :seq, :hashAlg, :keyId)`,
        { replacements: { ...last!.get({ plain: true }), at: db.dialect === "sqlite" ? `${at} +00:00` : at } },
      );
      assert.equal(run("server/cli/audit-verify.ts", [], env).code, 0, "restored");

      // The application log carries the same lines; given with --checkpoints, a forged one there is reported too.
      const file = checkpointFile(dir, nodeId);
      const line = JSON.parse(readFileSync(file, "utf8").trim()) as { mac: string };
      const logFile = path.join(dir, "app.log");
      appendFileSync(logFile, `${JSON.stringify({ level: 30, msg: "something else" })}\n`);
      appendFileSync(logFile, `${JSON.stringify({ level: 30, auditCheckpoint: { ...line, total: 1 }, msg: "audit checkpoint" })}\n`);
      const forged = run("server/cli/audit-verify.ts", ["--checkpoints", logFile], env);
      assert.equal(forged.code, 1, forged.out);
      assert.match(forged.out, /审计链已损坏：检查点文件 app\.log 第 2 行签名无效（检查点被伪造或篡改），不作为锚点。/);
      const bad = run("server/cli/audit-verify.ts", ["--sideways"], env);
      assert.equal(bad.code, 2, bad.out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
