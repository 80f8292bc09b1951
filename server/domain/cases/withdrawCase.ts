import type { CurrentUser } from "../../auth/currentUser.js";
import { Case } from "../../db/models/Case.js";
import { ConflictError, ValidationError } from "../../errors.js";
import type { FlowDeps, FlowRegistry } from "../../flows/registry.js";
import { audit } from "../audit.js";
import { findApplicantCase } from "./queries.js";

export const WITHDRAWN = "已撤回";

/** May the applicant still withdraw: its own open case of a flow with no module, and nobody but it has acted on it yet. */
export async function withdrawRefusal(
  deps: Pick<FlowDeps, "engine"> & { flows: FlowRegistry },
  actor: CurrentUser,
  kase: Case,
): Promise<string | null> {
  if (kase.endedAt) return "办件已经办结或终止，不能撤回";
  if (kase.startedBy !== actor.username) return "只有提交申请的人可以撤回";
  const flow = deps.flows.forProcess(kase.processKey);
  if (flow) return `${flow.label}办件不能在此撤回（${flow.door}）`;
  const history = await deps.engine.history(kase.instanceId);
  const decided = history.some((e) => e.event === "task.completed" && e.actor !== actor.username);
  return decided ? "部门已经作出处理，不能撤回；如需终止办理，请联系承办部门" : null;
}

/**
 * 撤回 by the applicant while nobody has decided yet: the process is cancelled with the reason and the case reads 已撤回,
 * in one transaction, audited with the applicant.
 */
export async function withdrawCase(
  deps: FlowDeps & { flows: FlowRegistry },
  input: { actor: CurrentUser; code: string; reason: string },
): Promise<Case> {
  const kase = await findApplicantCase(input.actor, input.code);
  const reason = input.reason.trim();
  if (reason.length < 2 || reason.length > 500) {
    throw new ValidationError("请填写撤回原因", [{ path: "reason", message: "请写明撤回原因（2 到 500 字）" }]);
  }
  const refusal = await withdrawRefusal(deps, input.actor, kase);
  if (refusal) throw new ConflictError(refusal, "case_not_withdrawable");
  return deps.db.transaction(async (t) => {
    await deps.engine.cancelInstance(kase.instanceId, { actor: input.actor, reason: `申请人撤回：${reason}` }, t);
    await Case.update({ status: WITHDRAWN }, { where: { id: kase.id }, transaction: t });
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "case.withdrawn",
      entityType: "case",
      entityId: kase.businessKey ?? kase.instanceId,
      detail: { reason, processInstanceId: kase.instanceId },
      at: deps.clock.now(),
    });
    return (await Case.findByPk(kase.id, { transaction: t }))!;
  });
}
