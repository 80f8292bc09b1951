import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export const PERIOD_UNITS = ["day", "working_day", "month", "year"] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];
export const PERIOD_UNIT_LABELS: Record<PeriodUnit, string> = { day: "日", working_day: "个工作日", month: "个月", year: "年" };
export const COUNT_FROM = ["decision", "publication"] as const;
export type CountFrom = (typeof COUNT_FROM)[number];
/** "national" is the national rule set; any other name is a department's code (e.g. scjgj for 市场监管). */
export const NATIONAL_RULE_SET = "national";
/** Severity "*" is a rule for every severity of a record type (records that have none, such as 违诺). */
export const ANY_SEVERITY = "*";

/**
 * A publicity rule for one record type and severity in one rule set, from its effective date on: whether such
 * records are published, and their minimum and maximum period. Rows are never edited; a later row replaces it.
 */
export class PublicityRule extends Model<InferAttributes<PublicityRule>, InferCreationAttributes<PublicityRule>> {
  declare id: CreationOptional<number>;
  declare ruleSet: string;
  declare recordType: string;
  declare severity: string;
  declare publish: boolean;
  declare minValue: number | null;
  declare minUnit: PeriodUnit | null;
  declare maxValue: number | null;
  declare maxUnit: PeriodUnit | null;
  declare countFrom: CountFrom;
  /** YYYY-MM-DD: the rule applies to records decided on or after this day. */
  declare effectiveFrom: string;
  declare legalBasis: string;
  declare note: string | null;
  declare toBeConfirmed: boolean;
  declare createdBy: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    PublicityRule.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        ruleSet: { type: DataTypes.STRING(32), allowNull: false },
        recordType: { type: DataTypes.STRING(32), allowNull: false },
        severity: { type: DataTypes.STRING(8), allowNull: false },
        publish: { type: DataTypes.BOOLEAN, allowNull: false },
        minValue: { type: DataTypes.INTEGER, allowNull: true },
        minUnit: { type: DataTypes.STRING(16), allowNull: true },
        maxValue: { type: DataTypes.INTEGER, allowNull: true },
        maxUnit: { type: DataTypes.STRING(16), allowNull: true },
        countFrom: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "decision" },
        effectiveFrom: { type: DataTypes.STRING(10), allowNull: false },
        legalBasis: { type: DataTypes.STRING(500), allowNull: false },
        note: { type: DataTypes.STRING(500), allowNull: true },
        toBeConfirmed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        createdBy: { type: DataTypes.STRING(64), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "publicity_rules", underscored: true },
    );
  }
}
