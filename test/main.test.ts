import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

function get(port: number, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: "/healthz", agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      })
      .on("error", reject);
  });
}

describe("server/main.ts", () => {
  it("starts, serves, and on SIGTERM closes kept-alive connections and exits 0 with 'stopped'", async function () {
    this.timeout(120_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), "xinyong-main-"));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", DATA_DIR: dir, LOG_LEVEL: "info", DEMO_SEED: "0" };
    delete env.DATABASE_URL; // its own embedded database under DATA_DIR
    delete env.SESSION_SECRET;
    // Node with tsx's loader, the server being this very process: `npx tsx` would put npm between the
    // signal and the server, and npm dies of SIGTERM itself (exit code null) instead of waiting for it.
    const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString("utf8");
          const m = /已启动：http:\/\/localhost:(\d+)/.exec(output);
          if (m) resolve(Number(m[1]));
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
        void exited.then((code) => reject(new Error(`server exited (${code}) before starting:\n${output}`)));
      });
      // A kept-alive connection stays open after its request: shutdown must not wait for it forever.
      const agent = new http.Agent({ keepAlive: true });
      assert.equal(await get(port, agent), 200);
      child.kill("SIGTERM");
      const code = await exited;
      agent.destroy();
      assert.equal(code, 0, output);
      assert.match(output, /"msg":"stopped"/);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
