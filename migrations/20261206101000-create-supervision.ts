import { DataTypes, type QueryInterface } from "sequelize";

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

// 双随机、一公开: the 抽查事项清单, inspectors' recusals, sampling plans, draws (seed + frozen candidate list) and the
// drawn targets. The algorithm that turns a seed and a candidate list into a draw: docs/supervision.md.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  // LONGTEXT on MySQL (TEXT stops at 64 KB; a frozen list of 10,000 candidates is ~600 KB); SQLite has one TEXT type.
  const longText = qi.sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("long");

  await qi.createTable("supervision_items", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    department_id: { type: DataTypes.INTEGER, allowNull: false },
    code: { type: DataTypes.STRING(32), allowNull: false },
    name: { type: DataTypes.STRING(200), allowNull: false },
    legal_basis: { type: DataTypes.STRING(1000), allowNull: false },
    method: { type: DataTypes.STRING(500), allowNull: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    ...timestamps,
  });
  await qi.addIndex("supervision_items", ["department_id", "code"], { name: "supervision_items_code", unique: true });

  await qi.createTable("inspector_recusals", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    user_id: { type: DataTypes.INTEGER, allowNull: false },
    subject_id: { type: DataTypes.INTEGER, allowNull: false },
    reason: { type: DataTypes.STRING(500), allowNull: false },
    created_by: { type: DataTypes.STRING(64), allowNull: false },
    ...timestamps,
  });
  await qi.addIndex("inspector_recusals", ["user_id", "subject_id"], { name: "inspector_recusals_pair", unique: true });
  await qi.addIndex("inspector_recusals", ["subject_id"], { name: "inspector_recusals_subject" });

  await qi.createTable("supervision_plans", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    department_id: { type: DataTypes.INTEGER, allowNull: false },
    year: { type: DataTypes.INTEGER, allowNull: false },
    name: { type: DataTypes.STRING(200), allowNull: false },
    scope_json: { type: DataTypes.TEXT, allowNull: false },
    item_ids_json: { type: DataTypes.TEXT, allowNull: false },
    ratios_json: { type: DataTypes.STRING(500), allowNull: false },
    inspectors_per_target: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 2 },
    period_start: { type: DataTypes.DATEONLY, allowNull: false },
    period_end: { type: DataTypes.DATEONLY, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "draft" },
    created_by: { type: DataTypes.STRING(64), allowNull: false },
    ...timestamps,
  });
  await qi.addIndex("supervision_plans", ["department_id", "year"], { name: "supervision_plans_department_year" });

  await qi.createTable("supervision_draws", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    plan_id: { type: DataTypes.INTEGER, allowNull: false },
    seed: { type: DataTypes.STRING(64), allowNull: false },
    candidates_hash: { type: DataTypes.STRING(64), allowNull: false },
    candidate_count: { type: DataTypes.INTEGER, allowNull: false },
    candidates_json: { type: longText, allowNull: false },
    result_json: { type: longText, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "preview" },
    drawn_by: { type: DataTypes.STRING(64), allowNull: false },
    confirmed_by: { type: DataTypes.STRING(64), allowNull: true },
    confirmed_at: { type: DataTypes.DATE, allowNull: true },
    published_at: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });
  await qi.addIndex("supervision_draws", ["plan_id"], { name: "supervision_draws_plan" });
  await qi.addIndex("supervision_draws", ["status", "published_at"], { name: "supervision_draws_published" });

  await qi.createTable("supervision_draw_targets", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    draw_id: { type: DataTypes.INTEGER, allowNull: false },
    subject_id: { type: DataTypes.INTEGER, allowNull: false },
    grade: { type: DataTypes.STRING(1), allowNull: false },
    inspector_usernames_json: { type: DataTypes.STRING(1000), allowNull: false },
    case_id: { type: DataTypes.INTEGER, allowNull: true },
    ...timestamps,
  });
  await qi.addIndex("supervision_draw_targets", ["draw_id", "subject_id"], { name: "supervision_draw_targets_draw", unique: true });
  await qi.addIndex("supervision_draw_targets", ["subject_id", "draw_id"], { name: "supervision_draw_targets_subject" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("supervision_draw_targets");
  await qi.dropTable("supervision_draws");
  await qi.dropTable("supervision_plans");
  await qi.dropTable("inspector_recusals");
  await qi.dropTable("supervision_items");
}
