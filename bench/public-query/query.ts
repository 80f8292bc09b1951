// The public credit query at scale: SUBJECTS credit subjects and RECORDS credit records (every status, about 60 %
// 公示中 within their dates), loaded with multi-row INSERTs. The real app listens on a port and is asked over HTTP
// (GET /api/public/subjects/:uscc and GET /api/public/subjects?name=), beside, in the same run:
//   - the raw SQL of the same queries, in process (what the database alone costs);
//   - a bare node:http server that runs that raw SQL and writes its JSON (what HTTP alone adds): the baseline the
//     ratios are taken against.
// Prints p50 / p99 of sequential requests and requests per second at CONCURRENCY clients, with the ratios.
// Run: npx tsx bench/public-query/query.ts [RECORDS] [SUBJECTS]   (SQLite in a temporary file; DATABASE_URL=mysql://…
// for MariaDB/MySQL, an empty database of its own: a second run reuses the rows already loaded).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { QueryTypes } from "sequelize";
import { createApp } from "../../server/app.js";
import { ManualClock } from "../../server/clock.js";
import { loadConfig } from "../../server/config.js";
import type { Database } from "../../server/db/database.js";
import { addDays } from "../../server/domain/calendar/days.js";
import { USCC_ALPHABET, usccCheckCharacter } from "../../server/domain/subjects/uscc.js";
import { createLogger } from "../../server/logger.js";
import { openBenchDatabase } from "../engine/common.js";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const RECORDS = Number(process.argv[2] ?? 1_000_000);
const SUBJECTS = Number(process.argv[3] ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const THROUGHPUT_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const TODAY = "2026-12-06";
/** Words names are built from: each of the 40 appears in 1/40 of the names in the second place. */
const WORDS =
  "华丰|宏达|鑫源|恒信|金桥|盛世|永安|新兴|东方|瑞祥|天成|广源|富民|兴业|长城|中原|嵩山|汜水|索河|豫龙|高山|崔庙|王村|广武|乔楼|刘河|贾峪|城关|京城|康泰|惠民|同心|和顺|万通|聚丰|博远|锦程|安泰|润泽|宝利".split(
    "|",
  );
const TRADES = ["食品", "建筑工程", "商贸", "农业科技", "物流", "餐饮管理", "机械制造", "环保科技"];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

/** A valid USCC for serial n (91 + 410182 + 9 characters of n in the USCC alphabet + check character). */
function usccOf(n: number): string {
  let body = "";
  let v = n;
  for (let i = 0; i < 9; i++) {
    body = USCC_ALPHABET[v % 31]! + body;
    v = Math.floor(v / 31);
  }
  const first17 = `91410182${body}`;
  return first17 + usccCheckCharacter(first17);
}
const nameOf = (n: number) =>
  `荥阳市${WORDS[n % WORDS.length]}${WORDS[Math.floor(n / WORDS.length) % WORDS.length]}${TRADES[n % TRADES.length]}${n}有限公司`;

async function count(db: Database, table: string): Promise<number> {
  const [row] = await db.sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`, { type: QueryTypes.SELECT });
  return Number(row?.n ?? 0);
}

const ph = (n: number) => `(${Array.from({ length: n }, () => "?").join(",")})`;

async function seed(db: Database): Promise<{ subjects: number; records: number }> {
  const now = new Date();
  const haveSubjects = await count(db, "credit_subjects");
  let addedSubjects = 0;
  for (let start = haveSubjects; start < SUBJECTS; start += 2000) {
    const size = Math.min(2000, SUBJECTS - start);
    const rows: unknown[] = [];
    for (let j = 0; j < size; j++) {
      const n = start + j;
      rows.push([usccOf(n), nameOf(n), "法人及非法人组织", "410182", false, now, now]);
    }
    await db.sequelize.query(
      `INSERT INTO credit_subjects (code, name, subject_type, division_code, legacy_pilot, created_at, updated_at) VALUES ${rows.map(() => ph(7)).join(",")}`,
      { replacements: rows.flat() },
    );
    addedSubjects += size;
  }
  const [first] = await db.sequelize.query<{ id: number }>("SELECT MIN(id) AS id FROM credit_subjects", { type: QueryTypes.SELECT });
  const firstId = Number(first!.id);
  const haveRecords = await count(db, "credit_records");
  let addedRecords = 0;
  const batch = 1000;
  for (let start = haveRecords; start < RECORDS; start += batch) {
    const size = Math.min(batch, RECORDS - start);
    const rows: unknown[] = [];
    for (let j = 0; j < size; j++) {
      const k = start + j;
      const subjectId = firstId + (k % SUBJECTS);
      const kind = (k + Math.floor(k / SUBJECTS)) % 10; // 0-5 公示中, 6-7 已届满, 8 已修复, 9 不予公示 (each subject gets a mix)
      const decided = addDays(TODAY, -(kind < 6 ? 30 + (k % 300) : 400 + (k % 600)));
      const status = kind < 6 ? "公示中" : kind < 8 ? "已届满" : kind === 8 ? "已修复（终止公示）" : "不予公示";
      const published = status !== "不予公示";
      rows.push([
        subjectId,
        "行政处罚",
        kind % 3 === 0 ? "严重" : "一般",
        `罚款：罚款人民币${(k % 90) + 1}千元（基准记录 ${k}）`,
        published,
        decided,
        published ? addDays(decided, 1) : null,
        published ? addDays(decided, 365) : null,
        "荥阳市市场监督管理局",
        status === "已修复（终止公示）",
        "bench",
        status,
        1,
        `荥市监罚〔2026〕B${k}号`,
        JSON.stringify({ violationType: "违反食品安全法", basis: "《中华人民共和国食品安全法》第一百二十六条", fineAmount: "0.5" }),
        published ? addDays(decided, 92) : null,
        now,
        now,
      ]);
    }
    await db.sequelize.query(
      `INSERT INTO credit_records (subject_id, record_type, severity, title, is_public, decided_on, publicity_from, publicity_until, source_unit, repaired, created_by, status, department_id, decision_number, detail, min_until, created_at, updated_at) VALUES ${rows.map(() => ph(18)).join(",")}`,
      { replacements: rows.flat() },
    );
    addedRecords += size;
    if (addedRecords % 100_000 === 0) process.stdout.write(`  … ${start + size} records\n`);
  }
  if (db.dialect === "mysql") for (const table of ["credit_subjects", "credit_records"]) await db.sequelize.query(`ANALYZE TABLE ${table}`);
  else await db.sequelize.query("ANALYZE");
  return { subjects: addedSubjects, records: addedRecords };
}

/** The profile by USCC as the app asks for it, written by hand: the subject, then its public records, commitments and repair commitments. */
async function rawProfile(db: Database, code: string) {
  const [subject] = await db.sequelize.query<{ id: number; code: string; name: string; subject_type: string; legacy_pilot: number }>(
    "SELECT id, code, name, subject_type, legacy_pilot FROM credit_subjects WHERE code = ?",
    { replacements: [code], type: QueryTypes.SELECT },
  );
  if (!subject) return null;
  const [records, commitments, repairs] = await Promise.all([
    db.sequelize.query(
      "SELECT * FROM credit_records WHERE subject_id = ? AND status = '公示中' AND is_public = ? AND repaired = ? AND publicity_from <= ? AND (publicity_until IS NULL OR publicity_until >= ?) ORDER BY decided_on DESC, id DESC",
      { replacements: [subject.id, true, false, TODAY, TODAY], type: QueryTypes.SELECT },
    ),
    db.sequelize.query(
      "SELECT code, commitment_type, reason, made_on, valid_until, accepting_unit, fulfilment_status FROM commitments WHERE subject_id = ? AND public_type = '可向社会公开' AND status IN ('监管中', '监管完成') ORDER BY made_on DESC, id DESC",
      { replacements: [subject.id], type: QueryTypes.SELECT },
    ),
    db.sequelize.query(
      "SELECT number, content, issued_on FROM credit_documents WHERE subject_id = ? AND kind = 'repair_commitment' ORDER BY id DESC LIMIT 100",
      { replacements: [subject.id], type: QueryTypes.SELECT },
    ),
  ]);
  return { subject, records, commitments, repairs };
}

/** The name search as the app asks for it, written by hand. */
function rawByName(db: Database, word: string) {
  return db.sequelize.query(
    "SELECT code, name, subject_type, legacy_pilot FROM credit_subjects WHERE name LIKE ? AND subject_type <> '自然人' ORDER BY name ASC LIMIT 20",
    { replacements: [`%${word}%`], type: QueryTypes.SELECT },
  );
}

/** A bare HTTP server around the raw SQL: what a request costs without the app's middleware, validation and presenters. */
function bareServer(db: Database): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const code = /^\/api\/public\/subjects\/([0-9A-Z]{18})$/.exec(url.pathname)?.[1];
    const work = code ? rawProfile(db, code) : rawByName(db, url.searchParams.get("name") ?? "");
    work.then(
      (data) => {
        res.writeHead(data ? 200 : 404, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ data }));
      },
      (err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      },
    );
  });
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      })
      .on("error", reject);
  });
}

async function latency(label: string, run: (k: number) => Promise<unknown>): Promise<number[]> {
  for (let k = 0; k < 20; k++) await run(k);
  const times: number[] = [];
  for (let k = 0; k < RUNS; k++) {
    const s = performance.now();
    await run(k);
    times.push(performance.now() - s);
  }
  console.log(`  ${label.padEnd(52)} p50 ${String(r2(pct(times, 50))).padStart(7)} ms   p99 ${String(r2(pct(times, 99))).padStart(7)} ms`);
  return times;
}

async function throughput(label: string, run: (k: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const s = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < THROUGHPUT_REQUESTS) await run(next++);
    }),
  );
  const rps = THROUGHPUT_REQUESTS / ((performance.now() - s) / 1000);
  console.log(`  ${label.padEnd(52)} ${String(Math.round(rps)).padStart(7)} requests/s (${CONCURRENCY} concurrent)`);
  return rps;
}

async function main() {
  const { db, url } = await openBenchDatabase(process.env.DATABASE_URL);
  const t0 = performance.now();
  const added = await seed(db);
  console.log(`${db.dialect} (${url.replace(/\/\/[^@]*@/, "//")}): ${SUBJECTS} subjects, ${RECORDS} records`);
  console.log(`  loaded ${added.subjects} subjects and ${added.records} records in ${r2((performance.now() - t0) / 1000)} s`);
  const config = loadConfig({
    NODE_ENV: "production",
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "xy-bench-data-")),
    DATABASE_URL: url,
    SESSION_SECRET: "bench-secret-not-for-production-0123456789",
    LOG_LEVEL: "silent",
    JOB_WORKER: "0",
    PUBLIC_QUERY_RATE_LIMIT: "100000000",
    AUDIT_KEY: process.env.AUDIT_KEY ?? "bench-audit-key-not-for-production-0123456789",
  });
  const clock = new ManualClock(new Date(`${TODAY}T04:00:00Z`));
  const app = createApp({ config, db, logger: createLogger("silent"), clock });
  const appServer = http.createServer(app);
  const appUrl = await listen(appServer);
  const bare = bareServer(db);
  const bareUrl = await listen(bare);

  const code = (k: number) => usccOf((k * 7919) % SUBJECTS);
  const word = (k: number) => WORDS[k % WORDS.length]!;
  const check = await get(`${appUrl}/api/public/subjects/${code(1)}`);
  if (check !== 200) throw new Error(`the app answered ${check} for a known USCC`);
  const sample = await rawProfile(db, code(1));
  console.log(`  a subject has ${(sample?.records as unknown[]).length} public records (of ${RECORDS / SUBJECTS} on average)`);

  // Every contender asks for the same subjects: read them all once first, so that none runs on pages another warmed.
  const warm = Math.max(RUNS + 20, THROUGHPUT_REQUESTS);
  const w0 = performance.now();
  for (let k = 0; k < warm; k++) await rawProfile(db, code(k));
  for (const w of WORDS) await rawByName(db, w);
  console.log(`  warm-up: ${warm} subjects read once in ${r2((performance.now() - w0) / 1000)} s`);

  console.log("by USCC");
  const appCode = await latency("app over HTTP  GET /api/public/subjects/:uscc", (k) => get(`${appUrl}/api/public/subjects/${code(k)}`));
  const bareCode = await latency("bare HTTP + raw SQL", (k) => get(`${bareUrl}/api/public/subjects/${code(k)}`));
  const rawCode = await latency("raw SQL in process", (k) => rawProfile(db, code(k)));
  const appCodeRps = await throughput("app over HTTP", (k) => get(`${appUrl}/api/public/subjects/${code(k)}`));
  const bareCodeRps = await throughput("bare HTTP + raw SQL", (k) => get(`${bareUrl}/api/public/subjects/${code(k)}`));
  const rawCodeRps = await throughput("raw SQL in process", (k) => rawProfile(db, code(k)));

  console.log("by name (a word in 1/40 of the names, first 20 by name)");
  const q = (k: number) => encodeURIComponent(word(k));
  const appName = await latency("app over HTTP  GET /api/public/subjects?name=", (k) => get(`${appUrl}/api/public/subjects?name=${q(k)}`));
  const bareName = await latency("bare HTTP + raw SQL", (k) => get(`${bareUrl}/api/public/subjects?name=${q(k)}`));
  const rawName = await latency("raw SQL in process", (k) => rawByName(db, word(k)));
  const appNameRps = await throughput("app over HTTP", (k) => get(`${appUrl}/api/public/subjects?name=${q(k)}`));
  const bareNameRps = await throughput("bare HTTP + raw SQL", (k) => get(`${bareUrl}/api/public/subjects?name=${q(k)}`));
  const rawNameRps = await throughput("raw SQL in process", (k) => rawByName(db, word(k)));

  const ratio = (a: number[], b: number[], p: number) => r2(pct(a, p) / pct(b, p));
  console.log("ratios (app / baseline)");
  console.log(
    `  USCC: p99 app/bare ${ratio(appCode, bareCode, 99)}  app/raw ${ratio(appCode, rawCode, 99)}   throughput app/bare ${r2(appCodeRps / bareCodeRps)}  app/raw ${r2(appCodeRps / rawCodeRps)}`,
  );
  console.log(
    `  name: p99 app/bare ${ratio(appName, bareName, 99)}  app/raw ${ratio(appName, rawName, 99)}   throughput app/bare ${r2(appNameRps / bareNameRps)}  app/raw ${r2(appNameRps / rawNameRps)}`,
  );
  agent.destroy();
  await new Promise((resolve) => appServer.close(resolve));
  await new Promise((resolve) => bare.close(resolve));
  await db.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
