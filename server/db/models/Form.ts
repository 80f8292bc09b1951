import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** A form (key, title, owning department); its content lives in FormRevision rows. */
export class Form extends Model<InferAttributes<Form>, InferCreationAttributes<Form>> {
  declare id: CreationOptional<number>;
  declare key: string;
  declare title: string;
  declare departmentId: number | null;
  declare latestRevision: number;
  declare publishedRevision: number | null;
  declare createdBy: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Form.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        key: { type: DataTypes.STRING(100), allowNull: false, unique: true },
        title: { type: DataTypes.STRING(200), allowNull: false },
        departmentId: { type: DataTypes.INTEGER, allowNull: true },
        latestRevision: { type: DataTypes.INTEGER, allowNull: false },
        publishedRevision: { type: DataTypes.INTEGER, allowNull: true },
        createdBy: { type: DataTypes.STRING(64), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "forms", underscored: true },
    );
  }
}
