// No process and no request body can stall the node: a loop without a wait state stops at the activation bound of
// one engine step (400 for a request, an incident for a job or an external task; nothing of the step is stored) and
// yields the event loop while it runs; variables nested deeper than 64 levels are refused at every door (400).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { Op } from "sequelize";
import request from "supertest";
import {
  EngineExternalTask,
  EngineHistory,
  EngineIncident,
  EngineInstance,
  EngineJob,
  EngineSubscription,
  EngineTask,
} from "../../server/db/models/engineModels.js";
import { ACTIVATIONS_PER_STEP, MAX_VARIABLE_DEPTH } from "../../server/engine/index.js";
import { admin, engine, isolateEngineTests } from "../engine/helpers.js";
import { buildUser, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

const app = () => testApp().app;
// Short keys: a definition id (key:version:uuid) is at most 64 characters on MySQL.
const PREFIX = `l${randomBytes(4).toString("hex")}-`;
let n = 0;
const newKey = (name: string) => `${PREFIX}${name}-${++n}`;
const bk = () => `BK-${randomBytes(5).toString("hex")}`;

const FEEL = `xsi:type="tFormalExpression" language="feel"`;

/** A process around `body`; `loop(from)` is task A -> gateway -> back to A while `true` holds (the end is never reached). */
function bpmn(key: string, body: string, extra = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://xinyong.example/test" id="Def_${key}">
  ${extra}
  <process id="${key}" name="循环测试" isExecutable="true">${body}</process>
</definitions>`;
}

const gatewayLoop = (from: string) => `
  <sequenceFlow id="toA" sourceRef="${from}" targetRef="A" />
  <task id="A" name="任务A" />
  <sequenceFlow id="toGw" sourceRef="A" targetRef="gw" />
  <exclusiveGateway id="gw" default="out" />
  <sequenceFlow id="back" sourceRef="gw" targetRef="A"><conditionExpression ${FEEL}>true</conditionExpression></sequenceFlow>
  <sequenceFlow id="out" sourceRef="gw" targetRef="end" />
  <endEvent id="end" />`;

/** Loops that never wait, and the elements the error message may name (the one activated most often lies on the loop). */
const SHAPES: Record<string, { body: string; elements: string[] }> = {
  "an exclusive-gateway loop": { body: `<startEvent id="start" />${gatewayLoop("start")}`, elements: ["A", "gw"] },
  "a parallel-gateway fan-out loop": {
    body: `<startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="A" />
      <task id="A" />
      <sequenceFlow id="f2" sourceRef="A" targetRef="fork" />
      <parallelGateway id="fork" />
      <sequenceFlow id="b1" sourceRef="fork" targetRef="A" />
      <sequenceFlow id="b2" sourceRef="fork" targetRef="B" />
      <task id="B" />
      <sequenceFlow id="b3" sourceRef="B" targetRef="A" />
      <sequenceFlow id="b4" sourceRef="fork" targetRef="end" />
      <endEvent id="end" />`,
    elements: ["A", "B", "fork"],
  },
  "a loop through an embedded sub-process": {
    body: `<startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="S" />
      <subProcess id="S" name="子流程">
        <startEvent id="s1" /><sequenceFlow id="sf1" sourceRef="s1" targetRef="inner" /><task id="inner" />
        <sequenceFlow id="sf2" sourceRef="inner" targetRef="s2" /><endEvent id="s2" />
      </subProcess>
      <sequenceFlow id="f2" sourceRef="S" targetRef="gw" />
      <exclusiveGateway id="gw" default="out" />
      <sequenceFlow id="back" sourceRef="gw" targetRef="S"><conditionExpression ${FEEL}>true</conditionExpression></sequenceFlow>
      <sequenceFlow id="out" sourceRef="gw" targetRef="end" />
      <endEvent id="end" />`,
    elements: ["S", "s1", "inner", "s2", "gw"],
  },
  "a loop through intermediate throw events (they do not wait)": {
    body: `<startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="A" />
      <intermediateThrowEvent id="A" />
      <sequenceFlow id="f2" sourceRef="A" targetRef="B" />
      <intermediateThrowEvent id="B" />
      <sequenceFlow id="f3" sourceRef="B" targetRef="A" />
      <sequenceFlow id="f4" sourceRef="B" targetRef="end" />
      <endEvent id="end" />`,
    elements: ["A", "B"],
  },
};

async function deploy(key: string, xml: string): Promise<void> {
  await engine().deploy({ name: key, files: [{ name: `${key}.bpmn`, xml }], actor: admin() });
}

/** Rows of every engine table: a rolled-back step leaves them all as they were. */
async function engineRows(): Promise<Record<string, number>> {
  const models = { EngineInstance, EngineTask, EngineHistory, EngineJob, EngineExternalTask, EngineSubscription, EngineIncident };
  const out: Record<string, number> = {};
  for (const [name, model] of Object.entries(models)) out[name] = await (model as typeof EngineInstance).count();
  return out;
}

/** What a step may change in an instance's row. */
async function instanceRow(id: string) {
  const row = await EngineInstance.findByPk(id);
  assert.ok(row);
  return { version: row.version, state: row.state, engineState: row.engineState, variables: row.variables, waits: row.waits };
}

function assertLoopRefused(status: number, message: string, key: string, elements: string[]): void {
  assert.equal(status, 400, message);
  assert.match(
    message,
    new RegExp(`^流程在一步内执行了超过 ${ACTIVATIONS_PER_STEP} 个环节（可能存在没有等待点的循环），已回滚：请检查流程 ${key}`),
  );
  const named = /在元素 (\S+?)(（[^）]*）)? 附近的循环$/.exec(message)?.[1];
  assert.ok(named && elements.includes(named), `the message names an element of the loop: ${message}`);
}

/** A JSON text nested `depth` objects deep ({"a":{"a":...1}}): JSON.stringify of such an object would overflow the stack. */
const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

describe("engine limits: no process and no request body can stall the node", () => {
  isolateEngineTests();
  let adminUser: TestUser;
  before(async () => {
    adminUser = await buildUser({ roles: ["admin"] });
  });
  after(async () => {
    for (const inst of await engine().findInstances({ state: "ACTIVE", keyPrefix: PREFIX })) {
      await engine().cancelInstance(inst.id, { actor: "test-cleanup", reason: "测试结束" });
    }
    await testApp().db.transaction((t) => EngineJob.destroy({ where: { definitionKey: { [Op.startsWith]: PREFIX } }, transaction: t }));
  });

  const restStart = (key: string, body: object | string = {}) =>
    request(app())
      .post(`/engine-rest/process-definition/key/${key}/start`)
      .auth(adminUser.username, adminUser.password)
      .set("content-type", "application/json")
      .send(typeof body === "string" ? body : JSON.stringify(body));

  describe("a loop without a wait state", () => {
    for (const [label, shape] of Object.entries(SHAPES)) {
      it(`${label}: the start answers 400 in Chinese and stores nothing`, async () => {
        const key = newKey("loop");
        await deploy(key, bpmn(key, shape.body));
        const before = await engineRows();
        const res = await restStart(key, { businessKey: bk() });
        assert.equal(res.body.type, "InvalidRequestException");
        assertLoopRefused(res.status, res.body.message as string, key, shape.elements);
        assert.deepEqual(await engineRows(), before, "no instance, task, job, subscription or history row was written");
        assert.equal(await EngineInstance.count({ where: { definitionKey: key } }), 0);
      });
    }

    it("a loop after a user task: completing the task answers 400 and the task, the instance and its history stay as they were", async () => {
      const key = newKey("task");
      await deploy(
        key,
        bpmn(
          key,
          `<startEvent id="start" /><sequenceFlow id="f0" sourceRef="start" targetRef="u" /><userTask id="u" name="审核" camunda:candidateGroups="scjgj" />${gatewayLoop("u")}`,
        ),
      );
      const inst = await engine().startProcess({ key, businessKey: bk(), actor: admin() });
      const [task] = await engine().findTasks({ processInstanceId: inst.id });
      assert.ok(task);
      const row = await instanceRow(inst.id);
      const before = await engineRows();
      const res = await request(app())
        .post(`/engine-rest/task/${task.id}/complete`)
        .auth(adminUser.username, adminUser.password)
        .send({ variables: { approved: { value: true, type: "Boolean" } } });
      assertLoopRefused(res.status, res.body.message as string, key, ["A", "gw"]);
      assert.deepEqual(await engineRows(), before);
      assert.deepEqual(await instanceRow(inst.id), row);
      assert.ok(await engine().getTask(task.id), "the task is still open");
    });

    it("a loop after a message catch event: correlating answers 400 and the instance still waits for the message", async () => {
      const key = newKey("msg");
      const messageName = `${key}-go`;
      await deploy(
        key,
        bpmn(
          key,
          `<startEvent id="start" /><sequenceFlow id="f0" sourceRef="start" targetRef="wait" />
           <intermediateCatchEvent id="wait"><messageEventDefinition messageRef="Msg" /></intermediateCatchEvent>${gatewayLoop("wait")}`,
          `<message id="Msg" name="${messageName}" />`,
        ),
      );
      const businessKey = bk();
      const inst = await engine().startProcess({ key, businessKey, actor: admin() });
      const row = await instanceRow(inst.id);
      const before = await engineRows();
      const res = await request(app())
        .post("/engine-rest/message")
        .auth(adminUser.username, adminUser.password)
        .send({ messageName, businessKey });
      assertLoopRefused(res.status, res.body.message as string, key, ["A", "gw"]);
      assert.deepEqual(await engineRows(), before);
      assert.deepEqual(await instanceRow(inst.id), row);
      assert.equal(await EngineSubscription.count({ where: { instanceId: inst.id } }), 1);
    });

    it("five looping starts at once: GET /healthz on a listening server still answers within 1 s", async () => {
      const key = newKey("hz");
      await deploy(key, bpmn(key, SHAPES["an exclusive-gateway loop"]!.body));
      // A real server on an ephemeral port: the starts and /healthz share this process's event loop, as in production.
      const server = createServer(app());
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const authorization = `Basic ${Buffer.from(`${adminUser.username}:${adminUser.password}`).toString("base64")}`;
      try {
        // One start first, alone: what is paid once per process (the parse cache, the Basic login's password check,
        // the JIT warming up) is not what this measures.
        const warm = await fetch(`${base}/engine-rest/process-definition/key/${key}/start`, {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: "{}",
        });
        assert.equal(warm.status, 400);
        await warm.arrayBuffer();
        let running = 5;
        const starts = Array.from({ length: 5 }, () =>
          fetch(`${base}/engine-rest/process-definition/key/${key}/start`, {
            method: "POST",
            headers: { authorization, "content-type": "application/json" },
            body: "{}",
          })
            .then(async (r) => ({ status: r.status, body: (await r.json()) as { message: string } }))
            .finally(() => running--),
        );
        const probes: number[] = [];
        while (running > 0) {
          const t0 = performance.now();
          const health = await fetch(`${base}/healthz`);
          await health.arrayBuffer();
          assert.equal(health.status, 200);
          if (running > 0) probes.push(performance.now() - t0);
          await delay(20);
        }
        const results = await Promise.all(starts);
        for (const r of results) assertLoopRefused(r.status, r.body.message, key, ["A", "gw"]);
        assert.ok(probes.length >= 3, `/healthz was asked while the loops ran (${probes.length} times)`);
        const slowest = Math.max(...probes);
        assert.ok(slowest < 1000, `/healthz answered within 1 s while five loops ran (slowest ${Math.round(slowest)} ms)`);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe("a loop reached by a timer or an external task", () => {
    it("an intermediate timer before the loop: the job raises an incident at once and is not retried; the instance stays at the timer", async () => {
      const key = newKey("timer");
      await deploy(
        key,
        bpmn(
          key,
          `<startEvent id="start" /><sequenceFlow id="f0" sourceRef="start" targetRef="wait" />
           <intermediateCatchEvent id="wait"><timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition></intermediateCatchEvent>
           ${gatewayLoop("wait")}`,
        ),
      );
      const rt = engine();
      const inst = await rt.startProcess({ key, businessKey: bk(), actor: admin() });
      const row = await instanceRow(inst.id);
      const historyBefore = await EngineHistory.count({ where: { instanceId: inst.id } });
      testApp().clock.advance(2 * 60 * 60 * 1000);
      await rt.runDueJobs();

      const incidents = await rt.findIncidents({ processInstanceId: inst.id });
      assert.equal(incidents.length, 1);
      assert.equal(incidents[0]!.incidentType, "failedJob");
      assertLoopRefused(400, incidents[0]!.incidentMessage ?? "", key, ["A", "gw"]);
      const [job] = await EngineJob.findAll({ where: { instanceId: inst.id } });
      assert.equal(job?.retries, 0, "no retries: the loop would run again");
      assert.deepEqual(await instanceRow(inst.id), row, "the instance is where it was before the timer fired");
      const history = await rt.history(inst.id);
      assert.equal(history.length, historyBefore + 1);
      assert.equal(history.at(-1)!.event, "incident.created");
      assert.equal(await EngineTask.count({ where: { instanceId: inst.id } }), 0);

      // Later rounds leave it alone.
      testApp().clock.advance(60 * 60 * 1000);
      await rt.runDueJobs();
      assert.equal((await rt.findIncidents({ processInstanceId: inst.id })).length, 1);
    });

    it("a timer start event before the loop: an incident without an instance, and no instance row", async () => {
      const key = newKey("tstart");
      await deploy(
        key,
        bpmn(
          key,
          `<startEvent id="start"><timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition></startEvent>${gatewayLoop("start")}`,
        ),
      );
      const [job] = await EngineJob.findAll({ where: { definitionKey: key } });
      assert.ok(job);
      testApp().clock.advance(2 * 60 * 60 * 1000);
      await engine().runDueJobs();
      const incident = await EngineIncident.findOne({ where: { configuration: job.id } });
      assert.ok(incident);
      assert.equal(incident.instanceId, null);
      assertLoopRefused(400, incident.message ?? "", key, ["A", "gw"]);
      assert.equal((await EngineJob.findByPk(job.id))?.retries, 0);
      assert.equal(await EngineInstance.count({ where: { definitionKey: key } }), 0);
    });

    it("an external task before the loop: completing it answers 400, and the task gets an incident instead of being fetched again", async () => {
      const key = newKey("ext");
      const topic = `${key}-topic`;
      await deploy(
        key,
        bpmn(
          key,
          `<startEvent id="start" /><sequenceFlow id="f0" sourceRef="start" targetRef="ext" />
           <serviceTask id="ext" name="外部核查" camunda:type="external" camunda:topic="${topic}" />${gatewayLoop("ext")}`,
        ),
      );
      const rt = engine();
      const inst = await rt.startProcess({ key, businessKey: bk(), actor: admin() });
      const row = await instanceRow(inst.id);
      const [locked] = await rt.fetchAndLock({ workerId: "w1", maxTasks: 1, topics: [{ topicName: topic, lockDuration: 60_000 }] });
      assert.ok(locked);
      const res = await request(app())
        .post(`/engine-rest/external-task/${locked.id}/complete`)
        .auth(adminUser.username, adminUser.password)
        .send({ workerId: "w1" });
      assertLoopRefused(res.status, res.body.message as string, key, ["A", "gw"]);
      assert.deepEqual(await instanceRow(inst.id), row);
      const incidents = await rt.findIncidents({ processInstanceId: inst.id });
      assert.equal(incidents.length, 1);
      assert.equal(incidents[0]!.incidentType, "failedExternalTask");
      const ext = await EngineExternalTask.findByPk(locked.id);
      assert.equal(ext?.retries, 0);
      assert.equal(ext?.workerId, null);
      const again = await rt.fetchAndLock({ workerId: "w2", maxTasks: 5, topics: [{ topicName: topic, lockDuration: 60_000 }] });
      assert.equal(again.length, 0, "not fetched again while in incident");
    });
  });

  describe(`variables nested deeper than ${MAX_VARIABLE_DEPTH} levels`, () => {
    const refused = (res: request.Response) => {
      assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 300));
      assert.equal(res.body.type, "InvalidRequestException");
      assert.equal(res.body.message, `变量 a 嵌套超过 ${MAX_VARIABLE_DEPTH} 层，请简化数据结构`);
    };
    const reviewXml = (key: string) =>
      bpmn(
        key,
        `<startEvent id="start" /><sequenceFlow id="f1" sourceRef="start" targetRef="u" /><userTask id="u" camunda:candidateGroups="scjgj" />
         <sequenceFlow id="f2" sourceRef="u" targetRef="wait" />
         <intermediateCatchEvent id="wait"><messageEventDefinition messageRef="Msg" /></intermediateCatchEvent>
         <sequenceFlow id="f3" sourceRef="wait" targetRef="ext" />
         <serviceTask id="ext" camunda:type="external" camunda:topic="${key}-topic" />
         <sequenceFlow id="f4" sourceRef="ext" targetRef="end" /><endEvent id="end" />`,
        `<message id="Msg" name="${key}-go" />`,
      );

    it("at the start (a Json value as text or as JSON): 400 in Chinese, nothing stored; 64 levels are accepted", async () => {
      const key = newKey("deep");
      await deploy(key, reviewXml(key));
      const before = await engineRows();
      refused(await restStart(key, `{"variables":{"a":{"type":"Json","value":${JSON.stringify(deepJson(5000))}}}}`));
      refused(await restStart(key, `{"variables":{"a":{"type":"Json","value":${deepJson(5000)}}}}`));
      refused(await restStart(key, `{"variables":{"a":{"type":"Json","value":${deepJson(MAX_VARIABLE_DEPTH + 1)}}}}`));
      assert.deepEqual(await engineRows(), before);
      assert.equal(await EngineInstance.count({ where: { definitionKey: key } }), 0);
      const ok = await restStart(key, `{"variables":{"a":{"type":"Json","value":${deepJson(MAX_VARIABLE_DEPTH)}}}}`);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    it("at task completion, message correlation and external task completion: 400 in Chinese, the instance unchanged", async () => {
      const key = newKey("deep");
      await deploy(key, reviewXml(key));
      const businessKey = bk();
      const rt = engine();
      const inst = await rt.startProcess({ key, businessKey, actor: admin() });
      const deep = `{"a":{"type":"Json","value":${deepJson(5000)}}}`;
      const post = (path: string, body: string) =>
        request(app()).post(path).auth(adminUser.username, adminUser.password).set("content-type", "application/json").send(body);

      const [task] = await rt.findTasks({ processInstanceId: inst.id });
      let row = await instanceRow(inst.id);
      let before = await engineRows();
      refused(await post(`/engine-rest/task/${task!.id}/complete`, `{"variables":${deep}}`));
      assert.deepEqual(await engineRows(), before);
      assert.deepEqual(await instanceRow(inst.id), row);
      await rt.completeTask(task!.id, { actor: admin() });

      row = await instanceRow(inst.id);
      before = await engineRows();
      refused(await post("/engine-rest/message", `{"messageName":"${key}-go","businessKey":"${businessKey}","processVariables":${deep}}`));
      assert.deepEqual(await engineRows(), before);
      assert.deepEqual(await instanceRow(inst.id), row);
      await rt.correlateMessage({ messageName: `${key}-go`, businessKey, actor: admin() });

      const [locked] = await rt.fetchAndLock({
        workerId: "w1",
        maxTasks: 1,
        topics: [{ topicName: `${key}-topic`, lockDuration: 60_000 }],
      });
      row = await instanceRow(inst.id);
      before = await engineRows();
      refused(await post(`/engine-rest/external-task/${locked!.id}/complete`, `{"workerId":"w1","variables":${deep}}`));
      refused(await post(`/engine-rest/external-task/${locked!.id}/complete`, `{"workerId":"w1","localVariables":${deep}}`));
      refused(await post(`/engine-rest/external-task/${locked!.id}/bpmnError`, `{"workerId":"w1","errorCode":"E","variables":${deep}}`));
      assert.deepEqual(await engineRows(), before);
      assert.deepEqual(await instanceRow(inst.id), row);
      await rt.completeExternalTask(locked!.id, { workerId: "w1" });
      assert.equal((await rt.getInstance(inst.id))?.state, "COMPLETED");
    });

    it("the runtime itself refuses them too (every caller, not only the REST API), and variables over 1 MB in one call", async () => {
      const key = newKey("deep");
      await deploy(key, reviewXml(key));
      const deep = JSON.parse(deepJson(5000)) as unknown;
      await assert.rejects(engine().startProcess({ key, variables: { a: deep }, actor: admin() }), {
        status: 400,
        message: `变量 a 嵌套超过 ${MAX_VARIABLE_DEPTH} 层，请简化数据结构`,
      });
      await assert.rejects(engine().startProcess({ key, variables: { small: 1, big: "字".repeat(400_000) }, actor: admin() }), {
        status: 400,
        message: /^变量 big 的数据过大/,
      });
      assert.equal(await EngineInstance.count({ where: { definitionKey: key } }), 0);
    });
  });
});
