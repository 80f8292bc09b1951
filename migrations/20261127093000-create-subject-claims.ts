import { DataTypes, type QueryInterface } from "sequelize";

// A self-registered applicant who names a subject already on the platform does not act for it
// until an officer confirms the claim; the confirmed link is then written to user_subjects.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("subject_claims", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "users", key: "id" }, onDelete: "CASCADE" },
    subject_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "credit_subjects", key: "id" }, onDelete: "CASCADE" },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "pending" },
    decided_by: { type: DataTypes.STRING(64), allowNull: true },
    decided_at: { type: DataTypes.DATE, allowNull: true },
    decision_reason: { type: DataTypes.STRING(500), allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("subject_claims", ["subject_id", "status"], { name: "subject_claims_subject_status" });
  await qi.addIndex("subject_claims", ["user_id"], { name: "subject_claims_user" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("subject_claims");
}
