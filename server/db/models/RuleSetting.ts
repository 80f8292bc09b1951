import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** A figure set by a rule (a time limit, a code), with the date from which it applies; value is JSON. */
export class RuleSetting extends Model<InferAttributes<RuleSetting>, InferCreationAttributes<RuleSetting>> {
  declare id: CreationOptional<number>;
  declare key: string;
  declare value: string;
  /** YYYY-MM-DD in China time. */
  declare effectiveFrom: string;
  declare note: string | null;
  declare createdBy: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    RuleSetting.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        key: { type: DataTypes.STRING(100), allowNull: false },
        value: { type: DataTypes.TEXT, allowNull: false },
        effectiveFrom: { type: DataTypes.STRING(10), allowNull: false },
        note: { type: DataTypes.STRING(500), allowNull: true },
        createdBy: { type: DataTypes.STRING(64), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "rule_settings", underscored: true },
    );
  }
}
