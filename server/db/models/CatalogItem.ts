import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** 告知承诺事项: the stable code and owning department of an item; content lives in CatalogItemVersion. */
export class CatalogItem extends Model<InferAttributes<CatalogItem>, InferCreationAttributes<CatalogItem>> {
  declare id: CreationOptional<number>;
  declare itemCode: string;
  declare departmentId: number;
  declare publishedVersionId: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CatalogItem.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        itemCode: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        departmentId: { type: DataTypes.INTEGER, allowNull: false },
        publishedVersionId: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "catalog_items", underscored: true },
    );
  }
}
