import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export class UserGroup extends Model<InferAttributes<UserGroup>, InferCreationAttributes<UserGroup>> {
  declare userId: number;
  declare groupId: string;

  static initModel(sequelize: Sequelize): void {
    UserGroup.init(
      {
        userId: { type: DataTypes.INTEGER, primaryKey: true },
        groupId: { type: DataTypes.STRING(64), primaryKey: true },
      },
      { sequelize, tableName: "user_groups", underscored: true, timestamps: false },
    );
  }
}
