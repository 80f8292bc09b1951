import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** One history event of an instance (activity start/end, task assignment/completion, variable change); kept after the end. */
export class EngineHistory extends Model<InferAttributes<EngineHistory>, InferCreationAttributes<EngineHistory>> {
  declare id: CreationOptional<number>;
  declare instanceId: string;
  declare event: string;
  declare activityId: string | null;
  declare activityType: string | null;
  declare activityName: string | null;
  declare executionId: string | null;
  declare taskId: string | null;
  declare actor: string | null;
  declare at: Date;
  declare detail: string | null;

  static initModel(sequelize: Sequelize): void {
    EngineHistory.init(
      {
        id: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true, autoIncrement: true },
        instanceId: { type: DataTypes.STRING(64), allowNull: false },
        event: { type: DataTypes.STRING(32), allowNull: false },
        activityId: { type: DataTypes.STRING(255), allowNull: true },
        activityType: { type: DataTypes.STRING(64), allowNull: true },
        activityName: { type: DataTypes.STRING(255), allowNull: true },
        executionId: { type: DataTypes.STRING(255), allowNull: true },
        taskId: { type: DataTypes.STRING(64), allowNull: true },
        actor: { type: DataTypes.STRING(64), allowNull: true },
        at: { type: DataTypes.DATE(3), allowNull: false },
        detail: { type: DataTypes.TEXT, allowNull: true },
      },
      { sequelize, tableName: "engine_history", underscored: true, timestamps: false },
    );
  }
}
