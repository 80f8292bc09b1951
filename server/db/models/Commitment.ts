import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";
import type { PublicType } from "./CatalogItemVersion.js";

export const COMMITMENT_STATUSES = ["审查中", "退回补正", "不予受理", "监管中", "监管完成", "已终止"] as const;
export type CommitmentStatus = (typeof COMMITMENT_STATUSES)[number];
export const FULFILMENT_STATUSES = ["全部履行", "部分履行", "全部未履行"] as const;
export type FulfilmentStatus = (typeof FULFILMENT_STATUSES)[number];
export const SUPERVISION_STATUSES = ["监管中", "监管完成"] as const;
export type SupervisionStatus = (typeof SUPERVISION_STATUSES)[number];

/** 信用承诺档案 entry: one commitment made by a subject on one catalog item version, with its process. */
export class Commitment extends Model<InferAttributes<Commitment>, InferCreationAttributes<Commitment>> {
  declare id: CreationOptional<number>;
  /** 承诺编码: division code (6) + yyyymmdd (8) + daily serial (6). */
  declare code: string;
  declare itemId: number;
  declare itemVersionId: number;
  declare departmentId: number;
  declare subjectId: number;
  declare submitterId: number | null;
  declare subjectName: string;
  declare subjectType: string;
  declare subjectCode: string;
  declare commitmentType: string;
  /** 承诺事由. */
  declare reason: string;
  /** The cleaned submission (JSON) of the latest revision. */
  declare data: string;
  declare formKey: string;
  declare formRevision: number;
  /** Submission revision: 1, then +1 per correction. */
  declare revision: number;
  declare letterHtml: string;
  declare signerName: string;
  declare agreedAt: Date;
  declare status: CommitmentStatus;
  declare fulfilmentStatus: FulfilmentStatus | null;
  declare fulfilmentDate: string | null;
  declare fulfilmentUnit: string | null;
  declare unfulfilledContent: string | null;
  declare liabilityContent: string | null;
  declare supervisionStatus: SupervisionStatus | null;
  declare publicType: PublicType;
  /** 承诺作出日期 YYYY-MM-DD. */
  declare madeOn: string;
  /** 承诺有效期 (last day) YYYY-MM-DD. */
  declare validUntil: string | null;
  declare acceptingUnit: string;
  declare acceptingUnitUscc: string | null;
  declare processInstanceId: string | null;
  declare reviewDueAt: Date | null;
  declare verificationDueAt: Date | null;
  declare decisionComment: string | null;
  declare decidedBy: string | null;
  declare decidedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Commitment.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        code: { type: DataTypes.STRING(20), allowNull: false, unique: true },
        itemId: { type: DataTypes.INTEGER, allowNull: false },
        itemVersionId: { type: DataTypes.INTEGER, allowNull: false },
        departmentId: { type: DataTypes.INTEGER, allowNull: false },
        subjectId: { type: DataTypes.INTEGER, allowNull: false },
        submitterId: { type: DataTypes.INTEGER, allowNull: true },
        subjectName: { type: DataTypes.STRING(200), allowNull: false },
        subjectType: { type: DataTypes.STRING(32), allowNull: false },
        subjectCode: { type: DataTypes.STRING(18), allowNull: false },
        commitmentType: { type: DataTypes.STRING(100), allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        data: { type: DataTypes.TEXT, allowNull: false },
        formKey: { type: DataTypes.STRING(100), allowNull: false },
        formRevision: { type: DataTypes.INTEGER, allowNull: false },
        revision: { type: DataTypes.INTEGER, allowNull: false },
        letterHtml: { type: DataTypes.TEXT, allowNull: false },
        signerName: { type: DataTypes.STRING(100), allowNull: false },
        agreedAt: { type: DataTypes.DATE, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        fulfilmentStatus: { type: DataTypes.STRING(16), allowNull: true },
        fulfilmentDate: { type: DataTypes.STRING(10), allowNull: true },
        fulfilmentUnit: { type: DataTypes.STRING(100), allowNull: true },
        unfulfilledContent: { type: DataTypes.TEXT, allowNull: true },
        liabilityContent: { type: DataTypes.TEXT, allowNull: true },
        supervisionStatus: { type: DataTypes.STRING(16), allowNull: true },
        publicType: { type: DataTypes.STRING(16), allowNull: false },
        madeOn: { type: DataTypes.STRING(10), allowNull: false },
        validUntil: { type: DataTypes.STRING(10), allowNull: true },
        acceptingUnit: { type: DataTypes.STRING(100), allowNull: false },
        acceptingUnitUscc: { type: DataTypes.STRING(18), allowNull: true },
        processInstanceId: { type: DataTypes.STRING(64), allowNull: true },
        reviewDueAt: { type: DataTypes.DATE, allowNull: true },
        verificationDueAt: { type: DataTypes.DATE, allowNull: true },
        decisionComment: { type: DataTypes.TEXT, allowNull: true },
        decidedBy: { type: DataTypes.STRING(64), allowNull: true },
        decidedAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "commitments", underscored: true },
    );
  }
}
