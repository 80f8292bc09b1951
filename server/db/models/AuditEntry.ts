import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/**
 * One entry of the append-only audit log. Keyed entries (hashAlg "hmac-sha256") form one chain per chainId in seq
 * order, hash = HMAC(key, prevHash + chain, seq and the fields); legacy entries ("sha256", chainId "legacy", no seq)
 * form the chain written before keys, in id order. See server/domain/audit.ts.
 */
export class AuditEntry extends Model<InferAttributes<AuditEntry>, InferCreationAttributes<AuditEntry>> {
  declare id: CreationOptional<number>;
  declare at: Date;
  declare actor: string | null;
  declare action: string;
  declare entityType: string | null;
  declare entityId: string | null;
  declare detail: string | null;
  declare ip: string | null;
  declare prevHash: string;
  declare hash: string;
  declare chainId: CreationOptional<string>;
  declare seq: number | null;
  declare hashAlg: CreationOptional<string>;
  declare keyId: string | null;

  static initModel(sequelize: Sequelize): void {
    AuditEntry.init(
      {
        id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
        at: { type: DataTypes.DATE(3), allowNull: false },
        actor: { type: DataTypes.STRING(64), allowNull: true },
        action: { type: DataTypes.STRING(64), allowNull: false },
        entityType: { type: DataTypes.STRING(64), allowNull: true },
        entityId: { type: DataTypes.STRING(64), allowNull: true },
        detail: { type: DataTypes.TEXT, allowNull: true },
        ip: { type: DataTypes.STRING(64), allowNull: true },
        prevHash: { type: DataTypes.STRING(64), allowNull: false },
        hash: { type: DataTypes.STRING(64), allowNull: false },
        chainId: { type: DataTypes.STRING(64), allowNull: false, defaultValue: "legacy" },
        seq: { type: DataTypes.BIGINT, allowNull: true },
        hashAlg: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "sha256" },
        keyId: { type: DataTypes.STRING(16), allowNull: true },
      },
      { sequelize, tableName: "audit_entries", underscored: true, timestamps: false },
    );
  }
}
