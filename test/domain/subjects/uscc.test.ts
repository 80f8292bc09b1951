import assert from "node:assert/strict";
import { USCC_ALPHABET, usccCheckCharacter, validateUscc } from "../../../server/domain/subjects/uscc.js";

// DOMAIN.md's valid codes and its legacy-pilot example.
const VALID = [
  "91110000600037341L",
  "121200004013590816",
  "91310115MA1K3BTP2B",
  "9144030071526726XG",
  "92340602MA2PBMEM24",
  "91620105L015101280",
];
const LEGACY = "91350100M0001TGQXM";
// Every character someone might type: the 31-character alphabet and the five letters it leaves out.
const TYPED = `${USCC_ALPHABET}IOSVZ`;

describe("USCC validation (GB 32100-2015)", () => {
  for (const code of VALID) {
    it(`accepts ${code} with its division code`, () => {
      const verdict = validateUscc(code);
      assert.equal(verdict.valid, true);
      assert.equal(verdict.valid && verdict.divisionCode, code.slice(2, 8));
      assert.equal(usccCheckCharacter(code.slice(0, 17)), code[17]);
    });

    it(`refuses every single-character change of ${code}`, () => {
      let mutations = 0;
      for (let i = 0; i < 18; i++) {
        for (const c of TYPED) {
          if (c === code[i]) continue;
          const mutated = code.slice(0, i) + c + code.slice(i + 1);
          const verdict = validateUscc(mutated);
          assert.equal(verdict.valid, false, `${mutated} (position ${i + 1} changed to ${c}) must fail`);
          assert.match(verdict.valid ? "" : verdict.reason, /[\u4e00-\u9fff]/, "the reason is Chinese");
          mutations++;
        }
      }
      assert.equal(mutations, 18 * (TYPED.length - 1));
    });
  }

  it("accepts lower case and surrounding spaces as the same code", () => {
    const verdict = validateUscc(`  ${VALID[2]!.toLowerCase()} `);
    assert.equal(verdict.valid, true);
    assert.equal(verdict.code, VALID[2]);
  });

  it("flags the legacy-pilot example instead of silently accepting or rejecting it", () => {
    const verdict = validateUscc(LEGACY);
    assert.equal(verdict.valid, false);
    assert.equal(verdict.legacyPilot, true);
    assert.ok(verdict.legacyPilot && verdict.divisionCode === "350100" && verdict.expectedCheck === "1");
    assert.match(verdict.legacyPilot ? verdict.reason : "", /第18位应为“1”.*工作人员核实/);
  });

  it("names the position and the character that is wrong, in Chinese", () => {
    const cases: Array<[string, RegExp]> = [
      ["9111000060003734", /应为18位，当前为16位/],
      ["91110000I00037341L", /第9位“I”不是统一社会信用代码允许的字符/],
      ["01110000600037341L", /第1位登记管理部门代码“0”无效/],
      ["9111A000600037341L", /第3-8位登记管理机关行政区划码应为6位数字/],
      ["91110000600037341M", /第18位应为“L”/],
    ];
    for (const [code, message] of cases) {
      const verdict = validateUscc(code);
      assert.equal(verdict.valid, false, code);
      assert.match(verdict.valid ? "" : verdict.reason, message, code);
    }
  });

  it("accepts every registration-authority code DOMAIN.md allows in position 1", () => {
    for (const first of "123456789ANY") {
      const body = `${first}1410182MA9XY0001`;
      const verdict = validateUscc(body + usccCheckCharacter(body));
      assert.equal(verdict.valid, true, first);
    }
  });
});
