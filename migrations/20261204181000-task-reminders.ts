import { DataTypes, type QueryInterface } from "sequelize";

// 催办: a reminder on an open task, sent by the case's applicant (an overdue task) or a department admin; the inbox and
// the task page show it to whoever holds the task.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("task_reminders", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    task_id: { type: DataTypes.STRING(64), allowNull: false },
    instance_id: { type: DataTypes.STRING(64), allowNull: false },
    sent_by: { type: DataTypes.STRING(64), allowNull: false },
    message: { type: DataTypes.STRING(500), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex("task_reminders", ["task_id", "created_at"], { name: "task_reminders_task" });
  await qi.addIndex("task_reminders", ["instance_id", "created_at"], { name: "task_reminders_instance" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("task_reminders");
}
