import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** A timer job: fires through load-run-save when due_at has passed; claimed with a conditional update. */
export class EngineJob extends Model<InferAttributes<EngineJob>, InferCreationAttributes<EngineJob>> {
  declare id: string;
  declare instanceId: string;
  declare definitionKey: string;
  declare activityId: string;
  declare executionId: string;
  declare type: string;
  declare dueAt: Date;
  declare owner: string | null;
  declare lockUntil: Date | null;
  declare retries: number;
  declare exceptionMessage: string | null;
  declare createdAt: Date;

  static initModel(sequelize: Sequelize): void {
    EngineJob.init(
      {
        id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
        instanceId: { type: DataTypes.STRING(64), allowNull: false },
        definitionKey: { type: DataTypes.STRING(255), allowNull: false },
        activityId: { type: DataTypes.STRING(255), allowNull: false },
        executionId: { type: DataTypes.STRING(255), allowNull: false },
        type: { type: DataTypes.STRING(32), allowNull: false },
        dueAt: { type: DataTypes.DATE(3), allowNull: false },
        owner: { type: DataTypes.STRING(64), allowNull: true },
        lockUntil: { type: DataTypes.DATE(3), allowNull: true },
        retries: { type: DataTypes.INTEGER, allowNull: false },
        exceptionMessage: { type: DataTypes.TEXT, allowNull: true },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "engine_jobs", underscored: true, timestamps: false },
    );
  }
}
