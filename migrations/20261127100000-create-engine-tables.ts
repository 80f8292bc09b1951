import { DataTypes, type QueryInterface } from "sequelize";

const id = { type: DataTypes.STRING(64), primaryKey: true };
const at = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (n: number, allowNull = true) => ({ type: DataTypes.STRING(n), allowNull });

/** Workflow runtime tables: deployments, definitions, instances and what they wait on (tasks, jobs, external tasks, messages), incidents, history. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  // LONGTEXT on MySQL (TEXT stops at 64 KB); SQLite has one TEXT type.
  const longText = qi.sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("long");
  await qi.createTable("engine_deployments", {
    id,
    name: str(255),
    source: str(255),
    tenant_id: str(64),
    actor: str(64),
    deployed_at: at(),
  });
  await qi.createTable("engine_definitions", {
    id,
    deployment_id: { ...str(64, false), references: { model: "engine_deployments", key: "id" } },
    key: str(255, false),
    version: { type: DataTypes.INTEGER, allowNull: false },
    name: str(255),
    resource_name: str(255),
    xml: { type: longText, allowNull: false },
    xml_hash: str(64, false),
    deployed_at: at(),
  });
  await qi.addIndex("engine_definitions", ["key", "version"], { name: "engine_definitions_key_version", unique: true });
  await qi.addIndex("engine_definitions", ["deployment_id"], { name: "engine_definitions_deployment" });

  await qi.createTable("engine_instances", {
    id,
    definition_id: { ...str(64, false), references: { model: "engine_definitions", key: "id" } },
    definition_key: str(255, false),
    business_key: str(255),
    state: str(32, false),
    engine_state: { type: longText, allowNull: true },
    variables: { type: longText, allowNull: true },
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    start_actor: str(64),
    started_at: at(),
    ended_at: at(true),
    end_reason: str(1000),
  });
  await qi.addIndex("engine_instances", ["business_key"], { name: "engine_instances_business_key" });
  await qi.addIndex("engine_instances", ["definition_key", "state"], { name: "engine_instances_key_state" });
  await qi.addIndex("engine_instances", ["definition_id"], { name: "engine_instances_definition" });

  await qi.createTable("engine_tasks", {
    id,
    instance_id: str(64, false),
    definition_id: str(64, false),
    definition_key: str(255, false),
    business_key: str(255),
    activity_id: str(255, false),
    execution_id: str(255, false),
    name: str(255),
    assignee: str(64),
    form_key: str(255),
    priority: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 50 },
    due_at: at(true),
    follow_up_at: at(true),
    created_at: at(),
  });
  await qi.addIndex("engine_tasks", ["instance_id"], { name: "engine_tasks_instance" });
  await qi.addIndex("engine_tasks", ["assignee", "created_at"], { name: "engine_tasks_assignee" });
  await qi.addIndex("engine_tasks", ["definition_key", "created_at"], { name: "engine_tasks_definition_key" });
  await qi.createTable("engine_task_candidates", {
    id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
    task_id: str(64, false),
    kind: str(8, false),
    value: str(64, false),
  });
  await qi.addIndex("engine_task_candidates", ["kind", "value", "task_id"], { name: "engine_task_candidates_lookup" });
  await qi.addIndex("engine_task_candidates", ["task_id"], { name: "engine_task_candidates_task" });

  await qi.createTable("engine_jobs", {
    id,
    instance_id: str(64, false),
    definition_key: str(255, false),
    activity_id: str(255, false),
    execution_id: str(255, false),
    type: str(32, false),
    due_at: at(),
    owner: str(64),
    lock_until: at(true),
    retries: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 3 },
    exception_message: { type: DataTypes.TEXT, allowNull: true },
    created_at: at(),
  });
  await qi.addIndex("engine_jobs", ["due_at"], { name: "engine_jobs_due" });
  await qi.addIndex("engine_jobs", ["instance_id"], { name: "engine_jobs_instance" });

  await qi.createTable("engine_external_tasks", {
    id,
    instance_id: str(64, false),
    definition_id: str(64, false),
    definition_key: str(255, false),
    business_key: str(255),
    activity_id: str(255, false),
    execution_id: str(255, false),
    topic: str(255, false),
    worker_id: str(255),
    lock_expires_at: at(true),
    retries: { type: DataTypes.INTEGER, allowNull: true },
    error_message: { type: DataTypes.TEXT, allowNull: true },
    error_details: { type: DataTypes.TEXT, allowNull: true },
    priority: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    available_at: at(true),
    created_at: at(),
  });
  await qi.addIndex("engine_external_tasks", ["topic", "lock_expires_at"], { name: "engine_external_tasks_topic" });
  await qi.addIndex("engine_external_tasks", ["instance_id"], { name: "engine_external_tasks_instance" });

  await qi.createTable("engine_subscriptions", {
    id,
    instance_id: str(64, false),
    business_key: str(255),
    message_name: str(255, false),
    activity_id: str(255, false),
    execution_id: str(255, false),
    created_at: at(),
  });
  await qi.addIndex("engine_subscriptions", ["message_name", "business_key"], { name: "engine_subscriptions_message" });
  await qi.addIndex("engine_subscriptions", ["instance_id"], { name: "engine_subscriptions_instance" });

  await qi.createTable("engine_incidents", {
    id,
    instance_id: str(64, false),
    definition_id: str(64, false),
    activity_id: str(255),
    type: str(32, false),
    configuration: str(64),
    message: { type: DataTypes.TEXT, allowNull: true },
    created_at: at(),
    resolved_at: at(true),
  });
  await qi.addIndex("engine_incidents", ["instance_id"], { name: "engine_incidents_instance" });
  await qi.addIndex("engine_incidents", ["configuration"], { name: "engine_incidents_configuration" });

  await qi.createTable("engine_history", {
    id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
    instance_id: str(64, false),
    event: str(32, false),
    activity_id: str(255),
    activity_type: str(64),
    activity_name: str(255),
    execution_id: str(255),
    task_id: str(64),
    actor: str(64),
    at: at(),
    detail: { type: DataTypes.TEXT, allowNull: true },
  });
  await qi.addIndex("engine_history", ["instance_id", "id"], { name: "engine_history_instance" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const table of [
    "engine_history",
    "engine_incidents",
    "engine_subscriptions",
    "engine_external_tasks",
    "engine_jobs",
    "engine_task_candidates",
    "engine_tasks",
    "engine_instances",
    "engine_definitions",
    "engine_deployments",
  ]) {
    await qi.dropTable(table);
  }
}
