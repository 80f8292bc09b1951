import assert from "node:assert/strict";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { GradingIndicator } from "../../../server/db/models/GradingIndicator.js";
import { GradingModel } from "../../../server/db/models/GradingModel.js";
import { ScheduledJobRun } from "../../../server/db/models/ScheduledJobRun.js";
import { SubjectGrade } from "../../../server/db/models/SubjectGrade.js";
import { addDays, addMonths, chinaDay } from "../../../server/domain/calendar/days.js";
import { evaluate, prepare, type SubjectInputs } from "../../../server/domain/grading/evaluate.js";
import { draftVersion, listModels, modelOn, saveVersion, type ModelDef } from "../../../server/domain/grading/model.js";
import { gradeOf } from "../../../server/domain/grading/queries.js";
import {
  GRADING_NIGHTLY_JOB,
  GRADING_TICK_JOB,
  regradeSubjects,
  runGradingTick,
  runNightlyGrading,
} from "../../../server/domain/grading/recompute.js";
import { buildSubject } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildCommitment, buildRecord, touch } from "./fixtures.js";

const DAY = "2026-12-06";
const record = (over: Partial<SubjectInputs["records"][number]> & { day: string }): SubjectInputs["records"][number] => ({
  id: Math.floor(Math.random() * 1e9),
  recordType: "行政处罚",
  severity: "一般",
  status: "公示中",
  decisionNumber: null,
  sourceCommitmentId: null,
  ...over,
});
const commitment = (fulfilmentStatus: string, day: string, id = Math.floor(Math.random() * 1e9)) => ({
  id,
  code: `C${id}`,
  fulfilmentStatus,
  day,
});

