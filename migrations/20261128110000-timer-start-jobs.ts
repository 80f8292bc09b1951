import { DataTypes, type QueryInterface } from "sequelize";

// Timer start events (Camunda 7): deploying a process whose start event is a timer schedules a job that belongs to
// no instance yet (it creates one when it fires). engine_jobs.instance_id and execution_id become nullable, the job
// carries its definition version (definition_id) and, for a cycle, what is left of it (timer_repeat); an incident of
// such a job has no instance either (engine_incidents.instance_id nullable). Deploying a new version removes the
// key's timer start jobs: an index on (definition_key, type) finds them.

interface IndexSpec {
  name: string;
  fields: string[];
}

const JOB_INDEXES: IndexSpec[] = [
  { name: "engine_jobs_due", fields: ["due_at"] },
  { name: "engine_jobs_instance", fields: ["instance_id"] },
];
const INCIDENT_INDEXES: IndexSpec[] = [
  { name: "engine_incidents_instance", fields: ["instance_id"] },
  { name: "engine_incidents_configuration", fields: ["configuration"] },
];

/** SQLite changes a column by rebuilding the table, which drops its indexes: put back the ones that are gone. */
async function restoreIndexes(qi: QueryInterface, table: string, indexes: IndexSpec[]): Promise<void> {
  const left = new Set(((await qi.showIndex(table)) as { name: string }[]).map((i) => i.name));
  for (const index of indexes) if (!left.has(index.name)) await qi.addIndex(table, index.fields, { name: index.name });
}

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.changeColumn("engine_jobs", "instance_id", { type: DataTypes.STRING(64), allowNull: true });
  await qi.changeColumn("engine_jobs", "execution_id", { type: DataTypes.STRING(255), allowNull: true });
  await qi.addColumn("engine_jobs", "definition_id", { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn("engine_jobs", "timer_repeat", { type: DataTypes.STRING(255), allowNull: true });
  await restoreIndexes(qi, "engine_jobs", JOB_INDEXES);
  await qi.addIndex("engine_jobs", ["definition_key", "type"], { name: "engine_jobs_definition_key" });
  await qi.changeColumn("engine_incidents", "instance_id", { type: DataTypes.STRING(64), allowNull: true });
  await restoreIndexes(qi, "engine_incidents", INCIDENT_INDEXES);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  // Rows without an instance cannot stay once the columns are NOT NULL again: timer start jobs and their incidents.
  await qi.sequelize.query("DELETE FROM engine_incidents WHERE instance_id IS NULL");
  await qi.sequelize.query("DELETE FROM engine_jobs WHERE instance_id IS NULL");
  await qi.sequelize.query("UPDATE engine_jobs SET execution_id = '' WHERE execution_id IS NULL");
  await qi.changeColumn("engine_incidents", "instance_id", { type: DataTypes.STRING(64), allowNull: false });
  await restoreIndexes(qi, "engine_incidents", INCIDENT_INDEXES);
  await qi.removeIndex("engine_jobs", "engine_jobs_definition_key");
  await qi.removeColumn("engine_jobs", "timer_repeat");
  await qi.removeColumn("engine_jobs", "definition_id");
  await qi.changeColumn("engine_jobs", "execution_id", { type: DataTypes.STRING(255), allowNull: false });
  await qi.changeColumn("engine_jobs", "instance_id", { type: DataTypes.STRING(64), allowNull: false });
  await restoreIndexes(qi, "engine_jobs", JOB_INDEXES);
}
