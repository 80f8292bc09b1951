import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** 抄送: a read-only copy of a case for a user or a group, sent at a step (domain/cases/copyCase.ts). */
export class CaseCopy extends Model<InferAttributes<CaseCopy>, InferCreationAttributes<CaseCopy>> {
  declare id: CreationOptional<number>;
  declare instanceId: string;
  declare toKind: "user" | "group";
  declare toValue: string;
  /** The step (user task name) it was sent at. */
  declare step: string | null;
  declare note: string | null;
  declare sentBy: string;
  declare createdAt: Date;

  static initModel(sequelize: Sequelize): void {
    CaseCopy.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        instanceId: { type: DataTypes.STRING(64), allowNull: false },
        toKind: { type: DataTypes.STRING(8), allowNull: false },
        toValue: { type: DataTypes.STRING(64), allowNull: false },
        step: { type: DataTypes.STRING(255), allowNull: true },
        note: { type: DataTypes.STRING(500), allowNull: true },
        sentBy: { type: DataTypes.STRING(64), allowNull: false },
        createdAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "case_copies", underscored: true, timestamps: false },
    );
  }
}
