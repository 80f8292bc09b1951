import { DataTypes, type QueryInterface } from "sequelize";

// MariaDB TEXT holds 64 KB; form definitions and submissions may be larger. SQLite has one TEXT.
const longText = (qi: QueryInterface) => (qi.sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("long"));

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("forms", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    key: { type: DataTypes.STRING(100), allowNull: false, unique: true },
    title: { type: DataTypes.STRING(200), allowNull: false },
    department_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: "departments", key: "id" } },
    latest_revision: { type: DataTypes.INTEGER, allowNull: false },
    published_revision: { type: DataTypes.INTEGER, allowNull: true },
    created_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.createTable("form_revisions", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    form_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "forms", key: "id" }, onDelete: "CASCADE" },
    revision: { type: DataTypes.INTEGER, allowNull: false },
    title: { type: DataTypes.STRING(200), allowNull: false },
    definition: { type: longText(qi), allowNull: false },
    created_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("form_revisions", ["form_id", "revision"], { unique: true, name: "form_revisions_form_revision" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("form_revisions");
  await qi.dropTable("forms");
}
