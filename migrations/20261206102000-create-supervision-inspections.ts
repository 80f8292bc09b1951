import { DataTypes, type QueryInterface } from "sequelize";

const RULE_KEY = "supervision.resultPublicationDays";

// One row per supervision case (检查): where it came from (a draw's target, a triggered inspection, a batch of 核查),
// what was found and when its result is, or must be, published (docs/supervision.md, 检查流程与结果公开).
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("supervision_inspections", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    instance_id: { type: DataTypes.STRING(64), allowNull: false },
    case_number: { type: DataTypes.STRING(64), allowNull: false },
    origin: { type: DataTypes.STRING(16), allowNull: false },
    reason: { type: DataTypes.STRING(1000), allowNull: true },
    draw_id: { type: DataTypes.INTEGER, allowNull: true },
    target_id: { type: DataTypes.INTEGER, allowNull: true },
    plan_id: { type: DataTypes.INTEGER, allowNull: true },
    department_id: { type: DataTypes.INTEGER, allowNull: false },
    subject_id: { type: DataTypes.INTEGER, allowNull: false },
    subject_code: { type: DataTypes.STRING(64), allowNull: false },
    subject_name: { type: DataTypes.STRING(255), allowNull: false },
    grade: { type: DataTypes.STRING(1), allowNull: true },
    item_names: { type: DataTypes.STRING(1000), allowNull: false },
    inspectors_json: { type: DataTypes.STRING(1000), allowNull: false },
    commitment_id: { type: DataTypes.INTEGER, allowNull: true },
    due_on: { type: DataTypes.STRING(10), allowNull: true },
    result: { type: DataTypes.STRING(16), allowNull: true },
    findings: { type: DataTypes.TEXT, allowNull: true },
    // Each inspector's own conclusion (the 检查 task is one task per inspector): [{inspector, result, findings, ...}].
    opinions_json: { type: DataTypes.TEXT, allowNull: true },
    false_commitment: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    rectify_deadline: { type: DataTypes.STRING(10), allowNull: true },
    recheck_result: { type: DataTypes.STRING(16), allowNull: true },
    inspected_on: { type: DataTypes.STRING(10), allowNull: true },
    closed_at: { type: DataTypes.DATE, allowNull: true },
    publish_due_on: { type: DataTypes.STRING(10), allowNull: true },
    published_at: { type: DataTypes.DATE, allowNull: true },
    published_on: { type: DataTypes.STRING(10), allowNull: true },
    created_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("supervision_inspections", ["instance_id"], { name: "supervision_inspections_instance", unique: true });
  // A draw's target starts one case at most (NULLs, the triggered inspections, do not collide).
  await qi.addIndex("supervision_inspections", ["target_id"], { name: "supervision_inspections_target", unique: true });
  await qi.addIndex("supervision_inspections", ["department_id", "plan_id"], { name: "supervision_inspections_plan" });
  await qi.addIndex("supervision_inspections", ["published_at"], { name: "supervision_inspections_published" });
  await qi.addIndex("supervision_inspections", ["commitment_id"], { name: "supervision_inspections_commitment" });
  const now = new Date();
  await qi.bulkInsert("rule_settings", [
    {
      key: RULE_KEY,
      value: JSON.stringify(20),
      effective_from: "2000-01-01",
      note: "待确认：抽查检查结果自检查完成之日起公示的时限（工作日），示例值 20，请按本地规定确认",
      created_by: "system",
      created_at: now,
      updated_at: now,
    },
  ]);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.bulkDelete("rule_settings", { key: RULE_KEY, created_by: "system" });
  await qi.dropTable("supervision_inspections");
}
