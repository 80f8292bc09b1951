/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters, 31-character alphabet without I O S V Z,
 * check character from weights 3^(i-1) mod 31.
 */
export const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const FIRST_CHARS = "123456789ANY";

export type UsccVerdict =
  | { valid: true; code: string; divisionCode: string; legacyPilot: false }
  /** Well formed, but the check character does not match: lawful codes issued by early pilot areas look like this. */
  | { valid: false; code: string; divisionCode: string; legacyPilot: true; reason: string; expectedCheck: string }
  | { valid: false; code: string; legacyPilot: false; reason: string };

/** The check character for the first 17 characters (which must all be in the alphabet). */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17[i]!);
    if (value < 0) throw new Error(`character ${first17[i]} is not in the USCC alphabet`);
    sum += value * WEIGHTS[i]!;
  }
  const c = 31 - (sum % 31);
  return USCC_ALPHABET[c === 31 ? 0 : c]!;
}

/** Validates a USCC and says, in Chinese, what is wrong; whitespace around it is ignored, letters are upper-cased. */
export function validateUscc(input: string): UsccVerdict {
  const code = input.trim().toUpperCase();
  if (code.length !== 18) return { valid: false, code, legacyPilot: false, reason: `统一社会信用代码应为18位，当前为${code.length}位` };
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(code[i]!)) {
      return {
        valid: false,
        code,
        legacyPilot: false,
        reason: `第${i + 1}位“${code[i]}”不是统一社会信用代码允许的字符（不含 I、O、S、V、Z）`,
      };
    }
  }
  if (!FIRST_CHARS.includes(code[0]!)) {
    return { valid: false, code, legacyPilot: false, reason: `第1位登记管理部门代码“${code[0]}”无效（应为1-9、A、N或Y）` };
  }
  const division = code.slice(2, 8);
  if (!/^\d{6}$/.test(division)) return { valid: false, code, legacyPilot: false, reason: "第3-8位登记管理机关行政区划码应为6位数字" };
  const expected = usccCheckCharacter(code.slice(0, 17));
  if (expected !== code[17]) {
    return {
      valid: false,
      code,
      divisionCode: division,
      legacyPilot: true,
      expectedCheck: expected,
      reason: `校验位不正确（第18位应为“${expected}”）；如为早期试点地区依法赋予的代码，须由工作人员核实并记录理由后受理`,
    };
  }
  return { valid: true, code, divisionCode: division, legacyPilot: false };
}
