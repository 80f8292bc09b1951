import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AuditEntry } from "../../server/db/models/AuditEntry.js";
import { audit } from "../../server/domain/audit.js";
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
});
