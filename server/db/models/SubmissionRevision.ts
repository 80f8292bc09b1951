import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** One version of a submission's data; a corrected submission keeps every earlier version. */
export class SubmissionRevision extends Model<InferAttributes<SubmissionRevision>, InferCreationAttributes<SubmissionRevision>> {
  declare id: CreationOptional<number>;
  declare submissionType: string;
  declare submissionId: string;
  declare version: number;
  declare formKey: string;
  declare formRevision: number;
  declare data: string;
  declare note: string | null;
  declare createdBy: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    SubmissionRevision.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        submissionType: { type: DataTypes.STRING(32), allowNull: false },
        submissionId: { type: DataTypes.STRING(64), allowNull: false },
        version: { type: DataTypes.INTEGER, allowNull: false },
        formKey: { type: DataTypes.STRING(100), allowNull: false },
        formRevision: { type: DataTypes.INTEGER, allowNull: false },
        data: { type: DataTypes.TEXT, allowNull: false },
        note: { type: DataTypes.STRING(500), allowNull: true },
        createdBy: { type: DataTypes.STRING(64), allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "submission_revisions", underscored: true, updatedAt: false },
    );
  }
}
