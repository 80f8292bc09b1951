import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { CreditRecord } from "../../../server/db/models/CreditRecord.js";
import { CreditRecordStatusChange } from "../../../server/db/models/CreditRecordStatusChange.js";
import { PublicityRule } from "../../../server/db/models/PublicityRule.js";
import { ScheduledJobRun } from "../../../server/db/models/ScheduledJobRun.js";
import { createDepartment } from "../../../server/domain/accounts/departments.js";
import { chinaDayStart } from "../../../server/domain/calendar/days.js";
import {
  changeRecordStatus,
  createCreditRecord,
  findBarringRecords,
  listPublicRecords,
  setPeriodOverride,
} from "../../../server/domain/credit/creditRecords.js";
import { EXPIRY_JOB, runPublicityExpiry } from "../../../server/domain/credit/dailyJobs.js";
import { previewPublicityRule, savePublicityRule, type NewRuleInput } from "../../../server/domain/credit/rules.js";
import { timelinessByDepartment } from "../../../server/domain/credit/timeliness.js";
import { ConflictError, ValidationError } from "../../../server/errors.js";
import { departmentId } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { goodRow } from "./importFixture.js";
import { randomUscc } from "../../helpers/factories.js";

const noon = (day: string) => new Date(chinaDayStart(day).getTime() + 12 * 3600_000);
const uniq = () => randomBytes(4).toString("hex");

async function freshDepartment() {
  const { db } = testApp();
  const code = `t${uniq()}`;
  return db.transaction((t) => createDepartment({ code, name: `测试部门${code}` }, t));
}

async function record(overrides: Record<string, string>, opts: { at?: string; departmentId?: number | null } = {}) {
  const { db } = testApp();
  const tag = `R${uniq()}`;
  const fields = { ...goodRow(tag, 1, { code: randomUscc(), name: `记录测试${tag}有限公司` }), decisionNumber: `${tag}-1`, ...overrides };
  return createCreditRecord(db, {
    actor: "records-test",
    departmentId: opts.departmentId === undefined ? await departmentId("swj") : opts.departmentId,
    fields,
    at: noon(opts.at ?? "2026-12-01"),
  });
}

describe("credit records: entry, status history, overrides", () => {
  it("records a 一般 penalty 公示中 with its rule's dates, a status-history row and an audit entry", async () => {
    const r = await record({ severity: "一般", decidedOn: "2026-11-20" });
    assert.equal(r.status, "公示中");
    assert.equal(r.publicityFrom, "2026-12-01");
    assert.equal(r.publicityUntil, "2027-11-20");
    assert.equal(r.minUntil, "2027-02-20");
    assert.equal(r.ruleSet, "national");
    const history = await CreditRecordStatusChange.findAll({ where: { recordId: r.id } });
    assert.deepEqual(
      history.map((h) => [h.fromStatus, h.toStatus]),
      [[null, "公示中"]],
    );
    assert.equal(await AuditEntry.count({ where: { action: "credit_record.created", entityId: String(r.id) } }), 1);
    const publicNow = await listPublicRecords(r.subjectId, "2026-12-01");
    assert.deepEqual(
      publicNow.map((x) => x.id),
      [r.id],
    );
  });

  it("keeps the severity the department gives (never derived) and publishes nothing for 轻微", async () => {
    const r = await record({ severity: "轻微", penaltyContent: "罚款人民币伍拾万元", fineAmount: "50" });
    assert.equal(r.severity, "轻微");
    assert.equal(r.status, "不予公示");
    assert.equal((await listPublicRecords(r.subjectId, "2026-12-01")).length, 0);
  });

  it("refuses a decision date in the future, a missing severity for a penalty, a bad USCC, and a repeated decision number", async () => {
    await assert.rejects(record({ decidedOn: "2026-12-02" }), (err: ValidationError) =>
      err.details.some((d) => d.path === "决定日期" && /晚于今天/.test(d.message)),
    );
    await assert.rejects(record({ severity: "" }), (err: ValidationError) =>
      err.details.some((d) => d.path === "严重程度" && /必填/.test(d.message)),
    );
    await assert.rejects(record({ uscc: "91110000600037341A" }), (err: ValidationError) =>
      err.details.some((d) => d.path === "统一社会信用代码"),
    );
    const first = await record({});
    const detail = JSON.parse(first.detail!) as Record<string, string>;
    await assert.rejects(record({ ...detail, violationFacts: "别的事实" }), (err: ValidationError) =>
      err.details.some((d) => d.path === "决定文书号" && /已登记/.test(d.message)),
    );
    await assert.rejects(record({ ...detail }), ConflictError);
  });

  it("moves a record through decided statuses, keeps every step, and refuses what the rules forbid", async () => {
    const { db } = testApp();
    const r = await record({ severity: "严重" });
    assert.equal((await findBarringRecords(r.subjectId)).length, 1, "a public 严重 record bars the 告知承诺 route");
    const change = (to: "已修复（终止公示）" | "已屏蔽" | "已撤销", reason = "测试理由") =>
      db.transaction((t) => changeRecordStatus(db, t, { recordId: r.id, to, reason, actor: "records-test", at: noon("2026-12-02") }));
    await assert.rejects(change("已修复（终止公示）", "  "), ValidationError);
    const repaired = await change("已修复（终止公示）", "信用修复决定书 荥修〔2026〕1号");
    assert.equal(repaired.repaired, true);
    assert.equal((await listPublicRecords(r.subjectId, "2026-12-02")).length, 0);
    assert.equal((await findBarringRecords(r.subjectId)).length, 0, "repair lifts the bar");
    await change("已修复（终止公示）"); // the same status again is a no-op
    await assert.rejects(change("已屏蔽"), ConflictError);
    await change("已撤销", "异议成立");
    await assert.rejects(change("已修复（终止公示）"), ConflictError);
    const history = await CreditRecordStatusChange.findAll({ where: { recordId: r.id }, order: [["id", "ASC"]] });
    assert.deepEqual(
      history.map((h) => h.toStatus),
      ["公示中", "已修复（终止公示）", "已撤销"],
    );
    assert.ok(await CreditRecord.findByPk(r.id), "records are never deleted");
  });

  it("a period override needs its legal basis and recomputes the record at once", async () => {
    const { db } = testApp();
    const r = await record({ severity: "一般", decidedOn: "2026-05-10" });
    await assert.rejects(
      setPeriodOverride(db, {
        recordId: r.id,
        override: { max: { value: 3, unit: "month" } },
        basis: "",
        actor: "t",
        at: noon("2026-12-01"),
      }),
      (err: ValidationError) => err.details.some((d) => d.path === "overrideBasis"),
    );
    const shorter = await setPeriodOverride(db, {
      recordId: r.id,
      override: { max: { value: 3, unit: "month" } },
      basis: "《某法》第十条",
      actor: "t",
      at: noon("2026-12-01"),
    });
    assert.equal(shorter.publicityUntil, "2026-08-10");
    assert.equal(shorter.status, "已届满");
    const longer = await setPeriodOverride(db, {
      recordId: r.id,
      override: { max: { value: 5, unit: "year" } },
      basis: "《某法》第十一条",
      actor: "t",
      at: noon("2026-12-01"),
    });
    assert.equal(longer.status, "公示中");
    assert.equal(longer.publicityUntil, "2031-05-10");
    const cleared = await setPeriodOverride(db, { recordId: r.id, override: null, basis: null, actor: "t", at: noon("2026-12-01") });
    assert.equal(cleared.publicityUntil, "2027-05-10");
    assert.equal(cleared.overrideBasis, null);
    const steps = await CreditRecordStatusChange.findAll({ where: { recordId: r.id }, order: [["id", "ASC"]] });
    assert.deepEqual(
      steps.map((s) => s.toStatus),
      ["公示中", "已届满", "公示中"],
    );
  });
});

