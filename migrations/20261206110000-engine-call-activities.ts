import { DataTypes, type QueryInterface } from "sequelize";

// Call activities: a child instance remembers the instance and the call activity execution that started it
// (Camunda's superProcessInstanceId / superExecutionId); the parent goes on when the child ends.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("engine_instances", "super_instance_id", { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn("engine_instances", "super_execution_id", { type: DataTypes.STRING(255), allowNull: true });
  await qi.addIndex("engine_instances", ["super_instance_id"], { name: "engine_instances_super" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex("engine_instances", "engine_instances_super");
  await qi.removeColumn("engine_instances", "super_execution_id");
  await qi.removeColumn("engine_instances", "super_instance_id");
}
