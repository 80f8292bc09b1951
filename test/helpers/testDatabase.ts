import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Database } from "../../server/db/database.js";
import { migrateUp } from "../../server/db/migrator.js";
import { initModels } from "../../server/db/models/index.js";

let tempDir: string | undefined;

/** The database URL of this test run: DATABASE_URL when set (MariaDB in CI), else a fresh SQLite file. */
export function testDatabaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  tempDir ??= mkdtempSync(path.join(os.tmpdir(), "xinyong-test-"));
  return `sqlite:${path.join(tempDir, "test.sqlite")}`;
}

/** Opens the test database with every model bound and every migration applied. */
export async function openTestDatabase(url = testDatabaseUrl()): Promise<Database> {
  const db = await openDatabase(url);
  initModels(db.sequelize);
  await migrateUp(db);
  return db;
}

export function removeTempDatabases(): void {
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
}
