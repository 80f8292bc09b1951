import { DataTypes, type QueryInterface } from "sequelize";

// MariaDB TEXT holds 64 KB; a drawn process with its diagram can be larger (deployments accept 5 MB). SQLite has one TEXT.
const longText = (qi: QueryInterface) => (qi.sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("long"));

// One draft per process key, saved from the browser modeler (/admin/processes/:key/edit) until it is deployed.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("process_drafts", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    process_key: { type: DataTypes.STRING(255), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(255), allowNull: true },
    xml: { type: longText(qi), allowNull: false },
    department_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: "departments", key: "id" }, onDelete: "SET NULL" },
    updated_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("process_drafts");
}
