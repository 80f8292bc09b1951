import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export const COMMITMENT_TYPES = ["审批替代型", "容缺受理型", "证明事项型", "信用修复型", "行业自律型", "主动型", "其他"] as const;
export type CommitmentType = (typeof COMMITMENT_TYPES)[number];
export const PUBLIC_TYPES = ["可向社会公开", "特定范围内公开", "不可公开"] as const;
export type PublicType = (typeof PUBLIC_TYPES)[number];
export const CATALOG_VERSION_STATUSES = ["draft", "published", "withdrawn"] as const;
export type CatalogVersionStatus = (typeof CATALOG_VERSION_STATUSES)[number];

/** One version of an item's content. Published versions are frozen: they pin a form revision and a process definition. */
export class CatalogItemVersion extends Model<InferAttributes<CatalogItemVersion>, InferCreationAttributes<CatalogItemVersion>> {
  declare id: CreationOptional<number>;
  declare itemId: number;
  declare version: number;
  declare status: CatalogVersionStatus;
  declare name: string;
  declare legalBasis: string;
  declare commitmentType: CommitmentType;
  declare commitmentTypeOther: string | null;
  declare noticeContent: string;
  declare letterTemplate: string;
  declare formKey: string;
  declare formRevision: number | null;
  declare processKey: string;
  declare processDefinitionId: string | null;
  declare verificationMethod: string;
  declare verificationDays: number;
  declare publicType: PublicType;
  declare validityMonths: number;
  declare reviewDays: number;
  declare publishedAt: Date | null;
  declare publishedBy: string | null;
  declare withdrawnAt: Date | null;
  declare createdBy: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CatalogItemVersion.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        itemId: { type: DataTypes.INTEGER, allowNull: false },
        version: { type: DataTypes.INTEGER, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        name: { type: DataTypes.STRING(200), allowNull: false },
        legalBasis: { type: DataTypes.TEXT, allowNull: false },
        commitmentType: { type: DataTypes.STRING(16), allowNull: false },
        commitmentTypeOther: { type: DataTypes.STRING(100), allowNull: true },
        noticeContent: { type: DataTypes.TEXT, allowNull: false },
        letterTemplate: { type: DataTypes.TEXT, allowNull: false },
        formKey: { type: DataTypes.STRING(100), allowNull: false },
        formRevision: { type: DataTypes.INTEGER, allowNull: true },
        processKey: { type: DataTypes.STRING(100), allowNull: false },
        processDefinitionId: { type: DataTypes.STRING(191), allowNull: true },
        verificationMethod: { type: DataTypes.STRING(500), allowNull: false },
        verificationDays: { type: DataTypes.INTEGER, allowNull: false },
        publicType: { type: DataTypes.STRING(16), allowNull: false },
        validityMonths: { type: DataTypes.INTEGER, allowNull: false },
        reviewDays: { type: DataTypes.INTEGER, allowNull: false },
        publishedAt: { type: DataTypes.DATE, allowNull: true },
        publishedBy: { type: DataTypes.STRING(64), allowNull: true },
        withdrawnAt: { type: DataTypes.DATE, allowNull: true },
        createdBy: { type: DataTypes.STRING(64), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "catalog_item_versions", underscored: true },
    );
  }
}
