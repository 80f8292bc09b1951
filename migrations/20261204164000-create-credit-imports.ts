import { DataTypes, type QueryInterface } from "sequelize";

// One row per uploaded import (dry run or real): its progress, the bad rows found and what it wrote.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const longText = qi.sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("medium");
  await qi.createTable("credit_imports", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    department_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: "departments", key: "id" } },
    actor: { type: DataTypes.STRING(64), allowNull: false },
    file_name: { type: DataTypes.STRING(255), allowNull: false },
    file_sha256: { type: DataTypes.STRING(64), allowNull: false },
    format: { type: DataTypes.STRING(8), allowNull: false },
    dry_run: { type: DataTypes.BOOLEAN, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    phase: { type: DataTypes.STRING(16), allowNull: false },
    total_rows: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    processed_rows: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    bad_rows: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    problems: { type: longText, allowNull: true },
    created_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    unchanged_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    subjects_created: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    message: { type: DataTypes.STRING(500), allowNull: true },
    finished_at: { type: DataTypes.DATE, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("credit_imports", ["actor", "created_at"], { name: "credit_imports_actor" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("credit_imports");
}
