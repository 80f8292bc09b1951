import { QueryTypes, type Transaction } from "sequelize";
import type { CurrentUser } from "../../../auth/currentUser.js";
import type { Database } from "../../../db/database.js";
import { Case } from "../../../db/models/Case.js";
import { Commitment } from "../../../db/models/Commitment.js";
import type { UploadedFile } from "../../../db/models/UploadedFile.js";
import type { EngineRuntime, ServiceContext } from "../../../engine/index.js";
import { ConflictError } from "../../../errors.js";
import type { FlowDeps, TaskDecision } from "../../../flows/registry.js";
import { registerFileAccessCheck } from "../../../forms/uploads.js";
import { casePolicy } from "../../../policies/case.js";
import { audit } from "../../audit.js";
import { chinaDay, chinaDayEnd } from "../../calendar/days.js";
import { ruleValue } from "../../calendar/rules.js";
import { loadWorkingCalendar } from "../../calendar/workingDays.js";
import { recordCommitmentVerification } from "../../commitments/decisions.js";
import { VERIFICATION_TASK_ID } from "../../commitments/processContract.js";
import { decideTask, required, text } from "../../repair/decideTask.js";
import { RECHECK_RESULTS, RESULTS, SUPERVISION, SUPERVISION_LIMITS, type RecheckValue, type ResultValue } from "./contract.js";

interface InspectionRow {
  id: number;
  subject_id: number;
  commitment_id: number | null;
  origin: string;
}

async function inspectionOf(db: Database, instanceId: string, t: Transaction): Promise<InspectionRow> {
  const [row] = await db.sequelize.query<InspectionRow>(
    "SELECT id, subject_id, commitment_id, origin FROM supervision_inspections WHERE instance_id = :instanceId",
    { replacements: { instanceId }, type: QueryTypes.SELECT, transaction: t },
  );
  if (!row) throw new Error(`no supervision_inspections row for instance ${instanceId}`);
  return row;
}

