import { DataTypes, type QueryInterface } from "sequelize";

/** Camunda types of variables that JSON cannot tell apart (a Date is stored as its ISO string): name -> type. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("engine_instances", "variable_types", { type: DataTypes.TEXT, allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn("engine_instances", "variable_types");
}
