import { createHash } from "node:crypto";
import ExcelJS from "exceljs";
import type { Database } from "../../db/database.js";
import { CreditImport } from "../../db/models/CreditImport.js";
import { AppError, PayloadTooLargeError, ValidationError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { audit } from "../audit.js";
import { issueRepairNotices } from "../reports/documents.js";
import { chinaDay } from "../calendar/days.js";
import { checkAgainstDatabase, writeRecords, type NumberedRow } from "./creditRecords.js";
import { RECORD_FIELDS, fieldKeyOfHeader } from "./fields.js";
import { checkRecordRow, type RowProblem } from "./rows.js";
import { loadRuleBook } from "./rules.js";

/** Rows one file may hold (a year of a county's 双公示 data is a few thousand). */
export const MAX_IMPORT_ROWS = 20_000;
/** Problems kept for the page (a file with more bad rows is reported up to this many). */
const MAX_PROBLEMS = 5_000;

export type ImportFormat = "csv" | "xlsx";

/** The format of an uploaded file by its name and first bytes (an .xlsx is a zip: PK\x03\x04). */
export function detectFormat(fileName: string, buffer: Buffer): ImportFormat {
  const zip = buffer.length >= 4 && buffer.readUInt32LE(0) === 0x04034b50;
  const name = fileName.toLowerCase();
  if (name.endsWith(".xlsx")) {
    if (!zip)
      throw new ValidationError("文件扩展名为 .xlsx，但内容不是 Excel 工作簿", [
        { path: "file", message: "请上传 Excel（.xlsx）或 CSV 文件" },
      ]);
    return "xlsx";
  }
  if (name.endsWith(".csv") || name.endsWith(".txt")) {
    if (zip || buffer.includes(0))
      throw new ValidationError("文件扩展名为 .csv，但内容不是文本", [{ path: "file", message: "请上传 CSV 文本文件" }]);
    return "csv";
  }
  if (name.endsWith(".xls"))
    throw new ValidationError("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后上传", [{ path: "file", message: "请另存为 .xlsx" }]);
  throw new ValidationError("只能导入 CSV 或 Excel（.xlsx）文件", [{ path: "file", message: "请上传 .csv 或 .xlsx 文件" }]);
}

/** UTF-8 (with or without BOM); Excel in China saves CSV as GBK, which is decoded when the bytes are not UTF-8. */
function decodeText(buffer: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(buffer).replace(/^\uFEFF/, "");
  } catch {
    return new TextDecoder("gbk").decode(buffer);
  }
}

/** RFC 4180 CSV: quoted fields with "" escapes and line breaks; CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
      continue;
    }
    if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      if (rows.length > MAX_IMPORT_ROWS + 1) throw new PayloadTooLargeError(`文件超过 ${MAX_IMPORT_ROWS} 行上限，请拆分后分批导入`);
    } else field += ch;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "object") {
    if ("richText" in value) return value.richText.map((r) => r.text).join("");
    if ("result" in value) return cellText(value.result);
    if ("text" in value) return String(value.text);
    if ("error" in value) return "";
    return "";
  }
  return String(value);
}

async function parseXlsx(buffer: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    throw new ValidationError("无法读取该 Excel 文件，请确认文件未损坏、未加密", [{ path: "file", message: "无法读取 Excel 文件" }]);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  if (sheet.rowCount > MAX_IMPORT_ROWS + 1) throw new PayloadTooLargeError(`文件超过 ${MAX_IMPORT_ROWS} 行上限，请拆分后分批导入`);
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    rows[n - 1] = Array.from(cells, (c) => c ?? "");
  });
  return Array.from(rows, (r) => r ?? []);
}

export interface ParsedFile {
  /** Data rows keyed by field, with their spreadsheet row numbers (the header is row 1). */
  rows: Array<{ rowNumber: number; values: Record<string, string> }>;
  /** Problems with the file as a whole (missing columns), reported on row 1. */
  problems: RowProblem[];
}

