// Commitment submit throughput, printed as figures (not a test).
// (a) full-stack HTTP POST /api/commitments (session, form validation, eligibility, numbering, archive row,
//     submission revision, process start with its task row, audit), sequential and 8 concurrent;
// (b) the raw-SQL equivalent of the same writes (same tables, same row counts per submission) in the same run.
// The reviewer inbox at scale is bench/inbox/inbox.ts.
// Run: npx tsx bench/submit/submit.ts [N]
//      DATABASE_URL=mysql://root@127.0.0.1:3306/xy_bench_submit npx tsx bench/submit/submit.ts 300
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { QueryTypes, type Transaction } from "sequelize";
import request from "supertest";
import { createApp } from "../../server/app.js";
import { loadCurrentUser } from "../../server/auth/loadUser.js";
import { systemClock } from "../../server/clock.js";
import { loadConfig } from "../../server/config.js";
import { openDatabase, type Database } from "../../server/db/database.js";
import { migrateUp } from "../../server/db/migrator.js";
import { Commitment } from "../../server/db/models/Commitment.js";
import { CreditSubject } from "../../server/db/models/CreditSubject.js";
import { Department } from "../../server/db/models/Department.js";
import { initModels } from "../../server/db/models/index.js";
import { createUser } from "../../server/domain/accounts/createUser.js";
import { ensureCountyDepartments } from "../../server/domain/accounts/departments.js";
import { audit } from "../../server/domain/audit.js";
import { createCatalogItem, publishCatalogItem } from "../../server/domain/catalog/catalogCommands.js";
import { nextCommitmentCode } from "../../server/domain/commitments/numbering.js";
import { publishFormRevision, saveFormRevision, seedShippedForms } from "../../server/forms/index.js";
import { USCC_ALPHABET, usccCheckCharacter } from "../../server/domain/subjects/uscc.js";
import { createLogger } from "../../server/logger.js";

const N = Number(process.argv[2] ?? 200);
const PASSWORD = "Bench@12345";

const r1 = (x: number) => Math.round(x * 10) / 10;

function uscc(i: number): string {
  let body = "";
  let n = i;
  for (let k = 0; k < 9; k++) {
    body = USCC_ALPHABET[n % 31]! + body;
    n = Math.floor(n / 31);
  }
  const first17 = `91410182${body}`;
  return first17 + usccCheckCharacter(first17);
}

