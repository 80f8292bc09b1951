import { DataTypes, type QueryInterface } from "sequelize";

// The audit log becomes several HMAC-SHA256 chains (one or more per node), each with its own head row, so audited
// writes of different nodes do not queue on the one audit_head row. Rows written before stay the "legacy" chain
// (plain SHA-256, in id order, head in audit_head, which is no longer written); the first row of every keyed chain
// links to the legacy chain's last hash. Down leaves keyed rows in place: the old code reports them as broken.
const COLUMNS = ["chain_id", "seq", "hash_alg", "key_id"] as const;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("audit_entries", "chain_id", { type: DataTypes.STRING(64), allowNull: false, defaultValue: "legacy" });
  // Position in its chain, from 1; legacy rows have none (their order is their id).
  await qi.addColumn("audit_entries", "seq", { type: DataTypes.BIGINT, allowNull: true });
  await qi.addColumn("audit_entries", "hash_alg", { type: DataTypes.STRING(16), allowNull: false, defaultValue: "sha256" });
  await qi.addColumn("audit_entries", "key_id", { type: DataTypes.STRING(16), allowNull: true });
  await qi.addIndex("audit_entries", ["chain_id", "seq"], { name: "audit_entries_chain_seq", unique: true });
  await qi.createTable("audit_chain_heads", {
    chain_id: { type: DataTypes.STRING(64), primaryKey: true },
    last_seq: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    last_id: { type: DataTypes.BIGINT, allowNull: true },
    last_hash: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("audit_chain_heads");
  await qi.removeIndex("audit_entries", "audit_entries_chain_seq");
  // Plain ALTER TABLE: Sequelize's SQLite removeColumn copies the table and loses its other indexes.
  for (const column of [...COLUMNS].reverse()) await qi.sequelize.query(`ALTER TABLE audit_entries DROP COLUMN ${column}`);
}
