import { Op } from "sequelize";
import { CreditRecord } from "../../db/models/CreditRecord.js";
import { Department } from "../../db/models/Department.js";
import { loadWorkingCalendar } from "../calendar/workingDays.js";

/** 双公示: penalty and licence information is published within 7 working days of the decision (发改办财金〔2018〕424号). */
export const TIMELY_WORKING_DAYS = 7;
const DOUBLE_PUBLICITY = ["行政处罚", "行政许可"];

export interface TimelinessRow {
  departmentId: number | null;
  department: string;
  total: number;
  onTime: number;
  late: number;
  /** 0..100 with one decimal, null when nothing was published. */
  rate: number | null;
}

/**
 * 及时率 per department for records decided between from and to: published on or before the 7th working day after
 * the decision / all published (records not published by their rule are left out).
 */
export async function timelinessByDepartment(range: { from: string; to: string }): Promise<TimelinessRow[]> {
  const [records, departments, calendar] = await Promise.all([
    CreditRecord.findAll({
      where: { recordType: DOUBLE_PUBLICITY, decidedOn: { [Op.between]: [range.from, range.to] }, publicityFrom: { [Op.ne]: null } },
      attributes: ["departmentId", "decidedOn", "publicityFrom"],
      raw: true,
    }),
    Department.findAll({ attributes: ["id", "name"], order: [["id", "ASC"]], raw: true }),
    loadWorkingCalendar(),
  ]);
  const rows = new Map<number | null, TimelinessRow>();
  const names = new Map(departments.map((d) => [d.id, d.name]));
  for (const r of records) {
    let row = rows.get(r.departmentId);
    if (!row) {
      row = {
        departmentId: r.departmentId,
        department: r.departmentId ? (names.get(r.departmentId) ?? `部门 #${r.departmentId}`) : "（未指定部门）",
        total: 0,
        onTime: 0,
        late: 0,
        rate: null,
      };
      rows.set(r.departmentId, row);
    }
    row.total += 1;
    if (r.publicityFrom! <= calendar.addWorkingDays(r.decidedOn!, TIMELY_WORKING_DAYS)) row.onTime += 1;
    else row.late += 1;
  }
  return [...rows.values()]
    .map((r) => ({ ...r, rate: r.total ? Math.round((r.onTime / r.total) * 1000) / 10 : null }))
    .sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || a.department.localeCompare(b.department, "zh"));
}

/** The table as CSV (UTF-8 with BOM for Excel). */
export function timelinessCsv(rows: TimelinessRow[], range: { from: string; to: string }): string {
  const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : /^[=+\-@]/.test(s) ? `'${s}` : s);
  const lines = [
    ["部门", "决定日期起", "决定日期止", "已公示", "按时（7个工作日内）", "超时", "及时率（%）"].join(","),
    ...rows.map((r) => [cell(r.department), range.from, range.to, r.total, r.onTime, r.late, r.rate ?? ""].join(",")),
  ];
  return "\uFEFF" + lines.join("\r\n") + "\r\n";
}
