import assert from "node:assert/strict";
import type { CreditRecord } from "../../../server/db/models/CreditRecord.js";
import { objectionRefusals, repairRefusals } from "../../../server/domain/repair/eligibility.js";

const record = (over: Partial<CreditRecord> = {}) =>
  ({
    recordType: "行政处罚",
    severity: "一般",
    status: "公示中",
    isPublic: true,
    repaired: false,
    publicityFrom: "2026-05-10",
    publicityUntil: "2027-05-10",
    minUntil: "2026-08-10",
    departmentId: 7,
    ...over,
  }) as CreditRecord;

describe("repair eligibility (DOMAIN.md: minimum period except 轻微; only public records)", () => {
  it("refuses on the last day of the minimum period and allows the day after", () => {
    assert.deepEqual(repairRefusals(record(), "2026-08-10"), [
      "该记录为一般信息，最短公示期至 2026-08-10 届满，2026-08-11 起方可申请信用修复",
    ]);
    assert.deepEqual(repairRefusals(record(), "2026-08-11"), []);
  });

  it("lets a published 轻微 record be repaired at once (no minimum)", () => {
    assert.deepEqual(repairRefusals(record({ severity: "轻微", minUntil: null, publicityUntil: "2026-08-10" }), "2026-05-11"), []);
  });

  it("explains why records that are not shown to the public have nothing to repair", () => {
    assert.match(repairRefusals(record({ status: "已届满" }), "2027-06-01")[0]!, /公示期已届满/);
    assert.match(repairRefusals(record({ status: "已修复（终止公示）", repaired: true }), "2026-09-01")[0]!, /已修复并终止公示/);
    assert.match(repairRefusals(record({ status: "不予公示", publicityFrom: null }), "2026-09-01")[0]!, /未在公示/);
    // Past its last day, before the daily job has moved it: not public any more either.
    assert.match(repairRefusals(record(), "2027-05-11")[0]!, /不在公示期内/);
    assert.match(repairRefusals(record({ recordType: "行政许可", severity: null }), "2026-09-01")[0]!, /不属于失信信息/);
  });

  it("needs the recording department (谁认定、谁修复)", () => {
    assert.match(repairRefusals(record({ departmentId: null }), "2026-09-01")[0]!, /没有登记认定部门/);
    assert.match(objectionRefusals(record({ departmentId: null }))[0]!, /没有登记认定部门/);
  });

  it("lets any record but a withdrawn one be disputed", () => {
    assert.deepEqual(objectionRefusals(record({ status: "已届满" })), []);
    assert.deepEqual(objectionRefusals(record({ status: "已撤销" })), ["该记录已撤销，无需提出异议"]);
  });
});
