// npm run migrate (up), npm run migrate:down (one step down), and `up-down-up` for CI: all the way
// down to 0 and back up, proving every migration's down works on this database.
import { loadConfig } from "../config.js";
import { openDatabase } from "../db/database.js";
import { createMigrator } from "../db/migrator.js";

type Mode = "up" | "down" | "up-down-up" | "status";

async function main(mode: Mode): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config.databaseUrl);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const migrator = createMigrator(db);
    const up = async () => {
      const done = await migrator.up();
      say(done.length ? `已执行 ${done.length} 个迁移：${done.map((m) => m.name).join("，")}` : "数据库已是最新，无需迁移");
    };
    switch (mode) {
      case "up":
        await up();
        break;
      case "down": {
        const done = await migrator.down();
        say(done.length ? `已回退迁移：${done.map((m) => m.name).join("，")}` : "没有可回退的迁移");
        break;
      }
      case "up-down-up": {
        await up();
        const down = await migrator.down({ to: 0 });
        say(`已回退全部 ${down.length} 个迁移`);
        await up();
        break;
      }
      case "status": {
        const [executed, pending] = await Promise.all([migrator.executed(), migrator.pending()]);
        say(
          `已执行 ${executed.length} 个，待执行 ${pending.length} 个${pending.length ? `：${pending.map((m) => m.name).join("，")}` : ""}`,
        );
        break;
      }
    }
  } finally {
    await db.close();
  }
}

const mode = (process.argv[2] ?? "up") as Mode;
if (!["up", "down", "up-down-up", "status"].includes(mode)) {
  process.stderr.write(`用法：tsx server/cli/migrate.ts [up|down|up-down-up|status]（收到“${mode}”）\n`);
  process.exit(2);
}
main(mode).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`迁移失败：${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
