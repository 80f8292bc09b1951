import path from "node:path";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import { createApp } from "../../server/app.js";
import { ManualClock } from "../../server/clock.js";
import { loadConfig, type Config } from "../../server/config.js";
import type { Database } from "../../server/db/database.js";
import { configureAudit } from "../../server/domain/audit.js";
import { createLogger } from "../../server/logger.js";
import { ensureCountyDepartments } from "../../server/domain/accounts/departments.js";
import { seedShippedForms } from "../../server/forms/index.js";
import { openTestDatabase, testDatabaseUrl } from "./testDatabase.js";

export interface TestApp {
  app: ReturnType<typeof createApp>;
  db: Database;
  config: Config;
  clock: ManualClock;
}

let current: TestApp | undefined;

// One audit key for every process of the run (nodes and CLIs the tests spawn inherit the environment), as every
// node of a deployment must share one, and for every run (a MariaDB test database outlives a run); each test config
// still gets its own data directory, node id and checkpoint file.
process.env.AUDIT_KEY ||= "test-audit-key-not-for-production-0123456789";

/** A configuration for tests: quiet logs, a temporary data directory, the test database. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "xinyong-data-"));
  return loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    DATABASE_URL: testDatabaseUrl(),
    SESSION_SECRET: "test-secret-not-for-production",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    JOB_WORKER: "0",
    AUDIT_KEY: process.env.AUDIT_KEY,
    ...overrides,
  });
}

export async function buildTestApp(): Promise<TestApp> {
  const config = testConfig();
  configureAudit(config);
  const db = await openTestDatabase(config.databaseUrl);
  await db.transaction((t) => ensureCountyDepartments(t));
  // The shipped forms exist in every deployment (boot seeds them): processes/commitment.bpmn names two of them.
  await seedShippedForms(db);
  const clock = new ManualClock();
  const app = createApp({ config, db, logger: createLogger(config.logLevel), clock });
  current = { app, db, config, clock };
  return current;
}

/** The app and database shared by this test run (built by the root hook). */
export function testApp(): TestApp {
  if (!current) throw new Error("the test app is built by test/helpers/rootHooks.ts");
  return current;
}

export async function closeTestApp(): Promise<void> {
  await current?.db.close();
  current = undefined;
}
