import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** A partly filled form kept for its user (key: user + form + the client's own reference). */
export class FormDraft extends Model<InferAttributes<FormDraft>, InferCreationAttributes<FormDraft>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare formKey: string;
  declare clientRef: string;
  declare formRevision: number;
  declare data: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    FormDraft.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        formKey: { type: DataTypes.STRING(100), allowNull: false },
        clientRef: { type: DataTypes.STRING(64), allowNull: false },
        formRevision: { type: DataTypes.INTEGER, allowNull: false },
        data: { type: DataTypes.TEXT, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "form_drafts", underscored: true },
    );
  }
}
