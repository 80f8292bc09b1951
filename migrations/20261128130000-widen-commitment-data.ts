import { DataTypes, type QueryInterface } from "sequelize";

// Submission data may be up to the 1 MB body limit; MySQL/MariaDB TEXT stops at 64 KB (a larger submission was refused
// by the database with a 500). MEDIUMTEXT holds 16 MB; SQLite has one TEXT type, so nothing changes there.
const COLUMNS: [table: string, column: string][] = [
  ["commitments", "data"],
  ["commitment_submissions", "data"],
];

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() === "sqlite") return;
  for (const [table, column] of COLUMNS) await qi.changeColumn(table, column, { type: DataTypes.TEXT("medium"), allowNull: false });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() === "sqlite") return;
  for (const [table, column] of COLUMNS) await qi.changeColumn(table, column, { type: DataTypes.TEXT, allowNull: false });
}
