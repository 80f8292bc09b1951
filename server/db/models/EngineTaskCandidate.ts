import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/**
 * A candidate group or user of an open task (indexed for inbox queries). It carries copies of its task's process key,
 * assignee, due and creation time so the inbox walks one index range per group in order (kept in sync by the engine).
 */
export class EngineTaskCandidate extends Model<InferAttributes<EngineTaskCandidate>, InferCreationAttributes<EngineTaskCandidate>> {
  declare id: CreationOptional<number>;
  declare taskId: string;
  declare kind: string;
  declare value: string;
  declare definitionKey: string | null;
  declare assignee: string | null;
  declare dueAt: Date | null;
  declare createdAt: Date | null;

  static initModel(sequelize: Sequelize): void {
    EngineTaskCandidate.init(
      {
        id: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true, autoIncrement: true },
        taskId: { type: DataTypes.STRING(64), allowNull: false },
        kind: { type: DataTypes.STRING(8), allowNull: false },
        value: { type: DataTypes.STRING(64), allowNull: false },
        definitionKey: { type: DataTypes.STRING(255), allowNull: true },
        assignee: { type: DataTypes.STRING(64), allowNull: true },
        dueAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: { type: DataTypes.DATE(3), allowNull: true },
      },
      { sequelize, tableName: "engine_task_candidates", underscored: true, timestamps: false },
    );
  }
}
