import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export type SignMode = "before" | "after";
export type SignState = "pending" | "approved" | "rejected" | "removed";

/** 加签: a colleague asked to decide on an open task before (前加签) or after (后加签) its assignee (domain/actions/signers.ts). */
export class TaskSigner extends Model<InferAttributes<TaskSigner>, InferCreationAttributes<TaskSigner>> {
  declare id: CreationOptional<number>;
  /** The parent task (Flowable's parentTaskId). */
  declare taskId: string;
  declare instanceId: string;
  declare step: string | null;
  declare signer: string;
  declare mode: SignMode;
  declare state: SignState;
  declare addedBy: string;
  declare note: string | null;
  declare opinion: string | null;
  declare decidedBy: string | null;
  declare decidedAt: Date | null;
  declare createdAt: Date;

  static initModel(sequelize: Sequelize): void {
    TaskSigner.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        taskId: { type: DataTypes.STRING(64), allowNull: false },
        instanceId: { type: DataTypes.STRING(64), allowNull: false },
        step: { type: DataTypes.STRING(255), allowNull: true },
        signer: { type: DataTypes.STRING(64), allowNull: false },
        mode: { type: DataTypes.STRING(16), allowNull: false },
        state: { type: DataTypes.STRING(16), allowNull: false },
        addedBy: { type: DataTypes.STRING(64), allowNull: false },
        note: { type: DataTypes.STRING(500), allowNull: true },
        opinion: { type: DataTypes.STRING(1000), allowNull: true },
        decidedBy: { type: DataTypes.STRING(64), allowNull: true },
        decidedAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "task_signers", underscored: true, timestamps: false },
    );
  }
}

/** 后加签: the assignee's decision, kept until every after-signer has decided; then the task is completed with it. */
export class TaskHeldDecision extends Model<InferAttributes<TaskHeldDecision>, InferCreationAttributes<TaskHeldDecision>> {
  declare taskId: string;
  declare instanceId: string;
  declare actor: string;
  /** The submitted form data (JSON). */
  declare data: string;
  declare createdAt: Date;

  static initModel(sequelize: Sequelize): void {
    // LONGTEXT on MySQL (TEXT stops at 64 KB); SQLite has one TEXT type.
    const longText = sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("long");
    TaskHeldDecision.init(
      {
        taskId: { type: DataTypes.STRING(64), primaryKey: true },
        instanceId: { type: DataTypes.STRING(64), allowNull: false },
        actor: { type: DataTypes.STRING(64), allowNull: false },
        data: { type: longText, allowNull: false },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "task_held_decisions", underscored: true, timestamps: false },
    );
  }
}

/** 常用意见: an opinion a reviewer picks into the opinion field; its own (user) or its department's (managed by dept_admin). */
export class OpinionTemplate extends Model<InferAttributes<OpinionTemplate>, InferCreationAttributes<OpinionTemplate>> {
  declare id: CreationOptional<number>;
  declare scope: "user" | "department";
  declare ownerUser: string | null;
  declare departmentId: number | null;
  declare text: string;
  declare createdBy: string;
  declare createdAt: Date;

  static initModel(sequelize: Sequelize): void {
    OpinionTemplate.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        scope: { type: DataTypes.STRING(16), allowNull: false },
        ownerUser: { type: DataTypes.STRING(64), allowNull: true },
        departmentId: { type: DataTypes.INTEGER, allowNull: true },
        text: { type: DataTypes.STRING(500), allowNull: false },
        createdBy: { type: DataTypes.STRING(64), allowNull: false },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "opinion_templates", underscored: true, timestamps: false },
    );
  }
}

export type MessageKind = "task" | "return" | "copy" | "urge" | "decision" | "sign";

/** 站内信: one message to one user (domain/actions/messages.ts). */
export class UserMessage extends Model<InferAttributes<UserMessage>, InferCreationAttributes<UserMessage>> {
  declare id: CreationOptional<number>;
  declare recipient: string;
  declare kind: MessageKind;
  declare title: string;
  declare body: string | null;
  declare link: string | null;
  /** What it is about (a task id, a case), so one event is told once. */
  declare ref: string | null;
  declare readAt: Date | null;
  declare createdAt: Date;

  static initModel(sequelize: Sequelize): void {
    UserMessage.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        recipient: { type: DataTypes.STRING(64), allowNull: false },
        kind: { type: DataTypes.STRING(16), allowNull: false },
        title: { type: DataTypes.STRING(255), allowNull: false },
        body: { type: DataTypes.STRING(1000), allowNull: true },
        link: { type: DataTypes.STRING(255), allowNull: true },
        ref: { type: DataTypes.STRING(128), allowNull: true },
        readAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "user_messages", underscored: true, timestamps: false },
    );
  }
}

export const ACTION_MODELS = [TaskSigner, TaskHeldDecision, OpinionTemplate, UserMessage] as const;
