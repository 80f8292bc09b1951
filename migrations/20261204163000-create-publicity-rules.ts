import { DataTypes, type QueryInterface } from "sequelize";

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

const NATIONAL_BASIS = "信用修复管理办法（国家发展改革委令第36号，2026-04-01施行）；国办发〔2025〕22号";
const SAMR_BASIS = "市场监督管理信用修复管理办法（总局令第45号，2025-12-25施行）";

interface Seed {
  rule_set: string;
  record_type: string;
  severity: string;
  publish: boolean;
  min_value: number | null;
  min_unit: string | null;
  max_value: number | null;
  max_unit: string | null;
  effective_from: string;
  legal_basis: string;
  note: string;
  to_be_confirmed: boolean;
}

const penalty = (rule_set: string, effective_from: string, legal_basis: string, to_be_confirmed: boolean, note: string): Seed[] => [
  {
    rule_set,
    record_type: "行政处罚",
    severity: "轻微",
    publish: false,
    min_value: null,
    min_unit: null,
    max_value: 3,
    max_unit: "month",
    effective_from,
    legal_basis,
    note: `轻微：原则上不公示；确需公示的最长3个月，无最短公示期。${note}`,
    to_be_confirmed,
  },
  {
    rule_set,
    record_type: "行政处罚",
    severity: "一般",
    publish: true,
    min_value: 3,
    min_unit: "month",
    max_value: 1,
    max_unit: "year",
    effective_from,
    legal_basis,
    note: `一般：最短3个月，最长1年。${note}`,
    to_be_confirmed,
  },
  {
    rule_set,
    record_type: "行政处罚",
    severity: "严重",
    publish: true,
    min_value: 1,
    min_unit: "year",
    max_value: 3,
    max_unit: "year",
    effective_from,
    legal_basis,
    note: `严重：最短1年，最长3年。${note}`,
    to_be_confirmed,
  },
];

const other = (record_type: string, min: [number, string] | null, max: [number, string] | null, note: string): Seed => ({
  rule_set: "national",
  record_type,
  severity: "*",
  publish: true,
  min_value: min?.[0] ?? null,
  min_unit: min?.[1] ?? null,
  max_value: max?.[0] ?? null,
  max_unit: max?.[1] ?? null,
  effective_from: "2000-01-01",
  legal_basis: "未查到国家层面的明确期限",
  note,
  to_be_confirmed: true,
});

/** The national rules of DOMAIN.md (令36 / 22号 from 2026-04-01) and the 市场监管 rule set, as the office's starting data. */
const SEEDS: Seed[] = [
  ...penalty("national", "2026-04-01", NATIONAL_BASIS, false, "公示期自处罚决定之日起算、期满自动停止公示（待确认，按配置执行）。"),
  // Records decided before 2026-04-01 (令第58号时期) need a rule too; its figures were not checked: the current ones, marked.
  ...penalty("national", "2000-01-01", "信用修复管理办法（令第58号，已废止）", true, "令第58号时期的期限未经核实，暂按现行规则。"),
  other("严重失信主体名单", [1, "year"], [3, "year"], "严重失信主体名单：暂按严重失信行为的期限（最短1年、最长3年）。"),
  other("经营异常名录", null, null, "经营异常名录：移出名录前持续公示，无自动届满。"),
  other("行政许可", null, null, "行政许可：双公示持续公示，无自动届满。"),
  other("违诺", null, null, "违反信用承诺：修复前持续公示（按承诺的公开类型），无自动届满。"),
  // 总局令45号 第二条: only ordinary-procedure penalties are published (a warning only is not); periods not confirmed.
  ...penalty("scjgj", "2025-12-25", SAMR_BASIS, true, "市场监管部门的公示期限未经确认；仅适用简易程序或仅警告的处罚按“轻微”登记、不公示。"),
];

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  // Rows are never edited: a new figure is a new row with a later effective date, so the history stays.
  await qi.createTable("publicity_rules", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    rule_set: { type: DataTypes.STRING(32), allowNull: false },
    record_type: { type: DataTypes.STRING(32), allowNull: false },
    severity: { type: DataTypes.STRING(8), allowNull: false },
    publish: { type: DataTypes.BOOLEAN, allowNull: false },
    min_value: { type: DataTypes.INTEGER, allowNull: true },
    min_unit: { type: DataTypes.STRING(16), allowNull: true },
    max_value: { type: DataTypes.INTEGER, allowNull: true },
    max_unit: { type: DataTypes.STRING(16), allowNull: true },
    count_from: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "decision" },
    effective_from: { type: DataTypes.STRING(10), allowNull: false },
    legal_basis: { type: DataTypes.STRING(500), allowNull: false },
    note: { type: DataTypes.STRING(500), allowNull: true },
    to_be_confirmed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    created_by: { type: DataTypes.STRING(64), allowNull: true },
    ...timestamps,
  });
  await qi.addIndex("publicity_rules", ["rule_set", "record_type", "severity", "effective_from"], {
    name: "publicity_rules_key",
    unique: true,
  });
  const now = new Date();
  await qi.bulkInsert(
    "publicity_rules",
    SEEDS.map((s) => ({ ...s, count_from: "decision", created_by: "system", created_at: now, updated_at: now })),
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("publicity_rules");
}
