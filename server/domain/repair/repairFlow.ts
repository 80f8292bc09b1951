import type { Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { Case } from "../../db/models/Case.js";
import type { EngineRuntime, ServiceContext } from "../../engine/index.js";
import { ConflictError } from "../../errors.js";
import type { FlowDeps, TaskDecision } from "../../flows/registry.js";
import { audit } from "../audit.js";
import { chinaDay } from "../calendar/days.js";
import { ruleValue } from "../calendar/rules.js";
import { loadWorkingCalendar } from "../calendar/workingDays.js";
import { changeRecordStatus, findBarringRecords } from "../credit/creditRecords.js";
import { issueRepairDecision } from "../reports/documents.js";
import { REPAIR, STEP_LIMITS } from "./contract.js";
import { recordOfCase } from "./recordOfCase.js";
import { decideTask, required, text } from "./decideTask.js";
import { repairRefusals } from "./eligibility.js";
import { startRecordCase, type RecordCaseDeps, type StartRecordCaseInput } from "./startRecordCase.js";

/** Applies for the repair of one public record (eligibility in Chinese when refused); the case goes to its department. */
export function startRepairCase(deps: RecordCaseDeps, input: StartRecordCaseInput): Promise<Case> {
  return startRecordCase(
    deps,
    {
      processKey: REPAIR.processKey,
      formKey: REPAIR.forms.application,
      numbers: REPAIR.numbers,
      label: "信用修复",
      auditAction: "repair.applied",
      refusals: repairRefusals,
      due: { variable: "acceptDue", limit: STEP_LIMITS.repairAccept },
    },
    input,
  );
}

/** A working-day deadline from today under a step-limit rule, as the ISO text a task's camunda:dueDate reads. */
async function dueIn(deps: FlowDeps, limit: { key: string; fallback: number }, t: Transaction): Promise<string> {
  const now = deps.clock.now();
  const days = await ruleValue<number>(limit.key, now, limit.fallback, t);
  return (await loadWorkingCalendar(t)).workingDeadline(chinaDay(now), days).toISOString();
}

/** 受理 / 不予受理: a reason is required to refuse; accepting sets the review's due date. */
export function decideRepairAcceptance(deps: FlowDeps, d: TaskDecision): Promise<void> {
  return decideTask(deps, d, async (data, t) => {
    const acceptance = text(data.acceptance);
    const reason = text(data.acceptanceReason);
    if (acceptance === "reject") {
      if (!reason) required("acceptanceReason", "不予受理时必须写明理由");
      return { variables: { acceptance, acceptanceReason: reason }, endReason: `不予受理：${reason}` };
    }
    return { variables: { acceptance, acceptanceReason: reason, reviewDue: await dueIn(deps, STEP_LIMITS.repairReview, t) } };
  });
}

/**
 * 同意修复 / 不予修复 (reason required) / 补充材料 (what is missing required, back to the applicant). Approval needs the
 * record still 公示中: one that expired or was withdrawn meanwhile has nothing left to stop.
 */
export function decideRepairReview(deps: FlowDeps, d: TaskDecision): Promise<void> {
  return decideTask(deps, d, async (data, t) => {
    const decision = text(data.decision);
    const reason = text(data.decisionReason);
    const missing = text(data.missing);
    if (decision === "refuse") {
      if (!reason) required("decisionReason", "不予修复时必须写明理由");
      // The 不予信用修复决定书 is issued with the decision, in its transaction.
      const instance = await deps.engine.getInstance(d.task.processInstanceId, t);
      const record = await recordOfCase(d.task.processInstanceId, instance?.variables.recordId, t);
      await issueRepairDecision(deps.db, t, {
        caseKey: instance?.businessKey ?? d.task.processInstanceId,
        instanceId: d.task.processInstanceId,
        recordId: record.id,
        approved: false,
        reason,
        applicationFormKey: REPAIR.forms.application,
        actor: d.actor.username,
        at: deps.clock.now(),
      });
      return { variables: { decision, decisionReason: reason, missing: "" }, endReason: `不予修复：${reason}` };
    }
    if (decision === "supplement") {
      if (!missing) required("missing", "退回补充材料时必须写明需要补充哪些材料");
      return {
        variables: { decision, decisionReason: reason, missing, supplementDue: await dueIn(deps, STEP_LIMITS.repairSupplement, t) },
      };
    }
    const instance = await deps.engine.getInstance(d.task.processInstanceId, t);
    const record = await recordOfCase(d.task.processInstanceId, instance?.variables.recordId, t);
    if (record.status !== "公示中")
      throw new ConflictError(`该记录当前状态为“${record.status}”，已不在公示，无需修复；请选择“不予修复”并说明`, "record_not_public", [
        { path: "decision", message: `记录状态：${record.status}` },
      ]);
    return { variables: { decision, decisionReason: reason, missing: "" } };
  });
}

/** The applicant's 补充材料: its answer goes back to 审核 with a new due date. */
export function submitRepairSupplement(deps: FlowDeps, d: TaskDecision): Promise<void> {
  return decideTask(deps, d, async (data, t) => ({
    variables: { supplementNote: text(data.supplementNote), reviewDue: await dueIn(deps, STEP_LIMITS.repairReview, t) },
  }));
}

/**
 * Registers the service processes/credit-repair.bpmn calls on approval (${services.repairStopPublicity}), in the
 * approving step's transaction: the record stops being published and shared (已修复（终止公示）, kept, never deleted),
 * and the effect is recorded: whether the 告知承诺 bar is lifted for the subject (nothing else bars it) or which records
 * still bar it. Idempotent: a record already repaired is not changed again.
 */
export function registerRepairServices(engine: EngineRuntime, db: Database): void {
  engine.services.register(REPAIR.services.stopPublicity, async (ctx: ServiceContext) => {
    const record = await recordOfCase(ctx.instanceId, ctx.variables.recordId, ctx.t);
    const now = ctx.clock.now();
    const actor = ctx.actor ?? "engine";
    const reason = `信用修复决定（办件编号 ${ctx.businessKey ?? ctx.instanceId}）${text(ctx.variables.decisionReason) ? `：${text(ctx.variables.decisionReason)}` : ""}`;
    await changeRecordStatus(db, ctx.t, { recordId: record.id, to: "已修复（终止公示）", reason, actor, at: now });
    const stillBarring = await findBarringRecords(record.subjectId, ctx.t);
    const barLifted = stillBarring.length === 0;
    await audit(db, ctx.t, {
      actor,
      action: "record.publicity_stopped",
      entityType: "credit_record",
      entityId: record.id,
      detail: {
        case: ctx.businessKey,
        effect: ["终止公示", "停止共享"],
        commitmentRouteBarLifted: barLifted,
        stillBarredBy: stillBarring.map((r) => r.id),
      },
      at: now,
    });
    // The 信用修复决定书 and the subject's public 信用修复承诺 are issued in the same step.
    await issueRepairDecision(db, ctx.t, {
      caseKey: ctx.businessKey ?? ctx.instanceId,
      instanceId: ctx.instanceId,
      recordId: record.id,
      approved: true,
      reason: text(ctx.variables.decisionReason),
      barLifted,
      applicationFormKey: REPAIR.forms.application,
      actor,
      at: now,
    });
    return { repairedAt: now.toISOString(), commitmentBarLifted: barLifted };
  });
}
