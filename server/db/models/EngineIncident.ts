import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** An incident: a job or external task whose retries ran out; resolved when an admin retries it. A timer start job's incident has no instance. */
export class EngineIncident extends Model<InferAttributes<EngineIncident>, InferCreationAttributes<EngineIncident>> {
  declare id: string;
  declare instanceId: string | null;
  declare definitionId: string;
  declare activityId: string | null;
  declare type: string;
  declare configuration: string | null;
  declare message: string | null;
  declare createdAt: Date;
  declare resolvedAt: Date | null;

  static initModel(sequelize: Sequelize): void {
    EngineIncident.init(
      {
        id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
        instanceId: { type: DataTypes.STRING(64), allowNull: true },
        definitionId: { type: DataTypes.STRING(64), allowNull: false },
        activityId: { type: DataTypes.STRING(255), allowNull: true },
        type: { type: DataTypes.STRING(32), allowNull: false },
        configuration: { type: DataTypes.STRING(64), allowNull: true },
        message: { type: DataTypes.TEXT, allowNull: true },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
        resolvedAt: { type: DataTypes.DATE(3), allowNull: true },
      },
      { sequelize, tableName: "engine_incidents", underscored: true, timestamps: false },
    );
  }
}
