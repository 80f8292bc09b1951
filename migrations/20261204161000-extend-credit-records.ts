import { DataTypes, type QueryInterface } from "sequelize";

// Credit records of every kind (行政处罚, 行政许可, 严重失信主体名单, 经营异常名录, 违诺) with the 双公示 fields, a status
// (公示中 / 已修复（终止公示） / 已届满 / 不予公示 / 已屏蔽 / 已撤销), the department that recorded it, the publicity rule
// it was given and a per-record period override with its legal basis. Existing rows are breaches or test rows:
// their status follows the flags they had (repaired -> 已修复, not public -> 不予公示, else 公示中).
const COLUMNS = [
  ["status", { type: DataTypes.STRING(16), allowNull: false, defaultValue: "公示中" }],
  ["department_id", { type: DataTypes.INTEGER, allowNull: true }],
  ["decision_number", { type: DataTypes.STRING(100), allowNull: true }],
  ["detail", { type: DataTypes.TEXT, allowNull: true }],
  ["min_until", { type: DataTypes.STRING(10), allowNull: true }],
  ["rule_id", { type: DataTypes.INTEGER, allowNull: true }],
  ["rule_set", { type: DataTypes.STRING(32), allowNull: true }],
  ["period_override", { type: DataTypes.STRING(200), allowNull: true }],
  ["override_basis", { type: DataTypes.STRING(500), allowNull: true }],
  ["fingerprint", { type: DataTypes.STRING(64), allowNull: true }],
  ["import_id", { type: DataTypes.INTEGER, allowNull: true }],
  ["status_changed_at", { type: DataTypes.DATE, allowNull: true }],
] as const;

const RECORD_INDEXES = [
  { name: "credit_records_subject", fields: ["subject_id", "record_type", "repaired"] },
  { name: "credit_records_source_commitment", fields: ["source_commitment_id"], unique: true },
];

/** SQLite rebuilds a table to drop a column and loses its indexes on the way. */
async function restoreIndexes(qi: QueryInterface): Promise<void> {
  const left = new Set(((await qi.showIndex("credit_records")) as { name: string }[]).map((i) => i.name));
  for (const index of RECORD_INDEXES)
    if (!left.has(index.name)) await qi.addIndex("credit_records", index.fields, { name: index.name, unique: index.unique ?? false });
}

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const [name, spec] of COLUMNS) await qi.addColumn("credit_records", name, spec);
  await qi.sequelize.query("UPDATE credit_records SET status = '已修复（终止公示）' WHERE repaired = 1");
  await qi.sequelize.query("UPDATE credit_records SET status = '不予公示' WHERE repaired = 0 AND is_public = 0");
  await qi.sequelize.query(
    "UPDATE credit_records SET department_id = (SELECT c.department_id FROM commitments c WHERE c.id = credit_records.source_commitment_id) " +
      "WHERE source_commitment_id IS NOT NULL",
  );
  // A decision number is recorded once per kind of record: what makes a re-import idempotent and a duplicate visible.
  await qi.addIndex("credit_records", ["record_type", "decision_number"], { name: "credit_records_decision_number", unique: true });
  // The public query and the daily expiry job read by subject and status, and by status and end date.
  await qi.addIndex("credit_records", ["subject_id", "status"], { name: "credit_records_subject_status" });
  await qi.addIndex("credit_records", ["status", "publicity_until"], { name: "credit_records_status_until" });
  await qi.addIndex("credit_records", ["department_id", "decided_on"], { name: "credit_records_department_decided" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex("credit_records", "credit_records_department_decided");
  await qi.removeIndex("credit_records", "credit_records_status_until");
  await qi.removeIndex("credit_records", "credit_records_subject_status");
  await qi.removeIndex("credit_records", "credit_records_decision_number");
  for (const [name] of [...COLUMNS].reverse()) await qi.removeColumn("credit_records", name);
  await restoreIndexes(qi);
}