describe("public credit evaluation: the example model", () => {
  let model: ModelDef;
  const grade = (inputs: Partial<SubjectInputs>, day = DAY) =>
    evaluate(model, prepare(model, day), { records: inputs.records ?? [], commitments: inputs.commitments ?? [] });

  before(async () => {
    model = (await listModels()).find((m) => m.version === 1)!;
    assert.ok(model, "the seeded example model");
  });

  it("is seeded as dated configuration marked 示例，待确认", () => {
    assert.equal(model.effectiveFrom, "2000-01-01");
    assert.equal(model.toBeConfirmed, true);
    assert.match(model.note ?? "", /示例，待确认/);
    assert.deepEqual([model.baseScore, model.minA, model.minB, model.minC], [100, 104, 90, 70]);
    assert.ok(model.indicators.every((i) => /示例，待确认/.test(i.note ?? "")));
  });

  it("grades a subject with nothing recorded B at the base score, with the base as its only reason", () => {
    const e = grade({});
    assert.deepEqual([e.score, e.grade], [100, "B"]);
    assert.deepEqual(
      e.reasons.map((r) => r.indicator),
      ["base"],
    );
  });

  it("counts a 一般 record within 1 year until the day before it is 12 months old, then in 1-3 years until 36 months", () => {
    const yearAgo = addMonths(DAY, -12);
    const threeYears = addMonths(DAY, -36);
    const at = (decided: string) => grade({ records: [record({ day: decided })] });
    assert.deepEqual([at(addDays(yearAgo, 1)).score, at(addDays(yearAgo, 1)).reasons[1]?.indicator], [90, "penalty_general_0_12"]);
    assert.deepEqual([at(yearAgo).score, at(yearAgo).reasons[1]?.indicator], [95, "penalty_general_12_36"]);
    assert.equal(at(addDays(threeYears, 1)).score, 95);
    assert.deepEqual([at(threeYears).score, at(threeYears).reasons.length], [100, 1]);
    assert.equal(at(DAY).score, 90, "decided today counts");
    assert.equal(at(addDays(DAY, 1)).score, 100, "a decision after the evaluation day does not count");
  });

  it("counts 严重 and 轻微 records by their own bands and caps each indicator's total", () => {
    const recent = addDays(addMonths(DAY, -12), 1);
    assert.deepEqual(
      [
        grade({ records: [record({ severity: "严重", day: recent })] }).score,
        grade({ records: [record({ severity: "严重", day: recent })] }).grade,
      ],
      [75, "C"],
    );
    assert.equal(grade({ records: [record({ severity: "严重", day: addMonths(DAY, -12) })] }).score, 85);
    assert.equal(grade({ records: [record({ severity: "严重", day: addMonths(DAY, -36) })] }).score, 100);
    assert.equal(grade({ records: [record({ severity: "轻微", day: recent })] }).score, 98);
    assert.equal(grade({ records: [record({ severity: "轻微", day: addMonths(DAY, -12) })] }).score, 100, "轻微 counts within 1 year only");
    const four = grade({ records: [1, 2, 3, 4].map(() => record({ day: recent })) });
    assert.equal(four.score, 70, "4 x -10 capped at -30");
    assert.match(four.reasons[1]!.detail, /4项.*已达累计上限 30 分/);
    assert.equal(four.grade, "C", "70 is the lowest score of C");
    const capThree = grade({ records: [1, 2, 3, 4].map(() => record({ severity: "严重", day: recent })) });
    assert.deepEqual([capThree.score, capThree.grade], [50, "D"]);
  });

  it("does not count records that are not public (届满, 不予公示, 撤销) and counts repaired ones lightly", () => {
    const recent = addDays(DAY, -10);
    for (const status of ["已届满", "不予公示", "已撤销", "已屏蔽"])
      assert.equal(grade({ records: [record({ status, day: recent })] }).score, 100, status);
    const repaired = grade({ records: [record({ severity: "严重", status: "已修复（终止公示）", day: recent })] });
    assert.deepEqual([repaired.score, repaired.grade, repaired.reasons[1]?.indicator], [99, "B", "repaired_0_36"]);
    assert.equal(
      grade({ records: [1, 2, 3, 4].map(() => record({ status: "已修复（终止公示）", day: recent })) }).score,
      97,
      "repaired cap 3",
    );
    assert.equal(grade({ records: [record({ status: "已修复（终止公示）", day: addMonths(DAY, -36) })] }).score, 100);
  });

  it("adds fulfilled commitments (A from two) and deducts breaches unless their 违诺 record was repaired", () => {
    const recent = addDays(DAY, -30);
    assert.deepEqual(
      [grade({ commitments: [commitment("全部履行", recent)] }).score, grade({ commitments: [commitment("全部履行", recent)] }).grade],
      [102, "B"],
    );
    const two = grade({ commitments: [commitment("全部履行", recent), commitment("全部履行", recent)] });
    assert.deepEqual([two.score, two.grade], [104, "A"], "104 is the lowest score of A");
    assert.equal(grade({ commitments: [1, 2, 3, 4, 5, 6].map(() => commitment("全部履行", recent)) }).score, 110, "cap +10");
    assert.equal(grade({ commitments: [commitment("全部履行", addMonths(DAY, -36))] }).score, 100);
    assert.equal(grade({ commitments: [commitment("全部履行", addDays(addMonths(DAY, -36), 1))] }).score, 102);
    const breached = grade({ commitments: [commitment("部分履行", recent)] });
    assert.deepEqual([breached.score, breached.grade, breached.reasons[1]?.label], [90, "B", "未履约（承诺部分履行，3年内，未修复）"]);
    const falseOne = grade({ commitments: [commitment("全部未履行", recent, 77)] });
    assert.deepEqual([falseOne.score, falseOne.grade], [80, "C"]);
    const repairedBreach = grade({
      commitments: [commitment("全部未履行", recent, 77)],
      records: [record({ recordType: "违诺", severity: null, status: "已修复（终止公示）", sourceCommitmentId: 77, day: recent })],
    });
    assert.deepEqual([repairedBreach.score, repairedBreach.grade], [99, "B"], "the breach no longer counts; the repaired record counts -1");
    assert.equal(grade({ commitments: [{ ...commitment("全部履行", recent), fulfilmentStatus: null }] }).score, 100, "not yet verified");
  });

  it("deducts 经营异常名录 and forces D for 严重失信主体名单 whatever the score", () => {
    const listed = (recordType: string, status = "公示中") => record({ recordType, severity: null, status, day: addMonths(DAY, -60) });
    const abnormal = grade({ records: [listed("经营异常名录")] });
    assert.deepEqual([abnormal.score, abnormal.grade], [85, "C"]);
    assert.equal(grade({ records: [listed("经营异常名录", "已届满")] }).score, 100, "moved off the list");
    const serious = grade({
      records: [listed("严重失信主体名单")],
      commitments: [1, 2, 3, 4, 5].map(() => commitment("全部履行", addDays(DAY, -5))),
    });
    assert.deepEqual([serious.score, serious.grade], [70, "D"], "70 would be C; the list forces D");
    assert.match(serious.reasons.find((r) => r.indicator === "serious_dishonest_list")!.detail, /直接评为 D 类/);
  });

  it("lists every reason with its points, and the points add up to the score", () => {
    const e = grade({
      records: [
        record({ day: addDays(DAY, -3), decisionNumber: "荥市监罚〔2026〕12号" }),
        record({ severity: "严重", day: addMonths(DAY, -20) }),
      ],
      commitments: [commitment("全部履行", addDays(DAY, -3))],
    });
    assert.deepEqual(
      e.reasons.map((r) => [r.indicator, r.points]),
      [
        ["base", 100],
        ["penalty_general_0_12", -10],
        ["penalty_serious_12_36", -15],
        ["commitment_fulfilled_0_36", 2],
      ],
    );
    assert.match(e.reasons[1]!.detail, /1项：荥市监罚〔2026〕12号（2026-12-03）/);
    assert.equal(
      e.reasons.reduce((a, r) => a + r.points, 0),
      e.score,
    );
    assert.deepEqual([e.score, e.grade], [77, "C"]);
  });
});