const isDay = (v: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

/**
 * The commitment a 虚假承诺 finding is about: the one the 核查 was started for, else the code the inspector wrote,
 * which must be a commitment of the inspected subject (400 on commitmentCode otherwise).
 */
async function commitmentOfFinding(row: InspectionRow, code: string, t: Transaction): Promise<Commitment> {
  if (row.commitment_id) {
    const c = await Commitment.findByPk(row.commitment_id, { transaction: t });
    if (c) return c;
  }
  if (!code) required("commitmentCode", "发现虚假承诺时请填写涉及的承诺编码");
  const c = await Commitment.findOne({ where: { code, subjectId: row.subject_id }, transaction: t });
  if (!c) required("commitmentCode", `检查对象没有承诺编码为 ${code} 的承诺，请核对`);
  return c;
}

/**
 * Records the 核查 of a 告知承诺 through the commitment flow's own command (recordCommitmentVerification), in the
 * inspection's transaction: its 核查 task is completed, and a breach (部分履行 / 全部未履行) becomes the 违诺 record of
 * that flow. A commitment whose 核查 has not opened (or is done) cannot be recorded here: 409 says why.
 */
async function recordVerification(
  deps: FlowDeps,
  actor: CurrentUser,
  commitment: Commitment,
  data: { fulfilment: "full" | "partial" | "none"; unfulfilledContent: string; accountability: string },
  t: Transaction,
): Promise<void> {
  const tasks = await deps.engine.findTasks({ businessKey: commitment.code, taskDefinitionKey: VERIFICATION_TASK_ID }, t);
  if (commitment.status !== "监管中" || !tasks.length) {
    const when = commitment.verificationDueAt ? `，核查期自 ${chinaDay(commitment.verificationDueAt)} 起` : "";
    throw new ConflictError(
      `承诺 ${commitment.code} 当前状态为“${commitment.status}”${commitment.status === "监管中" ? `，尚未进入核查${when}` : ""}，不能按核查程序记录；请核对承诺编码或不勾选“发现虚假承诺”`,
      "commitment_not_in_verification",
      [{ path: "commitmentCode", message: `承诺 ${commitment.code} 不在核查中` }],
    );
  }
  await recordCommitmentVerification(
    { db: deps.db, engine: deps.engine, clock: deps.clock },
    { actor, code: commitment.code, data, taskId: tasks[0]!.id },
    t,
  );
}

/** One inspector's conclusion, as kept on the inspection row until every inspector has submitted. */
interface Opinion {
  inspector: string;
  result: ResultValue;
  findings: string;
  rectifyOrder: string;
  rectifyDeadline: string;
  falseCommitment: boolean;
  commitmentCode: string;
  accountability: string;
}

const SEVERITY: Record<ResultValue, number> = { none: 0, rectify: 1, case: 2 };

/**
 * The joint conclusion of the inspectors: the most serious result (立案查处 > 责令整改 > 未发现问题), every
 * inspector's findings, the earliest rectification deadline and all orders, and a 虚假承诺 finding if any names one.
 */
function conclude(opinions: Opinion[]) {
  const result = opinions.reduce<ResultValue>((worst, o) => (SEVERITY[o.result] > SEVERITY[worst] ? o.result : worst), "none");
  const many = opinions.length > 1;
  const findings = opinions.map((o) => (many ? `${o.inspector}：${o.findings}` : o.findings)).join("\n");
  const rectifying = opinions.filter((o) => o.result === "rectify");
  const deadline = rectifying.map((o) => o.rectifyDeadline).sort()[0] ?? "";
  const order = [...new Set(rectifying.map((o) => o.rectifyOrder))].join("；");
  const fc = opinions.find((o) => o.falseCommitment);
  return { result, findings, deadline, order, falseCommitment: fc ?? null };
}

/**
 * 检查, one task per inspector (multi-instance): each inspector's findings, result (未发现问题 / 责令整改 with the order
 * and a deadline not before today / 立案查处), evidence and any 虚假承诺 finding are checked and kept; when the last
 * inspector submits, the joint conclusion goes to the process and, for a 虚假承诺 finding or an inspection started as a
 * 告知承诺 核查, the commitment's 核查 is recorded through the commitment flow (once, in this transaction).
 */
export function decideInspection(deps: FlowDeps, d: TaskDecision): Promise<void> {
  return decideTask(deps, d, async (data, t) => {
    const now = deps.clock.now();
    const today = chinaDay(now);
    const opinion: Opinion = {
      inspector: d.actor.username,
      result: text(data.result) as ResultValue,
      findings: text(data.findings),
      rectifyOrder: text(data.rectifyOrder),
      rectifyDeadline: text(data.rectifyDeadline),
      falseCommitment: data.falseCommitment === true,
      commitmentCode: text(data.commitmentCode),
      accountability: text(data.accountability),
    };
    if (opinion.result === "rectify") {
      if (!opinion.rectifyOrder) required("rectifyOrder", "责令整改时必须写明整改要求");
      if (!opinion.rectifyDeadline || !isDay(opinion.rectifyDeadline)) required("rectifyDeadline", "请按 YYYY-MM-DD 填写整改期限");
      if (opinion.rectifyDeadline < today) required("rectifyDeadline", `整改期限不能早于今天（${today}）`);
    } else {
      opinion.rectifyOrder = "";
      opinion.rectifyDeadline = "";
    }
    const row = await inspectionOf(deps.db, d.task.processInstanceId, t);
    if (opinion.falseCommitment) {
      if (!opinion.accountability) required("accountability", "发现虚假承诺时必须填写违诺责任追究内容");
      opinion.commitmentCode = (await commitmentOfFinding(row, opinion.commitmentCode, t)).code;
    }
    const [kept] = await deps.db.sequelize.query<{ opinions_json: string | null }>(
      "SELECT opinions_json FROM supervision_inspections WHERE id = :id",
      { replacements: { id: row.id }, type: QueryTypes.SELECT, transaction: t },
    );
    const earlier = (JSON.parse(kept?.opinions_json ?? "[]") as Opinion[]).filter((o) => o.inspector !== opinion.inspector);
    const opinions = [...earlier, opinion];
    await audit(deps.db, t, {
      actor: d.actor.username,
      action: "supervision.inspected",
      entityType: "case",
      entityId: d.task.businessKey ?? d.task.processInstanceId,
      detail: {
        result: RESULTS[opinion.result],
        falseCommitment: opinion.falseCommitment,
        rectifyDeadline: opinion.rectifyDeadline || null,
      },
      at: now,
    });
    const others = (
      await deps.engine.findTasks({ processInstanceId: d.task.processInstanceId, taskDefinitionKey: SUPERVISION.tasks.inspect }, t)
    ).filter((x) => x.id !== d.task.id);
    if (others.length) {
      await deps.db.sequelize.query("UPDATE supervision_inspections SET opinions_json = :o, updated_at = :now WHERE id = :id", {
        replacements: { o: JSON.stringify(opinions), now, id: row.id },
        type: QueryTypes.UPDATE,
        transaction: t,
      });
      return { variables: {} };
    }

    const joint = conclude(opinions);
    const variables: Record<string, unknown> = { result: joint.result, findings: joint.findings, falseCommitment: !!joint.falseCommitment };
    if (joint.result === "rectify") {
      const days = await ruleValue<number>(SUPERVISION_LIMITS.recheck.key, now, SUPERVISION_LIMITS.recheck.fallback, t);
      const calendar = await loadWorkingCalendar(t);
      Object.assign(variables, {
        rectifyOrder: joint.order,
        rectifyDeadline: joint.deadline,
        rectifyDeadlineAt: chinaDayEnd(joint.deadline).toISOString(),
        recheckDue: calendar.workingDeadline(joint.deadline, days).toISOString(),
      });
    }
    let commitmentId = row.commitment_id;
    if (joint.falseCommitment) {
      const commitment = await commitmentOfFinding(row, joint.falseCommitment.commitmentCode, t);
      const accountability = joint.falseCommitment.accountability;
      await recordVerification(deps, d.actor, commitment, { fulfilment: "none", unfulfilledContent: joint.findings, accountability }, t);
      commitmentId = commitment.id;
    } else if (row.commitment_id) {
      const commitment = await Commitment.findByPk(row.commitment_id, { transaction: t });
      // Its 核查 may have been recorded on the commitment's own task meanwhile: then there is nothing left to record.
      const open = commitment
        ? await deps.engine.findTasks({ businessKey: commitment.code, taskDefinitionKey: VERIFICATION_TASK_ID }, t)
        : [];
      if (commitment && commitment.status === "监管中" && open.length) {
        const verdict =
          joint.result === "none"
            ? { fulfilment: "full" as const, unfulfilledContent: "", accountability: "" }
            : {
                fulfilment: "partial" as const,
                unfulfilledContent: joint.findings,
                accountability: joint.result === "rectify" ? `责令整改：${joint.order}` : "立案查处",
              };
        await recordVerification(deps, d.actor, commitment, verdict, t);
      }
    }
    await deps.db.sequelize.query(
      `UPDATE supervision_inspections SET result = :result, findings = :findings, false_commitment = :fc, rectify_deadline = :deadline,
         commitment_id = :commitmentId, opinions_json = :o, inspected_on = :today, updated_at = :now WHERE id = :id`,
      {
        replacements: {
          result: joint.result,
          findings: joint.findings,
          fc: !!joint.falseCommitment,
          deadline: joint.result === "rectify" ? joint.deadline : null,
          commitmentId,
          o: JSON.stringify(opinions),
          today,
          now,
          id: row.id,
        },
        type: QueryTypes.UPDATE,
        transaction: t,
      },
    );
    const endReason = joint.result === "rectify" ? undefined : `检查结果：${RESULTS[joint.result]}`;
    return { variables, endReason };
  });
}

/** 复查: 已整改到位 or 逾期未整改 (立案查处); the findings are required. */
export function decideRecheck(deps: FlowDeps, d: TaskDecision): Promise<void> {
  return decideTask(deps, d, async (data, t) => {
    const recheckResult = text(data.recheckResult) as RecheckValue;
    const recheckFindings = text(data.recheckFindings);
    const now = deps.clock.now();
    const row = await inspectionOf(deps.db, d.task.processInstanceId, t);
    await deps.db.sequelize.query("UPDATE supervision_inspections SET recheck_result = :r, updated_at = :now WHERE id = :id", {
      replacements: { r: recheckResult, now, id: row.id },
      type: QueryTypes.UPDATE,
      transaction: t,
    });
    await audit(deps.db, t, {
      actor: d.actor.username,
      action: "supervision.rechecked",
      entityType: "case",
      entityId: d.task.businessKey ?? d.task.processInstanceId,
      detail: { recheckResult: RECHECK_RESULTS[recheckResult] },
      at: now,
    });
    return { variables: { recheckResult, recheckFindings }, endReason: `复查结论：${RECHECK_RESULTS[recheckResult]}` };
  });
}

/**
 * Registers ${services.supervisionPublishResult}: when the case closes its result is published on the public portal
 * (published_at), with the day it was due under the publication rule (检查完成 + N working days) kept beside it, so
 * the reports show what was published late. Idempotent.
 */
export function registerSupervisionServices(engine: EngineRuntime, db: Database): void {
  engine.services.register(SUPERVISION.services.publish, async (ctx: ServiceContext) => {
    const row = await inspectionOf(db, ctx.instanceId, ctx.t);
    const [state] = await db.sequelize.query<{ published_at: unknown; inspected_on: string | null }>(
      "SELECT published_at, inspected_on FROM supervision_inspections WHERE id = :id",
      { replacements: { id: row.id }, type: QueryTypes.SELECT, transaction: ctx.t },
    );
    if (state?.published_at) return;
    const now = ctx.clock.now();
    const days = await ruleValue<number>(SUPERVISION_LIMITS.publication.key, now, SUPERVISION_LIMITS.publication.fallback, ctx.t);
    const calendar = await loadWorkingCalendar(ctx.t);
    const publishDue = calendar.addWorkingDays(state?.inspected_on ?? chinaDay(now), days);
    await db.sequelize.query(
      `UPDATE supervision_inspections SET closed_at = :now, published_at = :now, published_on = :today, publish_due_on = :due, updated_at = :now
        WHERE id = :id`,
      { replacements: { now, today: chinaDay(now), due: publishDue, id: row.id }, type: QueryTypes.UPDATE, transaction: ctx.t },
    );
    await audit(db, ctx.t, {
      actor: ctx.actor ?? "engine",
      action: "supervision.result_published",
      entityType: "case",
      entityId: ctx.businessKey ?? ctx.instanceId,
      detail: { publishDueOn: publishDue },
      at: now,
    });
    return { publishedAt: now.toISOString() };
  });
}

/** Evidence uploaded on a supervision case may be read by the staff who may read the case (its department). */
export async function maySeeInspectionFile(user: CurrentUser, file: UploadedFile): Promise<boolean> {
  if (user.departmentId === null) return false;
  const rows = await Case.sequelize!.query<{ department_id: number | null; process_key: string }>(
    `SELECT c.department_id, c.process_key FROM cases c
      JOIN submission_revisions s ON s.submission_type = 'case' AND s.submission_id = c.instance_id
     WHERE c.department_id = :department AND c.kind = :kind AND s.data LIKE :mentions
     LIMIT 5`,
    { replacements: { department: user.departmentId, kind: SUPERVISION.kind, mentions: `%${file.id}%` }, type: QueryTypes.SELECT },
  );
  return rows.some((r) => casePolicy.readAsStaff(user, { departmentId: r.department_id, processKey: r.process_key }));
}

let registered = false;

/** Lets the department's staff download the evidence of its inspections. */
export function registerInspectionFileAccess(): void {
  if (registered) return;
  registered = true;
  registerFileAccessCheck(maySeeInspectionFile);
}
