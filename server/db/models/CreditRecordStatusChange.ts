import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";
import type { CreditRecordStatus } from "./CreditRecord.js";

/** One step of a credit record's status history (created, expired, repaired, shielded, withdrawn, re-ruled). */
export class CreditRecordStatusChange extends Model<
  InferAttributes<CreditRecordStatusChange>,
  InferCreationAttributes<CreditRecordStatusChange>
> {
  declare id: CreationOptional<number>;
  declare recordId: number;
  declare fromStatus: CreditRecordStatus | null;
  declare toStatus: CreditRecordStatus;
  declare reason: string | null;
  declare actor: string | null;
  declare at: Date;

  static initModel(sequelize: Sequelize): void {
    CreditRecordStatusChange.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        recordId: { type: DataTypes.INTEGER, allowNull: false },
        fromStatus: { type: DataTypes.STRING(16), allowNull: true },
        toStatus: { type: DataTypes.STRING(16), allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: true },
        actor: { type: DataTypes.STRING(64), allowNull: true },
        at: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: "credit_record_statuses", underscored: true, timestamps: false },
    );
  }
}
