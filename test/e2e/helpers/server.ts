import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { bootPlatform } from "../../../server/boot.js";
import { loadConfig, type Config } from "../../../server/config.js";
import type { Database } from "../../../server/db/database.js";
import { createLogger } from "../../../server/logger.js";

export interface RunningServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  baseUrl: string;
  /** The host:port the browser must stay on (no request may leave it). */
  host: string;
  config: Config;
  db: Database;
  /** Stops listening, closes the database and removes the temporary data directory. */
  close(): Promise<void>;
}

/**
 * Boots the real application the way `npm start` does (migrations, county departments, demo accounts, shipped items)
 * on a fresh SQLite database in a temporary DATA_DIR, listening on a free port on 127.0.0.1.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "xinyong-e2e-"));
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    PORT: "0",
    SESSION_SECRET: "e2e-secret-not-for-production",
    DEMO_SEED: "1",
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "silent",
    JOB_WORKER: "0",
    ...env,
  });
  const logger = createLogger(config.logLevel);
  const { db, app } = await bootPlatform(config, logger);
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  let closed = false;
  return {
    baseUrl: `http://${host}`,
    host,
    config,
    db,
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
