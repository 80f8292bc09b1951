import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** An open user task, derived from the instance state at every save; the inbox reads this table. */
export class EngineTask extends Model<InferAttributes<EngineTask>, InferCreationAttributes<EngineTask>> {
  declare id: string;
  declare instanceId: string;
  declare definitionId: string;
  declare definitionKey: string;
  declare businessKey: string | null;
  declare activityId: string;
  declare executionId: string;
  declare name: string | null;
  declare assignee: string | null;
  /** 委派: who delegated the task and gets it back when the delegate resolves it. */
  declare owner: CreationOptional<string | null>;
  declare delegationState: CreationOptional<"PENDING" | "RESOLVED" | null>;
  declare formKey: string | null;
  /** The form revision the task was created with (its binding resolved then); null when it has no form. */
  declare formRevision: CreationOptional<number | null>;
  declare priority: number;
  declare dueAt: Date | null;
  declare followUpAt: Date | null;
  declare createdAt: Date;

  static initModel(sequelize: Sequelize): void {
    EngineTask.init(
      {
        id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
        instanceId: { type: DataTypes.STRING(64), allowNull: false },
        definitionId: { type: DataTypes.STRING(64), allowNull: false },
        definitionKey: { type: DataTypes.STRING(255), allowNull: false },
        businessKey: { type: DataTypes.STRING(255), allowNull: true },
        activityId: { type: DataTypes.STRING(255), allowNull: false },
        executionId: { type: DataTypes.STRING(255), allowNull: false },
        name: { type: DataTypes.STRING(255), allowNull: true },
        assignee: { type: DataTypes.STRING(64), allowNull: true },
        owner: { type: DataTypes.STRING(64), allowNull: true },
        delegationState: { type: DataTypes.STRING(16), allowNull: true },
        formKey: { type: DataTypes.STRING(255), allowNull: true },
        formRevision: { type: DataTypes.INTEGER, allowNull: true },
        priority: { type: DataTypes.INTEGER, allowNull: false },
        dueAt: { type: DataTypes.DATE(3), allowNull: true },
        followUpAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "engine_tasks", underscored: true, timestamps: false },
    );
  }
}
