import assert from "node:assert/strict";
import { createApp } from "../../../server/app.js";
import { Commitment } from "../../../server/db/models/Commitment.js";
import { createLogger } from "../../../server/logger.js";
import { CreditRecord } from "../../../server/db/models/CreditRecord.js";
import { decideCommitmentReview, recordCommitmentVerification } from "../../../server/domain/commitments/decisions.js";
import { submitCommitment } from "../../../server/domain/commitments/submitCommitment.js";
import { buildSubject, buildUser } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, currentUserOf, ensureShippedForms, GOOD_DATA, SIGNATURE } from "./fixtures.js";

const deps = () => {
  const ctx = testApp().app.locals.context;
  return { db: ctx.db, engine: ctx.engine, clock: ctx.clock };
};

describe("commitment outcomes and eligibility", () => {
  let itemCode: string;
  let savedClock: Date;
  before(async () => {
    await ensureShippedForms();
    itemCode = await buildPublishedItem("scjgj", { verificationDays: 10 });
    savedClock = testApp().clock.now();
  });
  after(() => testApp().clock.set(savedClock));

  it("全部履行 closes supervision with the deciding unit and date, clears the unfulfilled fields and records nothing", async () => {
    const { code, subject } = await buildSubmittedCase(itemCode);
    const reviewer = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
    await decideCommitmentReview(deps(), { actor: reviewer, code, data: { decision: "approve" } });
    const approved = (await Commitment.findOne({ where: { code } }))!;
    testApp().clock.set(new Date(approved.verificationDueAt!.getTime() + 1));
    await testApp().app.locals.context.engine.runDueJobs();
    const done = await recordCommitmentVerification(deps(), {
      actor: reviewer,
      code,
      data: { fulfilment: "full", unfulfilledContent: "应被清除", accountability: "应被清除" },
    });
    assert.equal(done.status, "监管完成");
    assert.equal(done.fulfilmentStatus, "全部履行");
    assert.equal(done.fulfilmentUnit, "市市场监管局");
    assert.ok(done.fulfilmentDate);
    assert.equal(done.unfulfilledContent, null);
    assert.equal(done.liabilityContent, null);
    assert.equal(await CreditRecord.count({ where: { subjectId: subject.id } }), 0);
    const [instance] = await testApp().app.locals.context.engine.findInstances({ businessKey: code });
    assert.equal(instance!.state, "COMPLETED");
  });

  it("不予受理 ends the case with the reviewer's reason", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const reviewer = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
    const rejected = await decideCommitmentReview(deps(), {
      actor: reviewer,
      code,
      data: { decision: "reject", comment: "不属于告知承诺适用范围" },
    });
    assert.equal(rejected.status, "不予受理");
    assert.equal(rejected.decisionComment, "不属于告知承诺适用范围");
    assert.equal(rejected.decidedBy, reviewer.username);
    const [instance] = await testApp().app.locals.context.engine.findInstances({ businessKey: code });
    assert.equal(instance!.state, "COMPLETED");
    await assert.rejects(decideCommitmentReview(deps(), { actor: reviewer, code, data: { decision: "approve" } }), /不在受理审查中/);
  });

  it("continues a waiting case after a restart: a new app on the same database completes the review", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const { config, db, clock } = testApp();
    const second = createApp({ config, db, logger: createLogger("silent"), clock }).locals.context;
    const reviewer = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
    const approved = await decideCommitmentReview(
      { db, engine: second.engine, clock },
      { actor: reviewer, code, data: { decision: "approve" } },
    );
    assert.equal(approved.status, "监管中");
  });

  it("refuses the 告知承诺 route to a subject on the public 严重失信主体名单, and allows it once the entry is not public or repaired", async () => {
    const subject = await buildSubject();
    const applicant = await currentUserOf((await buildUser({ roles: ["applicant"], subjectIds: [subject.id] })).id);
    const record = await CreditRecord.create({
      subjectId: subject.id,
      recordType: "严重失信主体名单",
      severity: "严重",
      title: "列入严重失信主体名单（测试）",
      content: null,
      isPublic: true,
      decidedOn: "2026-01-05",
      publicityFrom: "2026-01-05",
      publicityUntil: null,
      sourceUnit: "市发展改革委",
      sourceCommitmentId: null,
      repairedAt: null,
      createdBy: "test",
    });
    const submit = () =>
      submitCommitment(deps(), { actor: applicant, itemCode, subjectCode: subject.code, data: GOOD_DATA, signature: SIGNATURE });
    await assert.rejects(submit(), (err: Error & { status?: number }) => {
      assert.equal(err.status, 409);
      assert.match(err.message, /严重失信主体名单/);
      assert.match(err.message, /信用修复/);
      return true;
    });
    await record.update({ repaired: true, repairedAt: new Date() });
    const { commitment } = await submit();
    assert.equal(commitment.status, "审查中");
  });
});
