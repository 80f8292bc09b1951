import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { SupervisionDraw, SupervisionDrawTarget, SupervisionPlan } from "../../../server/db/models/supervisionModels.js";
import { ConflictError, ValidationError } from "../../../server/errors.js";
import { candidatesHash, candidatesJson, runDraw, type Candidate } from "../../../server/domain/supervision/drawAlgorithm.js";
import { confirmDraw, parseRecord, previewDraw, verifyRecordedDraw, type DrawDeps } from "../../../server/domain/supervision/draws.js";
import { setItemActive } from "../../../server/domain/supervision/items.js";
import { createPlan, updatePlan } from "../../../server/domain/supervision/plans.js";
import { addRecusal, listTargets, removeRecusal } from "../../../server/domain/supervision/pools.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase } from "../commitments/fixtures.js";
import { buildPlan, fixedBytes, planInput, setup } from "./fixtures.js";

const SEED = createHash("sha256").update("db-draw-seed").digest("hex");
const noInspections = () => Promise.resolve([]);

function deps(): DrawDeps {
  const { db, clock } = testApp();
  return { db, clock, engine: undefined as never };
}

describe("双随机 draws on the database", () => {
  it("the target list filters by division and class, with counts per class", async () => {
    const s = await setup({ grades: ["A", "B", "B", "C", "D", "D"] });
    const all = await listTargets(
      testApp().db,
      s.department.id,
      { subjectTypes: [], divisionCode: s.division, itemCodes: [], grades: [] },
      1,
    );
    assert.equal(all.total, 6);
    assert.deepEqual(all.byGrade, { A: 1, B: 2, C: 1, D: 2 });
    const d = await listTargets(
      testApp().db,
      s.department.id,
      { subjectTypes: [], divisionCode: s.division, itemCodes: [], grades: ["D"] },
      1,
    );
    assert.deepEqual(
      d.rows.map((r) => r.subjectId),
      [s.subjects[4]!.id, s.subjects[5]!.id],
    );
    const none = await listTargets(
      testApp().db,
      s.department.id,
      { subjectTypes: ["自然人"], divisionCode: s.division, itemCodes: [], grades: [] },
      1,
    );
    assert.equal(none.total, 0);
  });

  it("refuses a plan with Chinese field messages and without half-written rows", async () => {
    const s = await setup({ grades: ["B"] });
    const before = await SupervisionPlan.count();
    await assert.rejects(
      createPlan(testApp().db, s.adminUser, planInput(s, { periodEnd: "2027-01-31", ratios: { A: 0, B: 1.5, C: 0, D: 0 }, itemIds: [] })),
      (err: unknown) =>
        err instanceof ValidationError &&
        err.details.some((d) => d.path === "periodStart" && /2026 年内/.test(d.message)) &&
        err.details.some((d) => d.path === "ratioB") &&
        err.details.some((d) => d.path === "itemIds"),
    );
    await setItemActive(testApp().db, s.adminUser, s.itemId, false);
    await assert.rejects(
      buildPlan(s),
      (err: unknown) => err instanceof ValidationError && err.details.some((d) => /启用的事项/.test(d.message)),
    );
    assert.equal(await SupervisionPlan.count(), before);
  });

  it("a preview freezes the candidates, records the seed, and repeats from its record", async () => {
    const s = await setup();
    const plan = await buildPlan(s);
    const draw = await previewDraw(testApp().db, s.adminUser, plan.id, { randomBytes: fixedBytes(SEED) });
    assert.equal(draw.status, "preview");
    assert.equal(draw.seed, SEED);
    assert.equal(draw.candidateCount, 40);
    const candidates = JSON.parse(draw.candidatesJson) as Candidate[];
    assert.deepEqual(
      candidates.map((c) => c.subjectId),
      s.subjects.map((x) => x.id),
    );
    assert.equal(draw.candidatesHash, candidatesHash(candidates));
    const record = parseRecord(draw);
    // 0% of 10 A, 20% of 10 B, 50% of 10 C, 100% of 10 D.
    assert.deepEqual(record.perClass, {
      A: { candidates: 10, drawn: 0 },
      B: { candidates: 10, drawn: 2 },
      C: { candidates: 10, drawn: 5 },
      D: { candidates: 10, drawn: 10 },
    });
    assert.deepEqual(record.inputs.inspectorPool, s.inspectors.map((i) => i.username).sort());
    // The same seed and list give the same draw here, on the other database, and in the command (see drawVerify.test).
    assert.deepEqual(runDraw(SEED, candidates, record.inputs), {
      algorithm: record.algorithm,
      perClass: record.perClass,
      targets: record.targets,
    });
    const check = verifyRecordedDraw(draw);
    assert.ok(check.hashMatches && check.resultMatches);
    const audited = await AuditEntry.findOne({ where: { action: "supervision_draw.previewed", entityId: String(draw.id) } });
    assert.ok(audited, "the preview is audited");
  });

  it("never draws a recused inspector and refuses, naming the subject, when nobody is left", async () => {
    const s = await setup({ inspectors: 3, grades: ["D", "D", "D", "D", "D", "D"] });
    const { db } = testApp();
    const [x, y] = s.inspectors;
    for (const subject of s.subjects.slice(0, 3))
      await addRecusal(db, s.adminUser, s.department.id, { userId: x!.id, subjectCode: subject.code, reason: "近亲属在该企业任职" });
    const plan = await buildPlan(s, { ratios: { A: 0, B: 0, C: 0, D: 1 } });
    for (let i = 0; i < 8; i++) {
      const draw = await previewDraw(db, s.adminUser, plan.id);
      for (const target of parseRecord(draw).targets)
        if (s.subjects.slice(0, 3).some((sub) => sub.id === target.subjectId)) assert.ok(!target.inspectors.includes(x!.username));
    }
    await addRecusal(db, s.adminUser, s.department.id, { userId: y!.id, subjectCode: s.subjects[1]!.code, reason: "曾在该企业任职" });
    await assert.rejects(
      previewDraw(db, s.adminUser, plan.id),
      (err: unknown) => err instanceof ConflictError && err.message.includes(s.subjects[1]!.name) && /只有 1 人/.test(err.message),
    );
    await assert.rejects(
      addRecusal(db, s.adminUser, s.department.id, { userId: y!.id, subjectCode: s.subjects[1]!.code, reason: "再次" }),
      ConflictError,
    );
  });

  it("confirmation writes the targets, publishes, audits, and refuses twice or an older preview", async () => {
    const s = await setup();
    const { db } = testApp();
    const plan = await buildPlan(s);
    const older = await previewDraw(db, s.adminUser, plan.id);
    const draw = await previewDraw(db, s.adminUser, plan.id, { randomBytes: fixedBytes(SEED) });
    await assert.rejects(confirmDraw(deps(), older.id, s.adminUser, { startInspections: noInspections }), /只能确认最新的一次预览/);
    let calledWith: number | undefined;
    const result = await confirmDraw(deps(), draw.id, s.adminUser, {
      startInspections: (_ctx, id) => {
        calledWith = id;
        return Promise.resolve([]);
      },
    });
    assert.equal(calledWith, draw.id, "the inspections are started for the confirmed draw");
    assert.equal(result.targets, 17);
    const rows = await SupervisionDrawTarget.findAll({ where: { drawId: draw.id }, order: [["id", "ASC"]] });
    assert.deepEqual(
      rows.map((r) => ({ subjectId: r.subjectId, inspectors: JSON.parse(r.inspectorUsernamesJson) as string[] })),
      parseRecord(draw).targets.map((x) => ({ subjectId: x.subjectId, inspectors: x.inspectors })),
    );
    await draw.reload();
    assert.equal(draw.status, "confirmed");
    assert.ok(draw.publishedAt);
    assert.equal((await SupervisionPlan.findByPk(plan.id))!.status, "active");
    assert.ok(
      await AuditEntry.findOne({ where: { action: "supervision_draw.confirmed", entityId: String(draw.id), actor: s.admin.username } }),
    );
    await assert.rejects(confirmDraw(deps(), draw.id, s.adminUser, { startInspections: noInspections }), /已经确认过/);
    await assert.rejects(updatePlan(db, s.adminUser, plan.id, planInput(s)), /已有确认的抽取结果/);
  });

  it("no subject gets the same pair twice in a row across confirmed draws", async () => {
    const s = await setup({ inspectors: 3, grades: Array(8).fill("D") });
    const { db } = testApp();
    const plan = await buildPlan(s, { ratios: { A: 0, B: 0, C: 0, D: 1 } });
    const last = new Map<number, string[]>();
    for (let round = 0; round < 6; round++) {
      const draw = await previewDraw(db, s.adminUser, plan.id);
      await confirmDraw(deps(), draw.id, s.adminUser, { startInspections: noInspections });
      for (const target of parseRecord(draw).targets) {
        const before = last.get(target.subjectId);
        if (before) assert.notDeepEqual([...target.inspectors].sort(), [...before].sort(), `round ${round}`);
        last.set(target.subjectId, target.inspectors);
      }
    }
  });

  it("a recusal registered after the preview stops the confirmation", async () => {
    const s = await setup({ grades: ["D", "D"] });
    const { db } = testApp();
    const plan = await buildPlan(s, { ratios: { A: 0, B: 0, C: 0, D: 1 } });
    const draw = await previewDraw(db, s.adminUser, plan.id);
    const target = parseRecord(draw).targets[0]!;
    const inspector = s.inspectors.find((i) => i.username === target.inspectors[0])!;
    const recusal = await addRecusal(db, s.adminUser, s.department.id, {
      userId: inspector.id,
      subjectCode: target.code,
      reason: "新发现的利害关系",
    });
    await assert.rejects(confirmDraw(deps(), draw.id, s.adminUser, { startInspections: noInspections }), /已登记回避，请重新预览/);
    assert.equal(await SupervisionDrawTarget.count({ where: { drawId: draw.id } }), 0, "nothing half-written");
    await removeRecusal(db, s.adminUser, s.department.id, { userId: inspector.id, recusalId: recusal.id, reason: "登记有误" });
    assert.ok(await AuditEntry.findOne({ where: { action: "inspector_recusal.removed", entityId: String(recusal.id) } }));
    await confirmDraw(deps(), draw.id, s.adminUser, { startInspections: noInspections });
  });

  it("a 10,000-candidate draw stored in and read back from this database repeats the pinned result", async () => {
    const s = await setup({ grades: ["B"] });
    const plan = await buildPlan(s);
    const candidates: Candidate[] = Array.from({ length: 10_000 }, (_, i) => ({
      subjectId: i + 1,
      code: `91410182${String(i).padStart(10, "0")}`,
      grade: (["A", "B", "C", "D"] as const)[(i * 7) % 4]!,
    }));
    const seed = createHash("sha256").update("stored-10k").digest("hex");
    const inputs = {
      ratios: { A: 0.01, B: 0.05, C: 0.2, D: 0.6 },
      inspectorsPerTarget: 2,
      inspectorPool: ["a1", "a2", "a3", "a4", "a5"],
      recusals: { "7": ["a1"] },
      previousInspectors: { "3": ["a2", "a3"] },
    };
    const outcome = runDraw(seed, candidates, inputs);
    const created = await SupervisionDraw.create({
      planId: plan.id,
      seed,
      candidatesHash: candidatesHash(candidates),
      candidateCount: candidates.length,
      candidatesJson: candidatesJson(candidates),
      resultJson: JSON.stringify({ ...outcome, inputs }),
      drawnBy: "test",
      confirmedBy: null,
      confirmedAt: null,
      publishedAt: null,
    });
    const stored = (await SupervisionDraw.findByPk(created.id))!;
    const check = verifyRecordedDraw(stored);
    assert.ok(check.hashMatches && check.resultMatches);
    // The same figure on SQLite, on MariaDB and in a reimplementation from docs/supervision.md.
    assert.equal(
      createHash("sha256").update(JSON.stringify(check.outcome)).digest("hex"),
      "cbfe486037565909fa7c1e5141dde9b8fa76b37938a001cebbf5ea6e3926966a",
    );
  });

  it("the target list narrows to subjects with commitments on the department's catalog items", async function () {
    this.timeout(60_000);
    const s = await setup({ grades: ["B"] });
    const itemCode = await buildPublishedItem(s.department.code);
    const { subject } = await buildSubmittedCase(itemCode);
    const { db } = testApp();
    const scope = { subjectTypes: [], divisionCode: "", grades: [] };
    const one = await listTargets(db, s.department.id, { ...scope, itemCodes: [itemCode] }, 1);
    assert.deepEqual(
      one.rows.map((r) => r.subjectId),
      [subject.id],
    );
    const any = await listTargets(db, s.department.id, { ...scope, itemCodes: ["*"] }, 1);
    assert.deepEqual(
      any.rows.map((r) => r.subjectId),
      [subject.id],
    );
    // Another department's item does not count for this department.
    const other = await setup({ grades: ["B"] });
    assert.equal((await listTargets(db, other.department.id, { ...scope, itemCodes: ["*"] }, 1)).total, 0);
  });
});
