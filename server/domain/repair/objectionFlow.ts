import type { Database } from "../../db/database.js";
import { Case } from "../../db/models/Case.js";
import type { EngineRuntime, ServiceContext } from "../../engine/index.js";
import type { FlowDeps, TaskDecision } from "../../flows/registry.js";
import { chinaDay } from "../calendar/days.js";
import { changeRecordStatus, checkCorrection, correctRecord } from "../credit/creditRecords.js";
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

/** The correction rows of the review form ({ field, value } each), blank rows left out. */
function correctionsOf(data: Record<string, unknown>): Array<{ field: string; value: string }> {
  const rows = Array.isArray(data.corrections) ? (data.corrections as Array<Record<string, unknown>>) : [];
  return rows.map((r) => ({ field: text(r?.field), value: text(r?.value) })).filter((r) => r.field || r.value);
}

/**
 * 异议成立（撤销） / 异议成立（更正, each field with its new value, checked like the entry form before anything is
 * completed） / 异议不成立, with the verification's reason either way (the applicant reads it on its case).
 */
export function decideObjection(deps: FlowDeps, d: TaskDecision): Promise<void> {
  return decideTask(deps, d, async (data, t) => {
    const outcome = text(data.outcome);
    const reason = text(data.outcomeReason);
    if (!reason) required("outcomeReason", "必须写明核查意见");
    if (outcome === "corrected") {
      const corrections = correctionsOf(data);
      const instance = await deps.engine.getInstance(d.task.processInstanceId, t);
      const record = await recordOfCase(d.task.processInstanceId, instance?.variables.recordId, t);
      checkCorrection(record, corrections, chinaDay(deps.clock.now()));
      return { variables: { outcome, outcomeReason: reason, corrections: JSON.stringify(corrections) } };
    }
    return outcome === "refused"
      ? { variables: { outcome, outcomeReason: reason }, endReason: `异议不成立：${reason}` }
      : { variables: { outcome, outcomeReason: reason } };
  });
}

/** Registers the services of an upheld objection, in the step's transaction: withdraw (已撤销, kept) or correct the record. */
export function registerObjectionServices(engine: EngineRuntime, db: Database): void {
  engine.services.register(OBJECTION.services.withdraw, async (ctx: ServiceContext) => {
    const record = await recordOfCase(ctx.instanceId, ctx.variables.recordId, ctx.t);
    const reason = `异议成立（办件编号 ${ctx.businessKey ?? ctx.instanceId}）：${text(ctx.variables.outcomeReason)}`;
    await changeRecordStatus(db, ctx.t, { recordId: record.id, to: "已撤销", reason, actor: ctx.actor ?? "engine", at: ctx.clock.now() });
  });
  // ${services.objectionCorrectRecord}: an objection upheld with corrections changes those fields (audited field by field).
  engine.services.register(OBJECTION.services.correct, async (ctx: ServiceContext) => {
    const record = await recordOfCase(ctx.instanceId, ctx.variables.recordId, ctx.t);
    const raw = typeof ctx.variables.corrections === "string" ? ctx.variables.corrections : "[]";
    const changes = JSON.parse(raw) as Array<{ field: string; value: string }>;
    const reason = `异议成立，更正记录（办件编号 ${ctx.businessKey ?? ctx.instanceId}）：${text(ctx.variables.outcomeReason)}`;
    await correctRecord(db, ctx.t, { recordId: record.id, changes, reason, actor: ctx.actor ?? "engine", at: ctx.clock.now() });
  });
}
