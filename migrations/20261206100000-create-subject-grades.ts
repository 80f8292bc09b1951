import { DataTypes, type QueryInterface } from "sequelize";

// The public credit class (A-D) of a subject under the evaluation model in force, with its score and reasons.
// One row per subject; a subject without a row is "not yet graded" and counts as B (ordinary risk).
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("subject_grades", {
    subject_id: { type: DataTypes.INTEGER, primaryKey: true, references: { model: "credit_subjects", key: "id" } },
    grade: { type: DataTypes.CHAR(1), allowNull: false },
    score: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
    // JSON array of {indicator, label, points, detail}.
    reasons: { type: DataTypes.TEXT, allowNull: false },
    model_id: { type: DataTypes.INTEGER, allowNull: false },
    computed_at: { type: DataTypes.DATE, allowNull: false },
    // The latest updated_at among the inputs read (records, commitments, cases) when computed.
    inputs_at: { type: DataTypes.DATE, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("subject_grades", ["grade"], { name: "subject_grades_grade" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("subject_grades");
}
