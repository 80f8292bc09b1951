import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export const INDICATOR_KINDS = ["record", "commitment"] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

/** One indicator of a grading model version: what it counts (params), points per item, a cap, and a class it forces. */
export class GradingIndicator extends Model<InferAttributes<GradingIndicator>, InferCreationAttributes<GradingIndicator>> {
  declare id: CreationOptional<number>;
  declare modelId: number;
  declare code: string;
  declare label: string;
  declare kind: IndicatorKind;
  /** JSON: RecordParams or CommitmentParams (server/domain/grading/model.ts). */
  declare params: string;
  declare points: number | string;
  declare cap: number | string | null;
  declare forceGrade: string | null;
  declare enabled: boolean;
  declare sort: number;
  declare note: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    GradingIndicator.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        modelId: { type: DataTypes.INTEGER, allowNull: false },
        code: { type: DataTypes.STRING(64), allowNull: false },
        label: { type: DataTypes.STRING(200), allowNull: false },
        kind: { type: DataTypes.STRING(16), allowNull: false },
        params: { type: DataTypes.TEXT, allowNull: false },
        points: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
        cap: { type: DataTypes.DECIMAL(6, 2), allowNull: true },
        forceGrade: { type: DataTypes.CHAR(1), allowNull: true },
        enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        sort: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        note: { type: DataTypes.STRING(500), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "grading_indicators", underscored: true },
    );
  }
}
