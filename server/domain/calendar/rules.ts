import { Op, type Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { RuleSetting } from "../../db/models/RuleSetting.js";
import { ValidationError } from "../../errors.js";
import { audit } from "../audit.js";
import { assertDay, chinaDay } from "./days.js";

/**
 * Figures that rules set (time limits, the accepting place's division code) are rows with an effective
 * date, not constants: the value in force on a day is the row with the latest effective_from ≤ that day.
 */
export const RULE_KEYS = {
  /** 承诺编码 first 6 digits: the accepting place's administrative division code. */
  divisionCode: "commitment.divisionCode",
  /** Review time limit (working days) used when an item does not set its own. */
  defaultReviewDays: "commitment.defaultReviewDays",
} as const;

/** What a value of each known rule must be (a wrong one would break every later submission): a Chinese message, or null. */
const RULE_VALUE_CHECKS: Record<string, (value: unknown) => string | null> = {
  [RULE_KEYS.divisionCode]: (v) => (typeof v === "string" && /^\d{6}$/.test(v) ? null : '行政区划代码应为 6 位数字字符串，例如 "410182"'),
  [RULE_KEYS.defaultReviewDays]: (v) =>
    typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 365 ? null : "审查时限应为 1 至 365 之间的整数（工作日）",
};

/** The value of a rule in force at `at` (a Date or YYYY-MM-DD), or the fallback when none is set. */
export async function ruleValue<T>(key: string, at: Date | string, fallback: T, t?: Transaction): Promise<T> {
  const day = typeof at === "string" ? at : chinaDay(at);
  const row = await RuleSetting.findOne({
    where: { key, effectiveFrom: { [Op.lte]: day } },
    order: [["effectiveFrom", "DESC"]],
    transaction: t,
  });
  if (!row) return fallback;
  return JSON.parse(row.value) as T;
}

/** Records a new value of a rule from a date on (earlier cases keep the value they were decided under); audited. */
export async function setRuleValue(
  db: Database,
  input: { actor: string; key: string; value: unknown; effectiveFrom: string; note?: string | null },
): Promise<RuleSetting> {
  try {
    assertDay(input.effectiveFrom);
  } catch {
    throw new ValidationError("生效日期无效", [{ path: "effectiveFrom", message: "应为有效的 YYYY-MM-DD" }]);
  }
  const problem = RULE_VALUE_CHECKS[input.key]?.(input.value) ?? null;
  if (problem) throw new ValidationError("规则取值无效", [{ path: "value", message: problem }]);
  return db.transaction(async (t) => {
    const value = JSON.stringify(input.value);
    const existing = await RuleSetting.findOne({ where: { key: input.key, effectiveFrom: input.effectiveFrom }, transaction: t });
    const row = existing
      ? await existing.update({ value, note: input.note ?? existing.note, createdBy: input.actor }, { transaction: t })
      : await RuleSetting.create(
          { key: input.key, value, effectiveFrom: input.effectiveFrom, note: input.note ?? null, createdBy: input.actor },
          { transaction: t },
        );
    await audit(db, t, {
      actor: input.actor,
      action: "rule.set",
      entityType: "rule_setting",
      entityId: input.key,
      detail: { value: input.value, effectiveFrom: input.effectiveFrom },
    });
    return row;
  });
}
