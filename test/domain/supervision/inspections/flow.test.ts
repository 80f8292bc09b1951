import assert from "node:assert/strict";
import type { CurrentUser } from "../../../../server/auth/currentUser.js";
import { createApp } from "../../../../server/app.js";
import { AuditEntry } from "../../../../server/db/models/AuditEntry.js";
import { createLogger } from "../../../../server/logger.js";
import { Case } from "../../../../server/db/models/Case.js";
import { Commitment } from "../../../../server/db/models/Commitment.js";
import { CreditRecord } from "../../../../server/db/models/CreditRecord.js";
import { addDays, chinaDay } from "../../../../server/domain/calendar/days.js";
import { decideCommitmentReview, recordCommitmentVerification } from "../../../../server/domain/commitments/decisions.js";
import { startInspectionsForDraw } from "../../../../server/domain/supervision/inspections/startInspections.js";
import {
  listDueVerifications,
  startTriggeredInspection,
  startVerificationInspections,
} from "../../../../server/domain/supervision/inspections/triggered.js";
import { completeUserTask } from "../../../../server/domain/tasks/completeTask.js";
import { listMyCases } from "../../../../server/domain/cases/queries.js";
import { buildSubject, buildUser, departmentId } from "../../../helpers/factories.js";
import { testApp } from "../../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, currentUserOf, ensureShippedForms } from "../../commitments/fixtures.js";
import { buildConfirmedDraw, deps, inspectionOf, targetCaseIds } from "./fixtures.js";

const openTask = async (caseNumber: string, activity: string, assignee?: string) => {
  const tasks = await deps().engine.findTasks({ businessKey: caseNumber, taskDefinitionKey: activity });
  const task = assignee ? tasks.find((x) => x.assignee === assignee) : tasks[0];
  assert.ok(task, `no open ${activity} on ${caseNumber}`);
  return task;
};

/** Each drawn inspector completes their own 检查 task (one per inspector) with the same data. */
const inspectAll = async (caseNumber: string, inspectors: CurrentUser[], data: Record<string, unknown>) => {
  for (const actor of inspectors) {
    const task = await openTask(caseNumber, "inspectTask", actor.username);
    await completeUserTask(deps(), { actor, taskId: task.id, data });
  }
};

const today = () => chinaDay(testApp().clock.now());

