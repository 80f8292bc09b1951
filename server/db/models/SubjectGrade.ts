import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export const GRADES = ["A", "B", "C", "D"] as const;
export type Grade = (typeof GRADES)[number];
/** A subject without a grade row counts as this class: not yet graded = ordinary risk. */
export const DEFAULT_GRADE: Grade = "B";

/** One reason of a score: the indicator, its label, the points it added (negative: deducted) and what was counted. */
export interface GradeReason {
  indicator: string;
  label: string;
  points: number;
  detail: string;
}

/** A subject's public credit class under the evaluation model in force (issue 14), recomputed when its inputs change. */
export class SubjectGrade extends Model<InferAttributes<SubjectGrade>, InferCreationAttributes<SubjectGrade>> {
  declare subjectId: number;
  declare grade: Grade;
  /** DECIMAL(6,2): MariaDB returns it as a string. */
  declare score: number | string;
  /** JSON array of GradeReason. */
  declare reasons: string;
  declare modelId: number;
  declare computedAt: Date;
  declare inputsAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    SubjectGrade.init(
      {
        subjectId: { type: DataTypes.INTEGER, primaryKey: true },
        grade: { type: DataTypes.CHAR(1), allowNull: false },
        score: { type: DataTypes.DECIMAL(6, 2), allowNull: false },
        reasons: { type: DataTypes.TEXT, allowNull: false },
        modelId: { type: DataTypes.INTEGER, allowNull: false },
        computedAt: { type: DataTypes.DATE, allowNull: false },
        inputsAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "subject_grades", underscored: true },
    );
  }
}
