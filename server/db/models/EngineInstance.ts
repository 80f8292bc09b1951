import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** A process instance: its serialized engine state (without the definition) and a version for optimistic checks. */
export class EngineInstance extends Model<InferAttributes<EngineInstance>, InferCreationAttributes<EngineInstance>> {
  declare id: string;
  declare definitionId: string;
  declare definitionKey: string;
  declare businessKey: string | null;
  declare state: string;
  declare engineState: string | null;
  declare variables: string | null;
  declare version: number;
  declare waits: CreationOptional<string | null>;
  /** Camunda types JSON cannot carry (Date): variable name -> type. */
  declare variableTypes: CreationOptional<string | null>;
  declare startActor: string | null;
  /** The owning department: what /engine-rest authorizes on. */
  declare departmentId: CreationOptional<number | null>;
  declare startedAt: Date;
  declare endedAt: Date | null;
  declare endReason: string | null;
  /** A call activity's child: the calling instance and the call activity's execution (Camunda's superProcessInstanceId). */
  declare superInstanceId: CreationOptional<string | null>;
  declare superExecutionId: CreationOptional<string | null>;

  static initModel(sequelize: Sequelize): void {
    // LONGTEXT on MySQL (TEXT stops at 64 KB); SQLite has one TEXT type.
    const longText = sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("long");
    EngineInstance.init(
      {
        id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
        definitionId: { type: DataTypes.STRING(64), allowNull: false },
        definitionKey: { type: DataTypes.STRING(255), allowNull: false },
        businessKey: { type: DataTypes.STRING(255), allowNull: true },
        state: { type: DataTypes.STRING(32), allowNull: false },
        engineState: { type: longText, allowNull: true },
        variables: { type: longText, allowNull: true },
        version: { type: DataTypes.INTEGER, allowNull: false },
        waits: { type: DataTypes.TEXT, allowNull: true },
        variableTypes: { type: DataTypes.TEXT, allowNull: true },
        startActor: { type: DataTypes.STRING(64), allowNull: true },
        departmentId: { type: DataTypes.INTEGER, allowNull: true },
        startedAt: { type: DataTypes.DATE(3), allowNull: false },
        endedAt: { type: DataTypes.DATE(3), allowNull: true },
        endReason: { type: DataTypes.STRING(1000), allowNull: true },
        superInstanceId: { type: DataTypes.STRING(64), allowNull: true },
        superExecutionId: { type: DataTypes.STRING(255), allowNull: true },
      },
      { sequelize, tableName: "engine_instances", underscored: true, timestamps: false },
    );
  }
}
