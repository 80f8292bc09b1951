import { DataTypes, type QueryInterface } from "sequelize";

// Case numbers of every kind come from one counter table: a series (the flow's numbering), a division and a day.
// The commitment series continues commitment_counters' serials, so 承诺编码 go on without a gap or a repeat.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("case_counters", {
    series: { type: DataTypes.STRING(32), primaryKey: true },
    division_code: { type: DataTypes.STRING(6), primaryKey: true },
    day: { type: DataTypes.STRING(8), primaryKey: true },
    last_serial: { type: DataTypes.INTEGER, allowNull: false },
  });
  await qi.sequelize.query(
    "INSERT INTO case_counters (series, division_code, day, last_serial) SELECT 'commitment', division_code, day, last_serial FROM commitment_counters",
  );
  await qi.dropTable("commitment_counters");
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("commitment_counters", {
    division_code: { type: DataTypes.STRING(6), primaryKey: true },
    day: { type: DataTypes.STRING(8), primaryKey: true },
    last_serial: { type: DataTypes.INTEGER, allowNull: false },
  });
  await qi.sequelize.query(
    "INSERT INTO commitment_counters (division_code, day, last_serial) SELECT division_code, day, last_serial FROM case_counters WHERE series = 'commitment'",
  );
  await qi.dropTable("case_counters");
}
