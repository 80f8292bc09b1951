import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export const SUBJECT_TYPES = ["法人及非法人组织", "自然人", "个体工商户"] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export class CreditSubject extends Model<InferAttributes<CreditSubject>, InferCreationAttributes<CreditSubject>> {
  declare id: CreationOptional<number>;
  /** USCC (统一社会信用代码) or, for a natural person, the resident ID number. */
  declare code: string;
  declare name: string;
  declare subjectType: SubjectType;
  declare divisionCode: string;
  declare legacyPilot: CreationOptional<boolean>;
  declare legacyOverrideReason: string | null;
  declare legacyOverrideBy: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CreditSubject.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        code: { type: DataTypes.STRING(18), allowNull: false, unique: true },
        name: { type: DataTypes.STRING(200), allowNull: false },
        subjectType: { type: DataTypes.STRING(32), allowNull: false },
        divisionCode: { type: DataTypes.STRING(6), allowNull: false },
        legacyPilot: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        legacyOverrideReason: { type: DataTypes.STRING(500), allowNull: true },
        legacyOverrideBy: { type: DataTypes.STRING(64), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "credit_subjects", underscored: true },
    );
  }
}
