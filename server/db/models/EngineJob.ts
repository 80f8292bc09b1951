import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/**
 * A timer job: fires through load-run-save when due_at has passed; claimed with a conditional update. A timer start
 * event's job (type "timer-start-event", server/engine/runtime/timerStart.ts) has no instance and no execution: it
 * names its definition version and, for a cycle, what is left of the cycle (timer_repeat).
 */
export class EngineJob extends Model<
  InferAttributes<EngineJob>,
  InferCreationAttributes<EngineJob, { omit: "executionId" }> & { executionId: string | null }
> {
  declare id: string;
  declare instanceId: string | null;
  declare definitionId: CreationOptional<string | null>;
  declare definitionKey: string;
  declare activityId: string;
  /** Null for a timer start job (no execution yet; it may be created with null). Instance code reads instance jobs only, hence string. */
  declare executionId: string;
  declare type: string;
  declare dueAt: Date;
  declare owner: string | null;
  declare lockUntil: Date | null;
  declare retries: number;
  declare exceptionMessage: string | null;
  declare timerRepeat: CreationOptional<string | null>;
  declare createdAt: Date;

  static initModel(sequelize: Sequelize): void {
    EngineJob.init(
      {
        id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
        instanceId: { type: DataTypes.STRING(64), allowNull: true },
        definitionId: { type: DataTypes.STRING(64), allowNull: true, defaultValue: null },
        definitionKey: { type: DataTypes.STRING(255), allowNull: false },
        activityId: { type: DataTypes.STRING(255), allowNull: false },
        executionId: { type: DataTypes.STRING(255), allowNull: true },
        type: { type: DataTypes.STRING(32), allowNull: false },
        dueAt: { type: DataTypes.DATE(3), allowNull: false },
        owner: { type: DataTypes.STRING(64), allowNull: true },
        lockUntil: { type: DataTypes.DATE(3), allowNull: true },
        retries: { type: DataTypes.INTEGER, allowNull: false },
        exceptionMessage: { type: DataTypes.TEXT, allowNull: true },
        timerRepeat: { type: DataTypes.STRING(255), allowNull: true, defaultValue: null },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "engine_jobs", underscored: true, timestamps: false },
    );
  }
}
