import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** One process instance people work on, of any flow: kept current by the engine's lifecycle events (domain/cases). */
export class Case extends Model<InferAttributes<Case>, InferCreationAttributes<Case>> {
  declare id: CreationOptional<number>;
  declare instanceId: string;
  /** The flow module's kind (commitment, ...) or "generic". */
  declare kind: string;
  declare processKey: string;
  declare processVersion: number | null;
  declare definitionId: string;
  declare businessKey: string | null;
  declare title: string;
  /** 统一社会信用代码 or ID number of the subject the case is about, when it is about one. */
  declare subjectCode: string | null;
  declare departmentId: number | null;
  /** The catalog item (and its version) the case was applied for; null for a process started another way. */
  declare itemId: number | null;
  declare itemVersionId: number | null;
  declare subjectName: string | null;
  /** Username of whoever started it (the applicant, an officer). */
  declare startedBy: string | null;
  /** The status label people read (审查中, 退回补正, 办理中：部门审核, 已办结, 已终止...). */
  declare status: string;
  /** Names of the steps it waits at now. */
  declare waitingAt: string | null;
  declare dueAt: Date | null;
  declare startedAt: Date;
  declare endedAt: Date | null;
  declare endReason: string | null;
  declare updatedAt: Date;

  static initModel(sequelize: Sequelize): void {
    Case.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        instanceId: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        kind: { type: DataTypes.STRING(32), allowNull: false },
        processKey: { type: DataTypes.STRING(255), allowNull: false },
        processVersion: { type: DataTypes.INTEGER, allowNull: true },
        definitionId: { type: DataTypes.STRING(64), allowNull: false },
        businessKey: { type: DataTypes.STRING(255), allowNull: true },
        title: { type: DataTypes.STRING(255), allowNull: false },
        subjectCode: { type: DataTypes.STRING(64), allowNull: true },
        departmentId: { type: DataTypes.INTEGER, allowNull: true },
        itemId: { type: DataTypes.INTEGER, allowNull: true },
        itemVersionId: { type: DataTypes.INTEGER, allowNull: true },
        subjectName: { type: DataTypes.STRING(200), allowNull: true },
        startedBy: { type: DataTypes.STRING(64), allowNull: true },
        status: { type: DataTypes.STRING(64), allowNull: false },
        waitingAt: { type: DataTypes.STRING(255), allowNull: true },
        dueAt: { type: DataTypes.DATE(3), allowNull: true },
        startedAt: { type: DataTypes.DATE(3), allowNull: false },
        endedAt: { type: DataTypes.DATE(3), allowNull: true },
        endReason: { type: DataTypes.STRING(1000), allowNull: true },
        updatedAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "cases", underscored: true, timestamps: false },
    );
  }
}
