// npm run draw:verify -- FILE | --draw ID — repeats a 双随机 draw from its seed and frozen candidate list and says
// whether it matches the recorded result. FILE is the draw's 复核数据 (the JSON the draw page downloads: seed,
// candidates, inputs, result); --draw reads the draw from the database named by DATABASE_URL. Prints the recomputed
// result; exit 0 when hash and result match, 1 when they do not, 2 when it could not run.
import { readFileSync } from "node:fs";
import { loadConfig } from "../config.js";
import { openDatabase } from "../db/database.js";
import { initModels } from "../db/models/index.js";
import { SupervisionDraw } from "../db/models/supervisionModels.js";
import { candidatesHash, runDraw, type Candidate, type DrawInputs, type DrawOutcome } from "../domain/supervision/drawAlgorithm.js";

interface VerificationFile {
  seed: string;
  candidatesHash?: string;
  candidates: Candidate[];
  inputs: DrawInputs;
  result?: Pick<DrawOutcome, "perClass" | "targets">;
}

const USAGE = "用法：npm run draw:verify -- <复核数据.json> 或 npm run draw:verify -- --draw <抽取编号>（需设置 DATABASE_URL）";

async function load(args: string[]): Promise<{ label: string; file: VerificationFile }> {
  if (args[0] === "--draw" || args[0]?.startsWith("--draw=")) {
    const raw = args[0] === "--draw" ? args[1] : args[0].slice("--draw=".length);
    const id = Number(raw);
    if (!Number.isInteger(id) || id < 1) throw new Error(`抽取编号应为正整数。${USAGE}`);
    const db = await openDatabase(loadConfig().databaseUrl);
    try {
      initModels(db.sequelize);
      const draw = await SupervisionDraw.findByPk(id);
      if (!draw) throw new Error(`数据库中没有抽取 #${id}`);
      const record = JSON.parse(draw.resultJson) as DrawOutcome & { inputs: DrawInputs };
      return {
        label: `抽取 #${id}`,
        file: {
          seed: draw.seed,
          candidatesHash: draw.candidatesHash,
          candidates: JSON.parse(draw.candidatesJson) as Candidate[],
          inputs: record.inputs,
          result: { perClass: record.perClass, targets: record.targets },
        },
      };
    } finally {
      await db.close();
    }
  }
  if (args.length !== 1) throw new Error(USAGE);
  const parsed = JSON.parse(readFileSync(args[0]!, "utf8")) as VerificationFile;
  if (typeof parsed.seed !== "string" || !Array.isArray(parsed.candidates) || !parsed.inputs)
    throw new Error("复核数据应包含 seed、candidates 和 inputs");
  return { label: args[0]!, file: parsed };
}

function main(): Promise<number> {
  return load(process.argv.slice(2)).then(({ label, file }) => {
    const hash = candidatesHash(file.candidates);
    const outcome = runDraw(file.seed, file.candidates, file.inputs);
    const lines = [`复核：${label}`, `种子：${file.seed}`, `候选名单：${file.candidates.length} 个，SHA-256 ${hash}`];
    for (const [g, c] of Object.entries(outcome.perClass)) lines.push(`  ${g} 类：候选 ${c.candidates}，抽取 ${c.drawn}`);
    lines.push("抽取结果：");
    outcome.targets.forEach((x, i) =>
      lines.push(`  ${i + 1}. #${x.subjectId} ${x.code} ${x.grade} 类 检查人员 ${x.inspectors.join("、")}`),
    );
    let ok = true;
    if (file.candidatesHash !== undefined) {
      const same = file.candidatesHash === hash;
      ok &&= same;
      lines.push(same ? "候选名单哈希一致。" : `候选名单哈希不一致：记录为 ${file.candidatesHash}。`);
    }
    if (file.result) {
      const same =
        JSON.stringify(file.result.targets) === JSON.stringify(outcome.targets) &&
        JSON.stringify(file.result.perClass) === JSON.stringify(outcome.perClass);
      ok &&= same;
      lines.push(same ? "复算结果与记录的抽取结果一致。" : "复算结果与记录的抽取结果不一致！");
    } else lines.push("（文件未包含记录的结果，仅输出复算结果。）");
    (ok ? process.stdout : process.stderr).write(`${lines.join("\n")}\n`);
    return ok ? 0 : 1;
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`抽取复核失败：${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
