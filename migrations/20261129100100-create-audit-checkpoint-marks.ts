import { DataTypes, type QueryInterface } from "sequelize";

// The newest checkpoint each node appended to its checkpoint file (number and signature): a tripwire that tells
// `audit:verify` a node's file has gone missing or lost its tail. The file, not this row, is the anchor.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("audit_checkpoint_marks", {
    node_id: { type: DataTypes.STRING(64), primaryKey: true },
    last_n: { type: DataTypes.BIGINT, allowNull: false },
    last_mac: { type: DataTypes.STRING(64), allowNull: false },
    last_at: { type: DataTypes.DATE(3), allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("audit_checkpoint_marks");
}
