import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export const CREDIT_RECORD_TYPES = ["行政处罚", "严重失信主体名单", "经营异常名录", "违诺"] as const;
export type CreditRecordType = (typeof CREDIT_RECORD_TYPES)[number];
export const CREDIT_SEVERITIES = ["轻微", "一般", "严重"] as const;
export type CreditSeverity = (typeof CREDIT_SEVERITIES)[number];

/** A credit record of a subject. Kept forever; repair marks it repaired and stops its publicity, never deletes it. */
export class CreditRecord extends Model<InferAttributes<CreditRecord>, InferCreationAttributes<CreditRecord>> {
  declare id: CreationOptional<number>;
  declare subjectId: number;
  declare recordType: CreditRecordType;
  declare severity: CreditSeverity | null;
  declare title: string;
  declare content: string | null;
  declare isPublic: boolean;
  declare decidedOn: string | null;
  declare publicityFrom: string | null;
  declare publicityUntil: string | null;
  declare sourceUnit: string | null;
  declare sourceCommitmentId: number | null;
  declare repaired: CreationOptional<boolean>;
  declare repairedAt: Date | null;
  declare createdBy: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CreditRecord.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        subjectId: { type: DataTypes.INTEGER, allowNull: false },
        recordType: { type: DataTypes.STRING(32), allowNull: false },
        severity: { type: DataTypes.STRING(16), allowNull: true },
        title: { type: DataTypes.STRING(500), allowNull: false },
        content: { type: DataTypes.TEXT, allowNull: true },
        isPublic: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        decidedOn: { type: DataTypes.STRING(10), allowNull: true },
        publicityFrom: { type: DataTypes.STRING(10), allowNull: true },
        publicityUntil: { type: DataTypes.STRING(10), allowNull: true },
        sourceUnit: { type: DataTypes.STRING(100), allowNull: true },
        sourceCommitmentId: { type: DataTypes.INTEGER, allowNull: true },
        repaired: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        repairedAt: { type: DataTypes.DATE, allowNull: true },
        createdBy: { type: DataTypes.STRING(64), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "credit_records", underscored: true },
    );
  }
}
