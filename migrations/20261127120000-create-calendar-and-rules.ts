import { DataTypes, type QueryInterface } from "sequelize";

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

/**
 * The 2026 public-holiday arrangement as published by the State Council (国务院办公厅关于2026年部分节假日安排的通知).
 * Admins correct and extend it from the calendar page or API; code never hard-codes holidays.
 */
const HOLIDAYS_2026: Array<[string, string]> = [
  ["2026-01-01", "元旦"],
  ["2026-01-02", "元旦"],
  ["2026-01-03", "元旦"],
  ["2026-02-15", "春节"],
  ["2026-02-16", "春节"],
  ["2026-02-17", "春节"],
  ["2026-02-18", "春节"],
  ["2026-02-19", "春节"],
  ["2026-02-20", "春节"],
  ["2026-02-21", "春节"],
  ["2026-02-22", "春节"],
  ["2026-02-23", "春节"],
  ["2026-04-04", "清明节"],
  ["2026-04-05", "清明节"],
  ["2026-04-06", "清明节"],
  ["2026-05-01", "劳动节"],
  ["2026-05-02", "劳动节"],
  ["2026-05-03", "劳动节"],
  ["2026-05-04", "劳动节"],
  ["2026-05-05", "劳动节"],
  ["2026-06-19", "端午节"],
  ["2026-06-20", "端午节"],
  ["2026-06-21", "端午节"],
  ["2026-09-25", "中秋节"],
  ["2026-09-26", "中秋节"],
  ["2026-09-27", "中秋节"],
  ["2026-10-01", "国庆节"],
  ["2026-10-02", "国庆节"],
  ["2026-10-03", "国庆节"],
  ["2026-10-04", "国庆节"],
  ["2026-10-05", "国庆节"],
  ["2026-10-06", "国庆节"],
  ["2026-10-07", "国庆节"],
];
/** 调休: weekend days that are working days. */
const WORKING_WEEKENDS_2026: Array<[string, string]> = [
  ["2026-01-04", "元旦调休上班"],
  ["2026-02-14", "春节调休上班"],
  ["2026-02-28", "春节调休上班"],
  ["2026-05-09", "劳动节调休上班"],
  ["2026-09-20", "国庆节调休上班"],
  ["2026-10-10", "国庆节调休上班"],
];

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("calendar_days", {
    day: { type: DataTypes.STRING(10), primaryKey: true },
    kind: { type: DataTypes.STRING(16), allowNull: false },
    name: { type: DataTypes.STRING(100), allowNull: false },
    updated_by: { type: DataTypes.STRING(64), allowNull: true },
    ...timestamps,
  });
  await qi.createTable("rule_settings", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    key: { type: DataTypes.STRING(100), allowNull: false },
    value: { type: DataTypes.TEXT, allowNull: false },
    effective_from: { type: DataTypes.STRING(10), allowNull: false },
    note: { type: DataTypes.STRING(500), allowNull: true },
    created_by: { type: DataTypes.STRING(64), allowNull: true },
    ...timestamps,
  });
  await qi.addIndex("rule_settings", ["key", "effective_from"], { name: "rule_settings_key_from", unique: true });
  const now = new Date();
  await qi.bulkInsert("calendar_days", [
    ...HOLIDAYS_2026.map(([day, name]) => ({ day, kind: "holiday", name, updated_by: "system", created_at: now, updated_at: now })),
    ...WORKING_WEEKENDS_2026.map(([day, name]) => ({ day, kind: "workday", name, updated_by: "system", created_at: now, updated_at: now })),
  ]);
  await qi.bulkInsert("rule_settings", [
    {
      key: "commitment.divisionCode",
      value: JSON.stringify("410182"),
      effective_from: "2000-01-01",
      note: "承诺编码前6位：承诺受理地行政区划代码（荥阳市）",
      created_by: "system",
      created_at: now,
      updated_at: now,
    },
    {
      key: "commitment.defaultReviewDays",
      value: JSON.stringify(5),
      effective_from: "2000-01-01",
      note: "事项未设置审查时限时的默认受理审查时限（工作日）",
      created_by: "system",
      created_at: now,
      updated_at: now,
    },
  ]);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("rule_settings");
  await qi.dropTable("calendar_days");
}
