import { DataTypes, type QueryInterface } from "sequelize";

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("uploaded_files", {
    id: { type: DataTypes.STRING(36), primaryKey: true },
    owner_user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "users", key: "id" } },
    sha256: { type: DataTypes.STRING(64), allowNull: false },
    original_name: { type: DataTypes.STRING(255), allowNull: false },
    mime_type: { type: DataTypes.STRING(100), allowNull: false },
    size: { type: DataTypes.INTEGER, allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("uploaded_files", ["owner_user_id"], { name: "uploaded_files_owner" });
  await qi.addIndex("uploaded_files", ["sha256"], { name: "uploaded_files_sha256" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("uploaded_files");
}
