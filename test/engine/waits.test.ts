import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { UniqueConstraintError } from "sequelize";
import { EngineExternalTask } from "../../server/db/models/engineModels.js";
import { testApp } from "../helpers/testApp.js";
import { admin, deployFixture, engine, isolateEngineTests } from "./helpers.js";

const bk = () => `BK-${randomBytes(5).toString("hex")}`;

describe("engine waits: messages, internal services, external tasks", () => {
  isolateEngineTests();
  it("correlates a message by name and business key to a catch event, then to a receive task; an unmatched message is refused (400)", async () => {
    const { key, prefix } = await deployFixture("message.bpmn");
    const rt = engine();
    const businessKey = bk();
    const inst = await rt.startProcess({ key: key("message"), businessKey, actor: admin() });
    await assert.rejects(rt.correlateMessage({ messageName: `${prefix}paid`, businessKey: "nobody", actor: admin() }), { status: 400 });
    await assert.rejects(rt.correlateMessage({ messageName: `${prefix}confirmed`, businessKey, actor: admin() }), { status: 400 });
    await rt.correlateMessage({ messageName: `${prefix}paid`, businessKey, variables: { paidAmount: 100 }, actor: admin() });
    assert.equal((await rt.getInstance(inst.id))?.variables.paidAmount, 100);
    await assert.rejects(rt.correlateMessage({ messageName: `${prefix}paid`, businessKey, actor: admin() }), { status: 400 });
    await rt.correlateMessage({ messageName: `${prefix}confirmed`, businessKey, actor: admin() });
    assert.equal((await rt.getInstance(inst.id))?.state, "COMPLETED");
  });

  it("runs a registered internal service inside the instance transaction and merges its result into variables", async () => {
    const { key } = await deployFixture("service.bpmn");
    const rt = engine();
    const calls: string[] = [];
    rt.services.register("testArchive", async (ctx) => {
      calls.push(`${ctx.businessKey}:${ctx.activityId}:${String(ctx.variables.n)}`);
      await testApp().db.sequelize.query("SELECT 1", { transaction: ctx.t });
      return { archived: true, archivedAt: ctx.clock.now().toISOString() };
    });
    const businessKey = bk();
    const inst = await rt.startProcess({ key: key("service"), businessKey, variables: { n: 7 }, actor: admin() });
    assert.deepEqual(calls, [`${businessKey}:archive:7`]);
    assert.equal(inst.variables.archived, true);
    assert.deepEqual(
      (await rt.findTasks({ processInstanceId: inst.id })).map((t) => t.taskDefinitionKey),
      ["after"],
    );
  });

  it("rolls the whole start back when an internal service throws", async () => {
    const { key } = await deployFixture("service.bpmn");
    const rt = engine();
    rt.services.register("testArchive", () => Promise.reject(new Error("档案系统不可用")));
    const businessKey = bk();
    await assert.rejects(rt.startProcess({ key: key("service"), businessKey, actor: admin() }), /档案系统不可用/);
    assert.equal((await rt.findInstances({ businessKey })).length, 0);
    rt.services.register("testArchive", () => Promise.resolve({ archived: true }));
  });

  it("passes a service's database error through unchanged (deadlock retry reads its code; users get a Chinese answer)", async () => {
    const { key } = await deployFixture("service.bpmn");
    const rt = engine();
    const duplicate = new UniqueConstraintError({ message: "Duplicate entry 'x' for key 'PRIMARY'" });
    rt.services.register("testArchive", () => Promise.reject(duplicate));
    const businessKey = bk();
    await assert.rejects(rt.startProcess({ key: key("service"), businessKey, actor: admin() }), (err) => err === duplicate);
    assert.equal((await rt.findInstances({ businessKey })).length, 0);
    rt.services.register("testArchive", () => Promise.resolve({ archived: true }));
  });

  it("locks external tasks for a worker, refuses another worker, frees them when the lock expires, and completes with variables", async () => {
    const { key, prefix } = await deployFixture("external.bpmn");
    const rt = engine();
    const clock = testApp().clock;
    const topicName = `${prefix}credit-check`;
    const inst = await rt.startProcess({ key: key("external"), businessKey: bk(), variables: { applicant: "A" }, actor: admin() });
    const [locked] = await rt.fetchAndLock({
      workerId: "w1",
      maxTasks: 5,
      topics: [{ topicName, lockDuration: 60_000, variables: ["applicant"] }],
    });
    assert.ok(locked);
    assert.equal(locked.processInstanceId, inst.id);
    assert.deepEqual(locked.variables, { applicant: "A" });
    assert.equal((await rt.fetchAndLock({ workerId: "w2", maxTasks: 5, topics: [{ topicName, lockDuration: 60_000 }] })).length, 0);
    await assert.rejects(rt.completeExternalTask(locked.id, { workerId: "w2", variables: { score: 99 } }), { status: 400 });
    await rt.extendExternalLock(locked.id, { workerId: "w1", newDuration: 120_000 });
    clock.advance(121_000);
    const [again] = await rt.fetchAndLock({ workerId: "w2", maxTasks: 5, topics: [{ topicName, lockDuration: 60_000 }] });
    assert.equal(again?.id, locked.id, "an expired lock makes the task fetchable again");
    await assert.rejects(rt.completeExternalTask(locked.id, { workerId: "w1" }), { status: 400 });
    await rt.completeExternalTask(locked.id, { workerId: "w2", variables: { score: 80 } });
    assert.equal(await EngineExternalTask.count({ where: { instanceId: inst.id } }), 0);
    assert.deepEqual(
      (await rt.findTasks({ processInstanceId: inst.id })).map((t) => t.taskDefinitionKey),
      ["good"],
    );
  });

  it("records failures with retries and a retry timeout, raises an incident at zero retries, and catches a BPMN error on the boundary", async () => {
    const { key, prefix } = await deployFixture("external.bpmn");
    const rt = engine();
    const clock = testApp().clock;
    const topicName = `${prefix}credit-check`;
    const inst = await rt.startProcess({ key: key("external"), businessKey: bk(), actor: admin() });
    const [t1] = await rt.fetchAndLock({ workerId: "w", maxTasks: 1, topics: [{ topicName, lockDuration: 60_000 }] });
    await rt.handleExternalFailure(t1!.id, { workerId: "w", errorMessage: "timeout", retries: 1, retryTimeout: 30_000 });
    assert.equal((await rt.fetchAndLock({ workerId: "w", maxTasks: 1, topics: [{ topicName, lockDuration: 60_000 }] })).length, 0);
    clock.advance(31_000);
    const [t2] = await rt.fetchAndLock({ workerId: "w", maxTasks: 1, topics: [{ topicName, lockDuration: 60_000 }] });
    assert.equal(t2?.retries, 1);
    await rt.handleExternalFailure(t2.id, { workerId: "w", errorMessage: "down", retries: 0, retryTimeout: 0 });
    const incidents = await rt.findIncidents({ processInstanceId: inst.id });
    assert.equal(incidents[0]?.incidentType, "failedExternalTask");
    assert.equal((await rt.fetchAndLock({ workerId: "w", maxTasks: 1, topics: [{ topicName, lockDuration: 60_000 }] })).length, 0);
    await rt.setExternalTaskRetries(t2.id, 1, admin());
    const [t3] = await rt.fetchAndLock({ workerId: "w", maxTasks: 1, topics: [{ topicName, lockDuration: 60_000 }] });
    await rt.handleExternalBpmnError(t3!.id, { workerId: "w", errorCode: "BLACKLISTED", errorMessage: "列入严重失信名单" });
    const history = await rt.history(inst.id);
    assert.ok(history.some((h) => h.activityId === "endBlacklisted" && h.event === "activity.end"));
    assert.equal((await rt.getInstance(inst.id))?.state, "COMPLETED");
  });
});
