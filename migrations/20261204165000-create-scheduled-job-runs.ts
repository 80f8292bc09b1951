import { DataTypes, type QueryInterface } from "sequelize";

// A daily job runs once per day across all nodes: the node that inserts (job, day) first does it, in the same
// transaction as the work, so a failed run leaves no row and is tried again.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("scheduled_job_runs", {
    job: { type: DataTypes.STRING(64), primaryKey: true },
    run_day: { type: DataTypes.STRING(10), primaryKey: true },
    node_id: { type: DataTypes.STRING(64), allowNull: false },
    result: { type: DataTypes.STRING(1000), allowNull: true },
    ran_at: { type: DataTypes.DATE, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("scheduled_job_runs");
}
