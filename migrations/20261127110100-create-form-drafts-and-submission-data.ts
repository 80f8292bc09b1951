import { DataTypes, type QueryInterface } from "sequelize";

// MariaDB TEXT holds 64 KB; form definitions and submissions may be larger. SQLite has one TEXT.
const longText = (qi: QueryInterface) => (qi.sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("long"));

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("form_drafts", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "users", key: "id" }, onDelete: "CASCADE" },
    form_key: { type: DataTypes.STRING(100), allowNull: false },
    client_ref: { type: DataTypes.STRING(64), allowNull: false },
    form_revision: { type: DataTypes.INTEGER, allowNull: false },
    data: { type: longText(qi), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("form_drafts", ["user_id", "form_key", "client_ref"], { unique: true, name: "form_drafts_owner_ref" });
  await qi.createTable("submission_revisions", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    submission_type: { type: DataTypes.STRING(32), allowNull: false },
    submission_id: { type: DataTypes.STRING(64), allowNull: false },
    version: { type: DataTypes.INTEGER, allowNull: false },
    form_key: { type: DataTypes.STRING(100), allowNull: false },
    form_revision: { type: DataTypes.INTEGER, allowNull: false },
    data: { type: longText(qi), allowNull: false },
    note: { type: DataTypes.STRING(500), allowNull: true },
    created_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("submission_revisions", ["submission_type", "submission_id", "version"], {
    unique: true,
    name: "submission_revisions_version",
  });
  await qi.createTable("submission_unique_values", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    form_key: { type: DataTypes.STRING(100), allowNull: false },
    field_path: { type: DataTypes.STRING(200), allowNull: false },
    value_hash: { type: DataTypes.STRING(64), allowNull: false },
    owner_ref: { type: DataTypes.STRING(100), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("submission_unique_values", ["form_key", "field_path", "value_hash"], {
    unique: true,
    name: "submission_unique_values_value",
  });
  await qi.addIndex("submission_unique_values", ["owner_ref"], { name: "submission_unique_values_owner" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("submission_unique_values");
  await qi.dropTable("submission_revisions");
  await qi.dropTable("form_drafts");
}
