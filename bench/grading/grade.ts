// Grading 200,000 subjects under the example model, beside a plain SQL aggregate that computes the same sums in the
// same run (and a check that both give every subject the same score).
// Run: node --expose-gc --import tsx bench/grading/grade.ts [subjects]   (DATABASE_URL picks the database; default SQLite)
import { QueryTypes } from "sequelize";
import { loadConfig } from "../../server/config.js";
import { configureAudit } from "../../server/domain/audit.js";
import { addDays, chinaDay } from "../../server/domain/calendar/days.js";
import { ageWindow, prepare } from "../../server/domain/grading/evaluate.js";
import { listModels, modelOn, type CommitmentParams, type ModelDef, type RecordParams } from "../../server/domain/grading/model.js";
import { allSubjectIds, evaluateSubjects, runGradingTick, runNightlyGrading } from "../../server/domain/grading/recompute.js";
import { mb, openBenchDatabase } from "../engine/common.js";

const N = Number(process.argv[2] ?? 200_000);
const DAY = chinaDay(new Date());
const r2 = (n: number) => Math.round(n * 100) / 100;

/** A small deterministic PRNG (mulberry32) so every run has the same data. */
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Peak RSS / heap while fn runs (sampled every 20 ms), and its time. */
async function measure<T>(label: string, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  globalThis.gc?.();
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  const end = process.memoryUsage();
  peakRss = Math.max(peakRss, end.rss);
  peakHeap = Math.max(peakHeap, end.heapUsed);
  console.log(
    `${label}: ${Math.round(ms)} ms; peak RSS ${mb(peakRss)} MB (+${mb(peakRss - start.rss)}), peak heap ${mb(peakHeap)} MB (+${mb(peakHeap - start.heapUsed)})`,
  );
  return { ms, value };
}

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
const list = (xs: string[]) => xs.map(q).join(", ");

/** The same sums as evaluate(), as one SQL statement generated from the model: conditional counts, caps, breach join. */
function baselineSql(model: ModelDef, day: string): string {
  const recordCols: string[] = [];
  const commitmentCols: string[] = [];
  const terms: string[] = [];
  prepare(model, day).forEach((p, i) => {
    const w = ageWindow(p.def.params, day);
    const col = `i${i}`;
    const pts = p.def.points;
    const capped =
      p.def.cap === null
        ? `${col} * ${pts}`
        : `CASE WHEN ABS(${col} * ${pts}) > ${p.def.cap} THEN ${Math.sign(pts) * p.def.cap} ELSE ${col} * ${pts} END`;
    terms.push(`COALESCE(${capped}, 0)`);
    if (p.def.kind === "record") {
      const r = p.def.params as RecordParams;
      const cond = [
        `r.record_type IN (${list(r.recordTypes)})`,
        `r.status IN (${list(r.statuses)})`,
        r.severities ? `r.severity IN (${list(r.severities)})` : "1 = 1",
        w.after ? `r.decided_on > ${q(w.after)}` : "1 = 1",
        `r.decided_on <= ${q(w.through)}`,
      ].join(" AND ");
      recordCols.push(`SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END) AS ${col}`);
    } else {
      const c = p.def.params as CommitmentParams;
      const cond = [
        `c.fulfilment_status IN (${list(c.fulfilment)})`,
        w.after ? `COALESCE(c.fulfilment_date, c.made_on) > ${q(w.after)}` : "1 = 1",
        `COALESCE(c.fulfilment_date, c.made_on) <= ${q(w.through)}`,
        c.excludeRepaired ? `(b.status IS NULL OR b.status NOT IN ('已修复（终止公示）', '已屏蔽', '已撤销'))` : "1 = 1",
      ].join(" AND ");
      commitmentCols.push(`SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END) AS ${col}`);
    }
  });
  return `SELECT s.id AS id, ${model.baseScore} + ${terms.join(" + ")} AS score
    FROM credit_subjects s
    LEFT JOIN (SELECT r.subject_id, ${recordCols.join(", ")} FROM credit_records r GROUP BY r.subject_id) rr ON rr.subject_id = s.id
    LEFT JOIN (SELECT c.subject_id, ${commitmentCols.join(", ")} FROM commitments c
               LEFT JOIN credit_records b ON b.source_commitment_id = c.id GROUP BY c.subject_id) cc ON cc.subject_id = s.id`;
}

