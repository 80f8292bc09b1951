/** 公民身份号码 (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character (0-9 or X). */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";

export type ResidentIdVerdict =
  { valid: true; code: string; divisionCode: string; birthDate: string } | { valid: false; code: string; reason: string };

export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/** Validates an 18-digit resident ID: digits, a real birth date and the check character. */
export function validateResidentId(input: string): ResidentIdVerdict {
  const code = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(code)) return { valid: false, code, reason: "公民身份号码应为18位，前17位为数字，末位为数字或X" };
  const y = Number(code.slice(6, 10));
  const m = Number(code.slice(10, 12));
  const d = Number(code.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return { valid: false, code, reason: "公民身份号码中的出生日期无效" };
  }
  const expected = residentIdCheckCharacter(code.slice(0, 17));
  if (expected !== code[17]) return { valid: false, code, reason: `公民身份号码校验位不正确（第18位应为“${expected}”）` };
  return {
    valid: true,
    code,
    divisionCode: code.slice(0, 6),
    birthDate: `${code.slice(6, 10)}-${code.slice(10, 12)}-${code.slice(12, 14)}`,
  };
}
