import { randomBytes, randomInt } from "node:crypto";
import { RECORD_FIELDS } from "../../../server/domain/credit/fields.js";
import { residentIdCheckCharacter } from "../../../server/domain/subjects/residentId.js";
import { randomUscc } from "../../helpers/factories.js";

export type Row = Record<string, string>;

const AUTHORITY = { authority: "荥阳市市场监督管理局", authorityUscc: "121200004013590816" };

export function randomResidentId(): string {
  const first17 = `4101821990${String(randomInt(1, 13)).padStart(2, "0")}${String(randomInt(10, 29))}${String(randomInt(0, 1000)).padStart(3, "0")}`;
  return first17 + residentIdCheckCharacter(first17);
}

/** A good row of the 双公示 layout: penalties mostly, some licences, a few natural persons. */
export function goodRow(tag: string, i: number, subject: { code: string; name: string }): Row {
  const decidedOn = `2026-${String(4 + (i % 8)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`;
  if (i % 10 === 9) {
    return {
      recordType: "行政许可",
      partyName: subject.name,
      partyType: "法人及非法人组织",
      uscc: subject.code,
      decisionNumber: `${tag}-许-${i}`,
      licenceCategory: "普通",
      licenceContent: `许可内容${i}`,
      decidedOn,
      validFrom: decidedOn,
      ...AUTHORITY,
    };
  }
  return {
    recordType: "行政处罚",
    severity: ["轻微", "一般", "严重"][i % 3]!,
    partyName: subject.name,
    partyType: "法人及非法人组织",
    uscc: subject.code,
    legalRep: "张三",
    decisionNumber: `${tag}-罚-${i}`,
    violationType: "违反食品安全法",
    violationFacts: `违法事实，第 ${i} 号`,
    basis: "《中华人民共和国食品安全法》第一百二十四条",
    penaltyCategory: "罚款",
    penaltyContent: "罚款人民币壹万元",
    fineAmount: String((i % 50) / 10 + 0.5),
    decidedOn,
    ...AUTHORITY,
  };
}

/** A natural-person penalty row. */
export function personRow(tag: string, i: number): Row {
  return {
    ...goodRow(tag, i * 10 + 1, { code: "", name: `自然人${i}` }),
    decisionNumber: `${tag}-罚-人-${i}`,
    partyType: "自然人",
    uscc: "",
    idType: "身份证",
    idNumber: randomResidentId(),
  };
}

export interface Planted {
  index: number;
  field: string;
}

/**
 * n good rows for a few hundred subjects, then `bad` of them spoiled, one field each, cycling through every kind of
 * mistake the dry run must name: missing required, invalid USCC, invalid ID number, unknown severity, unknown type,
 * decision in the future, a number twice in the file, a number already recorded with other content, a non-numeric amount.
 */
export function buildRows(n: number, bad: number, opts: { tag?: string; existingNumber?: string; today: string }) {
  const tag = opts.tag ?? `T${randomBytes(4).toString("hex")}`;
  const subjects = Array.from({ length: Math.max(1, Math.floor(n / 5)) }, (_, k) => ({
    code: randomUscc(),
    name: `导入测试${tag}企业${k}有限公司`,
  }));
  const rows: Row[] = Array.from({ length: n }, (_, i) =>
    i % 97 === 50 ? personRow(tag, i) : goodRow(tag, i, subjects[i % subjects.length]!),
  );
  const good = rows.map((r) => ({ ...r }));
  const planted: Planted[] = [];
  const step = Math.floor(n / (bad + 1));
  for (let k = 0; k < bad; k++) {
    const index = step * (k + 1);
    const r = rows[index]!;
    const kind = k % 9;
    const penalty = r.recordType === "行政处罚";
    if (kind === 0) {
      r.partyName = "";
      planted.push({ index, field: "行政相对人名称" });
    } else if (kind === 1 && r.partyType !== "自然人") {
      r.uscc = r.uscc!.slice(0, 5) + "I" + r.uscc!.slice(6);
      planted.push({ index, field: "统一社会信用代码" });
    } else if (kind === 2 || (kind === 1 && r.partyType === "自然人")) {
      Object.assign(r, { partyType: "自然人", uscc: "", idType: "身份证", idNumber: "41018219900101123" + "0", partyName: "王五" });
      const valid = randomResidentId();
      // a wrong check digit
      r.idNumber = valid.slice(0, 17) + (valid[17] === "1" ? "2" : "1");
      planted.push({ index, field: "证件号码" });
    } else if (kind === 3 && penalty) {
      r.severity = "特别严重";
      planted.push({ index, field: "严重程度" });
    } else if (kind === 4 || (kind === 3 && !penalty)) {
      r.recordType = "行政奖励";
      planted.push({ index, field: "信息类别" });
    } else if (kind === 5) {
      r.decidedOn = "2099-01-01";
      planted.push({ index, field: "决定日期" });
    } else if (kind === 6) {
      // the same number (and type) as the row before it, which is good
      const prev = rows[index - 1]!;
      r.recordType = prev.recordType!;
      Object.assign(r, {
        ...prev,
        partyName: `${prev.partyName}`,
        decisionNumber: prev.decisionNumber,
        decidedOn: prev.decidedOn,
        violationFacts: "另一事实",
      });
      planted.push({ index, field: "决定文书号" });
    } else if (kind === 7 && opts.existingNumber) {
      Object.assign(r, goodRow(tag, index * 3 + 1, subjects[0]!), {
        recordType: "行政处罚",
        severity: "一般",
        decisionNumber: opts.existingNumber,
        violationFacts: "与已登记记录不同的事实",
      });
      planted.push({ index, field: "决定文书号" });
    } else {
      Object.assign(r, goodRow(tag, index * 3, subjects[index % subjects.length]!), {
        recordType: "行政处罚",
        severity: "一般",
        decisionNumber: `${tag}-罚-额-${index}`,
        fineAmount: "五千元",
      });
      planted.push({ index, field: "罚款金额（万元）" });
    }
  }
  // The fixed file: the good rows, except that the row that repeated a recorded number gets its own.
  return { tag, rows, good, planted, subjects };
}

/** The rows as a CSV file with the canonical 双公示 headers (spreadsheet row = index + 2). */
export function toCsv(rows: Row[]): Buffer {
  const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [RECORD_FIELDS.map((f) => f.label).join(","), ...rows.map((r) => RECORD_FIELDS.map((f) => cell(r[f.key] ?? "")).join(","))];
  return Buffer.from("\uFEFF" + lines.join("\r\n") + "\r\n", "utf8");
}
