import { DataTypes, type QueryInterface } from "sequelize";

// The reviewer inbox reads "open tasks offered to one of my groups, in deadline order, one page". Driven from
// engine_tasks it must check every task's candidates (MariaDB scanned: 10-85 s at 1,000,000 tasks). Each candidate
// row now carries what the inbox orders and filters by (process key, assignee, due and creation time of its task),
// so one index range per group yields the page in order and the tasks are joined by primary key. A candidate row
// exists only while its task is open (the engine deletes both when the task completes or is cancelled), so no open
// flag is needed. The engine keeps the copies in sync (saveStep.ts on create, tasks.ts on claim/unclaim/assign).
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("engine_task_candidates", "definition_key", { type: DataTypes.STRING(255), allowNull: true });
  await qi.addColumn("engine_task_candidates", "assignee", { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn("engine_task_candidates", "due_at", { type: DataTypes.DATE(3), allowNull: true });
  await qi.addColumn("engine_task_candidates", "created_at", { type: DataTypes.DATE(3), allowNull: true });
  const dialect = qi.sequelize.getDialect();
  await qi.sequelize.query(
    dialect === "sqlite"
      ? `UPDATE engine_task_candidates SET
           definition_key = (SELECT t.definition_key FROM engine_tasks t WHERE t.id = engine_task_candidates.task_id),
           assignee = (SELECT t.assignee FROM engine_tasks t WHERE t.id = engine_task_candidates.task_id),
           due_at = (SELECT t.due_at FROM engine_tasks t WHERE t.id = engine_task_candidates.task_id),
           created_at = (SELECT t.created_at FROM engine_tasks t WHERE t.id = engine_task_candidates.task_id)`
      : `UPDATE engine_task_candidates c JOIN engine_tasks t ON t.id = c.task_id
            SET c.definition_key = t.definition_key, c.assignee = t.assignee, c.due_at = t.due_at, c.created_at = t.created_at`,
  );
  await qi.addIndex("engine_task_candidates", ["kind", "value", "definition_key", "due_at", "task_id"], {
    name: "engine_task_candidates_inbox_due",
  });
  await qi.addIndex("engine_task_candidates", ["kind", "value", "definition_key", "created_at", "task_id"], {
    name: "engine_task_candidates_inbox_created",
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex("engine_task_candidates", "engine_task_candidates_inbox_created");
  await qi.removeIndex("engine_task_candidates", "engine_task_candidates_inbox_due");
  for (const column of ["created_at", "due_at", "assignee", "definition_key"]) await qi.removeColumn("engine_task_candidates", column);
  // SQLite removes a column by rebuilding the table, which drops its indexes: put the engine's two back.
  const left = new Set(((await qi.showIndex("engine_task_candidates")) as { name: string }[]).map((i) => i.name));
  if (!left.has("engine_task_candidates_lookup")) {
    await qi.addIndex("engine_task_candidates", ["kind", "value", "task_id"], { name: "engine_task_candidates_lookup" });
  }
  if (!left.has("engine_task_candidates_task"))
    await qi.addIndex("engine_task_candidates", ["task_id"], { name: "engine_task_candidates_task" });
}
