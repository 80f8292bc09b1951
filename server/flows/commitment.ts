import { Commitment } from "../db/models/Commitment.js";
import { audit } from "../domain/audit.js";
import { decideCommitmentReview, recordCommitmentVerification } from "../domain/commitments/decisions.js";
import { COMMITMENT_PROCESS_KEY, REVIEW_TASK_ID, VERIFICATION_TASK_ID } from "../domain/commitments/processContract.js";
import type { FlowModule, FlowRegistry } from "./registry.js";

const byCode = (code: string | null) => {
  if (!code) throw new Error("a commitment task without a business key");
  return code;
};

/** The first flow module: 告知承诺 (submit through the portal, 受理审查, 核查). */
export function defineCommitmentFlow(flows: FlowRegistry): FlowModule {
  return flows.define({
    kind: "commitment",
    label: "告知承诺",
    processKeys: [COMMITMENT_PROCESS_KEY],
    door: "申请人在办事大厅提交承诺，补正在“我的办件”中提交",
    // The commitment's own statuses (Commitment.status), as its services set them in the same steps.
    status: {
      [REVIEW_TASK_ID]: "审查中",
      awaitCorrection: "退回补正",
      verificationDue: "监管中",
      [VERIFICATION_TASK_ID]: "监管中",
      "end:rejected": "不予受理",
      "end:fulfilledEnd": "监管完成",
      "end:breachedEnd": "监管完成",
    },
    // 核查 follows a decision the commitment records itself: returning it to 受理审查 would leave the record 监管中.
    forbidReturnFrom: [VERIFICATION_TASK_ID],
    tasks: {
      [REVIEW_TASK_ID]: {
        complete: (deps, d) =>
          decideCommitmentReview(deps, { actor: d.actor, code: byCode(d.task.businessKey), data: d.data, taskId: d.task.id }),
      },
      [VERIFICATION_TASK_ID]: {
        complete: (deps, d) =>
          recordCommitmentVerification(deps, { actor: d.actor, code: byCode(d.task.businessKey), data: d.data, taskId: d.task.id }),
      },
    },
    async onCancelled(deps, { instance, actor, reason }, t) {
      const commitment = await Commitment.findOne({ where: { code: byCode(instance.businessKey) }, transaction: t, lock: t.LOCK.UPDATE });
      if (!commitment || commitment.status === "已终止") return;
      const now = deps.clock.now();
      await commitment.update({ status: "已终止", decisionComment: reason, decidedBy: actor.username, decidedAt: now }, { transaction: t });
      await audit(deps.db, t, {
        actor: actor.username,
        action: "commitment.terminated",
        entityType: "commitment",
        entityId: commitment.code,
        detail: { reason, processInstanceId: instance.id },
        at: now,
      });
    },
  });
}
