import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export const CREDIT_RECORD_TYPES = ["行政处罚", "行政许可", "严重失信主体名单", "经营异常名录", "违诺"] as const;
export type CreditRecordType = (typeof CREDIT_RECORD_TYPES)[number];
export const CREDIT_SEVERITIES = ["轻微", "一般", "严重"] as const;
export type CreditSeverity = (typeof CREDIT_SEVERITIES)[number];
/** What a record is now; only 公示中 is ever shown to the public. */
export const CREDIT_RECORD_STATUSES = ["公示中", "已修复（终止公示）", "已届满", "不予公示", "已屏蔽", "已撤销"] as const;
export type CreditRecordStatus = (typeof CREDIT_RECORD_STATUSES)[number];
/** Statuses that the publicity rules decide (the others are decisions of people: repair, shielding, withdrawal). */
export const RULE_STATUSES: readonly CreditRecordStatus[] = ["公示中", "已届满", "不予公示"];

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
  declare status: CreationOptional<CreditRecordStatus>;
  /** The department that made the record ("谁认定、谁修复"). */
  declare departmentId: CreationOptional<number | null>;
  /** 行政处罚决定书文号 / 行政许可决定文书号 / the listing decision's number; unique per record type. */
  declare decisionNumber: CreationOptional<string | null>;
  /** The 双公示 fields of the record (JSON object of strings). */
  declare detail: CreationOptional<string | null>;
  /** The last day of the minimum publicity period (repair may be applied for from the next day); null when none. */
  declare minUntil: CreationOptional<string | null>;
  declare ruleId: CreationOptional<number | null>;
  declare ruleSet: CreationOptional<string | null>;
  /** JSON { min?: {value, unit}, max?: {value, unit} }: a period set by a law or regulation, which prevails over the rule. */
  declare periodOverride: CreationOptional<string | null>;
  declare overrideBasis: CreationOptional<string | null>;
  /** sha256 of the imported row, so that importing the same file again writes nothing. */
  declare fingerprint: CreationOptional<string | null>;
  declare importId: CreationOptional<number | null>;
  declare statusChangedAt: CreationOptional<Date | null>;
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
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "公示中" },
        departmentId: { type: DataTypes.INTEGER, allowNull: true },
        decisionNumber: { type: DataTypes.STRING(100), allowNull: true },
        detail: { type: DataTypes.TEXT, allowNull: true },
        minUntil: { type: DataTypes.STRING(10), allowNull: true },
        ruleId: { type: DataTypes.INTEGER, allowNull: true },
        ruleSet: { type: DataTypes.STRING(32), allowNull: true },
        periodOverride: { type: DataTypes.STRING(200), allowNull: true },
        overrideBasis: { type: DataTypes.STRING(500), allowNull: true },
        fingerprint: { type: DataTypes.STRING(64), allowNull: true },
        importId: { type: DataTypes.INTEGER, allowNull: true },
        statusChangedAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "credit_records", underscored: true },
    );
  }
}
