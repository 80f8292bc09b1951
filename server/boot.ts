import type { Config } from "./config.js";
import { openDatabase, type Database } from "./db/database.js";
import { migrateUp } from "./db/migrator.js";
import { initModels } from "./db/models/index.js";
import { ensureCountyDepartments } from "./domain/accounts/departments.js";
import { seedDemoData } from "./domain/accounts/demoSeed.js";
import type { Logger } from "./logger.js";

export interface Booted {
  db: Database;
  migrated: string[];
  seededDemo: boolean;
}

/** Opens the database, applies pending migrations and ensures reference data (and demo data where asked). */
export async function bootDatabase(config: Config, logger: Logger): Promise<Booted> {
  const db = await openDatabase(config.databaseUrl);
  initModels(db.sequelize);
  const migrated = await migrateUp(db);
  if (migrated.length) logger.info({ migrated }, "migrations applied");
  await db.transaction((t) => ensureCountyDepartments(t));
  const seed = config.demoSeed === "auto" ? db.dialect === "sqlite" : config.demoSeed;
  const seededDemo = seed ? await seedDemoData(db) : false;
  return { db, migrated, seededDemo };
}
