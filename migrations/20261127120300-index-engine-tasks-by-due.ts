import type { QueryInterface } from "sequelize";

// The reviewer inbox (server/domain/commitments/inbox.ts) walks a process's open tasks in deadline order and
// stops after one page; without this index it sorts every visible task (measured: 4.9 s p50 at 1,000,000 tasks
// on SQLite). Additive only: the engine's own indexes are untouched.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addIndex("engine_tasks", ["definition_key", "due_at", "id"], { name: "engine_tasks_definition_due" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex("engine_tasks", "engine_tasks_definition_due");
}
