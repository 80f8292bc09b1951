import { DataTypes, type QueryInterface } from "sequelize";

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  // 告知承诺事项: the stable identity of an item; its content lives in versions.
  await qi.createTable("catalog_items", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    item_code: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    department_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "departments", key: "id" } },
    published_version_id: { type: DataTypes.INTEGER, allowNull: true },
    ...timestamps,
  });
  await qi.createTable("catalog_item_versions", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    item_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "catalog_items", key: "id" } },
    version: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    name: { type: DataTypes.STRING(200), allowNull: false },
    legal_basis: { type: DataTypes.TEXT, allowNull: false },
    commitment_type: { type: DataTypes.STRING(16), allowNull: false },
    commitment_type_other: { type: DataTypes.STRING(100), allowNull: true },
    notice_content: { type: DataTypes.TEXT, allowNull: false },
    letter_template: { type: DataTypes.TEXT, allowNull: false },
    form_key: { type: DataTypes.STRING(100), allowNull: false },
    form_revision: { type: DataTypes.INTEGER, allowNull: true },
    process_key: { type: DataTypes.STRING(100), allowNull: false },
    process_definition_id: { type: DataTypes.STRING(191), allowNull: true },
    verification_method: { type: DataTypes.STRING(500), allowNull: false },
    verification_days: { type: DataTypes.INTEGER, allowNull: false },
    public_type: { type: DataTypes.STRING(16), allowNull: false },
    validity_months: { type: DataTypes.INTEGER, allowNull: false },
    review_days: { type: DataTypes.INTEGER, allowNull: false },
    published_at: { type: DataTypes.DATE, allowNull: true },
    published_by: { type: DataTypes.STRING(64), allowNull: true },
    withdrawn_at: { type: DataTypes.DATE, allowNull: true },
    created_by: { type: DataTypes.STRING(64), allowNull: true },
    ...timestamps,
  });
  await qi.addIndex("catalog_item_versions", ["item_id", "version"], { name: "catalog_item_versions_item_version", unique: true });
  await qi.addIndex("catalog_item_versions", ["status"], { name: "catalog_item_versions_status" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("catalog_item_versions");
  await qi.dropTable("catalog_items");
}
