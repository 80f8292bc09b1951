import { DataTypes, type QueryInterface } from "sequelize";

// Every status a credit record has had, with who changed it, when and why: the record itself is never deleted.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("credit_record_statuses", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    record_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "credit_records", key: "id" } },
    from_status: { type: DataTypes.STRING(16), allowNull: true },
    to_status: { type: DataTypes.STRING(16), allowNull: false },
    reason: { type: DataTypes.STRING(500), allowNull: true },
    actor: { type: DataTypes.STRING(64), allowNull: true },
    at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("credit_record_statuses", ["record_id", "at"], { name: "credit_record_statuses_record" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("credit_record_statuses");
}
