import assert from "node:assert/strict";
import { firstOccurrence, followingOccurrence } from "../../server/engine/runtime/timerCycle.js";

const at = (iso: string) => new Date(iso);
const deployedAt = at("2026-11-27T10:00:00.000Z");

describe("timer start arithmetic (timerCycle.ts)", () => {
  it("timeDate is due at its date; timeDuration at deploy time plus the duration", () => {
    assert.deepEqual(firstOccurrence({ timerType: "timeDate", value: "2026-12-01T00:00:00Z" }, deployedAt), {
      dueAt: at("2026-12-01T00:00:00.000Z"),
      repeat: null,
    });
    assert.equal(
      firstOccurrence({ timerType: "timeDuration", value: "PT2H" }, deployedAt)?.dueAt.toISOString(),
      "2026-11-27T12:00:00.000Z",
    );
  });

  it("R3/PT1H: three occurrences one hour apart counted from deploy time, then none", () => {
    const first = firstOccurrence({ timerType: "timeCycle", value: "R3/PT1H" }, deployedAt)!;
    assert.equal(first.dueAt.toISOString(), "2026-11-27T11:00:00.000Z");
    const second = followingOccurrence(first.repeat, first.dueAt)!;
    assert.equal(second.dueAt.toISOString(), "2026-11-27T12:00:00.000Z");
    const third = followingOccurrence(second.repeat, second.dueAt)!;
    assert.equal(third.dueAt.toISOString(), "2026-11-27T13:00:00.000Z");
    assert.equal(followingOccurrence(third.repeat, third.dueAt), null);
  });

  it("R/<start>/P1D: the start date first; after an outage the missed days are skipped, not fired in a burst", () => {
    const first = firstOccurrence({ timerType: "timeCycle", value: "R/2026-12-01T00:00:00Z/P1D" }, deployedAt)!;
    assert.equal(first.dueAt.toISOString(), "2026-12-01T00:00:00.000Z");
    // The node was down for three and a half days: the next occurrence is the first one after now.
    const next = followingOccurrence(first.repeat, at("2026-12-04T12:00:00.000Z"))!;
    assert.equal(next.dueAt.toISOString(), "2026-12-05T00:00:00.000Z");
  });

  it("steps calendar months from the start (P1M keeps the day of month)", () => {
    const first = firstOccurrence({ timerType: "timeCycle", value: "R/2026-01-15T00:00:00Z/P1M" }, deployedAt)!;
    assert.equal(first.dueAt.toISOString(), "2026-12-15T00:00:00.000Z");
  });

  it("R0 schedules nothing; a zero period, an expression or a malformed cycle is refused in Chinese", () => {
    assert.equal(firstOccurrence({ timerType: "timeCycle", value: "R0/PT1H" }, deployedAt), null);
    assert.throws(() => firstOccurrence({ timerType: "timeCycle", value: "R/2026-12-01T00:00:00Z/PT0S" }, deployedAt), /周期必须大于零/);
    assert.throws(() => firstOccurrence({ timerType: "timeDate", value: "${when}" }, deployedAt), /不能使用表达式/);
    assert.throws(() => firstOccurrence({ timerType: "timeCycle", value: "every hour" }, deployedAt), /不是有效的 ISO 8601/);
  });
});