async function main() {
  const { db, url } = await openBenchDatabase(process.env.DATABASE_URL);
  configureAudit(
    loadConfig({ ...process.env, DATABASE_URL: url, AUDIT_KEY: process.env.AUDIT_KEY ?? "bench-audit-key-not-for-production-000000" }),
  );
  console.log(`database: ${db.dialect}; subjects: ${N}; day ${DAY}; node ${process.version}`);
  const rand = prng(20261206);
  const now = new Date();
  const tag = Date.now().toString(36);
  await db.sequelize
    .getQueryInterface()
    .bulkInsert("departments", [{ code: `b${tag}`, name: `压测部门${tag}`, uscc: null, created_at: now, updated_at: now }]);
  const [dept] = await db.sequelize.query<{ id: number }>(`SELECT id FROM departments WHERE code = 'b${tag}'`, { type: QueryTypes.SELECT });
  await db.sequelize
    .getQueryInterface()
    .bulkInsert("catalog_items", [
      { item_code: `bench-${tag}`, department_id: dept!.id, published_version_id: null, created_at: now, updated_at: now },
    ]);
  const [item] = await db.sequelize.query<{ id: number }>(`SELECT id FROM catalog_items WHERE item_code = 'bench-${tag}'`, {
    type: QueryTypes.SELECT,
  });
  await db.sequelize.getQueryInterface().bulkInsert("catalog_item_versions", [
    {
      item_id: item!.id,
      version: 1,
      status: "published",
      name: "压测事项",
      legal_basis: "压测",
      commitment_type: "审批替代型",
      notice_content: "压测",
      letter_template: "压测",
      form_key: "bench",
      form_revision: 1,
      process_key: "bench",
      verification_method: "现场核查",
      verification_days: 30,
      public_type: "可向社会公开",
      validity_months: 12,
      review_days: 5,
      created_at: now,
      updated_at: now,
    },
  ]);
  const [version] = await db.sequelize.query<{ id: number }>(`SELECT id FROM catalog_item_versions WHERE item_id = ${Number(item!.id)}`, {
    type: QueryTypes.SELECT,
  });

  const t0 = performance.now();
  const qi = db.sequelize.getQueryInterface();
  let records = 0;
  let commitments = 0;
  const BATCH = 2000;
  const firstId = Number(
    (await db.sequelize.query<{ m: number | null }>("SELECT MAX(id) AS m FROM credit_subjects", { type: QueryTypes.SELECT }))[0]?.m ?? 0,
  );
  for (let start = 0; start < N; start += BATCH) {
    const subjects = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++)
      subjects.push({
        code: `9B${tag.slice(-4).padStart(4, "0")}${String(i).padStart(12, "0")}`.slice(0, 18),
        name: `压测企业${i}`,
        subject_type: "法人及非法人组织",
        division_code: "410182",
        legacy_pilot: false,
        created_at: now,
        updated_at: now,
      });
    await qi.bulkInsert("credit_subjects", subjects);
    const recordRows = [];
    const commitmentRows = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      const subjectId = firstId + i + 1;
      const x = rand();
      const n = x < 0.3 ? 1 : x < 0.4 ? 2 + Math.floor(rand() * 2) : 0;
      for (let k = 0; k < n; k++) {
        const y = rand();
        const type = y < 0.8 ? "行政处罚" : y < 0.95 ? "经营异常名录" : "严重失信主体名单";
        const severity = type === "行政处罚" ? (["轻微", "一般", "一般", "严重"] as const)[Math.floor(rand() * 4)]! : null;
        const z = rand();
        const status = z < 0.7 ? "公示中" : z < 0.85 ? "已修复（终止公示）" : "已届满";
        const decided = addDays(DAY, -Math.floor(rand() * 1500));
        recordRows.push({
          subject_id: subjectId,
          record_type: type,
          severity,
          title: "压测记录",
          is_public: true,
          decided_on: decided,
          publicity_from: decided,
          status,
          repaired: status.startsWith("已修复"),
          decision_number: `B${tag}-${i}-${k}`,
          created_at: now,
          updated_at: now,
        });
        records++;
      }
      if (rand() < 0.2) {
        const f = rand();
        const fulfilment = f < 0.6 ? "全部履行" : f < 0.75 ? "部分履行" : f < 0.85 ? "全部未履行" : null;
        const made = addDays(DAY, -Math.floor(rand() * 1200));
        commitments++;
        commitmentRows.push({
          code: `41018${String(commitments).padStart(15, "0")}`.slice(0, 20),
          item_id: item!.id,
          item_version_id: version!.id,
          department_id: dept!.id,
          subject_id: subjectId,
          subject_name: `压测企业${i}`,
          subject_type: "法人及非法人组织",
          subject_code: subjects[i - start]!.code,
          commitment_type: "审批替代型",
          reason: "压测",
          data: "{}",
          form_key: "bench",
          form_revision: 1,
          revision: 1,
          letter_html: "<p></p>",
          signer_name: "压测",
          agreed_at: now,
          status: fulfilment ? "监管完成" : "监管中",
          fulfilment_status: fulfilment,
          fulfilment_date: fulfilment ? (addDays(made, 20) > DAY ? DAY : addDays(made, 20)) : null,
          public_type: "可向社会公开",
          made_on: made,
          accepting_unit: "压测单位",
          created_at: now,
          updated_at: now,
        });
      }
    }
    if (recordRows.length) await qi.bulkInsert("credit_records", recordRows);
    if (commitmentRows.length) await qi.bulkInsert("commitments", commitmentRows);
  }
  console.log(`seeded ${N} subjects, ${records} records, ${commitments} commitments in ${Math.round(performance.now() - t0)} ms`);

  const model = modelOn(await listModels(), DAY)!;
  const prepared = prepare(model, DAY);

  // 1. Scoring only (read inputs, evaluate), against the SQL aggregate: both read the same tables and return scores.
  const ours = await measure("ours: load inputs + evaluate (no writes)", async () => {
    const scores = new Map<number, number>();
    for await (const ids of allSubjectIds()) for (const [id, e] of await evaluateSubjects(ids, model, prepared)) scores.set(id, e.score);
    return scores;
  });
  const sql = baselineSql(model, DAY);
  const bare = await measure("baseline: one SQL aggregate (same sums)", async () => {
    const rows = await db.sequelize.query<{ id: number; score: number | string }>(sql, { type: QueryTypes.SELECT });
    return new Map(rows.map((r) => [Number(r.id), Number(r.score)]));
  });
  let mismatches = 0;
  for (const [id, score] of bare.value) if (Math.abs((ours.value.get(id) ?? NaN) - score) > 0.001) mismatches++;
  console.log(`same scores: ${bare.value.size - mismatches} of ${bare.value.size} subjects (mismatches ${mismatches})`);
  console.log(`ratio (ours / SQL aggregate): ${r2(ours.ms / bare.ms)}x`);

  // 2. The nightly full regrade as it runs: chunks of 2,000 subjects per transaction, grade rows written, an audit
  // entry per class change.
  const full = await measure("nightly full regrade (writes rows + audits class changes)", () =>
    runNightlyGrading(db, { day: DAY, at: new Date(), nodeId: "bench" }),
  );
  console.log(
    `  recomputed ${full.value.recomputed}, class changes audited ${full.value.changes.length}; ratio to SQL aggregate ${r2(full.ms / bare.ms)}x`,
  );
  const classes = await db.sequelize.query<{ grade: string; n: number }>(
    "SELECT grade, COUNT(*) AS n FROM subject_grades GROUP BY grade ORDER BY grade",
    { type: QueryTypes.SELECT },
  );
  console.log(`  classes: ${classes.map((c) => `${c.grade} ${c.n}`).join(", ")}`);

  // 3. A minute's tick after 1,000 records changed (repairs): only those subjects are regraded.
  await runGradingTick(db, { at: new Date(Date.now() - 120_000), nodeId: "bench", marginMs: 0, realNow: new Date(Date.now() + 60_000) });
  await db.sequelize.query(
    `UPDATE credit_records SET status = '已修复（终止公示）', repaired = ${db.dialect === "sqlite" ? 1 : "TRUE"}, updated_at = :later
     WHERE id IN (SELECT id FROM (SELECT id FROM credit_records WHERE status = '公示中' ORDER BY id LIMIT 1000) x)`,
    { replacements: { later: new Date(Date.now() + 5000) } },
  );
  const tick = await measure("minute tick after 1,000 records repaired", () =>
    runGradingTick(db, { at: new Date(), nodeId: "bench", marginMs: 0, realNow: new Date(Date.now() + 60_000) }),
  );
  console.log(
    `  candidates ${tick.value.candidates}, recomputed ${tick.value.recomputed.length}, class changes ${tick.value.changes.length}`,
  );
  await db.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
