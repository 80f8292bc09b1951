import { DataTypes, type QueryInterface } from "sequelize";

// Reviewer actions (docs/flows.md): 加签 signers of an open task, a decision held until its after-signers decide,
// 常用意见 opinion templates (a reviewer's own and the department's) and the in-app message centre (站内信).
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  // LONGTEXT on MySQL (TEXT stops at 64 KB); SQLite has one TEXT type.
  const longText = qi.sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("long");
  await qi.createTable("task_signers", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    task_id: { type: DataTypes.STRING(64), allowNull: false },
    instance_id: { type: DataTypes.STRING(64), allowNull: false },
    step: { type: DataTypes.STRING(255), allowNull: true },
    signer: { type: DataTypes.STRING(64), allowNull: false },
    mode: { type: DataTypes.STRING(16), allowNull: false },
    state: { type: DataTypes.STRING(16), allowNull: false },
    added_by: { type: DataTypes.STRING(64), allowNull: false },
    note: { type: DataTypes.STRING(500), allowNull: true },
    opinion: { type: DataTypes.STRING(1000), allowNull: true },
    decided_by: { type: DataTypes.STRING(64), allowNull: true },
    decided_at: { type: DataTypes.DATE(3), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex("task_signers", ["task_id", "state"], { name: "task_signers_task" });
  await qi.addIndex("task_signers", ["signer", "state", "created_at"], { name: "task_signers_signer" });
  await qi.addIndex("task_signers", ["instance_id", "created_at"], { name: "task_signers_instance" });
  await qi.createTable("task_held_decisions", {
    task_id: { type: DataTypes.STRING(64), primaryKey: true },
    instance_id: { type: DataTypes.STRING(64), allowNull: false },
    actor: { type: DataTypes.STRING(64), allowNull: false },
    data: { type: longText, allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.createTable("opinion_templates", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    scope: { type: DataTypes.STRING(16), allowNull: false },
    owner_user: { type: DataTypes.STRING(64), allowNull: true },
    department_id: { type: DataTypes.INTEGER, allowNull: true },
    text: { type: DataTypes.STRING(500), allowNull: false },
    created_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex("opinion_templates", ["owner_user"], { name: "opinion_templates_user" });
  await qi.addIndex("opinion_templates", ["department_id"], { name: "opinion_templates_department" });
  await qi.createTable("user_messages", {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    recipient: { type: DataTypes.STRING(64), allowNull: false },
    kind: { type: DataTypes.STRING(16), allowNull: false },
    title: { type: DataTypes.STRING(255), allowNull: false },
    body: { type: DataTypes.STRING(1000), allowNull: true },
    link: { type: DataTypes.STRING(255), allowNull: true },
    ref: { type: DataTypes.STRING(128), allowNull: true },
    read_at: { type: DataTypes.DATE(3), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex("user_messages", ["recipient", "read_at", "id"], { name: "user_messages_recipient" });
  await qi.addIndex("user_messages", ["ref"], { name: "user_messages_ref" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("user_messages");
  await qi.dropTable("opinion_templates");
  await qi.dropTable("task_held_decisions");
  await qi.dropTable("task_signers");
}
