import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** A value a "unique" form field holds; the unique index (form, field, value hash) is what enforces uniqueness. */
export class SubmissionUniqueValue extends Model<InferAttributes<SubmissionUniqueValue>, InferCreationAttributes<SubmissionUniqueValue>> {
  declare id: CreationOptional<number>;
  declare formKey: string;
  declare fieldPath: string;
  declare valueHash: string;
  declare ownerRef: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    SubmissionUniqueValue.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        formKey: { type: DataTypes.STRING(100), allowNull: false },
        fieldPath: { type: DataTypes.STRING(200), allowNull: false },
        valueHash: { type: DataTypes.STRING(64), allowNull: false },
        ownerRef: { type: DataTypes.STRING(100), allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "submission_unique_values", underscored: true, updatedAt: false },
    );
  }
}
