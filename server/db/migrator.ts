import path from "node:path";
import { fileURLToPath } from "node:url";
import type { QueryInterface } from "sequelize";
import { SequelizeStorage, Umzug } from "umzug";
import type { Database } from "./database.js";

export type Migration = (params: { context: QueryInterface }) => Promise<void>;

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations");

/** Builds the umzug migrator over migrations/ (TypeScript files, each with up and down). */
export function createMigrator(db: Database): Umzug<QueryInterface> {
  return new Umzug({
    migrations: {
      // TypeScript under tsx, JavaScript in the tsc build (dist/migrations): one name either way.
      glob: [import.meta.url.endsWith(".js") ? "*.js" : "*.ts", { cwd: MIGRATIONS_DIR, ignore: ["*.d.ts"] }],
      resolve: ({ name, path: file }) => {
        const load = () => import(file!) as Promise<{ up: Migration; down: Migration }>;
        return {
          name: name.replace(/\.[jt]s$/, ""),
          up: async (params) => (await load()).up(params),
          down: async (params) => (await load()).down(params),
        };
      },
    },
    context: db.sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: "schema_migrations" }),
    logger: undefined,
  });
}

/** Applies every pending migration; the app calls this on boot. */
export async function migrateUp(db: Database): Promise<string[]> {
  const done = await createMigrator(db).up();
  return done.map((m) => m.name);
}
