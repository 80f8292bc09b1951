import assert from "node:assert/strict";
import ExcelJS from "exceljs";
import { Op } from "sequelize";
import { CreditImport } from "../../../server/db/models/CreditImport.js";
import { CreditRecord } from "../../../server/db/models/CreditRecord.js";
import { CreditRecordStatusChange } from "../../../server/db/models/CreditRecordStatusChange.js";
import { CreditSubject } from "../../../server/db/models/CreditSubject.js";
import { chinaDayStart } from "../../../server/domain/calendar/days.js";
import { createCreditRecord } from "../../../server/domain/credit/creditRecords.js";
import { RECORD_FIELDS } from "../../../server/domain/credit/fields.js";
import { createImport, parseCsv, runImport, templateCsv, templateXlsx } from "../../../server/domain/credit/importFile.js";
import type { RowProblem } from "../../../server/domain/credit/rows.js";
import { departmentId, randomUscc } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildRows, goodRow, toCsv, type Row } from "./importFixture.js";

const TODAY = "2026-12-01";
const at = () => new Date(chinaDayStart(TODAY).getTime() + 10 * 3600_000);

async function importFile(fileName: string, buffer: Buffer, dryRun: boolean) {
  const { db } = testApp();
  const input = { actor: "import-test", departmentId: await departmentId("scjgj"), fileName, buffer, dryRun, at };
  const job = await createImport(input);
  const done = await runImport(db, job, input);
  return { job: done, problems: JSON.parse(done.problems ?? "[]") as RowProblem[] };
}

const countTagged = (tag: string) => CreditRecord.count({ where: { decisionNumber: { [Op.like]: `${tag}-%` } } });

