import { DataTypes, type QueryInterface } from "sequelize";

// Numbered documents of the credit office (issue 13 items 6 and 8): the 信用修复告知书 served with a penalty or 严重失信
// record, the 信用修复决定书 / 不予修复决定书 of a repair case, and the 信用报告 a subject or an officer asks for. Each keeps
// its content as canonical JSON with the sha256 of that text, so /verify/<number> can confirm what was issued.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("credit_documents", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    number: { type: DataTypes.STRING(32), allowNull: false, unique: true },
    kind: { type: DataTypes.STRING(32), allowNull: false },
    subject_id: { type: DataTypes.INTEGER, allowNull: false },
    record_id: { type: DataTypes.INTEGER, allowNull: true },
    case_key: { type: DataTypes.STRING(64), allowNull: true },
    content: { type: qi.sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("medium"), allowNull: false },
    content_sha256: { type: DataTypes.STRING(64), allowNull: false },
    issued_on: { type: DataTypes.STRING(10), allowNull: false },
    issued_by: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex("credit_documents", ["record_id", "kind"], { name: "credit_documents_record" });
  await qi.addIndex("credit_documents", ["case_key"], { name: "credit_documents_case" });
  await qi.addIndex("credit_documents", ["subject_id", "kind", "created_at"], { name: "credit_documents_subject" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("credit_documents");
}
