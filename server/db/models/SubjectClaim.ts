import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export const CLAIM_STATUSES = ["pending", "approved", "rejected"] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** An applicant's request to act for a subject that was already on the platform; an officer decides it. */
export class SubjectClaim extends Model<InferAttributes<SubjectClaim>, InferCreationAttributes<SubjectClaim>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare subjectId: number;
  declare status: CreationOptional<ClaimStatus>;
  declare decidedBy: string | null;
  declare decidedAt: Date | null;
  declare decisionReason: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    SubjectClaim.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        subjectId: { type: DataTypes.INTEGER, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "pending" },
        decidedBy: { type: DataTypes.STRING(64), allowNull: true },
        decidedAt: { type: DataTypes.DATE, allowNull: true },
        decisionReason: { type: DataTypes.STRING(500), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "subject_claims", underscored: true },
    );
  }
}