describe("public credit evaluation: versions with effective dates", () => {
  const created: number[] = [];
  after(async () => {
    await GradingIndicator.destroy({ where: { modelId: created } });
    await GradingModel.destroy({ where: { id: created } });
  });

  it("applies a new version from its effective date, keeps the earlier one before it, and refuses bad figures in Chinese", async () => {
    const { db } = testApp();
    const models = await listModels();
    const from = addDays("2090-01-01", Math.floor(Math.random() * 3000));
    const draft = draftVersion(
      models,
      {
        effectiveFrom: from,
        baseScore: 100,
        minA: 104,
        minB: 95,
        minC: 70,
        note: "测试版本",
        toBeConfirmed: true,
        indicators: [{ code: "penalty_general_0_12", points: -20, cap: 40, forceGrade: null, enabled: true }],
      },
      "2026-12-06",
    );
    const saved = await db.transaction((t) => saveVersion(db, t, draft, { username: "admin", at: new Date() }));
    created.push(saved.id);
    const all = await listModels();
    assert.equal(modelOn(all, addDays(from, -1))?.id === saved.id, false);
    assert.equal(modelOn(all, from)?.id, saved.id);
    const v = modelOn(all, from)!;
    const inputs = { records: [record({ day: addDays(from, -1) })], commitments: [] };
    const e = evaluate(v, prepare(v, from), inputs);
    assert.deepEqual([e.score, e.grade], [80, "C"], "-20 under the new version, and 80 < 95 is C");
    const old = modelOn(all, addDays(from, -1))!;
    assert.deepEqual([evaluate(old, prepare(old, addDays(from, -1)), inputs).score], [90]);
    const audit = await AuditEntry.findOne({ where: { action: "grading_model.version_created", entityId: String(saved.id) } });
    assert.equal(audit?.actor, "admin");

    const bad = () =>
      draftVersion(
        all,
        {
          effectiveFrom: "2026-12-01",
          baseScore: 100,
          minA: 80,
          minB: 90,
          minC: 70,
          note: null,
          toBeConfirmed: false,
          indicators: [{ code: "nope", points: 1, cap: -1, forceGrade: null, enabled: true }],
        },
        "2026-12-06",
      );
    assert.throws(bad, (err: Error & { status?: number; details?: Array<{ path: string; message: string }> }) => {
      assert.equal(err.status, 400);
      const paths = err.details!.map((d) => d.path);
      assert.ok(paths.includes("effectiveFrom") && paths.includes("minA") && paths.includes("indicators.nope"), paths.join());
      assert.match(err.details!.find((d) => d.path === "effectiveFrom")!.message, /不能早于今天/);
      return true;
    });
    assert.throws(() => draftVersion(all, { ...draft, indicators: [] }, "2026-12-06"), /评价模型填写有误/, "same effective date twice");
  });
});

