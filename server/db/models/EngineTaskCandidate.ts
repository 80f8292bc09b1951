import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** A candidate group or user of an open task (indexed for inbox queries). */
export class EngineTaskCandidate extends Model<InferAttributes<EngineTaskCandidate>, InferCreationAttributes<EngineTaskCandidate>> {
  declare id: CreationOptional<number>;
  declare taskId: string;
  declare kind: string;
  declare value: string;

  static initModel(sequelize: Sequelize): void {
    EngineTaskCandidate.init(
      {
        id: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true, autoIncrement: true },
        taskId: { type: DataTypes.STRING(64), allowNull: false },
        kind: { type: DataTypes.STRING(8), allowNull: false },
        value: { type: DataTypes.STRING(64), allowNull: false },
      },
      { sequelize, tableName: "engine_task_candidates", underscored: true, timestamps: false },
    );
  }
}
