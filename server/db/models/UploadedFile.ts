import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** An uploaded evidence file; the bytes live under the upload directory, named by their sha256. */
export class UploadedFile extends Model<InferAttributes<UploadedFile>, InferCreationAttributes<UploadedFile>> {
  declare id: string;
  declare ownerUserId: number;
  declare sha256: string;
  declare originalName: string;
  declare mimeType: string;
  declare size: number;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    UploadedFile.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        ownerUserId: { type: DataTypes.INTEGER, allowNull: false },
        sha256: { type: DataTypes.STRING(64), allowNull: false },
        originalName: { type: DataTypes.STRING(255), allowNull: false },
        mimeType: { type: DataTypes.STRING(100), allowNull: false },
        size: { type: DataTypes.INTEGER, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "uploaded_files", underscored: true, updatedAt: false },
    );
  }
}