/** Reads a file in the 双公示 column layout: the first row names the columns (canonical headers or their aliases). */
export async function parseImportFile(format: ImportFormat, buffer: Buffer): Promise<ParsedFile> {
  const table = format === "csv" ? parseCsv(decodeText(buffer)) : await parseXlsx(buffer);
  const header = table[0];
  if (!header || header.every((h) => !h.trim()))
    throw new ValidationError("文件没有表头行：第一行应为列名，请使用导入模板", [{ path: "file", message: "缺少表头" }]);
  const columns = header.map((h) => fieldKeyOfHeader(h));
  const problems: RowProblem[] = [];
  for (const key of ["recordType", "partyName", "partyType", "decisionNumber", "decidedOn", "authority", "authorityUscc"]) {
    if (!columns.includes(key))
      problems.push({ row: 1, field: RECORD_FIELDS.find((f) => f.key === key)!.label, message: "缺少必需的列，请使用导入模板" });
  }
  const unknown = header.filter((h, i) => h.trim() && !columns[i]);
  if (unknown.length) problems.push({ row: 1, field: "表头", message: `无法识别的列：${unknown.slice(0, 10).join("、")}` });
  const rows: ParsedFile["rows"] = [];
  for (let i = 1; i < table.length; i++) {
    const cells = table[i]!;
    if (cells.every((c) => !c.trim())) continue; // blank lines at the end of a sheet
    const values: Record<string, string> = {};
    columns.forEach((key, c) => {
      if (key) values[key] = cells[c] ?? "";
    });
    rows.push({ rowNumber: i + 1, values });
  }
  if (rows.length > MAX_IMPORT_ROWS) throw new PayloadTooLargeError(`文件超过 ${MAX_IMPORT_ROWS} 行上限，请拆分后分批导入`);
  return { rows, problems };
}

/** Progress of the imports running in this node (read by the progress endpoint before the row is written). */
const live = new Map<number, { phase: string; processed: number; total: number }>();

export function liveProgress(id: number) {
  return live.get(id);
}

export interface ImportInput {
  actor: string;
  ip?: string | null;
  departmentId: number | null;
  fileName: string;
  buffer: Buffer;
  dryRun: boolean;
  at: () => Date;
}

/** Creates the import's row (the page polls it) and checks the file's format at once (a wrong file is a 400 now). */
export async function createImport(input: ImportInput): Promise<CreditImport> {
  const format = detectFormat(input.fileName, input.buffer);
  return CreditImport.create({
    departmentId: input.departmentId,
    actor: input.actor,
    fileName: input.fileName.slice(0, 255),
    fileSha256: createHash("sha256").update(input.buffer).digest("hex"),
    format,
    dryRun: input.dryRun,
    status: "running",
    phase: "parsing",
  });
}

/**
 * Runs an import: parse, check every row (fields, then the database), and unless it is a dry run or any row is bad,
 * write every new row in one transaction (all or nothing). Rows already recorded unchanged are skipped, so the same
 * file imported again writes nothing. The row of the import records progress, the problems and the counts.
 */
