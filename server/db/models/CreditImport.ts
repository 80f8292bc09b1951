import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export type CreditImportStatus = "running" | "done" | "failed";
export type CreditImportPhase = "parsing" | "validating" | "writing" | "finished";

/** One upload of a 双公示 file: dry run or real import, its progress, the bad rows and what it wrote. */
export class CreditImport extends Model<InferAttributes<CreditImport>, InferCreationAttributes<CreditImport>> {
  declare id: CreationOptional<number>;
  declare departmentId: number | null;
  declare actor: string;
  declare fileName: string;
  declare fileSha256: string;
  declare format: "csv" | "xlsx";
  declare dryRun: boolean;
  declare status: CreditImportStatus;
  declare phase: CreditImportPhase;
  declare totalRows: CreationOptional<number>;
  declare processedRows: CreationOptional<number>;
  declare badRows: CreationOptional<number>;
  /** JSON array of { row, field, message }. */
  declare problems: CreationOptional<string | null>;
  declare createdCount: CreationOptional<number>;
  declare unchangedCount: CreationOptional<number>;
  declare subjectsCreated: CreationOptional<number>;
  declare message: CreationOptional<string | null>;
  declare finishedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CreditImport.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        departmentId: { type: DataTypes.INTEGER, allowNull: true },
        actor: { type: DataTypes.STRING(64), allowNull: false },
        fileName: { type: DataTypes.STRING(255), allowNull: false },
        fileSha256: { type: DataTypes.STRING(64), allowNull: false },
        format: { type: DataTypes.STRING(8), allowNull: false },
        dryRun: { type: DataTypes.BOOLEAN, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        phase: { type: DataTypes.STRING(16), allowNull: false },
        totalRows: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        processedRows: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        badRows: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        problems: { type: DataTypes.TEXT, allowNull: true },
        createdCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        unchangedCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        subjectsCreated: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        message: { type: DataTypes.STRING(500), allowNull: true },
        finishedAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "credit_imports", underscored: true },
    );
  }
}
