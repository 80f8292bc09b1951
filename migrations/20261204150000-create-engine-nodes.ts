import { DataTypes, type QueryInterface } from "sequelize";

// One row per running node with a job worker: its heartbeat renews the leases of the jobs it claimed; jobs of a node
// whose heartbeat stopped (killed, cut off) are claimed again by the others without waiting out the lease.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("engine_nodes", {
    node_id: { type: DataTypes.STRING(64), primaryKey: true },
    started_at: { type: DataTypes.DATE(3), allowNull: false },
    heartbeat_at: { type: DataTypes.DATE(3), allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("engine_nodes");
}
