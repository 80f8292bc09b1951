import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** A message subscription: an instance waiting at a message catch event or receive task. */
export class EngineSubscription extends Model<InferAttributes<EngineSubscription>, InferCreationAttributes<EngineSubscription>> {
  declare id: string;
  declare instanceId: string;
  declare businessKey: string | null;
  declare messageName: string;
  declare activityId: string;
  declare executionId: string;
  declare createdAt: Date;

  static initModel(sequelize: Sequelize): void {
    EngineSubscription.init(
      {
        id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
        instanceId: { type: DataTypes.STRING(64), allowNull: false },
        businessKey: { type: DataTypes.STRING(255), allowNull: true },
        messageName: { type: DataTypes.STRING(255), allowNull: false },
        activityId: { type: DataTypes.STRING(255), allowNull: false },
        executionId: { type: DataTypes.STRING(255), allowNull: false },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "engine_subscriptions", underscored: true, timestamps: false },
    );
  }
}
