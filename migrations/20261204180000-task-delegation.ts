import { DataTypes, type QueryInterface } from "sequelize";
import { dropColumnsKeepingIndexes } from "./support/dropColumns.js";

// 委派 (Camunda's delegateTask / resolveTask): the task's owner while a delegate works it, and its delegation state
// (PENDING while delegated, RESOLVED once the delegate handed it back).
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("engine_tasks", "owner", { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn("engine_tasks", "delegation_state", { type: DataTypes.STRING(16), allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await dropColumnsKeepingIndexes(qi, "engine_tasks", ["delegation_state", "owner"]);
}
