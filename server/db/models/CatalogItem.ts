import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** What an item is: 告知承诺事项 (the commitment flow: letter, 核查, eligibility) or 通用事项 (any process with a start form). */
export const CATALOG_KINDS = ["commitment", "generic"] as const;
export type CatalogKind = (typeof CATALOG_KINDS)[number];
export const CATALOG_KIND_LABELS: Record<CatalogKind, string> = { commitment: "告知承诺事项", generic: "通用事项" };

/** A catalog item: its stable code, kind and owning department; content lives in CatalogItemVersion. */
export class CatalogItem extends Model<InferAttributes<CatalogItem>, InferCreationAttributes<CatalogItem>> {
  declare id: CreationOptional<number>;
  declare itemCode: string;
  declare departmentId: number;
  declare kind: CreationOptional<CatalogKind>;
  declare publishedVersionId: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CatalogItem.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        itemCode: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        departmentId: { type: DataTypes.INTEGER, allowNull: false },
        kind: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "commitment" },
        publishedVersionId: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "catalog_items", underscored: true },
    );
  }
}
