import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/**
 * A version of the public credit evaluation model (公共信用综合评价), in force from its effective date until the next
 * version's; department-independent. Versions are never edited: a change is a new version.
 */
export class GradingModel extends Model<InferAttributes<GradingModel>, InferCreationAttributes<GradingModel>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare version: number;
  /** YYYY-MM-DD (China day). */
  declare effectiveFrom: string;
  /** DECIMAL columns: strings on MariaDB. */
  declare baseScore: number | string;
  declare minA: number | string;
  declare minB: number | string;
  declare minC: number | string;
  declare note: string | null;
  declare toBeConfirmed: boolean;
  declare createdBy: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    GradingModel.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        name: { type: DataTypes.STRING(200), allowNull: false },
        version: { type: DataTypes.INTEGER, allowNull: false },
        effectiveFrom: { type: DataTypes.STRING(10), allowNull: false, unique: true },
        baseScore: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
        minA: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
        minB: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
        minC: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
        note: { type: DataTypes.STRING(1000), allowNull: true },
        toBeConfirmed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        createdBy: { type: DataTypes.STRING(64), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "grading_models", underscored: true },
    );
  }
}