describe("supervision inspections (processes/supervision.bpmn)", function () {
  this.timeout(60_000);
  before(ensureShippedForms);

  it("starts one case per target of a confirmed draw, fills case_id, and starting again starts nothing", async () => {
    const world = await buildConfirmedDraw(3);
    const started = await startInspectionsForDraw(deps(), world.drawId, world.admin);
    assert.equal(started.length, 3);
    const ids = await targetCaseIds(world.drawId);
    assert.deepEqual(
      ids,
      started.map((s) => s.caseId),
    );
    const again = await startInspectionsForDraw(deps(), world.drawId, world.admin);
    assert.equal(again.length, 0);
    assert.equal(await Case.count({ where: { processKey: "supervision", subjectCode: world.subjects.map((s) => s.code) } }), 3);
    const c = (await Case.findByPk(started[0]!.caseId))!;
    assert.equal(c.kind, "supervision");
    assert.equal(c.status, "待检查");
    assert.match(c.businessKey!, /^JC410182\d{14}$/);
    assert.equal(c.subjectCode, world.subjects[0]!.code);
    // One 检查 task per drawn inspector (multi-instance), each assigned to them; the variables carry subject, plan, items.
    const tasks = await deps().engine.findTasks({ businessKey: c.businessKey!, taskDefinitionKey: "inspectTask" });
    assert.deepEqual(tasks.map((x) => x.assignee).sort(), world.inspectors.map((u) => u.username).sort());
    const instance = (await deps().engine.getInstance(c.instanceId))!;
    assert.equal((instance.variables.subject as { code: string }).code, world.subjects[0]!.code);
    assert.equal((instance.variables.plan as { id: number }).id, world.planId);
    assert.equal((instance.variables.items as { name: string }[])[0]!.name, "食品经营许可事项检查");
    assert.ok(await AuditEntry.findOne({ where: { action: "supervision.inspection_started", entityId: c.businessKey! } }));
  });

  it("refuses a draw still in preview, and starts nothing", async () => {
    const world = await buildConfirmedDraw(1, "preview");
    await assert.rejects(startInspectionsForDraw(deps(), world.drawId, world.admin), /抽查结果尚未确认/);
    assert.deepEqual(await targetCaseIds(world.drawId), [null]);
  });

  it("未发现问题 closes the case and publishes the result with its publication deadline", async () => {
    const world = await buildConfirmedDraw(1);
    const [one] = await startInspectionsForDraw(deps(), world.drawId, world.admin);
    const task = await openTask(one!.caseNumber, "inspectTask", world.inspectors[0]!.username);
    // Someone who is not one of the drawn inspectors cannot complete it, nor can the other inspector.
    const other = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
    await assert.rejects(
      completeUserTask(deps(), { actor: other, taskId: task.id, data: { findings: "x", result: "none" } }),
      /找不到任务|不能完成/,
    );
    await assert.rejects(
      completeUserTask(deps(), { actor: world.inspectors[1]!, taskId: task.id, data: { findings: "x", result: "none" } }),
      /找不到任务|不能完成/,
    );
    await inspectAll(one!.caseNumber, world.inspectors, { findings: "现场检查，证照齐全", result: "none" });
    const row = await inspectionOf(one!.caseNumber);
    assert.equal(row.result, "none");
    assert.ok(row.published_at);
    assert.ok(row.closed_at);
    assert.ok(row.publish_due_on! > today());
    const c = (await Case.findByPk(one!.caseId))!;
    assert.equal(c.status, "已办结（结果已公开）");
    assert.equal(c.endReason, "检查结果：未发现问题");
  });

  it("责令整改 requires the order and a deadline, shows the order to the subject's applicant, then 复查 closes and publishes", async () => {
    const world = await buildConfirmedDraw(1);
    const applicant = await currentUserOf((await buildUser({ roles: ["applicant"], subjectIds: [world.subjects[0]!.id] })).id);
    const [one] = await startInspectionsForDraw(deps(), world.drawId, world.admin);
    const actor = world.inspectors[0]!;
    const task = await openTask(one!.caseNumber, "inspectTask", actor.username);
    await assert.rejects(
      completeUserTask(deps(), { actor, taskId: task.id, data: { findings: "进货台账不全", result: "rectify" } }),
      (e: { details?: { path: string }[] }) => e.details?.[0]?.path === "rectifyOrder",
    );
    await assert.rejects(
      completeUserTask(deps(), {
        actor,
        taskId: task.id,
        data: { findings: "进货台账不全", result: "rectify", rectifyOrder: "补齐台账", rectifyDeadline: addDays(today(), -1) },
      }),
      /整改期限不能早于今天/,
    );
    const deadline = addDays(today(), 15);
    await completeUserTask(deps(), {
      actor,
      taskId: task.id,
      data: { findings: "进货台账不全", result: "rectify", rectifyOrder: "十五日内补齐进货查验台账", rectifyDeadline: deadline },
    });
    // The first inspector's conclusion waits for the second one's; the most serious of both is the case's.
    assert.equal((await Case.findByPk(one!.caseId))!.status, "待检查");
    assert.equal((await inspectionOf(one!.caseNumber)).result, null);
    const second = await openTask(one!.caseNumber, "inspectTask", world.inspectors[1]!.username);
    await completeUserTask(deps(), { actor: world.inspectors[1]!, taskId: second.id, data: { findings: "未见其他问题", result: "none" } });
    const waiting = (await Case.findByPk(one!.caseId))!;
    assert.equal(waiting.status, "责令整改中（待复查）");
    assert.equal((await inspectionOf(one!.caseNumber)).published_at, null);
    const mine = await listMyCases(testApp().db, applicant, {});
    assert.ok(mine.rows.some((r) => r.businessKey === one!.caseNumber && r.status === "责令整改中（待复查）"));
    const recheck = await openTask(one!.caseNumber, "recheckTask");
    assert.equal(chinaDay(recheck.followUp!), deadline);
    assert.ok(recheck.due! > recheck.followUp!);
    await completeUserTask(deps(), { actor, taskId: recheck.id, data: { recheckResult: "rectified", recheckFindings: "台账已补齐" } });
    const row = await inspectionOf(one!.caseNumber);
    assert.equal(row.result, "rectify");
    assert.equal(row.recheck_result, "rectified");
    assert.equal(row.rectify_deadline, deadline);
    assert.ok(row.published_at);
    assert.equal((await Case.findByPk(one!.caseId))!.endReason, "复查结论：已整改到位");
  });

  it("resumes after a node restart between the two inspectors, and 逾期未整改 on 复查 closes as 立案查处", async () => {
    const world = await buildConfirmedDraw(1);
    const [one] = await startInspectionsForDraw(deps(), world.drawId, world.admin);
    const deadline = addDays(today(), 3);
    const first = await openTask(one!.caseNumber, "inspectTask", world.inspectors[0]!.username);
    await completeUserTask(deps(), {
      actor: world.inspectors[0]!,
      taskId: first.id,
      data: { findings: "未公示许可证", result: "rectify", rectifyOrder: "立即公示许可证", rectifyDeadline: deadline },
    });
    // Another node (a fresh app over the same database) completes the second inspector's task.
    const { db, config, clock } = testApp();
    const other = createApp({ config, db, logger: createLogger("silent"), clock }).locals.context;
    const otherDeps = { db, engine: other.engine, clock, flows: other.flows };
    const [second] = (await other.engine.findTasks({ businessKey: one!.caseNumber, taskDefinitionKey: "inspectTask" })).filter(
      (x) => x.assignee === world.inspectors[1]!.username,
    );
    await completeUserTask(otherDeps, { actor: world.inspectors[1]!, taskId: second!.id, data: { findings: "同上", result: "none" } });
    const recheck = await openTask(one!.caseNumber, "recheckTask");
    await completeUserTask(otherDeps, {
      actor: world.inspectors[1]!,
      taskId: recheck.id,
      data: { recheckResult: "notRectified", recheckFindings: "期满仍未公示" },
    });
    const row = await inspectionOf(one!.caseNumber);
    assert.equal(row.result, "rectify");
    assert.equal(row.recheck_result, "notRectified");
    assert.equal(row.rectify_deadline, deadline);
    assert.ok(row.published_at);
    assert.equal((await Case.findByPk(one!.caseId))!.endReason, "复查结论：逾期未整改，立案查处");
  });

  it("立案查处 closes the case at once", async () => {
    const world = await buildConfirmedDraw(1);
    const [one] = await startInspectionsForDraw(deps(), world.drawId, world.admin);
    await inspectAll(one!.caseNumber, world.inspectors, { findings: "无证经营", result: "case" });
    const row = await inspectionOf(one!.caseNumber);
    assert.equal(row.result, "case");
    assert.ok(row.published_at);
  });

  describe("告知承诺", () => {
    let itemCode: string;
    let saved: Date;
    before(async () => {
      itemCode = await buildPublishedItem("scjgj", { verificationDays: 10 });
      saved = testApp().clock.now();
    });
    after(() => testApp().clock.set(saved));

    /** An approved commitment whose 核查 task has opened. */
    const dueCommitment = async () => {
      const submitted = await buildSubmittedCase(itemCode);
      const reviewer = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
      await decideCommitmentReview(deps(), { actor: reviewer, code: submitted.code, data: { decision: "approve" } });
      const approved = (await Commitment.findOne({ where: { code: submitted.code } }))!;
      if (testApp().clock.now() < approved.verificationDueAt!) testApp().clock.set(new Date(approved.verificationDueAt!.getTime() + 1));
      await deps().engine.runDueJobs();
      return submitted;
    };

    it("a 虚假承诺 finding records the breach through the commitment's 核查 (违诺 record, 全部未履行)", async () => {
      const { code, subject } = await dueCommitment();
      const inspector = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
      const started = await startTriggeredInspection(deps(), {
        actor: inspector,
        origin: "complaint",
        subjectCode: subject.code,
        reason: "群众投诉：实际经营场所与承诺不符",
        inspectors: [inspector.username],
      });
      const task = await openTask(started.caseNumber, "inspectTask");
      await assert.rejects(
        completeUserTask(deps(), {
          actor: inspector,
          taskId: task.id,
          data: { findings: "经营场所不存在", result: "case", falseCommitment: true, commitmentCode: code },
        }),
        (e: { details?: { path: string }[] }) => e.details?.[0]?.path === "accountability",
      );
      await completeUserTask(deps(), {
        actor: inspector,
        taskId: task.id,
        data: {
          findings: "经营场所不存在",
          result: "case",
          falseCommitment: true,
          commitmentCode: code,
          accountability: "撤销许可，记入失信",
        },
      });
      const c = (await Commitment.findOne({ where: { code } }))!;
      assert.equal(c.status, "监管完成");
      assert.equal(c.fulfilmentStatus, "全部未履行");
      assert.equal(c.liabilityContent, "撤销许可，记入失信");
      const record = await CreditRecord.findOne({ where: { sourceCommitmentId: c.id } });
      assert.equal(record?.recordType, "违诺");
      const row = await inspectionOf(started.caseNumber);
      assert.equal(Number(row.commitment_id), c.id);
      assert.ok(row.false_commitment);
    });

    it("a 虚假承诺 finding naming another subject's commitment is refused on that field", async () => {
      const { code } = await dueCommitment();
      const inspector = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
      const started = await startTriggeredInspection(deps(), {
        actor: inspector,
        origin: "bigdata",
        subjectCode: (await buildSubject()).code,
        reason: "监测发现",
        inspectors: [inspector.username],
      });
      const task = await openTask(started.caseNumber, "inspectTask");
      await assert.rejects(
        completeUserTask(deps(), {
          actor: inspector,
          taskId: task.id,
          data: { findings: "f", result: "none", falseCommitment: true, commitmentCode: code, accountability: "a" },
        }),
        (e: { details?: { path: string }[] }) => e.details?.[0]?.path === "commitmentCode",
      );
      assert.equal((await Commitment.findOne({ where: { code } }))!.status, "监管中");
    });

    it("batches due 核查 into inspections (idempotent) and the inspection records the 核查", async () => {
      const { code } = await dueCommitment();
      const dept = await departmentId("scjgj");
      const due = await listDueVerifications(deps(), dept);
      assert.ok(due.some((d) => d.code === code));
      const officer = await currentUserOf((await buildUser({ roles: ["dept_admin", "reviewer"], department: "scjgj" })).id);
      const inspector = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
      const started = await startVerificationInspections(deps(), {
        actor: officer,
        commitmentCodes: [code],
        inspectors: [inspector.username],
      });
      assert.equal(started.length, 1);
      assert.equal(
        (await startVerificationInspections(deps(), { actor: officer, commitmentCodes: [code], inspectors: [inspector.username] })).length,
        0,
      );
      assert.ok(!(await listDueVerifications(deps(), dept)).some((d) => d.code === code));
      const task = await openTask(started[0]!.caseNumber, "inspectTask");
      await completeUserTask(deps(), { actor: inspector, taskId: task.id, data: { findings: "现场核查，承诺属实", result: "none" } });
      const c = (await Commitment.findOne({ where: { code } }))!;
      assert.equal(c.status, "监管完成");
      assert.equal(c.fulfilmentStatus, "全部履行");
      assert.equal((await inspectionOf(started[0]!.caseNumber)).origin, "verification");
    });

    it("a 核查 recorded on the commitment's own task meanwhile leaves the inspection to close on its own", async () => {
      const { code } = await dueCommitment();
      const officer = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
      const [one] = await startVerificationInspections(deps(), { actor: officer, commitmentCodes: [code], inspectors: [officer.username] });
      await recordCommitmentVerification(deps(), { actor: officer, code, data: { fulfilment: "full" } });
      const task = await openTask(one!.caseNumber, "inspectTask");
      await completeUserTask(deps(), { actor: officer, taskId: task.id, data: { findings: "现场核查无问题", result: "none" } });
      assert.ok((await inspectionOf(one!.caseNumber)).published_at);
      assert.equal((await Commitment.findOne({ where: { code } }))!.fulfilmentStatus, "全部履行");
    });

    it("a 核查 inspection that orders rectification records 部分履行 with the order as the liability", async () => {
      const { code } = await dueCommitment();
      const officer = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
      const [one] = await startVerificationInspections(deps(), { actor: officer, commitmentCodes: [code], inspectors: [officer.username] });
      const task = await openTask(one!.caseNumber, "inspectTask");
      await completeUserTask(deps(), {
        actor: officer,
        taskId: task.id,
        data: { findings: "健康证明过期", result: "rectify", rectifyOrder: "办理健康证明", rectifyDeadline: addDays(today(), 10) },
      });
      const c = (await Commitment.findOne({ where: { code } }))!;
      assert.equal(c.fulfilmentStatus, "部分履行");
      assert.equal(c.unfulfilledContent, "健康证明过期");
      assert.equal(c.liabilityContent, "责令整改：办理健康证明");
      // Its 核查 is recorded: it is no longer listed as due, and batching it again starts nothing.
      assert.ok(!(await listDueVerifications(deps(), await departmentId("scjgj"))).some((d) => d.code === code));
      assert.deepEqual(
        await startVerificationInspections(deps(), { actor: officer, commitmentCodes: [code], inspectors: [officer.username] }),
        [],
      );
    });
  });

  it("a triggered inspection needs a reason and the department's own inspectors", async () => {
    const officer = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
    const outsider = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "zjj" })).id);
    const subject = await buildSubject();
    const base = {
      actor: officer,
      origin: "referral" as const,
      subjectCode: subject.code,
      reason: "上级转办",
      inspectors: [officer.username],
    };
    await assert.rejects(startTriggeredInspection(deps(), { ...base, reason: " " }), /请写明检查事由/);
    await assert.rejects(startTriggeredInspection(deps(), { ...base, inspectors: [outsider.username] }), /检查人员须为本部门/);
    await assert.rejects(startTriggeredInspection(deps(), { ...base, subjectCode: "91410182MA0000000X" }), /找不到检查对象/);
    const applicant = await currentUserOf((await buildUser({ roles: ["applicant"] })).id);
    await assert.rejects(startTriggeredInspection(deps(), { ...base, actor: applicant }), /只有部门审核人员/);
    assert.equal(await Case.count({ where: { processKey: "supervision", subjectCode: subject.code } }), 0);
    const ok = await startTriggeredInspection(deps(), base);
    const row = await inspectionOf(ok.caseNumber);
    assert.equal(row.origin, "referral");
  });
});
