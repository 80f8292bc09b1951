import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** A BPMN deployment: one upload of one or more process files. */
export class EngineDeployment extends Model<InferAttributes<EngineDeployment>, InferCreationAttributes<EngineDeployment>> {
  declare id: string;
  declare name: string | null;
  declare source: string | null;
  declare tenantId: string | null;
  declare actor: string | null;
  /** The deploying officer's department: who may deploy the next version of its keys. */
  declare departmentId: CreationOptional<number | null>;
  declare deployedAt: Date;

  static initModel(sequelize: Sequelize): void {
    EngineDeployment.init(
      {
        id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
        name: { type: DataTypes.STRING(255), allowNull: true },
        source: { type: DataTypes.STRING(255), allowNull: true },
        tenantId: { type: DataTypes.STRING(64), allowNull: true },
        actor: { type: DataTypes.STRING(64), allowNull: true },
        departmentId: { type: DataTypes.INTEGER, allowNull: true },
        deployedAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: "engine_deployments", underscored: true, timestamps: false },
    );
  }
}
