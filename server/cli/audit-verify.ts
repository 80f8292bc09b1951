// npm run audit:verify — walks the audit chain and names the first broken entry; exit 1 when broken.
import { loadConfig } from "../config.js";
import { openDatabase } from "../db/database.js";
import { initModels } from "../db/models/index.js";
import { verifyAuditChain } from "../domain/audit.js";
import { verdictText } from "../presenters/audit.js";

async function main(): Promise<number> {
  const config = loadConfig();
  const db = await openDatabase(config.databaseUrl);
  try {
    initModels(db.sequelize);
    const verdict = await verifyAuditChain(db);
    (verdict.ok ? process.stdout : process.stderr).write(`${verdictText(verdict)}\n`);
    return verdict.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`审计链校验失败：${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
