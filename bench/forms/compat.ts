// Compatibility run: saves every form of the public corpus (bench/forms/corpus.ts) through the API's save path on a
// fresh SQLite database and prints accepted / refused (by reason) / 5xx, the standard-component share and the top
// refusal reasons. Run: npx tsx bench/forms/compat.ts [--list]   (--list also prints each form's outcome)
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../server/db/database.js";
import { migrateUp } from "../../server/db/migrator.js";
import { initModels } from "../../server/db/models/index.js";
import { loadCorpus, runCompat, summarize } from "./corpus.js";

const list = process.argv.includes("--list");
const dir = mkdtempSync(path.join(os.tmpdir(), "xy-compat-"));
const db = await openDatabase(`sqlite:${path.join(dir, "compat.sqlite")}`);
initModels(db.sequelize);
await migrateUp(db);

const corpus = loadCorpus();
const started = Date.now();
const results = await runCompat(db, corpus);
const summary = summarize(results);
const pct = (n: number, d: number) => `${d ? ((100 * n) / d).toFixed(1) : "0.0"}%`;

console.log(`Form.io compatibility run: ${summary.total} forms in ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const [source, s] of Object.entries(summary.bySource)) console.log(`  ${source}: ${s.accepted} / ${s.total} accepted`);
console.log(
  `accepted ${summary.accepted} (${pct(summary.accepted, summary.total)}), refused ${summary.refused}, 5xx ${summary.serverErrors}`,
);
console.log(
  `standard-component forms: ${summary.standard.accepted} / ${summary.standard.total} accepted (${pct(summary.standard.accepted, summary.standard.total)})`,
);
console.log(`empty submission on accepted forms: 5xx ${summary.emptySubmission5xx}`);
console.log("refusal reasons (forms):");
for (const [reason, count] of summary.reasons.slice(0, 25)) console.log(`  ${String(count).padStart(4)}  ${reason}`);
for (const r of results.filter((x) => x.outcome === "5xx" || x.emptySubmission === "5xx"))
  console.log(`5xx ${r.entry.source} ${r.entry.name}: ${r.error?.split("\n").slice(0, 3).join(" | ")}`);
if (list)
  for (const r of results)
    console.log(
      `${r.outcome.padEnd(8)} ${r.standard ? "std" : "   "} ${r.entry.source} ${r.entry.name}${r.reasons.length ? `: ${r.reasons.join("; ")}` : ""}`,
    );

await db.close();
rmSync(dir, { recursive: true, force: true });