describe("daily publicity expiry job", () => {
  it("ends publication the day after the maximum, exactly once per day even when two nodes run it at once", async () => {
    const { db } = testApp();
    // A day no other test uses: the job's claim is per day for the whole database.
    const year = 2040 + Math.floor(Math.random() * 50);
    const day = `${year}-${String(1 + Math.floor(Math.random() * 12)).padStart(2, "0")}-15`;
    const [, month] = day.split("-");
    const lastDay = await record({ severity: "一般", decidedOn: "2026-11-01" });
    await setPeriodOverride(db, { recordId: lastDay.id, override: { max: null }, basis: "测试：不限", actor: "t", at: noon("2026-12-01") });
    const expiring = await record({ severity: "一般", decidedOn: "2026-11-02" });
    // Its last day is the day before `day`; it is public through that day.
    await CreditRecord.update({ publicityUntil: `${year}-${month}-14` }, { where: { id: expiring.id } });
    const stays = await record({ severity: "一般", decidedOn: "2026-11-03" });
    await CreditRecord.update({ publicityUntil: day }, { where: { id: stays.id } });
    assert.equal((await listPublicRecords(expiring.subjectId, `${year}-${month}-14`)).length, 1);
    assert.equal((await listPublicRecords(expiring.subjectId, day)).length, 0, "the public query already hides it");

    const runs = await Promise.all([
      runPublicityExpiry(db, { day, nodeId: "node-a", at: noon(day) }),
      runPublicityExpiry(db, { day, nodeId: "node-b", at: noon(day) }),
    ]);
    assert.equal(runs.filter((r) => r.ran).length, 1, "one node ran it");
    const ran = runs.find((r) => r.ran)!;
    assert.ok(ran.expired.includes(expiring.id));
    assert.ok(!ran.expired.includes(stays.id));
    assert.ok(!ran.expired.includes(lastDay.id));
    assert.equal((await CreditRecord.findByPk(expiring.id))!.status, "已届满");
    assert.equal((await CreditRecord.findByPk(stays.id))!.status, "公示中");
    assert.equal(await CreditRecordStatusChange.count({ where: { recordId: expiring.id, toStatus: "已届满" } }), 1);
    const again = await runPublicityExpiry(db, { day, nodeId: "node-c", at: noon(day) });
    assert.equal(again.ran, false);
    assert.equal(await ScheduledJobRun.count({ where: { job: EXPIRY_JOB, runDay: day } }), 1);
    const next = await runPublicityExpiry(db, { day: `${year}-${month}-16`, nodeId: "node-a", at: noon(`${year}-${month}-16`) });
    assert.ok(next.expired.includes(stays.id), "the day after its last day");
  });
});

