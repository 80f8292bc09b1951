// npm run audit:verify [-- --checkpoints FILE ...] — verifies every audit chain (keyed hashes, links, heads) against
// the signed checkpoints in the checkpoint directory (and in any FILE: another node's checkpoint file or an
// application log), names the first broken entry and every checkpoint problem; exit 0 intact, 1 broken, 2 could not run.
// It only reads: checkpoints are written by the running server (on a timer and on shutdown).
import { loadConfig } from "../config.js";
import { openDatabase } from "../db/database.js";
import { initModels } from "../db/models/index.js";
import { configureAudit, verifyAuditChain } from "../domain/audit.js";
import { verdictText } from "../presenters/audit.js";

function checkpointArgs(args: string[]): string[] {
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--checkpoints" && args[i + 1]) files.push(args[++i]!);
    else if (arg.startsWith("--checkpoints=")) files.push(arg.slice("--checkpoints=".length));
    else throw new Error(`无法识别的参数“${arg}”（用法：npm run audit:verify -- [--checkpoints 文件 ...]）`);
  }
  return files;
}

async function main(): Promise<number> {
  const extraCheckpointFiles = checkpointArgs(process.argv.slice(2));
  const config = loadConfig();
  const settings = configureAudit(config);
  const db = await openDatabase(config.databaseUrl);
  try {
    initModels(db.sequelize);
    const verdict = await verifyAuditChain(db, { settings, extraCheckpointFiles });
    const out = verdict.ok ? process.stdout : process.stderr;
    const headline = verdict.ok || verdict.firstBroken ? verdictText(verdict) : `审计链已损坏：${verdict.problems[0]}。`;
    const lines = [headline];
    for (const b of verdict.broken.slice(1)) lines.push(`另一条链的第一条异常记录 #${b.id}：${b.reason}`);
    for (const p of verdict.firstBroken ? verdict.problems : verdict.problems.slice(1)) lines.push(`检查点问题：${p}`);
    lines.push(...verdict.notes);
    out.write(`${lines.join("\n")}\n`);
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
