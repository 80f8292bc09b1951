import { DataTypes, type QueryInterface } from "sequelize";

// 抄送: a read-only copy of a case sent at a step to users or groups; 抄送我的 lists them for the recipients.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("case_copies", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    instance_id: { type: DataTypes.STRING(64), allowNull: false },
    to_kind: { type: DataTypes.STRING(8), allowNull: false },
    to_value: { type: DataTypes.STRING(64), allowNull: false },
    step: { type: DataTypes.STRING(255), allowNull: true },
    note: { type: DataTypes.STRING(500), allowNull: true },
    sent_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex("case_copies", ["to_kind", "to_value", "created_at"], { name: "case_copies_recipient" });
  await qi.addIndex("case_copies", ["instance_id", "created_at"], { name: "case_copies_instance" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("case_copies");
}
