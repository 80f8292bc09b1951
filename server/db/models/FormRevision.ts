import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** One immutable revision of a form: the Form.io JSON as normalized at save. */
export class FormRevision extends Model<InferAttributes<FormRevision>, InferCreationAttributes<FormRevision>> {
  declare id: CreationOptional<number>;
  declare formId: number;
  declare revision: number;
  declare title: string;
  declare definition: string;
  declare createdBy: string;
  /** First publication; null while the revision has never been published. */
  declare publishedAt: Date | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    FormRevision.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        formId: { type: DataTypes.INTEGER, allowNull: false },
        revision: { type: DataTypes.INTEGER, allowNull: false },
        title: { type: DataTypes.STRING(200), allowNull: false },
        definition: { type: DataTypes.TEXT, allowNull: false },
        createdBy: { type: DataTypes.STRING(64), allowNull: false },
        publishedAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "form_revisions", underscored: true, updatedAt: false },
    );
  }
}
