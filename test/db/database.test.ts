import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { openDatabase, type Database } from "../../server/db/database.js";
import { testDatabaseUrl } from "../helpers/testDatabase.js";

describe("database connections", () => {
  let db: Database;
  before(async () => {
    // Its own connections to the test database; models stay bound to the suite's app (no initModels here).
    db = await openDatabase(testDatabaseUrl());
  });
  after(async () => {
    await db.close();
  });

  if ((process.env.DATABASE_URL ?? "").startsWith("mysql")) {
    it("MySQL/MariaDB: every transaction runs at READ COMMITTED (set once per connection)", async () => {
      const levels = await Promise.all(
        Array.from({ length: 4 }, () =>
          db.transaction(async (t) => {
            const [row] = await db.sequelize.query<Record<string, string>>("SELECT @@SESSION.tx_isolation AS level", {
              type: QueryTypes.SELECT,
              transaction: t,
            });
            return row!.level;
          }),
        ),
      );
      assert.deepEqual(levels, ["READ-COMMITTED", "READ-COMMITTED", "READ-COMMITTED", "READ-COMMITTED"]);
    });
  } else {
    it("SQLite: a finished transaction's connection serves the next one, and a rolled-back one leaves it clean", async () => {
      const table = `t_reuse_${Date.now()}`;
      await db.transaction((t) => db.sequelize.query(`CREATE TABLE ${table} (v INTEGER)`, { transaction: t }));
      const first = await db.transaction(async (t) => {
        await db.sequelize.query(`INSERT INTO ${table} VALUES (1)`, { transaction: t });
        return (t as unknown as { connection: object }).connection;
      });
      await assert.rejects(
        db.transaction(async (t) => {
          await db.sequelize.query(`INSERT INTO ${table} VALUES (2)`, { transaction: t });
          throw new Error("boom");
        }),
        /boom/,
      );
      const third = await db.transaction(async (t) => {
        const rows = await db.sequelize.query<{ v: number }>(`SELECT v FROM ${table} ORDER BY v`, {
          type: QueryTypes.SELECT,
          transaction: t,
        });
        return { rows, connection: (t as unknown as { connection: object }).connection };
      });
      assert.equal(third.connection, first, "the same connection object is handed out again");
      assert.deepEqual(
        third.rows.map((r) => r.v),
        [1],
        "the rolled-back insert is gone",
      );
      await db.transaction((t) => db.sequelize.query(`DROP TABLE ${table}`, { transaction: t }));
    });
  }
});

describe("column sizes on MySQL/MariaDB", () => {
  if (!(process.env.DATABASE_URL ?? "").startsWith("mysql")) return;
  it("submission data columns hold a submission up to the 1 MB body limit (MEDIUMTEXT, not 64 KB TEXT)", async () => {
    const db = await openDatabase(testDatabaseUrl());
    try {
      const rows = await db.sequelize.query<{ TABLE_NAME: string; COLUMN_NAME: string; CHARACTER_MAXIMUM_LENGTH: number }>(
        `SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'data' AND TABLE_NAME IN ('commitments', 'commitment_submissions')`,
        { type: QueryTypes.SELECT },
      );
      assert.equal(rows.length, 2);
      for (const r of rows) assert.ok(Number(r.CHARACTER_MAXIMUM_LENGTH) >= 1024 * 1024, `${r.TABLE_NAME}.${r.COLUMN_NAME}`);
    } finally {
      await db.close();
    }
  });
});
