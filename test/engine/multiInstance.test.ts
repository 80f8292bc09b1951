import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { createApp } from "../../server/app.js";
import { ManualClock } from "../../server/clock.js";
import type { Database } from "../../server/db/database.js";
import { EngineJob } from "../../server/db/models/engineModels.js";
import { initModels } from "../../server/db/models/index.js";
import type { EngineRuntime } from "../../server/engine/index.js";
import { createLogger } from "../../server/logger.js";
import { buildUser, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { openTestDatabase } from "../helpers/testDatabase.js";
import { admin, engine, isolateEngineTests, user } from "./helpers.js";

const uniq = () => `t${randomBytes(4).toString("hex")}-`;
const app = () => testApp().app;

/** A process `<key>`: start -> body -> after (a user task for admin) -> end. */
function processXml(key: string, body: string, after = true): string {
  const next = after ? "after" : "end";
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_${key.replace(/\W/g, "_")}" targetNamespace="http://example.com/mi">
  <process id="${key}" name="多实例测试" isExecutable="true">
    <startEvent id="start" name="开始" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    ${body}
    <sequenceFlow id="f2" sourceRef="review" targetRef="${next}" />
    ${after ? '<userTask id="after" name="汇总" camunda:assignee="admin" /><sequenceFlow id="f3" sourceRef="after" targetRef="end" />' : ""}
    <endEvent id="end" name="结束" />
  </process>
</definitions>`;
}

/** The shape helper H-inspect uses for processes/supervision.bpmn (written to /tmp/briefs/multi-instance-ready.md). */
const PARALLEL_REVIEW = `<userTask id="review" name="现场核查" camunda:assignee="\${inspector}">
      <multiInstanceLoopCharacteristics camunda:collection="\${inspectors}" camunda:elementVariable="inspector" />
    </userTask>`;

async function deploy(rt: EngineRuntime, key: string, xml: string): Promise<void> {
  await rt.deploy({ name: key, files: [{ name: `${key}.bpmn`, xml }], actor: admin() });
}

async function deployError(rt: EngineRuntime, key: string, xml: string): Promise<string> {
  try {
    await deploy(rt, key, xml);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail("the deployment was accepted");
}

/** A restart: a new connection and a new app on the same database (nothing survives but the database). */
class Restarts {
  private opened: Database[] = [];
  readonly clock = new ManualClock(testApp().clock.now());
  private current: EngineRuntime = engine();

  async next(): Promise<EngineRuntime> {
    this.current.clearCaches();
    const { config } = testApp();
    const db = await openTestDatabase(config.databaseUrl);
    this.opened.push(db);
    const created = createApp({ config, db, logger: createLogger("silent"), clock: this.clock });
    this.current = created.locals.context.engine;
    return this.current;
  }

  async close(): Promise<void> {
    for (const db of this.opened) await db.close();
    initModels(testApp().db.sequelize);
  }
}

describe("multi-instance user tasks and sub-processes (会签 / 并联审查)", () => {
  isolateEngineTests();
  let r1: TestUser;
  let r2: TestUser;
  let boss: TestUser;
  before(async () => {
    boss = await buildUser({ roles: ["admin"] });
    r1 = await buildUser({ roles: ["reviewer"] });
    r2 = await buildUser({ roles: ["reviewer"], department: "zjj" });
  });

  it("parallel over ${inspectors}: one task row per inspector, each completed by its assignee through /engine-rest, then the process moves on", async () => {
    const rt = engine();
    const key = `${uniq()}mi-par`;
    await deploy(rt, key, processXml(key, PARALLEL_REVIEW));
    const inst = await rt.startProcess({ key, variables: { inspectors: [r1.username, r2.username] }, actor: admin() });

    const tasks = await rt.findTasks({ processInstanceId: inst.id });
    assert.deepEqual(tasks.map((t) => t.assignee).sort(), [r1.username, r2.username].sort());
    assert.ok(tasks.every((t) => t.taskDefinitionKey === "review" && t.name === "现场核查"));
    assert.equal(new Set(tasks.map((t) => t.executionId)).size, 2);

    // Each assignee sees its own instance in /engine-rest/task.
    for (const u of [r1, r2]) {
      const res = await request(app())
        .get("/engine-rest/task")
        .query({ processInstanceId: inst.id })
        .auth(u.username, u.password)
        .expect(200);
      assert.deepEqual(
        (res.body as { assignee: string }[]).map((t) => t.assignee),
        [u.username],
      );
    }
    const all = await request(app())
      .get("/engine-rest/task")
      .query({ processInstanceId: inst.id })
      .auth(boss.username, boss.password)
      .expect(200);
    assert.equal((all.body as unknown[]).length, 2);

    // r1 cannot complete r2's instance.
    const t1 = tasks.find((t) => t.assignee === r1.username)!;
    const t2 = tasks.find((t) => t.assignee === r2.username)!;
    await request(app()).post(`/engine-rest/task/${t2.id}/complete`).auth(r1.username, r1.password).send({}).expect(404);

    await request(app())
      .post(`/engine-rest/task/${t1.id}/complete`)
      .auth(r1.username, r1.password)
      .send({ variables: { opinion1: { value: "同意", type: "String" } } })
      .expect(204);
    const left = await rt.findTasks({ processInstanceId: inst.id });
    assert.deepEqual(
      left.map((t) => t.id),
      [t2.id],
    );

    await request(app()).post(`/engine-rest/task/${t2.id}/complete`).auth(r2.username, r2.password).send({}).expect(204);
    const [after] = await rt.findTasks({ processInstanceId: inst.id });
    assert.equal(after?.taskDefinitionKey, "after");
    // The element variable stays local to its instance.
    const view = await rt.getInstance(inst.id);
    assert.equal(view?.variables.inspector, undefined);
    assert.equal(view?.variables.opinion1, "同意");

    // History: one activity instance per task instance (with its assignee), plus the multi-instance body.
    const acts = await request(app())
      .get("/engine-rest/history/activity-instance")
      .query({ processInstanceId: inst.id })
      .auth(boss.username, boss.password)
      .expect(200);
    const history = await rt.history(inst.id);
    const starts = history.filter((h) => h.event === "activity.start" && h.activityId === "review");
    assert.equal(starts.length, 3, "the body and two instances");
    const ends = history.filter((h) => h.event === "activity.end" && h.activityId === "review");
    assert.equal(ends.length, 3);
    assert.equal(history.filter((h) => h.event === "task.completed").length, 2);
    assert.deepEqual(
      starts
        .map((s) => s.detail?.inspector)
        .filter(Boolean)
        .sort(),
      [r1.username, r2.username].sort(),
    );
    const rows = (acts.body as { activityId: string; endTime: string | null; taskId: string | null; assignee: string | null }[]).filter(
      (a) => a.activityId === "review",
    );
    assert.equal(rows.length, 3);
    assert.ok(rows.every((a) => a.endTime));
    assert.deepEqual(
      rows
        .filter((a) => a.taskId)
        .map((a) => a.assignee)
        .sort(),
      [r1.username, r2.username].sort(),
    );
  });

  it("sequential with loopCardinality: one task at a time, loopCounter in its attributes", async () => {
    const rt = engine();
    const key = `${uniq()}mi-seq`;
    const body = `<userTask id="review" name="逐级审核" camunda:candidateGroups="scjgj" camunda:priority="\${loopCounter}">
      <multiInstanceLoopCharacteristics isSequential="true"><loopCardinality>\${rounds}</loopCardinality></multiInstanceLoopCharacteristics>
    </userTask>`;
    await deploy(rt, key, processXml(key, body, false));
    const inst = await rt.startProcess({ key, variables: { rounds: 3 }, actor: admin() });
    const reviewer = user({ groups: ["scjgj"] });
    for (let i = 0; i < 3; i++) {
      const tasks = await rt.findTasks({ processInstanceId: inst.id });
      assert.equal(tasks.length, 1);
      assert.equal(tasks[0]!.priority, i);
      await rt.completeTask(tasks[0]!.id, { actor: reviewer });
    }
    assert.equal((await rt.getInstance(inst.id))?.state, "COMPLETED");
  });

  it("completionCondition in FEEL ends the parallel review after two of three and cancels the third in history", async () => {
    const rt = engine();
    const key = `${uniq()}mi-cond`;
    const body = `<userTask id="review" name="会签" camunda:assignee="\${inspector}">
      <multiInstanceLoopCharacteristics camunda:collection="inspectors" camunda:elementVariable="inspector">
        <completionCondition xsi:type="tFormalExpression" language="feel">nrOfCompletedInstances &gt;= 2 or rejected = true</completionCondition>
      </multiInstanceLoopCharacteristics>
    </userTask>`;
    await deploy(rt, key, processXml(key, body));
    const inst = await rt.startProcess({ key, variables: { inspectors: ["a", "b", "c"], rejected: false }, actor: admin() });
    let tasks = await rt.findTasks({ processInstanceId: inst.id });
    assert.equal(tasks.length, 3);
    await rt.completeTask(tasks.find((t) => t.assignee === "b")!.id, { actor: "test" });
    tasks = await rt.findTasks({ processInstanceId: inst.id });
    assert.deepEqual(tasks.map((t) => t.assignee).sort(), ["a", "c"]);
    await rt.completeTask(tasks.find((t) => t.assignee === "c")!.id, { actor: "test" });
    tasks = await rt.findTasks({ processInstanceId: inst.id });
    assert.deepEqual(
      tasks.map((t) => t.taskDefinitionKey),
      ["after"],
    );
    const history = await rt.history(inst.id);
    const cancelled = history.filter((h) => h.event === "activity.end" && h.activityId === "review" && h.detail?.canceled);
    assert.equal(cancelled.length, 1);

    // A process variable can end it early: rejected = true after the first completion.
    const inst2 = await rt.startProcess({ key, variables: { inspectors: ["a", "b", "c"], rejected: false }, actor: admin() });
    const first = (await rt.findTasks({ processInstanceId: inst2.id }))[0]!;
    await rt.completeTask(first.id, { actor: "test", variables: { rejected: true } });
    assert.deepEqual(
      (await rt.findTasks({ processInstanceId: inst2.id })).map((t) => t.taskDefinitionKey),
      ["after"],
    );
  });

  it("a ${path} completion condition and an empty collection (no instance at all) work as in Camunda", async () => {
    const rt = engine();
    const key = `${uniq()}mi-path`;
    const body = `<userTask id="review" name="会签" camunda:assignee="\${inspector}">
      <multiInstanceLoopCharacteristics camunda:collection="\${inspectors}" camunda:elementVariable="inspector">
        <completionCondition xsi:type="tFormalExpression">\${enough}</completionCondition>
      </multiInstanceLoopCharacteristics>
    </userTask>`;
    await deploy(rt, key, processXml(key, body));
    const inst = await rt.startProcess({ key, variables: { inspectors: ["a", "b"] }, actor: admin() });
    const [t1] = await rt.findTasks({ processInstanceId: inst.id });
    await rt.completeTask(t1!.id, { actor: "test", variables: { enough: true } });
    assert.deepEqual(
      (await rt.findTasks({ processInstanceId: inst.id })).map((t) => t.taskDefinitionKey),
      ["after"],
    );
    const empty = await rt.startProcess({ key, variables: { inspectors: [] }, actor: admin() });
    assert.deepEqual(
      (await rt.findTasks({ processInstanceId: empty.id })).map((t) => t.taskDefinitionKey),
      ["after"],
    );
  });

  it("a collection that is not a list is a 400 naming the element and the variable; nothing is stored", async () => {
    const rt = engine();
    const key = `${uniq()}mi-bad`;
    await deploy(rt, key, processXml(key, PARALLEL_REVIEW));
    await assert.rejects(
      rt.startProcess({ key, variables: { inspectors: "reviewer" }, actor: admin() }),
      (err: Error & { status?: number }) => {
        assert.equal(err.status, 400, err.message);
        assert.match(err.message, /现场核查.*\$\{inspectors\}.*不是列表/);
        return true;
      },
    );
    assert.equal((await rt.findInstances({ keyPrefix: key })).length, 0);
  });

  it("a parallel multi-instance sub-process: each instance's inner task gets its element variable; completing one completes only it", async () => {
    const rt = engine();
    const key = `${uniq()}mi-sub`;
    const body = `<subProcess id="review" name="部门并联审查">
      <multiInstanceLoopCharacteristics camunda:collection="\${departments}" camunda:elementVariable="dept" />
      <startEvent id="subStart" />
      <sequenceFlow id="s1" sourceRef="subStart" targetRef="check" />
      <userTask id="check" name="部门审查" camunda:candidateGroups="\${dept}" />
      <sequenceFlow id="s2" sourceRef="check" targetRef="subEnd" />
      <endEvent id="subEnd" />
    </subProcess>`;
    await deploy(rt, key, processXml(key, body));
    const inst = await rt.startProcess({ key, variables: { departments: ["scjgj", "zjj", "swj"] }, actor: admin() });
    let tasks = await rt.findTasks({ processInstanceId: inst.id });
    assert.deepEqual(tasks.map((t) => t.candidateGroups[0]).sort(), ["scjgj", "swj", "zjj"]);
    const zjj = user({ groups: ["zjj"] });
    await rt.completeTask(tasks.find((t) => t.candidateGroups.includes("zjj"))!.id, { actor: zjj });
    tasks = await rt.findTasks({ processInstanceId: inst.id });
    assert.deepEqual(tasks.map((t) => t.candidateGroups[0]).sort(), ["scjgj", "swj"]);
    for (const t of tasks) await rt.completeTask(t.id, { actor: "test" });
    assert.deepEqual(
      (await rt.findTasks({ processInstanceId: inst.id })).map((t) => t.taskDefinitionKey),
      ["after"],
    );
  });

  it("after a restart while the review waits, it resumes and completes (parallel and sequential)", async () => {
    const restarts = new Restarts();
    try {
      let rt = await restarts.next();
      const key = `${uniq()}mi-restart`;
      await deploy(rt, key, processXml(key, PARALLEL_REVIEW));
      const seqKey = `${uniq()}mi-restart-seq`;
      await deploy(
        rt,
        seqKey,
        processXml(
          seqKey,
          PARALLEL_REVIEW.replace("<multiInstanceLoopCharacteristics", '<multiInstanceLoopCharacteristics isSequential="true"'),
        ),
      );
      const inst = await rt.startProcess({ key, variables: { inspectors: ["a", "b"] }, actor: admin() });
      const seq = await rt.startProcess({ key: seqKey, variables: { inspectors: ["a", "b"] }, actor: admin() });

      rt = await restarts.next();
      const [first] = await rt.findTasks({ processInstanceId: inst.id, assignee: "a" });
      await rt.completeTask(first!.id, { actor: "test" });
      const [s1] = await rt.findTasks({ processInstanceId: seq.id });
      assert.equal(s1?.assignee, "a");
      await rt.completeTask(s1.id, { actor: "test" });

      rt = await restarts.next();
      const [second] = await rt.findTasks({ processInstanceId: inst.id });
      assert.equal(second?.assignee, "b");
      await rt.completeTask(second.id, { actor: "test" });
      const [s2] = await rt.findTasks({ processInstanceId: seq.id });
      assert.equal(s2?.assignee, "b");
      await rt.completeTask(s2.id, { actor: "test" });

      rt = await restarts.next();
      for (const id of [inst.id, seq.id]) {
        assert.deepEqual(
          (await rt.findTasks({ processInstanceId: id })).map((t) => t.taskDefinitionKey),
          ["after"],
        );
      }
    } finally {
      await restarts.close();
    }
  });

  it("timers inside a multi-instance sub-process fire exactly once per instance, also across a restart", async () => {
    const restarts = new Restarts();
    try {
      let rt = await restarts.next();
      const key = `${uniq()}mi-timer`;
      const body = `<subProcess id="review" name="限期整改">
        <multiInstanceLoopCharacteristics camunda:collection="\${items}" camunda:elementVariable="item" />
        <startEvent id="subStart" />
        <sequenceFlow id="s1" sourceRef="subStart" targetRef="wait" />
        <intermediateCatchEvent id="wait" name="等待一天"><timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition></intermediateCatchEvent>
        <sequenceFlow id="s2" sourceRef="wait" targetRef="check" />
        <userTask id="check" name="复核" camunda:assignee="\${item}" />
        <sequenceFlow id="s3" sourceRef="check" targetRef="subEnd" />
        <endEvent id="subEnd" />
      </subProcess>`;
      await deploy(rt, key, processXml(key, body));
      const inst = await rt.startProcess({ key, variables: { items: ["a", "b"] }, actor: admin() });
      assert.equal(await EngineJob.count({ where: { instanceId: inst.id } }), 2);

      rt = await restarts.next();
      restarts.clock.advance(24 * 60 * 60 * 1000 + 1000);
      const fired = (await rt.runDueJobs()) + (await rt.runDueJobs());
      assert.equal(fired, 2);
      assert.equal(await EngineJob.count({ where: { instanceId: inst.id } }), 0);
      rt = await restarts.next();
      assert.equal(await rt.runDueJobs(), 0);
      const tasks = await rt.findTasks({ processInstanceId: inst.id });
      assert.deepEqual(tasks.map((t) => t.assignee).sort(), ["a", "b"]);
      const history = await rt.history(inst.id);
      assert.equal(history.filter((h) => h.event === "timer.fired").length, 2);
      for (const t of tasks) await rt.completeTask(t.id, { actor: "test" });
      assert.deepEqual(
        (await rt.findTasks({ processInstanceId: inst.id })).map((t) => t.taskDefinitionKey),
        ["after"],
      );
    } finally {
      await restarts.close();
    }
  });

  it("a timer boundary event on a multi-instance task fires once and cancels every open instance", async () => {
    const rt = engine();
    const key = `${uniq()}mi-boundary`;
    const body = `${PARALLEL_REVIEW}
    <boundaryEvent id="late" name="超时" attachedToRef="review"><timerEventDefinition><timeDuration>P5D</timeDuration></timerEventDefinition></boundaryEvent>
    <sequenceFlow id="f4" sourceRef="late" targetRef="end" />`;
    await deploy(rt, key, processXml(key, body));
    const inst = await rt.startProcess({ key, variables: { inspectors: ["a", "b"] }, actor: admin() });
    assert.equal(await EngineJob.count({ where: { instanceId: inst.id } }), 1);
    const [t1] = await rt.findTasks({ processInstanceId: inst.id, assignee: "a" });
    await rt.completeTask(t1!.id, { actor: "test" });
    testApp().clock.advance(5 * 24 * 60 * 60 * 1000 + 1000);
    assert.equal(await rt.runDueJobs(), 1);
    assert.equal(await rt.runDueJobs(), 0);
    assert.equal((await rt.getInstance(inst.id))?.state, "COMPLETED");
    assert.equal((await rt.findTasks({ processInstanceId: inst.id })).length, 0);
  });

  it("deploy: a multi-instance without a collection or cardinality, a bad element variable, an operator in ${} or a FEEL syntax error are refused naming the element", async () => {
    const rt = engine();
    const key = `${uniq()}mi-refused`;
    const none = `<userTask id="review" name="会签"><multiInstanceLoopCharacteristics /></userTask>`;
    assert.match(await deployError(rt, key, processXml(key, none)), /review（会签）.*多实例缺少实例数/);
    const badVar = `<userTask id="review" name="会签"><multiInstanceLoopCharacteristics camunda:collection="\${xs}" camunda:elementVariable="a b" /></userTask>`;
    assert.match(await deployError(rt, key, processXml(key, badVar)), /元素变量「a b」必须是变量名/);
    const juel = `<userTask id="review" name="会签"><multiInstanceLoopCharacteristics camunda:collection="\${xs}">
      <completionCondition xsi:type="tFormalExpression">\${nrOfCompletedInstances >= 2}</completionCondition></multiInstanceLoopCharacteristics></userTask>`;
    assert.match(await deployError(rt, key, processXml(key, juel)), /review（会签）.*只能引用变量路径/);
    const feel = `<userTask id="review" name="会签"><multiInstanceLoopCharacteristics camunda:collection="\${xs}">
      <completionCondition xsi:type="tFormalExpression" language="feel">nrOfCompletedInstances &gt;=</completionCondition></multiInstanceLoopCharacteristics></userTask>`;
    assert.match(await deployError(rt, key, processXml(key, feel)), /review（会签）.*完成条件有 FEEL 语法错误/);
    const js = `<userTask id="review" name="会签"><multiInstanceLoopCharacteristics camunda:collection="\${xs}">
      <completionCondition xsi:type="tFormalExpression" language="javascript">true</completionCondition></multiInstanceLoopCharacteristics></userTask>`;
    assert.match(await deployError(rt, key, processXml(key, js)), /不允许使用 javascript 语言/);
  });
});
