import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** One version of one process definition (key + version), with its BPMN XML. */
export class EngineDefinition extends Model<InferAttributes<EngineDefinition>, InferCreationAttributes<EngineDefinition>> {
  declare id: string;
  declare deploymentId: string;
  declare key: string;
  declare version: number;
  declare name: string | null;
  declare resourceName: string | null;
  declare xml: string;
  declare xmlHash: string;
  declare deployedAt: Date;

  static initModel(sequelize: Sequelize): void {
    // LONGTEXT on MySQL (TEXT stops at 64 KB); SQLite has one TEXT type.
    const longText = sequelize.getDialect() === "sqlite" ? DataTypes.TEXT : DataTypes.TEXT("long");
    EngineDefinition.init(
      {
        id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
        deploymentId: { type: DataTypes.STRING(64), allowNull: false },
        key: { type: DataTypes.STRING(255), allowNull: false },
        version: { type: DataTypes.INTEGER, allowNull: false },
        name: { type: DataTypes.STRING(255), allowNull: true },
        resourceName: { type: DataTypes.STRING(255), allowNull: true },
        xml: { type: longText, allowNull: false },
        xmlHash: { type: DataTypes.STRING(64), allowNull: false },
        deployedAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "engine_definitions", underscored: true, timestamps: false },
    );
  }
}
