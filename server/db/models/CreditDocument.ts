import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** 信用修复告知书, 信用修复决定书, 不予修复决定书, the public 信用修复承诺书 of a granted repair, 信用报告. */
export const CREDIT_DOCUMENT_KINDS = ["repair_notice", "repair_decision", "repair_refusal", "repair_commitment", "credit_report"] as const;
export type CreditDocumentKind = (typeof CREDIT_DOCUMENT_KINDS)[number];

/** One numbered document: its content as canonical JSON and the sha256 of that text (never edited after issue). */
export class CreditDocument extends Model<InferAttributes<CreditDocument>, InferCreationAttributes<CreditDocument>> {
  declare id: CreationOptional<number>;
  declare number: string;
  declare kind: CreditDocumentKind;
  declare subjectId: number;
  declare recordId: number | null;
  declare caseKey: string | null;
  declare content: string;
  declare contentSha256: string;
  declare issuedOn: string;
  declare issuedBy: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CreditDocument.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        number: { type: DataTypes.STRING(32), allowNull: false, unique: true },
        kind: { type: DataTypes.STRING(32), allowNull: false },
        subjectId: { type: DataTypes.INTEGER, allowNull: false },
        recordId: { type: DataTypes.INTEGER, allowNull: true },
        caseKey: { type: DataTypes.STRING(64), allowNull: true },
        content: { type: DataTypes.TEXT, allowNull: false },
        contentSha256: { type: DataTypes.STRING(64), allowNull: false },
        issuedOn: { type: DataTypes.STRING(10), allowNull: false },
        issuedBy: { type: DataTypes.STRING(64), allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "credit_documents", underscored: true, updatedAt: false },
    );
  }
}
