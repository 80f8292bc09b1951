import assert from "node:assert/strict";
import { residentIdCheckCharacter, validateResidentId } from "../../../server/domain/subjects/residentId.js";

const VALID = ["11010519491231002X", "410182199001011236"];
const TYPED = "0123456789X";

describe("resident ID validation (GB 11643)", () => {
  for (const code of VALID) {
    it(`accepts ${code} with its division and birth date`, () => {
      const verdict = validateResidentId(code);
      assert.equal(verdict.valid, true);
      assert.equal(verdict.valid && verdict.divisionCode, code.slice(0, 6));
      assert.equal(verdict.valid && verdict.birthDate, `${code.slice(6, 10)}-${code.slice(10, 12)}-${code.slice(12, 14)}`);
      assert.equal(residentIdCheckCharacter(code.slice(0, 17)), code[17]);
    });

    it(`refuses every single-character change of ${code}`, () => {
      for (let i = 0; i < 18; i++) {
        for (const c of TYPED) {
          if (c === code[i]) continue;
          const mutated = code.slice(0, i) + c + code.slice(i + 1);
          const verdict = validateResidentId(mutated);
          assert.equal(verdict.valid, false, `${mutated} (position ${i + 1} changed to ${c}) must fail`);
        }
      }
    });
  }

  it("accepts a lower-case x check character", () => {
    assert.equal(validateResidentId("11010519491231002x").valid, true);
  });

  it("explains in Chinese what is wrong", () => {
    const cases: Array<[string, RegExp]> = [
      ["1101051949123100", /应为18位/],
      ["110105194913310021", /出生日期无效/],
      ["110105194912310021", /第18位应为“X”/],
    ];
    for (const [code, message] of cases) {
      const verdict = validateResidentId(code);
      assert.equal(verdict.valid, false, code);
      assert.match(verdict.valid ? "" : verdict.reason, message, code);
    }
  });
});
