import type { SubjectType } from "../../db/models/CreditSubject.js";
import { ValidationError } from "../../errors.js";
import { validateResidentId } from "./residentId.js";
import { validateUscc } from "./uscc.js";

export interface IdentifiedSubject {
  code: string;
  divisionCode: string;
  /** A well-formed USCC whose check character does not match (early pilot areas). */
  legacyPilot: boolean;
  /** Why the code is flagged, when it is a legacy-pilot code. */
  legacyReason?: string;
  /** The check character the standard would give, when it is a legacy-pilot code. */
  expectedCheck?: string;
}

/**
 * Checks the code a subject is identified by: a resident ID for 自然人, a USCC otherwise. A legacy-pilot
 * USCC is returned flagged; callers decide whether an officer's recorded reason lets it through.
 * Throws ValidationError naming the field (default "subjectCode") with the validator's Chinese reason.
 */
export function identifySubject(subjectType: SubjectType, rawCode: string, field = "subjectCode"): IdentifiedSubject {
  if (subjectType === "自然人") {
    const verdict = validateResidentId(rawCode);
    if (!verdict.valid) throw new ValidationError("公民身份号码有误", [{ path: field, message: verdict.reason }]);
    return { code: verdict.code, divisionCode: verdict.divisionCode, legacyPilot: false };
  }
  const verdict = validateUscc(rawCode);
  if (verdict.valid) return { code: verdict.code, divisionCode: verdict.divisionCode, legacyPilot: false };
  if (verdict.legacyPilot) {
    return {
      code: verdict.code,
      divisionCode: verdict.divisionCode,
      legacyPilot: true,
      legacyReason: verdict.reason,
      expectedCheck: verdict.expectedCheck,
    };
  }
  throw new ValidationError("统一社会信用代码有误", [{ path: field, message: verdict.reason }]);
}