describe("publicity rules as data: preview and save", () => {
  const rule = (ruleSet: string, overrides: Partial<NewRuleInput> = {}): NewRuleInput => ({
    ruleSet,
    recordType: "行政处罚",
    severity: "一般",
    publish: true,
    minValue: 1,
    minUnit: "month",
    maxValue: 6,
    maxUnit: "month",
    countFrom: "decision",
    effectiveFrom: "2026-10-01",
    legalBasis: "测试部门信用修复管理办法",
    note: null,
    toBeConfirmed: false,
    ...overrides,
  });

  it("previews what a department's new rule changes for its existing records, then applies exactly that when saved", async () => {
    const { db } = testApp();
    const dept = await freshDepartment();
    const before = await record({ severity: "一般", decidedOn: "2026-09-30" }, { departmentId: dept.id });
    const covered = await record({ severity: "一般", decidedOn: "2026-10-01" }, { departmentId: dept.id });
    const old = await record({ severity: "一般", decidedOn: "2026-05-01" }, { departmentId: dept.id });
    const other = await record({ severity: "一般", decidedOn: "2026-10-01" });
    assert.equal(covered.publicityUntil, "2027-10-01");
    const input = rule(dept.code);
    const preview = await previewPublicityRule(input, "2026-12-01");
    assert.deepEqual(
      preview.map((c) => c.id),
      [covered.id],
    );
    assert.equal(preview[0]!.after.publicityUntil, "2027-04-01");
    assert.equal(await PublicityRule.count({ where: { ruleSet: dept.code } }), 0, "a preview saves nothing");
    assert.equal((await CreditRecord.findByPk(covered.id))!.publicityUntil, "2027-10-01");

    const saved = await savePublicityRule(db, { ...input, actor: "rules-test", at: noon("2026-12-01") });
    assert.equal(saved.changed, 1);
    assert.equal((await CreditRecord.findByPk(covered.id))!.publicityUntil, "2027-04-01");
    assert.equal((await CreditRecord.findByPk(covered.id))!.ruleSet, dept.code);
    for (const untouched of [before, old, other])
      assert.equal((await CreditRecord.findByPk(untouched.id))!.publicityUntil, untouched.publicityUntil);
    await assert.rejects(savePublicityRule(db, { ...input, actor: "rules-test", at: noon("2026-12-01") }), ConflictError);

    // A back-dated rule that ends publication earlier: the preview says which records stop being public.
    const shorter = rule(dept.code, { effectiveFrom: "2026-04-01", minValue: null, minUnit: null, maxValue: 3, maxUnit: "month" });
    const changes = await previewPublicityRule(shorter, "2026-12-01");
    const expiring = changes.find((c) => c.id === old.id)!;
    assert.equal(expiring.before.status, "公示中");
    assert.equal(expiring.after.status, "已届满");
    await savePublicityRule(db, { ...shorter, actor: "rules-test", at: noon("2026-12-01") });
    assert.equal((await CreditRecord.findByPk(old.id))!.status, "已届满");
    assert.equal(await CreditRecordStatusChange.count({ where: { recordId: old.id, toStatus: "已届满" } }), 1);
    // The later rule (2026-10-01) still governs the record decided on 2026-10-01.
    assert.equal((await CreditRecord.findByPk(covered.id))!.publicityUntil, "2027-04-01");
  });
});

describe("及时率 (published within 7 working days of the decision)", () => {
  it("counts the 7th working day as on time and the 8th as late, per department", async () => {
    const dept = await freshDepartment();
    // Decided 2026-09-30; working days after it: 10-08, 10-09, 10-10 (调休), 10-12, 10-13, 10-14, 10-15 (7th).
    await record({ severity: "一般", decidedOn: "2026-09-30" }, { departmentId: dept.id, at: "2026-10-15" });
    await record({ severity: "一般", decidedOn: "2026-09-30" }, { departmentId: dept.id, at: "2026-10-16" });
    await record({ severity: "一般", decidedOn: "2026-09-30" }, { departmentId: dept.id, at: "2026-10-01" });
    await record({ severity: "轻微", decidedOn: "2026-09-30" }, { departmentId: dept.id, at: "2026-12-01" }); // not published: not counted
    const rows = await timelinessByDepartment({ from: "2026-09-01", to: "2026-09-30" });
    const mine = rows.find((r) => r.departmentId === dept.id)!;
    assert.deepEqual(
      { total: mine.total, onTime: mine.onTime, late: mine.late, rate: mine.rate },
      { total: 3, onTime: 2, late: 1, rate: 66.7 },
    );
  });
});