export async function runImport(db: Database, job: CreditImport, input: ImportInput, logger?: Logger): Promise<CreditImport> {
  const progress = { phase: "parsing", processed: 0, total: 0 };
  live.set(job.id, progress);
  try {
    const parsed = await parseImportFile(job.format, input.buffer);
    progress.phase = "validating";
    progress.total = parsed.rows.length;
    await job.update({ phase: "validating", totalRows: parsed.rows.length });
    const today = chinaDay(input.at());
    const problems: RowProblem[] = [...parsed.problems];
    const good: NumberedRow[] = [];
    for (const [i, r] of parsed.rows.entries()) {
      const checked = checkRecordRow(r.values, r.rowNumber, today);
      if (checked.row) good.push({ rowNumber: r.rowNumber, row: checked.row });
      else problems.push(...checked.problems);
      progress.processed = i + 1;
      if ((i + 1) % 1000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const db1 = await checkAgainstDatabase(good);
    problems.push(...db1.problems);
    const badRows = new Set(problems.map((p) => p.row)).size;
    problems.sort((a, b) => a.row - b.row);
    const fresh = good.filter((g) => !db1.unchanged.has(g.rowNumber) && !problems.some((p) => p.row === g.rowNumber));
    const base = {
      totalRows: parsed.rows.length,
      processedRows: parsed.rows.length,
      badRows,
      problems: JSON.stringify(problems.slice(0, MAX_PROBLEMS)),
      unchangedCount: db1.unchanged.size,
    };
    if (job.dryRun || problems.length) {
      const message = problems.length
        ? `发现 ${badRows} 行有误，${job.dryRun ? "预检未写入任何数据" : "未导入任何记录（须全部正确才导入）"}`
        : `预检通过：可导入 ${fresh.length} 条，已登记且内容相同 ${db1.unchanged.size} 条（将跳过）`;
      return await finish(job, { ...base, status: "done", phase: "finished", message });
    }
    progress.phase = "writing";
    progress.processed = 0;
    progress.total = fresh.length;
    await job.update({ ...base, phase: "writing" });
    const at = input.at();
    const result = await db.transaction(async (t) => {
      // Checked again inside the transaction: another import may have recorded the same numbers meanwhile.
      const again = await checkAgainstDatabase(fresh, t);
      if (again.problems.length || again.unchanged.size)
        throw new AppError(409, "import_conflict", "导入期间有相同决定文书号的记录被登记，请重新预检后导入");
      const book = await loadRuleBook(t);
      const written = await writeRecords(
        t,
        fresh.map((f) => f.row),
        {
          actor: input.actor,
          departmentId: input.departmentId,
          importId: job.id,
          at,
          book,
          reason: `批量导入（${job.fileName}）`,
          onProgress: (n) => (progress.processed = n),
        },
      );
      // 两书同达: each new penalty / 严重失信 record gets its 信用修复告知书 in the same transaction.
      const notices = await issueRepairNotices(db, t, written.ids, input.actor, at);
      // One audit entry for the import: every record written carries its import id.
      await audit(db, t, {
        actor: input.actor,
        action: "credit_record.imported",
        entityType: "credit_import",
        entityId: job.id,
        detail: {
          fileName: job.fileName,
          fileSha256: job.fileSha256,
          created: written.ids.length,
          unchanged: db1.unchanged.size,
          subjectsCreated: written.subjectsCreated,
          repairNotices: notices,
          firstId: written.ids.length ? Math.min(...written.ids) : null,
          lastId: written.ids.length ? Math.max(...written.ids) : null,
        },
        ip: input.ip ?? null,
        at,
      });
      return written;
    });
    return await finish(job, {
      ...base,
      status: "done",
      phase: "finished",
      createdCount: result.ids.length,
      subjectsCreated: result.subjectsCreated,
      message: `已导入 ${result.ids.length} 条记录${db1.unchanged.size ? `，${db1.unchanged.size} 条已登记且内容相同，已跳过` : ""}${result.subjectsCreated ? `，新登记主体 ${result.subjectsCreated} 个` : ""}`,
    });
  } catch (err) {
    const message = err instanceof AppError ? err.message : "导入失败：服务器内部错误，未写入任何数据";
    if (!(err instanceof AppError)) logger?.error({ err, importId: job.id }, "credit import failed");
    return await finish(job, { status: "failed", phase: "finished", message: message.slice(0, 500) });
  } finally {
    live.delete(job.id);
  }
}

async function finish(job: CreditImport, values: Partial<CreditImport>): Promise<CreditImport> {
  return job.update({ ...values, finishedAt: new Date() });
}

/** The 双公示 import template: the header row and one example row per record type. */
export function templateRows(): string[][] {
  const header = RECORD_FIELDS.map((f) => f.label);
  const example = (values: Record<string, string>) => RECORD_FIELDS.map((f) => values[f.key] ?? "");
  const party = { partyName: "荥阳市示例商贸有限公司", partyType: "法人及非法人组织", uscc: "91110000600037341L", legalRep: "张三" };
  const authority = { authority: "荥阳市市场监督管理局", authorityUscc: "121200004013590816" };
  return [
    header,
    example({
      recordType: "行政处罚",
      severity: "一般",
      ...party,
      decisionNumber: "荥市监罚〔2026〕001号",
      violationType: "销售不符合食品安全标准的食品",
      violationFacts: "（示例）经查，当事人……",
      basis: "《中华人民共和国食品安全法》第一百二十四条",
      penaltyCategory: "罚款",
      penaltyContent: "罚款人民币伍万元",
      fineAmount: "5",
      confiscatedAmount: "0",
      decidedOn: "2026-05-10",
      ...authority,
    }),
    example({
      recordType: "行政许可",
      ...party,
      decisionNumber: "JY14101820000001",
      decisionName: "食品经营许可决定书",
      licenceCategory: "普通",
      licenceCertName: "食品经营许可证",
      licenceNumber: "JY14101820000001",
      licenceContent: "预包装食品销售",
      decidedOn: "2026-05-12",
      validFrom: "2026-05-12",
      validUntil: "2031-05-11",
      licenceStatus: "有效",
      ...authority,
    }),
  ];
}

/** The template as CSV (UTF-8 with BOM, so Excel opens the Chinese headers). */
export function templateCsv(): string {
  const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return (
    "\uFEFF" +
    templateRows()
      .map((r) => r.map(cell).join(","))
      .join("\r\n") +
    "\r\n"
  );
}

/** The template as an Excel workbook, with the required columns marked and a sheet explaining the columns. */
export async function templateXlsx(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("双公示数据");
  for (const row of templateRows()) sheet.addRow(row);
  sheet.getRow(1).font = { bold: true };
  sheet.columns.forEach((c) => (c.width = 18));
  const help = workbook.addWorksheet("填写说明");
  help.addRow(["列名", "适用类别", "必填", "说明"]);
  for (const f of RECORD_FIELDS)
    help.addRow([
      f.label,
      f.types ? f.types.join("、") : "全部",
      f.requiredFor?.length ? f.requiredFor.join("、") : "",
      [
        f.choices ? `可选值：${f.choices.join("、")}` : "",
        f.kind === "date" ? "日期，如 2026-05-10" : "",
        f.kind === "amount" ? "数字，单位万元" : "",
        f.hint ?? "",
      ]
        .filter(Boolean)
        .join("；"),
    ]);
  help.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