async function setup(db: Database) {
  await db.transaction((t) => ensureCountyDepartments(t));
  await seedShippedForms(db);
  const formKey = "bench-commit-form";
  const saved = await saveFormRevision(db, {
    formKey,
    title: "基准测试承诺申请表",
    actor: "bench",
    definition: {
      display: "form",
      components: [
        { type: "textfield", key: "premises", label: "经营场所", input: true, validate: { required: true, maxLength: 200 } },
        { type: "textfield", key: "principal", label: "负责人", input: true, validate: { required: true, maxLength: 50 } },
        { type: "number", key: "area", label: "面积", input: true, validate: { min: 1, max: 100000 } },
      ],
    },
  });
  await publishFormRevision(db, formKey, saved.revision, "bench");
  const subjects: CreditSubject[] = [];
  await db.transaction(async (t) => {
    for (let i = 0; i < 20; i++) {
      subjects.push(
        await CreditSubject.create(
          {
            code: uscc(1_000_000 + i),
            name: `基准企业${i}`,
            subjectType: "法人及非法人组织",
            divisionCode: "410182",
            legacyOverrideReason: null,
            legacyOverrideBy: null,
          },
          { transaction: t },
        ),
      );
    }
  });
  const dept = (await Department.findOne({ where: { code: "scjgj" } }))!;
  const [applicant, admin] = await db.transaction(async (t) => [
    await createUser(
      {
        username: "bench-applicant",
        password: PASSWORD,
        displayName: "基准申请人",
        roles: ["applicant"],
        subjectIds: subjects.map((s) => s.id),
      },
      t,
    ),
    await createUser(
      { username: "bench-admin", password: PASSWORD, displayName: "基准管理员", roles: ["admin"], departmentId: dept.id },
      t,
    ),
  ]);
  return { formKey, subjects, applicant, admin };
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? `sqlite:${path.join(mkdtempSync(path.join(os.tmpdir(), "xy-bench-submit-")), "bench.sqlite")}`;
  const db = await openDatabase(url);
  initModels(db.sequelize);
  await migrateUp(db);
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: url,
    SESSION_SECRET: "bench",
    LOG_LEVEL: "silent",
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "xy-bench-data-")),
  });
  const app = createApp({ config, db, logger: createLogger("silent"), clock: systemClock });
  const ctx = app.locals.context;
  const { formKey, subjects, admin } = await setup(db);
  const adminUser = (await loadCurrentUser(db.sequelize, { id: admin.id }))!;
  const itemCode = `bench-item-${randomUUID().slice(0, 8)}`;
  const deps = { db, engine: ctx.engine, clock: systemClock };
  await createCatalogItem(deps, {
    actor: adminUser,
    itemCode,
    departmentCode: "scjgj",
    fields: {
      name: "基准告知承诺事项",
      legalBasis: "国办发〔2020〕42号",
      commitmentType: "审批替代型",
      commitmentTypeOther: null,
      noticeContent: "告知内容",
      letterTemplate: "<p>{{subject.name}}承诺：{{data.premises}}，{{data.principal}}。如违反承诺，愿意承担违诺责任。</p>",
      formKey,
      processKey: "commitment",
      verificationMethod: "现场核查",
      verificationDays: 30,
      publicType: "可向社会公开",
      validityMonths: 12,
      reviewDays: 5,
    },
  });
  await publishCatalogItem(deps, { actor: adminUser, itemCode });

  // Log in once (a session; Basic auth would pay argon2 on every request).
  const agent = request.agent(app);
  const page = await agent.get("/login");
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  await agent.post("/login").type("form").send({ _csrf: csrf, username: "bench-applicant", password: PASSWORD }).expect(302);
  const home = await agent.get("/");
  const token = /name="csrf-token" content="([^"]+)"/.exec(home.text)![1]!;
  let i = 0;
  const submitOne = async () => {
    const k = i++;
    const res = await agent
      .post("/api/commitments")
      .set("X-CSRF-Token", token)
      .send({
        itemCode,
        subject: subjects[k % subjects.length]!.code,
        data: { premises: `荥阳市索河路${k}号`, principal: "张三", area: 100 },
        signature: { name: "张三", agreed: true },
      });
    if (res.status !== 201) throw new Error(`submit ${k}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  for (let w = 0; w < 10; w++) await submitOne();
  let t0 = performance.now();
  for (let k = 0; k < N; k++) await submitOne();
  const httpSeq = N / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < N) await submitOne();
    }),
  );
  const httpConc = N / ((performance.now() - t0) / 1000);

  // What one submission wrote, to replay as raw SQL.
  const sample = (await Commitment.findOne({ order: [["id", "DESC"]] }))!;
  const [inst] = await db.sequelize.query<{ id: string; engine_state: string; variables: string; definition_id: string }>(
    "SELECT id, engine_state, variables, definition_id FROM engine_instances WHERE business_key = :code",
    { type: QueryTypes.SELECT, replacements: { code: sample.code } },
  );
  const [hist] = await db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM engine_history WHERE instance_id = :id", {
    type: QueryTypes.SELECT,
    replacements: { id: inst!.id },
  });
  const [aud] = await db.sequelize.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM audit_entries WHERE entity_id = :code OR detail LIKE :like",
    {
      type: QueryTypes.SELECT,
      replacements: { code: sample.code, like: `%${sample.code}%` },
    },
  );
  const historyRows = Number(hist!.n);
  const auditRows = Math.max(1, Number(aud!.n));
  const sampleRow = sample.get({ plain: true }) as unknown as Record<string, unknown>;
  const rawOne = async (k: number) =>
    db.transaction(async (t: Transaction) => {
      const now = new Date();
      const code = await nextCommitmentCode(db, t, "999999", "20260101");
      const row = { ...sampleRow, code, processInstanceId: null } as Record<string, unknown>;
      delete row.id;
      const cols = Object.keys(row).map((c) => c.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`));
      const values = Object.values(row).map((v) => (v instanceof Date ? now : v));
      const [id] = await db.sequelize.query(`INSERT INTO commitments (${cols.join(",")}) VALUES (${cols.map(() => "?").join(",")})`, {
        replacements: values,
        transaction: t,
        type: QueryTypes.INSERT,
      });
      const commitmentId = Number(id);
      await db.sequelize.query(
        "INSERT INTO commitment_submissions (commitment_id, revision, data, form_revision, letter_html, signer_name, agreed_at, submitted_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
        { replacements: [commitmentId, 1, sample.data, 1, sample.letterHtml, "张三", now, "bench", now], transaction: t },
      );
      await db.sequelize.query(
        "INSERT INTO submission_revisions (submission_type, submission_id, version, form_key, form_revision, data, note, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
        { replacements: ["commitment", code, 1, formKey, 1, sample.data, "首次提交", "bench", now], transaction: t },
      );
      const instanceId = randomUUID();
      await db.sequelize.query(
        "INSERT INTO engine_instances (id, definition_id, definition_key, business_key, state, engine_state, variables, version, start_actor, started_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        {
          replacements: [
            instanceId,
            inst!.definition_id,
            "commitment",
            code,
            "ACTIVE",
            inst!.engine_state,
            inst!.variables,
            1,
            "bench",
            now,
          ],
          transaction: t,
        },
      );
      const taskId = randomUUID();
      await db.sequelize.query(
        "INSERT INTO engine_tasks (id, instance_id, definition_id, definition_key, business_key, activity_id, execution_id, name, form_key, priority, due_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        {
          replacements: [
            taskId,
            instanceId,
            inst!.definition_id,
            "commitment",
            code,
            "reviewTask",
            `${instanceId}_e`,
            "受理审查",
            "commitment-review",
            50,
            now,
            now,
          ],
          transaction: t,
        },
      );
      await db.sequelize.query(
        "INSERT INTO engine_task_candidates (task_id, kind, value, definition_key, assignee, due_at, created_at) VALUES (?,?,?,?,?,?,?)",
        {
          replacements: [taskId, "group", "scjgj", "commitment", null, now, now],
          transaction: t,
        },
      );
      for (let h = 0; h < historyRows; h++) {
        await db.sequelize.query("INSERT INTO engine_history (instance_id, event, activity_id, actor, at) VALUES (?,?,?,?,?)", {
          replacements: [instanceId, "activity.start", "reviewTask", "bench", now],
          transaction: t,
        });
      }
      for (let a = 0; a < auditRows; a++)
        await audit(db, t, { actor: "bench", action: "commitment.submitted", entityType: "commitment", entityId: code, detail: { k } });
    });
  for (let w = 0; w < 10; w++) await rawOne(-w);
  t0 = performance.now();
  for (let k = 0; k < N; k++) await rawOne(k);
  const rawSeq = N / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < N) await rawOne(next++);
    }),
  );
  const rawConc = N / ((performance.now() - t0) / 1000);

  console.log(`database: ${db.dialect}; N=${N}; per submission: ${historyRows} history rows, ${auditRows} audit entries`);
  console.log(`(a) HTTP submit, sequential:   ${r1(httpSeq)}/s;  8 concurrent: ${r1(httpConc)}/s`);
  console.log(`(b) raw SQL same writes, seq:  ${r1(rawSeq)}/s;  8 concurrent: ${r1(rawConc)}/s`);
  console.log(`ratio (a)/(b): sequential ${(httpSeq / rawSeq).toFixed(2)}, concurrent ${(httpConc / rawConc).toFixed(2)}`);

  await db.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
