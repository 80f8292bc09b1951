/**
 * The names that tie processes/commitment.bpmn to this domain. Change them together with the BPMN file.
 */
export const COMMITMENT_PROCESS_KEY = "commitment";
export const COMMITMENT_RESUBMITTED_MESSAGE = "commitmentResubmitted";
export const REVIEW_TASK_ID = "reviewTask";
export const VERIFICATION_TASK_ID = "verificationTask";
export const REVIEW_FORM_KEY = "commitment-review";
export const VERIFICATION_FORM_KEY = "commitment-verification";

/** Named internal services the process calls (registered by registerCommitmentServices). */
export const COMMITMENT_SERVICES = {
  returned: "markCommitmentReturned",
  rejected: "markCommitmentRejected",
  archive: "archiveCommitment",
  fulfilled: "markFulfilled",
  breach: "recordCommitmentBreach",
} as const;

/** Review form values -> what the process branches on. */
export const REVIEW_DECISIONS = { approve: "通过", reject: "不予受理", return: "退回补正" } as const;
export type ReviewDecision = keyof typeof REVIEW_DECISIONS;

/** Verification form values -> 承诺履行状态. */
export const FULFILMENT_VALUES = { full: "全部履行", partial: "部分履行", none: "全部未履行" } as const;
export type FulfilmentValue = keyof typeof FULFILMENT_VALUES;
