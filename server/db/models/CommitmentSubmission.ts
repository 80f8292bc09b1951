import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** One version of a commitment's submission: revision 1 at submit, one more per correction. Never updated. */
export class CommitmentSubmission extends Model<InferAttributes<CommitmentSubmission>, InferCreationAttributes<CommitmentSubmission>> {
  declare id: CreationOptional<number>;
  declare commitmentId: number;
  declare revision: number;
  declare data: string;
  declare formRevision: number;
  declare letterHtml: string;
  declare signerName: string;
  declare agreedAt: Date;
  declare submittedBy: string | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CommitmentSubmission.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        commitmentId: { type: DataTypes.INTEGER, allowNull: false },
        revision: { type: DataTypes.INTEGER, allowNull: false },
        data: { type: DataTypes.TEXT, allowNull: false },
        formRevision: { type: DataTypes.INTEGER, allowNull: false },
        letterHtml: { type: DataTypes.TEXT, allowNull: false },
        signerName: { type: DataTypes.STRING(100), allowNull: false },
        agreedAt: { type: DataTypes.DATE, allowNull: false },
        submittedBy: { type: DataTypes.STRING(64), allowNull: true },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "commitment_submissions", underscored: true, updatedAt: false },
    );
  }
}
