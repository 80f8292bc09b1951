import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** 催办: a reminder on an open user task (domain/tasks/urgeTask.ts). */
export class TaskReminder extends Model<InferAttributes<TaskReminder>, InferCreationAttributes<TaskReminder>> {
  declare id: CreationOptional<number>;
  declare taskId: string;
  declare instanceId: string;
  /** Username of whoever sent it (the applicant, a department admin). */
  declare sentBy: string;
  declare message: string;
  declare createdAt: Date;

  static initModel(sequelize: Sequelize): void {
    TaskReminder.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        taskId: { type: DataTypes.STRING(64), allowNull: false },
        instanceId: { type: DataTypes.STRING(64), allowNull: false },
        sentBy: { type: DataTypes.STRING(64), allowNull: false },
        message: { type: DataTypes.STRING(500), allowNull: false },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "task_reminders", underscored: true, timestamps: false },
    );
  }
}
