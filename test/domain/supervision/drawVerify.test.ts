import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseRecord, previewDraw } from "../../../server/domain/supervision/draws.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPlan, fixedBytes, setup } from "./fixtures.js";

function verify(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, ["--import", "tsx", "server/cli/draw-verify.ts", ...args], {
    env: { ...process.env, LOG_LEVEL: "silent", SESSION_SECRET: "cli-test", ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

describe("npm run draw:verify", () => {
  it("repeats a recorded draw from its 复核数据 file and from the database, and catches a tampered result", async function () {
    this.timeout(180_000);
    const s = await setup();
    const plan = await buildPlan(s);
    const seed = createHash("sha256").update("cli-seed").digest("hex");
    const draw = await previewDraw(testApp().db, s.adminUser, plan.id, { randomBytes: fixedBytes(seed) });
    const record = parseRecord(draw);
    const file = {
      seed: draw.seed,
      candidatesHash: draw.candidatesHash,
      candidates: JSON.parse(draw.candidatesJson) as unknown,
      inputs: record.inputs,
      result: { perClass: record.perClass, targets: record.targets },
    };
    const dir = mkdtempSync(path.join(os.tmpdir(), "draw-verify-"));
    try {
      const good = path.join(dir, "good.json");
      writeFileSync(good, JSON.stringify(file));
      const ok = verify([good]);
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /候选名单哈希一致/);
      assert.match(ok.out, /复算结果与记录的抽取结果一致/);
      for (const t of record.targets)
        assert.ok(ok.out.includes(`#${t.subjectId} ${t.code} ${t.grade} 类 检查人员 ${t.inspectors.join("、")}`));

      const tampered = structuredClone(file);
      tampered.result.targets[0]!.subjectId = s.subjects[0]!.id; // an A-class subject the ratio (0%) never draws
      writeFileSync(path.join(dir, "bad.json"), JSON.stringify(tampered));
      const bad = verify([path.join(dir, "bad.json")]);
      assert.equal(bad.code, 1, bad.out);
      assert.match(bad.out, /不一致/);

      const fromDb = verify(["--draw", String(draw.id)], {
        DATABASE_URL: testApp().config.databaseUrl,
        DATA_DIR: testApp().config.dataDir,
      });
      assert.equal(fromDb.code, 0, fromDb.out);
      assert.match(fromDb.out, new RegExp(`种子：${seed}`));

      const usage = verify([]);
      assert.equal(usage.code, 2);
      assert.match(usage.out, /用法/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
