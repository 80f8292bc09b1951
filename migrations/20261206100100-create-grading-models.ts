import { DataTypes, type QueryInterface } from "sequelize";

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

const EXAMPLE_NOTE =
  "示例，待确认：公共信用综合评价的指标、分值和分级界限没有查到全县统一的文本（国市监信发〔2022〕6号只规定 A-D 四类），" +
  "以下为演示用的示例模型，须经信用办核实后另立新版本。";

interface IndicatorSeed {
  code: string;
  label: string;
  kind: "record" | "commitment";
  params: Record<string, unknown>;
  points: number;
  cap: number | null;
  force_grade: string | null;
  note: string;
}

const PUBLIC = ["公示中"];
const penalty = (severity: string, minAgeMonths: number, maxAgeMonths: number, points: number, cap: number): IndicatorSeed => {
  const age = minAgeMonths === 0 ? `${maxAgeMonths / 12}年内` : `${minAgeMonths / 12}-${maxAgeMonths / 12}年`;
  return {
    code: `penalty_${{ 轻微: "minor", 一般: "general", 严重: "serious" }[severity]}_${minAgeMonths}_${maxAgeMonths}`,
    label: `${severity}失信行为（行政处罚，${age}，公示中）`,
    kind: "record",
    params: { recordTypes: ["行政处罚"], severities: [severity], statuses: PUBLIC, minAgeMonths, maxAgeMonths },
    points,
    cap,
    force_grade: null,
    note: "按决定日期计算记录年龄；每条扣分，累计不超过上限。",
  };
};

