import { DataTypes, type QueryInterface } from "sequelize";

// The department that owns an instance (and a deployment): what /engine-rest authorizes on, like Camunda's
// tenant. Commitment instances take their commitment's department; older instances their starter's department.
const INSTANCE_INDEXES = [
  { name: "engine_instances_business_key", fields: ["business_key"] },
  { name: "engine_instances_key_state", fields: ["definition_key", "state"] },
  { name: "engine_instances_definition", fields: ["definition_id"] },
];

/** SQLite rebuilds a table to drop a column and loses its indexes on the way. */
async function restoreIndexes(qi: QueryInterface): Promise<void> {
  const left = new Set(((await qi.showIndex("engine_instances")) as { name: string }[]).map((i) => i.name));
  for (const index of INSTANCE_INDEXES)
    if (!left.has(index.name)) await qi.addIndex("engine_instances", index.fields, { name: index.name });
}

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("engine_instances", "department_id", { type: DataTypes.INTEGER, allowNull: true });
  await qi.addColumn("engine_deployments", "department_id", { type: DataTypes.INTEGER, allowNull: true });
  await qi.addIndex("engine_instances", ["department_id", "state", "started_at"], { name: "engine_instances_department" });
  await qi.sequelize.query(
    "UPDATE engine_instances SET department_id = (SELECT c.department_id FROM commitments c WHERE c.code = engine_instances.business_key) " +
      "WHERE definition_key = 'commitment'",
  );
  await qi.sequelize.query(
    "UPDATE engine_instances SET department_id = (SELECT u.department_id FROM users u WHERE u.username = engine_instances.start_actor) " +
      "WHERE department_id IS NULL",
  );
  await qi.sequelize.query(
    "UPDATE engine_deployments SET department_id = (SELECT u.department_id FROM users u WHERE u.username = engine_deployments.actor)",
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex("engine_instances", "engine_instances_department");
  await qi.removeColumn("engine_instances", "department_id");
  await qi.removeColumn("engine_deployments", "department_id");
  await restoreIndexes(qi);
}
