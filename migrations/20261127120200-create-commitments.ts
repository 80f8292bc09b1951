import { DataTypes, type QueryInterface } from "sequelize";

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  // A signed letter can outgrow MySQL TEXT (64 KB); SQLite has one TEXT type.
  const longText = qi.sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("medium");
  // One row per (division, day): the submit transaction increments it under a row lock to number 承诺编码.
  await qi.createTable("commitment_counters", {
    division_code: { type: DataTypes.STRING(6), primaryKey: true },
    day: { type: DataTypes.STRING(8), primaryKey: true },
    last_serial: { type: DataTypes.INTEGER, allowNull: false },
  });
  await qi.createTable("commitments", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    code: { type: DataTypes.STRING(20), allowNull: false, unique: true },
    item_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "catalog_items", key: "id" } },
    item_version_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "catalog_item_versions", key: "id" } },
    department_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "departments", key: "id" } },
    subject_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "credit_subjects", key: "id" } },
    submitter_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: "users", key: "id" } },
    subject_name: { type: DataTypes.STRING(200), allowNull: false },
    subject_type: { type: DataTypes.STRING(32), allowNull: false },
    subject_code: { type: DataTypes.STRING(18), allowNull: false },
    commitment_type: { type: DataTypes.STRING(100), allowNull: false },
    reason: { type: DataTypes.STRING(500), allowNull: false },
    data: { type: DataTypes.TEXT, allowNull: false },
    form_key: { type: DataTypes.STRING(100), allowNull: false },
    form_revision: { type: DataTypes.INTEGER, allowNull: false },
    revision: { type: DataTypes.INTEGER, allowNull: false },
    letter_html: { type: longText, allowNull: false },
    signer_name: { type: DataTypes.STRING(100), allowNull: false },
    agreed_at: { type: DataTypes.DATE, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    fulfilment_status: { type: DataTypes.STRING(16), allowNull: true },
    fulfilment_date: { type: DataTypes.STRING(10), allowNull: true },
    fulfilment_unit: { type: DataTypes.STRING(100), allowNull: true },
    unfulfilled_content: { type: DataTypes.TEXT, allowNull: true },
    liability_content: { type: DataTypes.TEXT, allowNull: true },
    supervision_status: { type: DataTypes.STRING(16), allowNull: true },
    public_type: { type: DataTypes.STRING(16), allowNull: false },
    made_on: { type: DataTypes.STRING(10), allowNull: false },
    valid_until: { type: DataTypes.STRING(10), allowNull: true },
    accepting_unit: { type: DataTypes.STRING(100), allowNull: false },
    accepting_unit_uscc: { type: DataTypes.STRING(18), allowNull: true },
    process_instance_id: { type: DataTypes.STRING(64), allowNull: true },
    review_due_at: { type: DataTypes.DATE, allowNull: true },
    verification_due_at: { type: DataTypes.DATE, allowNull: true },
    decision_comment: { type: DataTypes.TEXT, allowNull: true },
    decided_by: { type: DataTypes.STRING(64), allowNull: true },
    decided_at: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });
  await qi.addIndex("commitments", ["subject_id", "created_at"], { name: "commitments_subject" });
  await qi.addIndex("commitments", ["department_id", "status", "created_at"], { name: "commitments_department_status" });
  await qi.addIndex("commitments", ["item_id"], { name: "commitments_item" });
  await qi.addIndex("commitments", ["subject_code", "public_type"], { name: "commitments_subject_code_public" });
  // Every version of the applicant's submission: the first and each correction after a return.
  await qi.createTable("commitment_submissions", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    commitment_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "commitments", key: "id" }, onDelete: "CASCADE" },
    revision: { type: DataTypes.INTEGER, allowNull: false },
    data: { type: DataTypes.TEXT, allowNull: false },
    form_revision: { type: DataTypes.INTEGER, allowNull: false },
    letter_html: { type: longText, allowNull: false },
    signer_name: { type: DataTypes.STRING(100), allowNull: false },
    agreed_at: { type: DataTypes.DATE, allowNull: false },
    submitted_by: { type: DataTypes.STRING(64), allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("commitment_submissions", ["commitment_id", "revision"], { name: "commitment_submissions_rev", unique: true });
  await qi.createTable("credit_records", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    subject_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: "credit_subjects", key: "id" } },
    record_type: { type: DataTypes.STRING(32), allowNull: false },
    severity: { type: DataTypes.STRING(16), allowNull: true },
    title: { type: DataTypes.STRING(500), allowNull: false },
    content: { type: DataTypes.TEXT, allowNull: true },
    is_public: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    decided_on: { type: DataTypes.STRING(10), allowNull: true },
    publicity_from: { type: DataTypes.STRING(10), allowNull: true },
    publicity_until: { type: DataTypes.STRING(10), allowNull: true },
    source_unit: { type: DataTypes.STRING(100), allowNull: true },
    source_commitment_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: "commitments", key: "id" } },
    repaired: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    repaired_at: { type: DataTypes.DATE, allowNull: true },
    created_by: { type: DataTypes.STRING(64), allowNull: true },
    ...timestamps,
  });
  await qi.addIndex("credit_records", ["subject_id", "record_type", "repaired"], { name: "credit_records_subject" });
  // One breach record per commitment: recordCommitmentBreach may run again after a retry.
  await qi.addIndex("credit_records", ["source_commitment_id"], { name: "credit_records_source_commitment", unique: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("credit_records");
  await qi.dropTable("commitment_submissions");
  await qi.dropTable("commitments");
  await qi.dropTable("commitment_counters");
}
