// The reviewer inbox over every process at scale: ROWS open user tasks spread over 5 process keys and the 8 department
// groups, each with its case (as the engine and the case recorder write them); a reviewer in 1 of the 8 groups.
// Prints p50/p99 of one page (no counts), of the page with the capped counts (the /tasks page), and of the raw SQL of
// the same page and counts in the same run, with the ratios.
// Run: npx tsx bench/inbox/inbox.ts [ROWS] (SQLite in a temporary file; DATABASE_URL=mysql://… for MariaDB/MySQL,
// an empty database of its own).
import { QueryTypes } from "sequelize";
import type { CurrentUser } from "../../server/auth/currentUser.js";
import type { Database } from "../../server/db/database.js";
import { COUNT_CAP, listInbox, type InboxFilter } from "../../server/domain/inbox/listInbox.js";
import { openBenchDatabase } from "../engine/common.js";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const GROUPS = ["fgw", "scjgj", "swj", "rsj", "zjj", "sthj", "sfj", "czj"];
const KEYS = ["commitment", "letter-reissue", "credit-repair", "objection", "inspection"];
const PAGE = 20;
const RUNS = 200;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

async function seed(db: Database): Promise<number> {
  const [row] = await db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM engine_tasks", { type: QueryTypes.SELECT });
  const existing = Number(row?.n ?? 0);
  const toAdd = Math.max(0, ROWS - existing);
  const ph = (n: number) => `(${Array.from({ length: n }, () => "?").join(",")})`;
  const now = Date.now();
  const batch = 1000;
  for (let start = existing; start < existing + toAdd; start += batch) {
    const size = Math.min(batch, existing + toAdd - start);
    const cases: unknown[] = [];
    const tasks: unknown[] = [];
    const cands: unknown[] = [];
    for (let j = 0; j < size; j++) {
      const k = start + j;
      const key = KEYS[k % KEYS.length]!;
      const group = GROUPS[Math.floor(k / KEYS.length) % GROUPS.length]!;
      const created = new Date(now - k * 1000);
      const due = new Date(now + ((k % 37) - 10) * 86_400_000); // 37 is prime to 5 and 8: deadlines, keys and groups do not line up
      const assignee = k % 7 === 0 ? "someone" : null;
      const code = `TY410182${String(20260101 + (k % 28)).padStart(8, "0")}${String(k).padStart(8, "0")}`;
      cases.push([
        `inst-${k}`,
        key === "commitment" ? "commitment" : "generic",
        key,
        1,
        `def-${key}`,
        code,
        "基准事项",
        "91410182MA0000000X",
        "基准企业",
        1,
        "办理中：审核",
        "审核",
        due,
        created,
        created,
      ]);
      tasks.push([
        `task-${k}`,
        `inst-${k}`,
        `def-${key}`,
        key,
        code,
        "review",
        `ex-${k}`,
        "审核",
        assignee,
        "bench-form",
        50,
        due,
        created,
      ]);
      cands.push([`task-${k}`, "group", group, key, assignee, due, created]);
    }
    await db.transaction(async (t) => {
      await db.sequelize.query(
        `INSERT INTO cases (instance_id, kind, process_key, process_version, definition_id, business_key, title, subject_code, subject_name, department_id, status, waiting_at, due_at, started_at, updated_at) VALUES ${cases.map(() => ph(15)).join(",")}`,
        { replacements: cases.flat(), transaction: t },
      );
      await db.sequelize.query(
        `INSERT INTO engine_tasks (id, instance_id, definition_id, definition_key, business_key, activity_id, execution_id, name, assignee, form_key, priority, due_at, created_at) VALUES ${tasks.map(() => ph(13)).join(",")}`,
        { replacements: tasks.flat(), transaction: t },
      );
      await db.sequelize.query(
        `INSERT INTO engine_task_candidates (task_id, kind, value, definition_key, assignee, due_at, created_at) VALUES ${cands.map(() => ph(7)).join(",")}`,
        { replacements: cands.flat(), transaction: t },
      );
    });
  }
  if (db.dialect === "mysql") {
    for (const table of ["cases", "engine_tasks", "engine_task_candidates"]) await db.sequelize.query(`ANALYZE TABLE ${table}`);
  } else {
    await db.sequelize.query("ANALYZE");
  }
  return toAdd;
}

