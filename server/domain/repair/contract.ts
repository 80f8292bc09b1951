import type { CaseNumberSeries } from "../cases/numbering.js";

/** What processes/credit-repair.bpmn and its forms promise the repair flow module (ids, form keys, service names). */
export const REPAIR = {
  kind: "repair",
  processKey: "credit-repair",
  tasks: { accept: "acceptTask", review: "reviewTask", supplement: "supplementTask" },
  forms: {
    application: "credit-repair-application",
    acceptance: "credit-repair-acceptance",
    review: "credit-repair-review",
    supplement: "credit-repair-supplement",
  },
  services: { stopPublicity: "repairStopPublicity" },
  numbers: { series: "repair", prefix: "XF", label: "信用修复办件编号" } satisfies CaseNumberSeries,
} as const;

/** What processes/credit-objection.bpmn and its forms promise the objection flow module. */
export const OBJECTION = {
  kind: "objection",
  processKey: "credit-objection",
  tasks: { verify: "verifyTask" },
  forms: { application: "credit-objection-application", review: "credit-objection-review" },
  services: { withdraw: "objectionWithdrawRecord", correct: "objectionCorrectRecord" },
  numbers: { series: "objection", prefix: "YY", label: "异议申诉办件编号" } satisfies CaseNumberSeries,
} as const;

/**
 * Step time limits (working days) as rule settings with an effective date (server/domain/calendar/rules.ts): 22号 §五
 * sets limits for acceptance and for the result, but the figures were not confirmed (DOMAIN.md), so the fallbacks
 * below are marked 待确认 and an office sets the real ones as rules.
 */
export const STEP_LIMITS = {
  repairAccept: { key: "repair.acceptDays", fallback: 3, label: "信用修复受理时限", toBeConfirmed: true },
  repairReview: { key: "repair.reviewDays", fallback: 7, label: "信用修复审核时限", toBeConfirmed: true },
  repairSupplement: { key: "repair.supplementDays", fallback: 10, label: "信用修复补充材料时限", toBeConfirmed: true },
  objectionVerify: { key: "objection.verifyDays", fallback: 5, label: "异议核查时限", toBeConfirmed: true },
} as const;
