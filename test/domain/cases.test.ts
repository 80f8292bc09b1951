import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Case } from "../../server/db/models/Case.js";
import { Commitment } from "../../server/db/models/Commitment.js";
import { decideCommitmentReview } from "../../server/domain/commitments/decisions.js";
import { resubmitCommitment } from "../../server/domain/commitments/resubmitCommitment.js";
import { departmentId } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { admin, deployFixture, engine, isolateEngineTests, user } from "../engine/helpers.js";
import { buildPublishedItem, buildSubmittedCase, ensureShippedForms, GOOD_DATA, SIGNATURE } from "./commitments/fixtures.js";

const bk = () => `BK-${randomBytes(5).toString("hex")}`;
const caseOf = async (instanceId: string) => {
  const c = await Case.findOne({ where: { instanceId } });
  assert.ok(c, `no case for instance ${instanceId}`);
  return c;
};

describe("cases: one row per process instance, kept current by the engine's lifecycle events", () => {
  isolateEngineTests();

  it("opens a generic case at start and follows it step by step to 已办结", async () => {
    const { key } = await deployFixture("review.bpmn");
    const dept = await departmentId("scjgj");
    const businessKey = bk();
    const started = await engine().startProcess({
      key: key("review"),
      businessKey,
      variables: { applicant: "zhang", amount: 500, subjectCode: "91410182MA9XY0001H" },
      actor: "officer1",
      departmentId: dept,
    });
    let c = await caseOf(started.id);
    assert.equal(c.kind, "generic");
    assert.equal(c.processKey, key("review"));
    assert.equal(c.processVersion, 1);
    assert.equal(c.title, "测试审核");
    assert.equal(c.businessKey, businessKey);
    assert.equal(c.subjectCode, "91410182MA9XY0001H");
    assert.equal(c.departmentId, dept);
    assert.equal(c.startedBy, "officer1");
    assert.equal(c.status, "办理中：部门审核");
    assert.equal(c.waitingAt, "部门审核");
    assert.ok(c.dueAt, "the review task's due date (P5D) is the case's");
    assert.equal(c.endedAt, null);

    const [review] = await engine().findTasks({ processInstanceId: started.id });
    await engine().completeTask(review!.id, { actor: admin(), variables: { approved: true } });
    c = await caseOf(started.id);
    assert.equal(c.status, "办理中：申请人确认");
    const [confirm] = await engine().findTasks({ processInstanceId: started.id });
    await engine().completeTask(confirm!.id, { actor: user({ username: "zhang" }) });
    c = await caseOf(started.id);
    assert.equal(c.status, "已办结");
    assert.equal(c.waitingAt, null);
    assert.equal(c.dueAt, null);
    assert.ok(c.endedAt);
  });

  it("marks a cancelled instance's case 已终止 with the reason", async () => {
    const { key } = await deployFixture("review.bpmn");
    const started = await engine().startProcess({ key: key("review"), businessKey: bk(), variables: { amount: 1 }, actor: admin() });
    await engine().cancelInstance(started.id, { actor: admin(), reason: "重复申请" });
    const c = await caseOf(started.id);
    assert.equal(c.status, "已终止");
    assert.equal(c.endReason, "重复申请");
    assert.ok(c.endedAt);
  });

  it("leaves no case behind a start that rolls back", async () => {
    const { key } = await deployFixture("service.bpmn");
    const rt = engine();
    rt.services.register("testArchive", () => Promise.reject(new Error("档案系统不可用")));
    const businessKey = bk();
    await assert.rejects(rt.startProcess({ key: key("service"), businessKey, actor: admin() }), /档案系统不可用/);
    assert.equal(await Case.count({ where: { businessKey } }), 0);
    rt.services.register("testArchive", () => Promise.resolve({ archived: true }));
  });

  describe("the commitment flow", () => {
    let itemCode: string;
    before(async () => {
      await ensureShippedForms();
      itemCode = await buildPublishedItem("scjgj");
    });

    it("reads as the item and the subject, and its status is always the commitment's", async () => {
      const ctx = testApp().app.locals.context;
      const deps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };
      const { code, subject, applicant } = await buildSubmittedCase(itemCode);
      const commitment = async () => (await Commitment.findOne({ where: { code } }))!;
      const c = async () => caseOf((await commitment()).processInstanceId!);
      const first = await c();
      assert.equal(first.kind, "commitment");
      assert.equal(first.businessKey, code);
      assert.equal(first.subjectCode, subject.code);
      assert.equal(first.departmentId, (await commitment()).departmentId);
      assert.equal(first.startedBy, applicant.username);
      assert.match(first.title, /\S/);
      assert.notEqual(first.title, "commitment");
      assert.equal(first.status, "审查中");

      const reviewer = user({ username: "case-reviewer", departmentId: first.departmentId, roles: ["reviewer"], groups: ["scjgj"] });
      await decideCommitmentReview(deps, { actor: reviewer, code, data: { decision: "return", comment: "请补充场所照片" } });
      assert.equal((await commitment()).status, "退回补正");
      assert.equal((await c()).status, "退回补正");

      await resubmitCommitment(deps, { actor: applicant, code, data: GOOD_DATA, signature: SIGNATURE });
      assert.equal((await commitment()).status, "审查中");
      assert.equal((await c()).status, "审查中");

      await decideCommitmentReview(deps, { actor: reviewer, code, data: { decision: "approve" } });
      assert.equal((await commitment()).status, "监管中");
      assert.equal((await c()).status, "监管中");
      assert.equal((await c()).waitingAt, "核查时限到达");
    });

    it("shows 不予受理 when the review rejects it", async () => {
      const ctx = testApp().app.locals.context;
      const { code } = await buildSubmittedCase(itemCode);
      const reviewer = user({
        username: "case-reviewer2",
        departmentId: await departmentId("scjgj"),
        roles: ["reviewer"],
        groups: ["scjgj"],
      });
      await decideCommitmentReview(
        { db: ctx.db, engine: ctx.engine, clock: ctx.clock },
        { actor: reviewer, code, data: { decision: "reject", comment: "不符合条件" } },
      );
      const c = await caseOf((await Commitment.findOne({ where: { code } }))!.processInstanceId!);
      assert.equal(c.status, "不予受理");
      assert.ok(c.endedAt);
    });
  });
});