describe("credit record import (双公示 CSV / xlsx)", function () {
  this.timeout(300_000);

  it("reports exactly the 37 bad rows of a 5,000-row file (row and field) and writes nothing; the fixed file writes 5,000, then 0", async () => {
    const { db } = testApp();
    const tag = `T${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const existingNumber = `${tag}-existing`;
    const existing = await createCreditRecord(db, {
      actor: "import-test",
      departmentId: await departmentId("scjgj"),
      fields: { ...goodRow(tag, 1, { code: randomUscc(), name: "导入测试已有记录企业" }), decisionNumber: existingNumber },
      at: at(),
    });
    const { rows, good, planted, subjects } = buildRows(5000, 37, { tag, existingNumber, today: TODAY });
    assert.equal(planted.length, 37);
    const expected = planted.map((p) => `${p.index + 2}|${p.field}`).sort();
    const subjectCount = () => CreditSubject.count({ where: { code: subjects.map((s) => s.code) } });
    const subjectsBefore = await subjectCount();
    const historyBefore = await CreditRecordStatusChange.count();

    for (const dryRun of [true, false]) {
      const { job, problems } = await importFile(`bad-${dryRun}.csv`, toCsv(rows), dryRun);
      assert.equal(job.status, "done");
      assert.equal(job.totalRows, 5000);
      assert.equal(job.badRows, 37, job.message ?? "");
      assert.deepEqual(problems.map((p) => `${p.row}|${p.field}`).sort(), expected);
      for (const p of problems) assert.match(p.message, /[\u4e00-\u9fff]/, "every problem is a Chinese sentence");
      assert.equal(job.createdCount, 0);
      assert.equal(await countTagged(tag), 1, "nothing but the record made before the import");
      assert.equal(await subjectCount(), subjectsBefore, "no subject registered");
    }
    assert.equal(await CreditRecordStatusChange.count(), historyBefore);
    const messages = (await importFile("bad.csv", toCsv(rows), true)).problems;
    assert.ok(messages.some((p) => /晚于今天/.test(p.message)));
    assert.ok(messages.some((p) => /与第 \d+ 行重复/.test(p.message)));
    assert.ok(messages.some((p) => new RegExp(`已登记（记录 #${existing.id}）`).test(p.message)));
    assert.ok(messages.some((p) => /不是数字/.test(p.message)));
    assert.ok(messages.some((p) => /未知的严重程度/.test(p.message)));
    assert.ok(messages.some((p) => /未知的信息类别/.test(p.message)));

    const fixed = await importFile("fixed.csv", toCsv(good), false);
    assert.equal(fixed.job.status, "done", fixed.job.message ?? "");
    assert.equal(fixed.job.badRows, 0);
    assert.equal(fixed.job.createdCount, 5000);
    assert.equal(await countTagged(tag), 5001);
    const written = await CreditRecord.findAll({
      where: { importId: fixed.job.id },
      attributes: ["id", "status", "publicityUntil", "severity", "recordType", "ruleId"],
      raw: true,
    });
    assert.equal(written.length, 5000);
    // 轻微 penalties are 不予公示 under the rules; the others are published.
    assert.ok(written.filter((w) => w.severity === "轻微").every((w) => w.status === "不予公示"));
    assert.ok(written.filter((w) => w.severity === "一般").every((w) => w.status === "公示中" && w.publicityUntil && w.ruleId));
    assert.equal(await CreditRecordStatusChange.count({ where: { recordId: written.map((w) => w.id) } }), 5000);

    const again = await importFile("fixed.csv", toCsv(good), false);
    assert.equal(again.job.status, "done");
    assert.equal(again.job.createdCount, 0);
    assert.equal(again.job.unchangedCount, 5000);
    assert.equal(await countTagged(tag), 5001);
  });

  it("imports an .xlsx file in the same layout (dates as Excel dates, amounts as numbers), idempotently", async () => {
    const tag = `X${Date.now().toString(36)}`;
    const { good } = buildRows(40, 0, { tag, today: TODAY });
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("数据");
    sheet.addRow(RECORD_FIELDS.map((f) => f.label));
    for (const r of good)
      sheet.addRow(
        RECORD_FIELDS.map((f) =>
          f.key === "decidedOn"
            ? new Date(`${r.decidedOn}T00:00:00Z`)
            : f.key === "fineAmount" && r.fineAmount
              ? Number(r.fineAmount)
              : (r[f.key] ?? ""),
        ),
      );
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const dry = await importFile("records.xlsx", buffer, true);
    assert.equal(dry.job.badRows, 0, JSON.stringify(dry.problems.slice(0, 3)));
    assert.equal(await countTagged(tag), 0);
    assert.equal((await importFile("records.xlsx", buffer, false)).job.createdCount, 40);
    assert.equal((await importFile("records.xlsx", buffer, false)).job.createdCount, 0);
    const one = await CreditRecord.findOne({ where: { decisionNumber: good[0]!.decisionNumber! }, raw: true });
    assert.equal(one?.decidedOn, good[0]!.decidedOn);
  });

  it("ships templates that import as they are (CSV and xlsx both parse; the example rows are valid)", async () => {
    const csv = parseCsv(templateCsv().replace(/^\uFEFF/, ""));
    assert.deepEqual(
      csv[0],
      RECORD_FIELDS.map((f) => f.label),
    );
    const tag = `TPL${Date.now().toString(36)}`;
    // Give the examples fresh numbers so the check does not meet a record imported earlier.
    const body = csv
      .slice(1)
      .filter((r) => r.length > 1)
      .map((r, i) => Object.fromEntries(RECORD_FIELDS.map((f, c) => [f.key, f.key === "decisionNumber" ? `${tag}-${i}` : r[c]!])) as Row);
    const res = await importFile("template.csv", toCsv(body), true);
    assert.equal(res.job.badRows, 0, JSON.stringify(res.problems));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await templateXlsx()) as unknown as ArrayBuffer);
    assert.equal(workbook.worksheets[0]!.getRow(1).getCell(1).value, "信息类别");
  });

  it("accepts the 双公示 alias headers and GBK-free quoting (commas, quotes, line breaks in cells)", async () => {
    const tag = `A${Date.now().toString(36)}`;
    const r = goodRow(tag, 3, { code: randomUscc(), name: "别名表头测试公司" });
    const header = [
      "信息类别",
      "严重程度",
      "行政相对人名称",
      "行政相对人类别",
      "统一社会信用代码",
      "行政处罚决定书文号",
      "违法行为类型",
      "违法事实",
      "处罚依据",
      "处罚类别",
      "处罚内容",
      "罚款金额(万元)",
      "处罚决定日期",
      "处罚机关",
      "处罚机关统一社会信用代码",
    ];
    const values = [
      r.recordType,
      r.severity,
      r.partyName,
      r.partyType,
      r.uscc,
      r.decisionNumber,
      r.violationType,
      '事实，含"引号"\n与换行',
      r.basis,
      r.penaltyCategory,
      r.penaltyContent,
      "1,000.5",
      "2026/5/3",
      r.authority,
      r.authorityUscc,
    ];
    const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const csv = Buffer.from([header.join(","), values.map((v) => cell(v!)).join(",")].join("\n"), "utf8");
    const res = await importFile("alias.csv", csv, false);
    assert.equal(res.job.badRows, 0, JSON.stringify(res.problems));
    const rec = await CreditRecord.findOne({ where: { decisionNumber: r.decisionNumber! }, raw: true });
    assert.equal(rec?.decidedOn, "2026-05-03");
    const detail: Record<string, string> = JSON.parse(rec.detail!);
    assert.equal(detail.violationFacts, '事实，含"引号"\n与换行');
    assert.equal(detail.fineAmount, "1000.5");
  });

  it("reports a file without the required columns on row 1, and a file that is no spreadsheet as a failed import", async () => {
    const missing = await importFile("cols.csv", Buffer.from("名称,代码\n甲,乙\n"), true);
    assert.ok(missing.problems.some((p) => p.row === 1 && p.field === "信息类别"));
    assert.ok(missing.problems.some((p) => p.row === 1 && /无法识别的列/.test(p.message)));
    const broken = await importFile("broken.xlsx", Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)]), true);
    assert.equal(broken.job.status, "failed");
    assert.match(broken.job.message ?? "", /无法读取该 Excel 文件/);
    assert.ok(await CreditImport.findByPk(broken.job.id));
  });
});