/** The documented example model (docs/grading.md). Every figure: 示例，待确认. */
const INDICATORS: IndicatorSeed[] = [
  penalty("轻微", 0, 12, -2, 6),
  penalty("一般", 0, 12, -10, 30),
  penalty("一般", 12, 36, -5, 15),
  penalty("严重", 0, 12, -25, 50),
  penalty("严重", 12, 36, -15, 30),
  {
    code: "repaired_0_36",
    label: "已完成信用修复的记录（3年内）",
    kind: "record",
    params: {
      recordTypes: ["行政处罚", "经营异常名录", "严重失信主体名单", "违诺"],
      severities: null,
      statuses: ["已修复（终止公示）"],
      minAgeMonths: 0,
      maxAgeMonths: 36,
    },
    points: -1,
    cap: 3,
    force_grade: null,
    note: "修复后不再按原记录扣分，只留少量扣分（修复完成）。",
  },
  {
    code: "commitment_fulfilled_0_36",
    label: "信用承诺全部履行（3年内核查）",
    kind: "commitment",
    params: { fulfilment: ["全部履行"], excludeRepaired: false, minAgeMonths: 0, maxAgeMonths: 36 },
    points: 2,
    cap: 10,
    force_grade: null,
    note: "核查结果为全部履行的承诺，按核查日期计算。",
  },
  {
    code: "commitment_breached_0_36",
    label: "未履约（承诺部分履行，3年内，未修复）",
    kind: "commitment",
    params: { fulfilment: ["部分履行"], excludeRepaired: true, minAgeMonths: 0, maxAgeMonths: 36 },
    points: -10,
    cap: 30,
    force_grade: null,
    note: "违诺记录已修复、屏蔽或撤销的不计。",
  },
  {
    code: "commitment_false_0_36",
    label: "虚假承诺或全部未履行（3年内，未修复）",
    kind: "commitment",
    params: { fulfilment: ["全部未履行"], excludeRepaired: true, minAgeMonths: 0, maxAgeMonths: 36 },
    points: -20,
    cap: 40,
    force_grade: null,
    note: "违诺记录已修复、屏蔽或撤销的不计。",
  },
  {
    code: "abnormal_list",
    label: "列入经营异常名录（公示中）",
    kind: "record",
    params: { recordTypes: ["经营异常名录"], severities: null, statuses: PUBLIC, minAgeMonths: 0, maxAgeMonths: null },
    points: -15,
    cap: 15,
    force_grade: null,
    note: "移出名录（修复、届满）后不计。",
  },
  {
    code: "serious_dishonest_list",
    label: "列入严重失信主体名单（公示中）",
    kind: "record",
    params: { recordTypes: ["严重失信主体名单"], severities: null, statuses: PUBLIC, minAgeMonths: 0, maxAgeMonths: null },
    points: -40,
    cap: 40,
    force_grade: "D",
    note: "在名单期间直接评为 D 类。",
  },
];

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  // Versions are never edited: a change is a new version with a later effective date, so the history stays.
  await qi.createTable("grading_models", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    name: { type: DataTypes.STRING(200), allowNull: false },
    version: { type: DataTypes.INTEGER, allowNull: false },
    effective_from: { type: DataTypes.STRING(10), allowNull: false, unique: true },
    base_score: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
    // Lowest score of each class: score >= min_a is A, >= min_b B, >= min_c C, else D.
    min_a: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
    min_b: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
    min_c: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
    note: { type: DataTypes.STRING(1000), allowNull: true },
    to_be_confirmed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    created_by: { type: DataTypes.STRING(64), allowNull: true },
    ...timestamps,
  });
  await qi.createTable("grading_indicators", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    model_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "grading_models", key: "id" }, onDelete: "CASCADE" },
    code: { type: DataTypes.STRING(64), allowNull: false },
    label: { type: DataTypes.STRING(200), allowNull: false },
    kind: { type: DataTypes.STRING(16), allowNull: false },
    // JSON: which records / commitments count (types, severities, statuses, age band in months).
    params: { type: DataTypes.TEXT, allowNull: false },
    points: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
    // Largest total (absolute) the indicator may add or deduct; null: no cap.
    cap: { type: DataTypes.DECIMAL(6, 2), allowNull: true },
    force_grade: { type: DataTypes.CHAR(1), allowNull: true },
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    sort: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    note: { type: DataTypes.STRING(500), allowNull: true },
    ...timestamps,
  });
  await qi.addIndex("grading_indicators", ["model_id", "code"], { name: "grading_indicators_key", unique: true });
  // The grading job looks for inputs written since its last tick, and for grades of an earlier model version.
  await qi.addIndex("credit_records", ["updated_at"], { name: "credit_records_updated" });
  await qi.addIndex("commitments", ["updated_at"], { name: "commitments_updated" });
  await qi.addIndex("subject_grades", ["model_id"], { name: "subject_grades_model" });
  const now = new Date();
  await qi.bulkInsert("grading_models", [
    {
      name: "公共信用综合评价模型（示例）",
      version: 1,
      effective_from: "2000-01-01",
      base_score: 100,
      min_a: 104,
      min_b: 90,
      min_c: 70,
      note: EXAMPLE_NOTE,
      to_be_confirmed: true,
      created_by: "system",
      created_at: now,
      updated_at: now,
    },
  ]);
  const [rows] = (await qi.sequelize.query("SELECT id FROM grading_models WHERE version = 1")) as [Array<{ id: number }>, unknown];
  const modelId = Number(rows[0]!.id);
  await qi.bulkInsert(
    "grading_indicators",
    INDICATORS.map((s, i) => ({
      model_id: modelId,
      code: s.code,
      label: s.label,
      kind: s.kind,
      params: JSON.stringify(s.params),
      points: s.points,
      cap: s.cap,
      force_grade: s.force_grade,
      enabled: true,
      sort: (i + 1) * 10,
      note: `${s.note}（示例，待确认）`,
      created_at: now,
      updated_at: now,
    })),
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex("subject_grades", "subject_grades_model");
  await qi.removeIndex("commitments", "commitments_updated");
  await qi.removeIndex("credit_records", "credit_records_updated");
  await qi.dropTable("grading_indicators");
  await qi.dropTable("grading_models");
}