/** The same page written by hand: the group's candidate rows by due date, the tasks and cases by primary key. */
function rawPage(db: Database, offset: number) {
  const join = db.dialect === "mysql" ? "STRAIGHT_JOIN" : "CROSS JOIN";
  return db.sequelize.query(
    `SELECT t.id, t.name, t.activity_id, t.assignee, t.created_at, t.due_at, t.definition_key, k.kind, k.business_key, k.title,
            k.subject_name, k.subject_code, k.status, d.name AS department_name
       FROM engine_task_candidates x ${join} engine_tasks t ON t.id = x.task_id ${join} cases k ON k.instance_id = t.instance_id
       LEFT JOIN departments d ON d.id = k.department_id
      WHERE x.kind = 'group' AND x.value = :group ORDER BY x.due_at, x.task_id LIMIT ${PAGE} OFFSET ${offset}`,
    { replacements: { group: "scjgj" }, type: QueryTypes.SELECT },
  );
}

/**
 * The tab counts written by hand, the same seven the page shows (total, all, mine, unassigned, overdue, near due, the
 * group's), each stopping at the cap as the page shows "1000+".
 */
async function rawCounts(db: Database, now: Date) {
  const cap = COUNT_CAP + 1;
  const soon = new Date(now.getTime() + 2 * 86_400_000);
  const r = { group: "scjgj", me: "bench-reviewer", now, soon };
  const candidates = (where: string) =>
    db.sequelize.query(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM engine_task_candidates x WHERE x.kind = 'group' AND x.value = :group ${where} LIMIT ${cap}) z`,
      { replacements: r, type: QueryTypes.SELECT },
    );
  const mine = db.sequelize.query(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM engine_tasks t WHERE t.assignee = :me LIMIT ${cap}) z`, {
    replacements: r,
    type: QueryTypes.SELECT,
  });
  await Promise.all([
    candidates(""),
    candidates(""),
    mine,
    candidates("AND x.assignee IS NULL"),
    candidates("AND x.due_at < :now"),
    candidates("AND x.due_at >= :now AND x.due_at <= :soon"),
    candidates(""),
  ]);
}

async function time(label: string, run: (k: number) => Promise<unknown>): Promise<number[]> {
  for (let k = 0; k < 5; k++) await run(k);
  const times: number[] = [];
  for (let k = 0; k < RUNS; k++) {
    const s = performance.now();
    await run(k);
    times.push(performance.now() - s);
  }
  console.log(`  ${label.padEnd(58)} p50 ${String(r2(pct(times, 50))).padStart(7)} ms   p99 ${String(r2(pct(times, 99))).padStart(7)} ms`);
  return times;
}

async function main() {
  const { db, url } = await openBenchDatabase(process.env.DATABASE_URL);
  const t0 = performance.now();
  const added = await seed(db);
  console.log(
    `${db.dialect} (${url.replace(/\/\/[^@]*@/, "//")}): ${ROWS} open tasks over ${KEYS.length} process keys and ${GROUPS.length} groups`,
  );
  console.log(
    `  loaded ${added} in ${r2((performance.now() - t0) / 1000)} s; a reviewer of 1 group (${ROWS / GROUPS.length} visible), ${RUNS} runs each, pages 1-5`,
  );
  const reviewer: CurrentUser = {
    id: 0,
    username: "bench-reviewer",
    displayName: "基准审核",
    roles: ["reviewer"],
    groups: ["scjgj"],
    departmentId: null,
    departmentName: null,
    subjectIds: [],
    isAdmin: false,
  };
  const page = (f: InboxFilter) => (k: number) => listInbox(db, reviewer, { pageSize: PAGE, ...f, page: 1 + (k % 5) }, new Date());
  const onlyPage = await time("inbox page, by due date, no counts", page({ withCounts: false }));
  const withCounts = await time("inbox page + capped counts (the /tasks page)", page({ withGroupCount: true }));
  await time("inbox page of one process key, no counts", page({ processKey: "letter-reissue", withCounts: false }));
  await time("inbox page, by creation (newest first), no counts", page({ sort: "created", order: "desc", withCounts: false }));
  const raw = await time("raw SQL of the same page", (k) => rawPage(db, (k % 5) * PAGE));
  const rawWithCounts = await time("raw SQL of the same page + the seven capped counts", async (k) => {
    await Promise.all([rawPage(db, (k % 5) * PAGE), rawCounts(db, new Date())]);
  });
  const ratio = (a: number[], b: number[], p: number) => r2(pct(a, p) / pct(b, p));
  console.log(`  ratio page / raw page:                p50 ${ratio(onlyPage, raw, 50)}   p99 ${ratio(onlyPage, raw, 99)}`);
  console.log(
    `  ratio page+counts / raw page+counts:  p50 ${ratio(withCounts, rawWithCounts, 50)}   p99 ${ratio(withCounts, rawWithCounts, 99)}`,
  );
  await db.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
