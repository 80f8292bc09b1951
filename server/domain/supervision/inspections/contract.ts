import type { CaseNumberSeries } from "../../cases/numbering.js";

/** What processes/supervision.bpmn and its forms promise the supervision flow module (ids, form keys, service names). */
export const SUPERVISION = {
  kind: "supervision",
  processKey: "supervision",
  tasks: { inspect: "inspectTask", recheck: "recheckTask" },
  forms: { assignment: "supervision-assignment", inspection: "supervision-inspection", recheck: "supervision-recheck" },
  services: { publish: "supervisionPublishResult" },
  numbers: { series: "supervision", prefix: "JC", label: "检查编号" } satisfies CaseNumberSeries,
} as const;

/** Where an inspection came from: a 双随机 draw, a batch of 告知承诺 核查, or a trigger (any class, outside a draw). */
export const ORIGINS = {
  draw: "双随机抽查",
  verification: "告知承诺核查",
  complaint: "投诉举报",
  referral: "转办交办",
  bigdata: "大数据监测",
} as const;
export type Origin = keyof typeof ORIGINS;
export const TRIGGERED_ORIGINS = ["complaint", "referral", "bigdata"] as const satisfies readonly Origin[];

/** The inspection form's result values and how the public portal words them. */
export const RESULTS = { none: "未发现问题", rectify: "发现问题，责令整改", case: "立案查处" } as const;
export type ResultValue = keyof typeof RESULTS;
export const RECHECK_RESULTS = { rectified: "已整改到位", notRectified: "逾期未整改，立案查处" } as const;
export type RecheckValue = keyof typeof RECHECK_RESULTS;

/**
 * Time limits as rule settings with an effective date (server/domain/calendar/rules.ts). No national figure was
 * confirmed for any of them: the seeded values are examples marked 待确认 (the publication rule is seeded by
 * migrations/20261206102000-create-supervision-inspections.ts with its note).
 */
export const SUPERVISION_LIMITS = {
  publication: { key: "supervision.resultPublicationDays", fallback: 20, label: "检查结果公示时限（工作日）", toBeConfirmed: true },
  inspection: { key: "supervision.inspectionDays", fallback: 20, label: "触发检查办理时限（工作日）", toBeConfirmed: true },
  recheck: { key: "supervision.recheckDays", fallback: 5, label: "整改期满后复查时限（工作日）", toBeConfirmed: true },
} as const;
