import assert from "node:assert/strict";
import { checkCorrection } from "../../../server/domain/credit/creditRecords.js";
import { checkRecordRow } from "../../../server/domain/credit/rows.js";
import { randomUscc } from "../../helpers/factories.js";
import { goodRow } from "./importFixture.js";

const TODAY = "2026-12-06";

/** A 行政处罚 record as stored: its 双公示 fields in detail. */
function penalty() {
  const row = checkRecordRow({ ...goodRow("C", 1, { code: randomUscc(), name: "更正测试有限公司" }), severity: "一般" }, 1, TODAY).row!;
  return { recordType: "行政处罚" as const, detail: JSON.stringify(row.fields), fields: row.fields };
}

describe("correcting a record on an upheld objection (checkCorrection)", () => {
  it("answers the corrected row and each field's old and new value", () => {
    const r = penalty();
    const { row, changes } = checkCorrection(
      r,
      [
        { field: "fineAmount", value: "0.2" },
        { field: "severity", value: "严重" },
      ],
      TODAY,
    );
    assert.equal(row.fields.fineAmount, "0.2");
    assert.equal(row.severity, "严重");
    assert.deepEqual(
      changes.map((c) => [c.field, c.label, c.from, c.to]),
      [
        ["fineAmount", "罚款金额（万元）", r.fields.fineAmount, "0.2"],
        ["severity", "严重程度", "一般", "严重"],
      ],
    );
  });

  it("refuses the party's identity and the type, unknown, repeated or unchanged fields and a row the entry form would refuse", () => {
    const r = penalty();
    for (const field of ["uscc", "idNumber", "recordType", "partyType", "nonsense"])
      assert.throws(() => checkCorrection(r, [{ field, value: "x" }], TODAY), /不可更正/, field);
    assert.throws(
      () =>
        checkCorrection(
          r,
          [
            { field: "remarks", value: "一" },
            { field: "remarks", value: "二" },
          ],
          TODAY,
        ),
      /同一字段只能更正一次/,
    );
    assert.throws(() => checkCorrection(r, [{ field: "severity", value: "一般" }], TODAY), /与原值相同/);
    assert.throws(() => checkCorrection(r, [], TODAY), /请填写要更正的字段/);
    assert.throws(() => checkCorrection(r, [{ field: "decidedOn", value: "2099-01-01" }], TODAY), /决定日期.*晚于今天/);
    assert.throws(() => checkCorrection(r, [{ field: "fineAmount", value: "一万" }], TODAY), /不是数字/);
    assert.throws(() => checkCorrection({ recordType: "违诺", detail: null }, [{ field: "remarks", value: "x" }], TODAY), /不能更正/);
  });
});
