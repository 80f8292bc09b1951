import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { createApp } from "../../server/app.js";
import { ManualClock } from "../../server/clock.js";
import type { Database } from "../../server/db/database.js";
import { EngineIncident, EngineJob } from "../../server/db/models/engineModels.js";
import { initModels } from "../../server/db/models/index.js";
import { BpmnValidationError, type EngineRuntime } from "../../server/engine/index.js";
import { createLogger } from "../../server/logger.js";
import { buildUser, loginAs } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { openTestDatabase } from "../helpers/testDatabase.js";
import { admin, engine, isolateEngineTests } from "./helpers.js";

const HOUR = 60 * 60 * 1000;
const TIMER_START_JOB = "timer-start-event";

/** Keys deployed by these tests: their timer start jobs, instances and incidents are removed after each test. */
const keys = new Set<string>();

function newKey(): string {
  const key = `ts${randomBytes(4).toString("hex")}`;
  keys.add(key);
  return key;
}

/** A process whose start event is a timer (timer: the timerEventDefinition's child), optionally calling an internal service first. */
function timerProcess(key: string, timer: string, options: { service?: string; name?: string } = {}): string {
  const service = options.service
    ? `<serviceTask id="call" name="内部服务" camunda:expression="\${services.${options.service}}" />
    <sequenceFlow id="f0" sourceRef="call" targetRef="review" />`
    : "";
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Def_${key}" targetNamespace="http://xinyong.example/test">
  <process id="${key}" name="${options.name ?? "定时启动测试"}" isExecutable="true">
    <startEvent id="start" name="定时开始"><timerEventDefinition>${timer}</timerEventDefinition></startEvent>
    <sequenceFlow id="f1" sourceRef="start" targetRef="${options.service ? "call" : "review"}" />
    ${service}
    <userTask id="review" name="审核" camunda:candidateGroups="timer-start-test" />
    <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>`;
}

async function deploy(key: string, xml: string, options: { changedOnly?: boolean; rt?: EngineRuntime } = {}) {
  return (options.rt ?? engine()).deploy({
    name: key,
    files: [{ name: `${key}.bpmn`, xml }],
    actor: admin(),
    changedOnly: options.changedOnly,
  });
}

const startJobs = (key: string) =>
  EngineJob.findAll({
    where: { definitionKey: key, type: TIMER_START_JOB },
    order: [
      ["dueAt", "ASC"],
      ["id", "ASC"],
    ],
  });

/** The key's instances, oldest first. */
async function instancesOf(key: string, rt: EngineRuntime = engine()) {
  return (await rt.findInstances({ processDefinitionKey: key })).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

describe("engine: timer start events create instances (Camunda 7)", () => {
  isolateEngineTests();
  const clock = () => testApp().clock;

  afterEach(async () => {
    const { db } = testApp();
    for (const key of keys) {
      for (const inst of await engine().findInstances({ processDefinitionKey: key, state: "ACTIVE" })) {
        await engine().cancelInstance(inst.id, { actor: "test-cleanup", reason: "测试结束" });
      }
      const jobs = await EngineJob.findAll({ where: { definitionKey: key }, attributes: ["id"] });
      await db.transaction(async (t) => {
        await EngineJob.destroy({ where: { definitionKey: key }, transaction: t });
        if (jobs.length)
          await EngineIncident.update({ resolvedAt: clock().now() }, { where: { configuration: jobs.map((j) => j.id) }, transaction: t });
      });
    }
    keys.clear();
  });

  it("timeDate: one job at deploy, no instance before the date, exactly one when the clock reaches it (started by the job worker, past the start event)", async () => {
    const key = newKey();
    const due = new Date(clock().now().getTime() + 2 * 24 * HOUR);
    const d = await deploy(key, timerProcess(key, `<timeDate>${due.toISOString()}</timeDate>`));
    const definitionId = d.deployedProcessDefinitions[0]!.id;
    const [job, ...more] = await startJobs(key);
    assert.equal(more.length, 0);
    assert.equal(job!.instanceId, null, "the job belongs to no instance");
    assert.equal(job!.definitionId, definitionId);
    assert.equal(job!.activityId, "start");
    assert.equal(new Date(job!.dueAt).getTime(), due.getTime());

    clock().advance(2 * 24 * HOUR - 1000);
    await engine().runDueJobs();
    assert.equal((await instancesOf(key)).length, 0, "nothing before the date");

    clock().advance(1000);
    // Three job workers at once: the claim lets one of them fire it.
    await Promise.all([engine().runDueJobs(), engine().runDueJobs(), engine().runDueJobs()]);
    const [inst, ...others] = await instancesOf(key);
    assert.equal(others.length, 0, "exactly one instance");
    assert.equal(inst!.definitionId, definitionId);
    assert.equal(inst!.startActor, "job-worker");
    assert.deepEqual(
      (await engine().findTasks({ processInstanceId: inst!.id })).map((t) => t.taskDefinitionKey),
      ["review"],
      "the instance ran on past the timer start event in the same step",
    );
    const history = await engine().history(inst!.id);
    assert.equal(history[0]?.event, "instance.start");
    assert.equal(history[0]?.actor, "job-worker");
    const fired = history.filter((h) => h.event === "timer.fired");
    assert.equal(fired.length, 1);
    assert.equal(fired[0]!.activityId, "start");
    assert.equal(fired[0]!.detail?.jobId, job!.id);
    assert.equal(await EngineJob.count({ where: { instanceId: inst!.id } }), 0, "no timer job of the instance waits at the start event");
    assert.equal((await startJobs(key)).length, 0, "a date fires once");

    clock().advance(30 * 24 * HOUR);
    await engine().runDueJobs();
    assert.equal((await instancesOf(key)).length, 1, "still exactly one");
  });

  it("a timeDate already past at deploy fires at the job worker's next round (the engine itself sees the date passed)", async () => {
    const key = newKey();
    const past = new Date(Date.now() - 24 * HOUR);
    await deploy(key, timerProcess(key, `<timeDate>${past.toISOString()}</timeDate>`));
    await engine().runDueJobs();
    const [inst, ...more] = await instancesOf(key);
    assert.equal(more.length, 0);
    assert.deepEqual(
      (await engine().findTasks({ processInstanceId: inst!.id })).map((t) => t.taskDefinitionKey),
      ["review"],
    );
    const fired = (await engine().history(inst!.id)).filter((h) => h.event === "timer.fired");
    assert.equal(fired.length, 1, "the firing is in the history");
  });

  it("timeCycle R3/PT1H: three instances one hour apart, then the cycle stops", async () => {
    const key = newKey();
    const t0 = clock().now().getTime();
    await deploy(key, timerProcess(key, "<timeCycle>R3/PT1H</timeCycle>"));
    const dueDates = async () => (await startJobs(key)).map((j) => new Date(j.dueAt).getTime() - t0);
    assert.deepEqual(await dueDates(), [HOUR], "the first occurrence is one period after the deploy");

    clock().advance(HOUR - 1000);
    await engine().runDueJobs();
    assert.equal((await instancesOf(key)).length, 0);
    for (let n = 1; n <= 3; n++) {
      clock().set(new Date(t0 + n * HOUR));
      await engine().runDueJobs();
      assert.equal((await instancesOf(key)).length, n, `occurrence ${n}`);
      assert.deepEqual(await dueDates(), n < 3 ? [(n + 1) * HOUR] : [], `after occurrence ${n}`);
    }
    clock().set(new Date(t0 + 10 * HOUR));
    await engine().runDueJobs();
    const started = await instancesOf(key);
    assert.deepEqual(
      started.map((i) => i.startedAt.getTime() - t0),
      [HOUR, 2 * HOUR, 3 * HOUR],
    );
  });

  it("R/<start>/P1D: the start date is the first occurrence, then one a day", async () => {
    const key = newKey();
    const t0 = clock().now().getTime();
    const start = new Date(t0 + 5 * HOUR);
    await deploy(key, timerProcess(key, `<timeCycle>R/${start.toISOString()}/P1D</timeCycle>`));
    assert.deepEqual(
      (await startJobs(key)).map((j) => new Date(j.dueAt).getTime()),
      [start.getTime()],
    );
    clock().set(start);
    await engine().runDueJobs();
    assert.equal((await instancesOf(key)).length, 1);
    assert.deepEqual(
      (await startJobs(key)).map((j) => new Date(j.dueAt).getTime()),
      [start.getTime() + 24 * HOUR],
    );
  });

  it("deploying version 2 replaces version 1's pending job; instances then start on version 2; a version without timer removes it", async () => {
    const key = newKey();
    const t0 = clock().now().getTime();
    const v1 = await deploy(key, timerProcess(key, "<timeDuration>PT2H</timeDuration>", { name: "版本一" }));
    const [job1] = await startJobs(key);
    assert.equal(job1!.definitionId, v1.deployedProcessDefinitions[0]!.id);

    clock().advance(HOUR);
    const v2 = await deploy(key, timerProcess(key, "<timeDuration>PT3H</timeDuration>", { name: "版本二" }));
    const v2Id = v2.deployedProcessDefinitions[0]!.id;
    const jobs = await startJobs(key);
    assert.equal(jobs.length, 1, "version 1's job is gone");
    assert.equal(jobs[0]!.definitionId, v2Id);
    assert.equal(new Date(jobs[0]!.dueAt).getTime(), t0 + HOUR + 3 * HOUR, "timeDuration counts from the new deploy");

    clock().set(new Date(t0 + 2 * HOUR + 1000));
    await engine().runDueJobs();
    assert.equal((await instancesOf(key)).length, 0, "version 1's date passed: nothing starts");
    clock().set(new Date(t0 + 4 * HOUR));
    await engine().runDueJobs();
    const started = await instancesOf(key);
    assert.deepEqual(
      started.map((i) => i.definitionId),
      [v2Id],
    );

    await deploy(key, timerProcess(key, "<timeCycle>R/PT1H</timeCycle>"));
    assert.equal((await startJobs(key)).length, 1);
    const plain = timerProcess(key, "x").replace(/<startEvent id="start"[\s\S]*?<\/startEvent>/, '<startEvent id="start" name="开始" />');
    await deploy(key, plain);
    assert.equal((await startJobs(key)).length, 0, "a version without timer start event removes the key's timer start jobs");
  });

  it("deploy-changed-only with nothing changed schedules nothing new; the same file deployed again as a new version replaces the job", async () => {
    const key = newKey();
    const xml = timerProcess(key, "<timeCycle>R/PT1H</timeCycle>");
    await deploy(key, xml, { changedOnly: true });
    const [before, ...rest] = await startJobs(key);
    assert.equal(rest.length, 0);
    clock().advance(10 * 60 * 1000);
    const again = await deploy(key, xml, { changedOnly: true });
    assert.equal(again.deployedProcessDefinitions.length, 0);
    const after = await startJobs(key);
    assert.deepEqual(
      after.map((j) => [j.id, new Date(j.dueAt).getTime()]),
      [[before!.id, new Date(before!.dueAt).getTime()]],
      "the job is neither doubled nor moved",
    );
    const v2 = await deploy(key, xml);
    const replaced = await startJobs(key);
    assert.equal(replaced.length, 1);
    assert.equal(replaced[0]!.definitionId, v2.deployedProcessDefinitions[0]!.id);
  });

  it("a failing start leaves no instance, is retried with backoff, raises an incident without instance that an admin retries from the definition page", async () => {
    const key = newKey();
    const service = `tsFail${randomBytes(3).toString("hex")}`;
    let failing = true;
    engine().services.register(service, () => {
      if (failing) throw new Error("上游接口不可用");
      return Promise.resolve({ called: true });
    });
    const d = await deploy(
      key,
      timerProcess(key, `<timeDate>${new Date(clock().now().getTime() + HOUR).toISOString()}</timeDate>`, { service }),
    );
    const definitionId = d.deployedProcessDefinitions[0]!.id;
    const [job] = await startJobs(key);

    clock().advance(HOUR);
    await engine().runDueJobs();
    assert.equal((await instancesOf(key)).length, 0, "the start rolled back: no instance");
    let failed = await EngineJob.findByPk(job!.id);
    assert.equal(failed?.retries, 2);
    assert.match(failed?.exceptionMessage ?? "", /上游接口不可用/);
    assert.equal(new Date(failed.dueAt).getTime(), clock().now().getTime() + 10_000, "retried after 10 s");
    for (let i = 0; i < 2; i++) {
      clock().advance(10 * 60 * 1000);
      await engine().runDueJobs();
    }
    failed = await EngineJob.findByPk(job!.id);
    assert.equal(failed?.retries, 0);
    assert.equal((await instancesOf(key)).length, 0);
    const incidents = await engine().lists.incidents({ configuration: job!.id });
    assert.equal(incidents.length, 1);
    assert.equal(incidents[0]!.processInstanceId, null, "the incident has no instance");
    assert.equal(incidents[0]!.processDefinitionId, definitionId);
    assert.equal(incidents[0]!.incidentType, "failedJob");
    assert.equal(incidents[0]!.activityId, "start");

    // REST: Camunda's shapes, with the definition and without instance.
    const staff = await buildUser({ roles: ["admin"] });
    const rest = await request(testApp().app)
      .get(`/engine-rest/incident?configuration=${job!.id}`)
      .auth(staff.username, staff.password)
      .expect(200);
    assert.equal(rest.body.length, 1);
    assert.equal(rest.body[0].processInstanceId, null);
    assert.equal(rest.body[0].processDefinitionId, definitionId);
    const restJob = await request(testApp().app).get(`/engine-rest/job?jobId=${job!.id}`).auth(staff.username, staff.password).expect(200);
    assert.equal(restJob.body.length, 1);
    assert.equal(restJob.body[0].processInstanceId, null);
    assert.equal(restJob.body[0].executionId, null);
    assert.equal(restJob.body[0].processDefinitionId, definitionId);
    assert.equal(restJob.body[0].processDefinitionKey, key);
    assert.equal(restJob.body[0].retries, 0);

    // The process list flags the failed start and links to the version's page, which shows the schedule and the
    // incident; an admin retries it there.
    const agent = await loginAs(staff);
    const rowOf = async () =>
      new RegExp(`<tr data-key="${key}">[\\s\\S]*?</tr>`).exec((await agent.get("/admin/processes").expect(200)).text)?.[0] ?? "";
    assert.match(await rowOf(), /data-testid="timer-start-failures"[^>]*>定时启动失败 1</);
    const page = await agent.get(`/admin/processes/${encodeURIComponent(definitionId)}`).expect(200);
    assert.match(page.text, /data-testid="timer-start-jobs"[\s\S]*重试次数已用尽/);
    assert.match(page.text, /data-testid="timer-start-incidents"[\s\S]*定时启动失败[\s\S]*上游接口不可用/);
    const action = /<form method="post" action="([^"]+\/retry)"/.exec(page.text)?.[1];
    assert.ok(action, "a retry button");
    failing = false;
    const res = await agent.post(action.replaceAll("&#x3D;", "=")).type("form").send({ _csrf: agent.csrf }).expect(303);
    assert.equal(res.headers.location, `/admin/processes/${encodeURIComponent(definitionId)}`);
    assert.equal((await engine().lists.incidents({ configuration: job!.id })).length, 0, "the incident is resolved");
    const row = await rowOf();
    assert.match(row, /<tr data-key=/);
    assert.doesNotMatch(row, /timer-start-failures/);

    await engine().runDueJobs();
    const [inst, ...more] = await instancesOf(key);
    assert.equal(more.length, 0);
    assert.equal(inst!.variables.called, true);
    assert.deepEqual(
      (await engine().findTasks({ processInstanceId: inst!.id })).map((t) => t.taskDefinitionKey),
      ["review"],
    );
    assert.equal((await startJobs(key)).length, 0);
  });

  it("a failing cycle occurrence does not hold up the next one (Camunda schedules it at the first failure)", async () => {
    const key = newKey();
    const service = `tsCycleFail${randomBytes(3).toString("hex")}`;
    let failing = true;
    engine().services.register(service, () => (failing ? Promise.reject(new Error("暂时失败")) : Promise.resolve({})));
    const t0 = clock().now().getTime();
    await deploy(key, timerProcess(key, "<timeCycle>R3/PT1H</timeCycle>", { service }));
    clock().set(new Date(t0 + HOUR));
    await engine().runDueJobs();
    const jobs = await startJobs(key);
    assert.deepEqual(
      jobs.map((j) => [new Date(j.dueAt).getTime() - t0, j.retries]),
      [
        [HOUR + 10_000, 2],
        [2 * HOUR, 3],
      ],
      "the failed occurrence waits for its retry, the next occurrence is scheduled",
    );
    failing = false;
    clock().set(new Date(t0 + HOUR + 10_000));
    await engine().runDueJobs();
    assert.equal((await instancesOf(key)).length, 1, "the retry started the first instance");
    assert.deepEqual(
      (await startJobs(key)).map((j) => new Date(j.dueAt).getTime() - t0),
      [2 * HOUR],
      "and scheduled nothing twice",
    );
    for (const n of [2, 3, 4]) {
      clock().set(new Date(t0 + n * HOUR));
      await engine().runDueJobs();
    }
    assert.equal((await instancesOf(key)).length, 3, "three in all");
  });

  it("an API start (POST /engine-rest/process-definition/key/{key}/start) runs past the timer start event at once and leaves the schedule alone", async () => {
    const key = newKey();
    await deploy(key, timerProcess(key, "<timeCycle>R/PT1H</timeCycle>"));
    const [job] = await startJobs(key);
    const staff = await buildUser({ roles: ["admin"] });
    const res = await request(testApp().app)
      .post(`/engine-rest/process-definition/key/${key}/start`)
      .auth(staff.username, staff.password)
      .send({ businessKey: `${key}-api` })
      .expect(200);
    const tasks = await engine().findTasks({ processInstanceId: res.body.id as string });
    assert.deepEqual(
      tasks.map((t) => t.taskDefinitionKey),
      ["review"],
    );
    assert.equal(
      await EngineJob.count({ where: { instanceId: res.body.id as string } }),
      0,
      "the instance does not wait at the start timer",
    );
    const history = await engine().history(res.body.id as string);
    assert.equal(history.filter((h) => h.event === "timer.fired").length, 0, "no timer fired: it was a start by hand");
    assert.deepEqual(
      (await startJobs(key)).map((j) => j.id),
      [job!.id],
    );
  });

  it("refuses at deploy, naming the element: a second none/timer start event, an expression, a timer start in an event or embedded sub-process", async () => {
    const refused = async (xml: string): Promise<{ element: string | null; message: string }[]> => {
      try {
        await engine().deploy({ name: "refused", files: [{ name: "refused.bpmn", xml }], actor: admin() });
      } catch (err) {
        if (err instanceof BpmnValidationError) return err.problems;
        throw err;
      }
      assert.fail("the deployment was accepted");
    };
    const key = newKey();
    const base = timerProcess(key, "<timeCycle>R/PT1H</timeCycle>");

    const twoStarts = base.replace(
      '<endEvent id="end" />',
      '<endEvent id="end" /><startEvent id="manual" name="手工开始" /><sequenceFlow id="f9" sourceRef="manual" targetRef="review" />',
    );
    const p1 = await refused(twoStarts);
    assert.ok(p1.some((p) => p.element === "manual" && /只能有一个空开始事件或定时开始事件/.test(p.message)));

    const p2 = await refused(timerProcess(key, "<timeDate>${when}</timeDate>"));
    assert.ok(p2.some((p) => p.element === "start" && /定时开始事件.*不能使用表达式/.test(p.message)));

    const eventSub = base.replace(
      '<endEvent id="end" />',
      `<endEvent id="end" />
    <subProcess id="esp" triggeredByEvent="true">
      <startEvent id="espStart" isInterrupting="false"><timerEventDefinition><timeDuration>PT2H</timeDuration></timerEventDefinition></startEvent>
      <sequenceFlow id="e1" sourceRef="espStart" targetRef="espEnd" />
      <endEvent id="espEnd" />
    </subProcess>`,
    );
    const p3 = await refused(eventSub);
    assert.ok(p3.some((p) => p.element === "espStart" && /事件子流程的定时开始事件/.test(p.message)));

    const embedded = base.replace(
      '<sequenceFlow id="f2" sourceRef="review" targetRef="end" />',
      `<sequenceFlow id="f2" sourceRef="review" targetRef="sub" />
    <subProcess id="sub">
      <startEvent id="subStart"><timerEventDefinition><timeDuration>PT2H</timeDuration></timerEventDefinition></startEvent>
      <sequenceFlow id="s1" sourceRef="subStart" targetRef="subEnd" />
      <endEvent id="subEnd" />
    </subProcess>
    <sequenceFlow id="f3" sourceRef="sub" targetRef="end" />`,
    );
    const p4 = await refused(embedded);
    assert.ok(p4.some((p) => p.element === "subStart" && /子流程必须以空开始事件开始/.test(p.message)));
    assert.equal((await startJobs(key)).length, 0, "nothing refused is scheduled");
  });

  it("keeps the schedule across a restart (a new app on the same database)", async () => {
    const key = newKey();
    const opened: Database[] = [];
    const restartClock = new ManualClock(clock().now());
    const restart = async (): Promise<EngineRuntime> => {
      engine().clearCaches();
      const db = await openTestDatabase(testApp().config.databaseUrl);
      opened.push(db);
      return createApp({ config: testApp().config, db, logger: createLogger("silent"), clock: restartClock }).locals.context.engine;
    };
    try {
      let rt = await restart();
      const t0 = restartClock.now().getTime();
      await deploy(key, timerProcess(key, "<timeCycle>R2/PT1H</timeCycle>"), { rt });
      rt = await restart();
      restartClock.set(new Date(t0 + HOUR));
      await rt.runDueJobs();
      assert.equal((await instancesOf(key, rt)).length, 1);
      rt = await restart();
      restartClock.set(new Date(t0 + 2 * HOUR));
      await rt.runDueJobs();
      rt = await restart();
      restartClock.set(new Date(t0 + 5 * HOUR));
      await rt.runDueJobs();
      const started = await instancesOf(key, rt);
      assert.deepEqual(
        started.map((i) => i.startedAt.getTime() - t0),
        [HOUR, 2 * HOUR],
      );
    } finally {
      for (const db of opened) await db.close();
      initModels(testApp().db.sequelize);
    }
  });
});
