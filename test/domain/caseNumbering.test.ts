import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { nextCaseNumber } from "../../server/domain/cases/numbering.js";
import { COMMITMENT_NUMBERS, nextCommitmentCode, parseCommitmentCode } from "../../server/domain/commitments/numbering.js";
import { testApp } from "../helpers/testApp.js";

const REPAIR = { series: "test-repair", prefix: "XF", label: "信用修复编号" };

describe("case numbering: one counter per series, division and day", () => {
  /** A day no other test numbers in (counters are shared by the whole run). */
  const day = () => `2${String(randomInt(100, 999))}0101`;

  it("numbers each series on its own: the 承诺编码 stays 20 digits, another series carries its prefix", async () => {
    const { db } = testApp();
    const d = day();
    const [c1, r1, c2, r2] = await db.transaction(async (t) => [
      await nextCommitmentCode(db, t, "410182", d),
      await nextCaseNumber(db, t, REPAIR, "410182", d),
      await nextCaseNumber(db, t, COMMITMENT_NUMBERS, "410182", d),
      await nextCaseNumber(db, t, REPAIR, "410182", d),
    ]);
    assert.equal(c1, `410182${d}000001`);
    assert.equal(c2, `410182${d}000002`);
    assert.deepEqual(parseCommitmentCode(c2), { divisionCode: "410182", day: d, serial: 2 });
    assert.equal(r1, `XF410182${d}000001`);
    assert.equal(r2, `XF410182${d}000002`);
  });

  it("gives a rolled-back number back and never repeats one under concurrent takers", async () => {
    const { db } = testApp();
    const d = day();
    await assert.rejects(
      db.transaction(async (t) => {
        await nextCaseNumber(db, t, REPAIR, "410182", d);
        throw new Error("rollback");
      }),
      /rollback/,
    );
    const numbers = await Promise.all(Array.from({ length: 12 }, () => db.transaction((t) => nextCaseNumber(db, t, REPAIR, "410182", d))));
    assert.equal(new Set(numbers).size, 12);
    assert.deepEqual(
      numbers.map((n) => Number(n.slice(-6))).sort((a, b) => a - b),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });

  it("refuses a malformed series prefix, division or day (programming errors, not user input)", async () => {
    const { db } = testApp();
    await db.transaction(async (t) => {
      await assert.rejects(nextCaseNumber(db, t, { ...REPAIR, prefix: "x1" }, "410182", day()), /prefix/);
      await assert.rejects(nextCaseNumber(db, t, REPAIR, "41018", day()), /division/);
      await assert.rejects(nextCaseNumber(db, t, REPAIR, "410182", "2026-1-1"), /day/);
    });
  });
});
