import type { Database } from "../../db/database.js";
import { Case } from "../../db/models/Case.js";
import type { EngineRuntime, ServiceContext } from "../../engine/index.js";
import type { FlowDeps, TaskDecision } from "../../flows/registry.js";
import { changeRecordStatus } from "../credit/creditRecords.js";
import { OBJECTION, STEP_LIMITS } from "./contract.js";
import { recordOfCase } from "./recordOfCase.js";
import { decideTask, required, text } from "./decideTask.js";
import { objectionRefusals } from "./eligibility.js";
import { startRecordCase, type RecordCaseDeps, type StartRecordCaseInput } from "./startRecordCase.js";

/** A subject disputes one of its records (异议申诉); the recording department verifies it. */
export function startObjectionCase(deps: RecordCaseDeps, input: StartRecordCaseInput): Promise<Case> {
  return startRecordCase(
    deps,
    {
      processKey: OBJECTION.processKey,
      formKey: OBJECTION.forms.application,
      numbers: OBJECTION.numbers,
      label: "异议申诉",
      auditAction: "objection.applied",
      refusals: objectionRefusals,
      due: { variable: "verifyDue", limit: STEP_LIMITS.objectionVerify },
    },
    input,
  );
}

/** 异议成立 / 异议不成立, with the verification's reason either way (the applicant reads it on its case). */
export function decideObjection(deps: FlowDeps, d: TaskDecision): Promise<void> {
  return decideTask(deps, d, (data) => {
    const outcome = text(data.outcome);
    const reason = text(data.outcomeReason);
    if (!reason) required("outcomeReason", "必须写明核查意见");
    return outcome === "refused"
      ? { variables: { outcome, outcomeReason: reason }, endReason: `异议不成立：${reason}` }
      : { variables: { outcome, outcomeReason: reason } };
  });
}

/** Registers ${services.objectionWithdrawRecord}: an upheld objection withdraws the record (已撤销, kept), in the step's transaction. */
export function registerObjectionServices(engine: EngineRuntime, db: Database): void {
  engine.services.register(OBJECTION.services.withdraw, async (ctx: ServiceContext) => {
    const record = await recordOfCase(ctx.instanceId, ctx.variables.recordId, ctx.t);
    const reason = `异议成立（办件编号 ${ctx.businessKey ?? ctx.instanceId}）：${text(ctx.variables.outcomeReason)}`;
    await changeRecordStatus(db, ctx.t, { recordId: record.id, to: "已撤销", reason, actor: ctx.actor ?? "engine", at: ctx.clock.now() });
  });
}
