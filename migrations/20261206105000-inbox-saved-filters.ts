import { DataTypes, type QueryInterface } from "sequelize";

// 已保存的筛选: a reviewer's named inbox filters (the /tasks query string), one list per user. The follow-up date of a
// task (跟进日期) needs no column here: engine_tasks.follow_up_at (Camunda's followUp) holds it.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("inbox_saved_filters", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    username: { type: DataTypes.STRING(64), allowNull: false },
    name: { type: DataTypes.STRING(40), allowNull: false },
    query: { type: DataTypes.STRING(1000), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex("inbox_saved_filters", ["username", "name"], { name: "inbox_saved_filters_user_name", unique: true });
  // The inbox's 跟进 filter walks follow-up dates.
  await qi.addIndex("engine_tasks", ["follow_up_at", "id"], { name: "engine_tasks_follow_up" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex("engine_tasks", "engine_tasks_follow_up");
  await qi.dropTable("inbox_saved_filters");
}
