import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** worker: a program (an external-task worker) that may only fetch and finish external tasks over /engine-rest. */
export const ROLES = ["applicant", "reviewer", "dept_admin", "admin", "auditor", "worker"] as const;
export type Role = (typeof ROLES)[number];

export class UserRole extends Model<InferAttributes<UserRole>, InferCreationAttributes<UserRole>> {
  declare userId: number;
  declare role: Role;

  static initModel(sequelize: Sequelize): void {
    UserRole.init(
      {
        userId: { type: DataTypes.INTEGER, primaryKey: true },
        role: { type: DataTypes.STRING(32), primaryKey: true },
      },
      { sequelize, tableName: "user_roles", underscored: true, timestamps: false },
    );
  }
}
