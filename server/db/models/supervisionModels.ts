import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** 抽查事项清单: what a department may inspect, with the legal basis and the method; deactivated, never deleted. */
export class SupervisionItem extends Model<InferAttributes<SupervisionItem>, InferCreationAttributes<SupervisionItem>> {
  declare id: CreationOptional<number>;
  declare departmentId: number;
  declare code: string;
  declare name: string;
  declare legalBasis: string;
  declare method: string;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    SupervisionItem.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        departmentId: { type: DataTypes.INTEGER, allowNull: false },
        code: { type: DataTypes.STRING(32), allowNull: false },
        name: { type: DataTypes.STRING(200), allowNull: false },
        legalBasis: { type: DataTypes.STRING(1000), allowNull: false },
        method: { type: DataTypes.STRING(500), allowNull: false },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "supervision_items", underscored: true },
    );
  }
}

/** A subject an inspector must never be drawn for (conflict of interest), with the reason. */
export class InspectorRecusal extends Model<InferAttributes<InspectorRecusal>, InferCreationAttributes<InspectorRecusal>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare subjectId: number;
  declare reason: string;
  declare createdBy: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    InspectorRecusal.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        subjectId: { type: DataTypes.INTEGER, allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        createdBy: { type: DataTypes.STRING(64), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "inspector_recusals", underscored: true },
    );
  }
}

export const PLAN_STATUSES = ["draft", "active", "closed"] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

/** 抽查计划: a department's sampling plan for a year (scope, items, ratio per class, inspectors per target, period). */
export class SupervisionPlan extends Model<InferAttributes<SupervisionPlan>, InferCreationAttributes<SupervisionPlan>> {
  declare id: CreationOptional<number>;
  declare departmentId: number;
  declare year: number;
  declare name: string;
  declare scopeJson: string;
  declare itemIdsJson: string;
  declare ratiosJson: string;
  declare inspectorsPerTarget: CreationOptional<number>;
  declare periodStart: string;
  declare periodEnd: string;
  declare status: CreationOptional<PlanStatus>;
  declare createdBy: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    SupervisionPlan.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        departmentId: { type: DataTypes.INTEGER, allowNull: false },
        year: { type: DataTypes.INTEGER, allowNull: false },
        name: { type: DataTypes.STRING(200), allowNull: false },
        scopeJson: { type: DataTypes.TEXT, allowNull: false },
        itemIdsJson: { type: DataTypes.TEXT, allowNull: false },
        ratiosJson: { type: DataTypes.STRING(500), allowNull: false },
        inspectorsPerTarget: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 2 },
        periodStart: { type: DataTypes.DATEONLY, allowNull: false },
        periodEnd: { type: DataTypes.DATEONLY, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "draft" },
        createdBy: { type: DataTypes.STRING(64), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "supervision_plans", underscored: true },
    );
  }
}

export type DrawStatus = "preview" | "confirmed";

/** One draw of a plan: the recorded seed, the frozen candidate list and its hash, and the outcome. */
export class SupervisionDraw extends Model<InferAttributes<SupervisionDraw>, InferCreationAttributes<SupervisionDraw>> {
  declare id: CreationOptional<number>;
  declare planId: number;
  declare seed: string;
  declare candidatesHash: string;
  declare candidateCount: number;
  declare candidatesJson: string;
  declare resultJson: string;
  declare status: CreationOptional<DrawStatus>;
  declare drawnBy: string;
  declare confirmedBy: string | null;
  declare confirmedAt: Date | null;
  declare publishedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    // LONGTEXT on MySQL, as the migration made it; SQLite has one TEXT type.
    const longText = sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("long");
    SupervisionDraw.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        planId: { type: DataTypes.INTEGER, allowNull: false },
        seed: { type: DataTypes.STRING(64), allowNull: false },
        candidatesHash: { type: DataTypes.STRING(64), allowNull: false },
        candidateCount: { type: DataTypes.INTEGER, allowNull: false },
        candidatesJson: { type: longText, allowNull: false },
        resultJson: { type: longText, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "preview" },
        drawnBy: { type: DataTypes.STRING(64), allowNull: false },
        confirmedBy: { type: DataTypes.STRING(64), allowNull: true },
        confirmedAt: { type: DataTypes.DATE, allowNull: true },
        publishedAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "supervision_draws", underscored: true },
    );
  }
}

/** A drawn target of a confirmed draw: the subject, its class at the draw, its inspectors and (later) its case. */
export class SupervisionDrawTarget extends Model<InferAttributes<SupervisionDrawTarget>, InferCreationAttributes<SupervisionDrawTarget>> {
  declare id: CreationOptional<number>;
  declare drawId: number;
  declare subjectId: number;
  declare grade: string;
  declare inspectorUsernamesJson: string;
  declare caseId: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    SupervisionDrawTarget.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        drawId: { type: DataTypes.INTEGER, allowNull: false },
        subjectId: { type: DataTypes.INTEGER, allowNull: false },
        grade: { type: DataTypes.STRING(1), allowNull: false },
        inspectorUsernamesJson: { type: DataTypes.STRING(1000), allowNull: false },
        caseId: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "supervision_draw_targets", underscored: true },
    );
  }
}

/** Models of 双随机 supervision (issue 14): 清单, recusals, plans, draws and drawn targets. */
export const SUPERVISION_MODELS = [SupervisionItem, InspectorRecusal, SupervisionPlan, SupervisionDraw, SupervisionDrawTarget];
