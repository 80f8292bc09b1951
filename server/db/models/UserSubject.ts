import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** "This applicant user acts for this credit subject." */
export class UserSubject extends Model<InferAttributes<UserSubject>, InferCreationAttributes<UserSubject>> {
  declare userId: number;
  declare subjectId: number;

  static initModel(sequelize: Sequelize): void {
    UserSubject.init(
      {
        userId: { type: DataTypes.INTEGER, primaryKey: true },
        subjectId: { type: DataTypes.INTEGER, primaryKey: true },
      },
      { sequelize, tableName: "user_subjects", underscored: true, timestamps: false },
    );
  }
}
