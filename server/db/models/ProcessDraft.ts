import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** A process drawn in the browser modeler and saved before deploying: one per process key, replaced on each save. */
export class ProcessDraft extends Model<InferAttributes<ProcessDraft>, InferCreationAttributes<ProcessDraft>> {
  declare id: CreationOptional<number>;
  declare processKey: string;
  declare name: string | null;
  declare xml: string;
  /** The department of the officer who saved it last (null: an admin without one). */
  declare departmentId: number | null;
  declare updatedBy: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ProcessDraft.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        processKey: { type: DataTypes.STRING(255), allowNull: false, unique: true },
        name: { type: DataTypes.STRING(255), allowNull: true },
        xml: { type: DataTypes.TEXT, allowNull: false },
        departmentId: { type: DataTypes.INTEGER, allowNull: true },
        updatedBy: { type: DataTypes.STRING(64), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "process_drafts", underscored: true },
    );
  }
}
