import { DataTypes, type QueryInterface } from "sequelize";

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("audit_entries", {
    id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
    at: { type: DataTypes.DATE(3), allowNull: false },
    actor: { type: DataTypes.STRING(64), allowNull: true },
    action: { type: DataTypes.STRING(64), allowNull: false },
    entity_type: { type: DataTypes.STRING(64), allowNull: true },
    entity_id: { type: DataTypes.STRING(64), allowNull: true },
    detail: { type: DataTypes.TEXT, allowNull: true },
    ip: { type: DataTypes.STRING(64), allowNull: true },
    prev_hash: { type: DataTypes.STRING(64), allowNull: false },
    hash: { type: DataTypes.STRING(64), allowNull: false },
  });
  await qi.addIndex("audit_entries", ["action"], { name: "audit_entries_action" });
  await qi.addIndex("audit_entries", ["entity_type", "entity_id"], { name: "audit_entries_entity" });
  await qi.addIndex("audit_entries", ["actor"], { name: "audit_entries_actor" });
  // One row holding the chain's head; appenders lock it so the chain stays a line under concurrency.
  await qi.createTable("audit_head", {
    id: { type: DataTypes.INTEGER, primaryKey: true },
    last_id: { type: DataTypes.BIGINT, allowNull: true },
    last_hash: { type: DataTypes.STRING(64), allowNull: false },
  });
  await qi.bulkInsert("audit_head", [{ id: 1, last_id: null, last_hash: "0".repeat(64) }]);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("audit_head");
  await qi.dropTable("audit_entries");
}