describe("grading job", () => {
  const at = (minutes: number) => new Date(Date.UTC(2026, 11, 6, 2, 0) + minutes * 60_000);
  const real = () => new Date(Date.now() + 60_000);
  const tick = (minutes: number, node = "node-a") =>
    runGradingTick(testApp().db, { at: at(minutes), nodeId: node, marginMs: 30_000, realNow: real() });

  before(async () => {
    await ScheduledJobRun.destroy({ where: { job: [GRADING_TICK_JOB, GRADING_NIGHTLY_JOB] } });
  });

  it("regrades from the real tables only the subjects whose inputs changed, once per minute across nodes, auditing every class change", async () => {
    const day = chinaDay(at(0));
    const changing = await buildSubject();
    const quiet = await buildSubject();
    const penalty = await buildRecord(changing, { severity: "严重", decidedOn: addDays(day, -20) });
    await buildRecord(quiet, { severity: "一般", decidedOn: addDays(day, -20) });
    const first = await tick(0);
    assert.equal(first.ran, true);
    assert.ok(first.recomputed.includes(changing.id) && first.recomputed.includes(quiet.id));
    assert.deepEqual([(await gradeOf(changing.id)).grade, (await gradeOf(changing.id)).score], ["C", 75]);
    assert.equal((await gradeOf(quiet.id)).grade, "B");
    const firstAudit = await AuditEntry.findOne({ where: { action: "subject.grade_changed", entityId: String(changing.id) } });
    assert.equal(firstAudit?.actor, "system");
    const firstDetail: Record<string, unknown> = JSON.parse(firstAudit?.detail ?? "{}");
    assert.deepEqual([firstDetail.from, firstDetail.to, firstDetail.score], ["B", "C", 75]);

    // The repair of the record (as the repair flow's changeRecordStatus writes it) changes the class at the next tick.
    await penalty.update({ status: "已修复（终止公示）", repaired: true, repairedAt: new Date() });
    await touch("credit_records", penalty.id);
    const quietBefore = await SubjectGrade.findByPk(quiet.id);
    const [a, b] = await Promise.all([tick(1, "node-a"), tick(1, "node-b")]);
    assert.equal([a, b].filter((r) => r.ran).length, 1, "one node runs the minute");
    const ran = a.ran ? a : b;
    assert.ok(ran.recomputed.includes(changing.id));
    assert.ok(!ran.recomputed.includes(quiet.id), "an unchanged subject is not recomputed");
    assert.deepEqual(
      ran.changes.find((c) => c.subjectId === changing.id),
      { subjectId: changing.id, from: "C", to: "B", score: 99 },
    );
    const g = await gradeOf(changing.id);
    assert.deepEqual([g.grade, g.score, g.reasons.map((r) => r.indicator)], ["B", 99, ["base", "repaired_0_36"]]);
    assert.equal((await SubjectGrade.findByPk(quiet.id))!.computedAt.getTime(), quietBefore!.computedAt.getTime());
    const audits = await AuditEntry.findAll({
      where: { action: "subject.grade_changed", entityId: String(changing.id) },
      order: [["id", "ASC"]],
    });
    assert.equal(audits.length, 2, "one entry per class change, not per run");
    const detail = JSON.parse(audits[1]!.detail!) as { from: string; to: string; score: number; reasons: Array<{ indicator: string }> };
    assert.deepEqual(
      [detail.from, detail.to, detail.score, detail.reasons.map((r) => r.indicator)],
      ["C", "B", 99, ["base", "repaired_0_36"]],
    );

    assert.equal((await tick(1, "node-c")).ran, false, "the same minute again does nothing");
    const next = await tick(2);
    assert.equal(next.ran, true);
    assert.ok(!next.recomputed.includes(changing.id) && !next.recomputed.includes(quiet.id), "nothing changed since");
  });

  it("regrades a commitment's verification result and the nightly run regrades every subject once a day", async () => {
    const subject = await buildSubject();
    const c = await buildCommitment(subject, null, "2026-11-01");
    await tick(3);
    const before = await SubjectGrade.findByPk(subject.id);
    assert.equal(before?.grade, "B");
    await c.update({ fulfilmentStatus: "全部未履行", fulfilmentDate: "2026-11-20", status: "监管完成" });
    await touch("commitments", c.id, 10);
    const r = await tick(4);
    assert.deepEqual(
      r.changes.find((x) => x.subjectId === subject.id),
      { subjectId: subject.id, from: "B", to: "C", score: 80 },
    );

    const { db } = testApp();
    const ungraded = await buildSubject();
    const [n1, n2] = await Promise.all([
      runNightlyGrading(db, { day: "2026-12-06", at: at(5), nodeId: "node-a" }),
      runNightlyGrading(db, { day: "2026-12-06", at: at(5), nodeId: "node-b" }),
    ]);
    assert.equal([n1, n2].filter((n) => n.ran).length, 1);
    assert.ok((n1.ran ? n1 : n2).recomputed >= 3);
    const row = await SubjectGrade.findByPk(ungraded.id);
    assert.deepEqual([row?.grade, Number(row?.score)], ["B", 100], "a subject with nothing recorded gets its row");
    assert.equal((await runNightlyGrading(db, { day: "2026-12-06", at: at(6), nodeId: "node-c" })).ran, false);
  });

  it("regrades subjects graded under an earlier version once a new version is in force", async () => {
    const { db } = testApp();
    const subject = await buildSubject();
    await buildRecord(subject, { decidedOn: "2026-11-01" });
    const v1 = (await listModels()).find((m) => m.version === 1)!;
    await db.transaction((t) => regradeSubjects(db, t, [subject.id], { model: v1, day: "2026-12-06", at: at(7), onlyChanged: false }));
    await SubjectGrade.update({ modelId: -1 }, { where: { subjectId: subject.id } });
    const r = await tick(8);
    assert.ok(r.recomputed.includes(subject.id), "graded under another model id");
    assert.equal((await SubjectGrade.findByPk(subject.id))?.modelId, modelOn(await listModels(), chinaDay(at(8)))!.id);
  });
});
