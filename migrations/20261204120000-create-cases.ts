import { DataTypes, type QueryInterface } from "sequelize";

// One case per process instance people work on (a commitment points to its case by its process instance id), for every flow: what every list a person sees reads (my cases, the
// inbox, the archives) instead of a flow's own table. Kept current by the engine's lifecycle events in each step.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("cases", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    instance_id: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    kind: { type: DataTypes.STRING(32), allowNull: false },
    process_key: { type: DataTypes.STRING(255), allowNull: false },
    process_version: { type: DataTypes.INTEGER, allowNull: true },
    definition_id: { type: DataTypes.STRING(64), allowNull: false },
    business_key: { type: DataTypes.STRING(255), allowNull: true },
    title: { type: DataTypes.STRING(255), allowNull: false },
    subject_code: { type: DataTypes.STRING(64), allowNull: true },
    department_id: { type: DataTypes.INTEGER, allowNull: true },
    started_by: { type: DataTypes.STRING(64), allowNull: true },
    status: { type: DataTypes.STRING(64), allowNull: false },
    waiting_at: { type: DataTypes.STRING(255), allowNull: true },
    due_at: { type: DataTypes.DATE(3), allowNull: true },
    started_at: { type: DataTypes.DATE(3), allowNull: false },
    ended_at: { type: DataTypes.DATE(3), allowNull: true },
    end_reason: { type: DataTypes.STRING(1000), allowNull: true },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex("cases", ["department_id", "ended_at", "started_at"], { name: "cases_department" });
  await qi.addIndex("cases", ["started_by", "started_at"], { name: "cases_started_by" });
  await qi.addIndex("cases", ["business_key"], { name: "cases_business_key" });
  await qi.addIndex("cases", ["subject_code"], { name: "cases_subject" });
  // Instances that exist already get their case: commitments with their domain status and title, others by state.
  await qi.sequelize.query(
    `INSERT INTO cases (instance_id, kind, process_key, process_version, definition_id, business_key, title, subject_code,
       department_id, started_by, status, waiting_at, due_at, started_at, ended_at, end_reason, updated_at)
     SELECT i.id,
       CASE WHEN i.definition_key = 'commitment' THEN 'commitment' ELSE 'generic' END,
       i.definition_key, d.version, i.definition_id, i.business_key,
       COALESCE(CASE WHEN i.definition_key = 'commitment' THEN v.name END, d.name, i.definition_key),
       c.subject_code, i.department_id, i.start_actor,
       COALESCE(CASE WHEN i.definition_key = 'commitment' THEN c.status END,
         CASE i.state WHEN 'ACTIVE' THEN '办理中' WHEN 'COMPLETED' THEN '已办结' ELSE '已终止' END),
       NULL, NULL, i.started_at, i.ended_at, i.end_reason, i.started_at
     FROM engine_instances i
     LEFT JOIN engine_definitions d ON d.id = i.definition_id
     LEFT JOIN commitments c ON c.process_instance_id = i.id
     LEFT JOIN catalog_item_versions v ON v.id = c.item_version_id`,
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("cases");
}
