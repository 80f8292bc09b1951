import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** An external service task waiting for a worker (fetchAndLock over REST). */
export class EngineExternalTask extends Model<InferAttributes<EngineExternalTask>, InferCreationAttributes<EngineExternalTask>> {
  declare id: string;
  declare instanceId: string;
  declare definitionId: string;
  declare definitionKey: string;
  declare businessKey: string | null;
  declare activityId: string;
  declare executionId: string;
  declare topic: string;
  declare workerId: string | null;
  declare lockExpiresAt: Date | null;
  declare retries: number | null;
  declare errorMessage: string | null;
  declare errorDetails: string | null;
  declare priority: number;
  declare availableAt: Date | null;
  declare createdAt: Date;

  static initModel(sequelize: Sequelize): void {
    EngineExternalTask.init(
      {
        id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
        instanceId: { type: DataTypes.STRING(64), allowNull: false },
        definitionId: { type: DataTypes.STRING(64), allowNull: false },
        definitionKey: { type: DataTypes.STRING(255), allowNull: false },
        businessKey: { type: DataTypes.STRING(255), allowNull: true },
        activityId: { type: DataTypes.STRING(255), allowNull: false },
        executionId: { type: DataTypes.STRING(255), allowNull: false },
        topic: { type: DataTypes.STRING(255), allowNull: false },
        workerId: { type: DataTypes.STRING(255), allowNull: true },
        lockExpiresAt: { type: DataTypes.DATE(3), allowNull: true },
        retries: { type: DataTypes.INTEGER, allowNull: true },
        errorMessage: { type: DataTypes.TEXT, allowNull: true },
        errorDetails: { type: DataTypes.TEXT, allowNull: true },
        priority: { type: DataTypes.INTEGER, allowNull: false },
        availableAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "engine_external_tasks", underscored: true, timestamps: false },
    );
  }
}
