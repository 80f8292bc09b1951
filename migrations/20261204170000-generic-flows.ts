import { DataTypes, type QueryInterface } from "sequelize";
import { dropColumnsKeepingIndexes } from "./support/dropColumns.js";

// Flows on one platform: a catalog item has a kind (告知承诺事项, 通用事项, ...); a case names the item it was applied
// for and its subject's name (what the inbox and 我的办件 show for every kind, without a flow's own table); the inbox over
// every process walks the candidate rows and tasks by due date or creation without a process key in front.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("catalog_items", "kind", { type: DataTypes.STRING(16), allowNull: false, defaultValue: "commitment" });
  await qi.addColumn("cases", "item_id", { type: DataTypes.INTEGER, allowNull: true });
  await qi.addColumn("cases", "item_version_id", { type: DataTypes.INTEGER, allowNull: true });
  await qi.addColumn("cases", "subject_name", { type: DataTypes.STRING(200), allowNull: true });
  await qi.sequelize.query(
    `UPDATE cases SET
       item_id = (SELECT c.item_id FROM commitments c WHERE c.process_instance_id = cases.instance_id),
       item_version_id = (SELECT c.item_version_id FROM commitments c WHERE c.process_instance_id = cases.instance_id),
       subject_name = (SELECT c.subject_name FROM commitments c WHERE c.process_instance_id = cases.instance_id)
     WHERE kind = 'commitment'`,
  );
  await qi.addIndex("cases", ["kind", "started_at"], { name: "cases_kind" });
  await qi.addIndex("engine_task_candidates", ["kind", "value", "due_at", "task_id"], { name: "engine_task_candidates_due_any" });
  await qi.addIndex("engine_task_candidates", ["kind", "value", "created_at", "task_id"], { name: "engine_task_candidates_created_any" });
  await qi.addIndex("engine_tasks", ["due_at", "id"], { name: "engine_tasks_due" });
  await qi.addIndex("engine_tasks", ["created_at", "id"], { name: "engine_tasks_created" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex("engine_tasks", "engine_tasks_created");
  await qi.removeIndex("engine_tasks", "engine_tasks_due");
  await qi.removeIndex("engine_task_candidates", "engine_task_candidates_created_any");
  await qi.removeIndex("engine_task_candidates", "engine_task_candidates_due_any");
  await qi.removeIndex("cases", "cases_kind");
  await dropColumnsKeepingIndexes(qi, "cases", ["subject_name", "item_version_id", "item_id"]);
  await dropColumnsKeepingIndexes(qi, "catalog_items", ["kind"]);
}
