import { createApp } from "./app.js";
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import { openDatabase, type Database } from "./db/database.js";
import { migrateUp } from "./db/migrator.js";
import { initModels } from "./db/models/index.js";
import { ensureCountyDepartments } from "./domain/accounts/departments.js";
import { seedDemoData } from "./domain/accounts/demoSeed.js";
import { configureAudit } from "./domain/audit.js";
import { seedShippedForms } from "./forms/index.js";
import type { Logger } from "./logger.js";
import type { AppContext } from "./context.js";
import { bootShippedCatalog } from "./domain/catalog/seedCatalog.js";

export interface Booted {
  db: Database;
  migrated: string[];
  /** Demo accounts are wanted on this database (always on embedded SQLite, on MySQL only with DEMO_SEED=1). */
  demoEnabled: boolean;
  seededDemo: boolean;
}

/** Opens the database, applies pending migrations and ensures reference data (and demo data where asked). */
export async function bootDatabase(config: Config, logger: Logger): Promise<Booted> {
  configureAudit(config); // seeding audits: the key and node come from this configuration, never from ./data
  const db = await openDatabase(config.databaseUrl);
  initModels(db.sequelize);
  const migrated = await migrateUp(db);
  if (migrated.length) logger.info({ migrated }, "migrations applied");
  await db.transaction((t) => ensureCountyDepartments(t));
  const seededForms = await seedShippedForms(db);
  if (seededForms.length) logger.info({ forms: seededForms }, "shipped forms seeded");
  const demoEnabled = config.demoSeed === "auto" ? db.dialect === "sqlite" : config.demoSeed;
  const seededDemo = demoEnabled ? await seedDemoData(db) : false;
  return { db, migrated, demoEnabled, seededDemo };
}

/** After createApp (it needs the engine): deploys the shipped processes that changed and publishes the shipped catalog items once. */
export async function bootCommitments(ctx: AppContext): Promise<void> {
  const { deployed, seeded } = await bootShippedCatalog({ db: ctx.db, engine: ctx.engine, clock: ctx.clock });
  if (seeded.length) ctx.logger.info({ items: seeded, processDefinitionId: deployed }, "shipped catalog items published");
}

/** Everything `npm start` does before listening: database, migrations, reference and demo data, the app, shipped processes and items. */
export async function bootPlatform(config: Config, logger: Logger, clock?: Clock): Promise<Booted & { app: ReturnType<typeof createApp> }> {
  const booted = await bootDatabase(config, logger);
  const app = createApp({ config, db: booted.db, logger, clock });
  await bootCommitments(app.locals.context);
  return { ...booted, app };
}
