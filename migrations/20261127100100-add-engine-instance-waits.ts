import { DataTypes, type QueryInterface } from "sequelize";

/** What an instance waits on (task, job, external task and subscription ids by execution id), so a save needs no lookups. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("engine_instances", "waits", { type: DataTypes.TEXT, allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn("engine_instances", "waits");
}
