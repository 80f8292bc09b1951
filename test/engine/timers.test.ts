import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { EngineInstance, EngineJob } from "../../server/db/models/engineModels.js";
import request from "supertest";
import { buildUser, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { admin, DAY, deployFixture, engine, isolateEngineTests } from "./helpers.js";

describe("engine timers as jobs (ManualClock, no real waiting)", () => {
  isolateEngineTests();
  let restAdmin: TestUser;
  before(async () => {
    restAdmin = await buildUser({ roles: ["admin"] });
  });
  it("fires a 30-day intermediate timer and a 40-day interrupting boundary timer when the clock reaches them, and a 10-day non-interrupting one in between", async () => {
    const { key } = await deployFixture("timers.bpmn");
    const rt = engine();
    const clock = testApp().clock;
    const start = clock.now().getTime();
    const inst = await rt.startProcess({
      key: key("timers"),
      businessKey: `BK-${randomBytes(4).toString("hex")}`,
      variables: { publicityPeriod: "P40D" },
      actor: admin(),
    });
    const jobs = await EngineJob.findAll({ where: { instanceId: inst.id }, order: [["dueAt", "ASC"]] });
    assert.deepEqual(
      jobs.map((j) => [j.activityId, (new Date(j.dueAt).getTime() - start) / DAY]),
      [
        ["reminder", 10],
        ["wait30", 30],
        ["publicityOver", 40],
      ],
    );
    const tasksAt = async () => (await rt.findTasks({ processInstanceId: inst.id })).map((t) => t.taskDefinitionKey).sort();
    assert.deepEqual(await tasksAt(), ["publicity"]);

    clock.advance(9 * DAY);
    await rt.runDueJobs();
    assert.deepEqual(await tasksAt(), ["publicity"], "nothing is due after 9 days");

    clock.advance(1 * DAY + 1000);
    await rt.runDueJobs();
    assert.deepEqual(await tasksAt(), ["publicity", "remind"], "the non-interrupting reminder fired and the publicity task stays");

    clock.advance(20 * DAY);
    await rt.runDueJobs();
    assert.deepEqual(await tasksAt(), ["after30", "publicity", "remind"], "the 30-day timer fired");

    clock.advance(10 * DAY);
    await rt.runDueJobs();
    assert.deepEqual(await tasksAt(), ["after30", "remind"], "the 40-day boundary timer interrupted the publicity task");
    assert.equal(await EngineJob.count({ where: { instanceId: inst.id } }), 0);
    const history = await rt.history(inst.id);
    assert.ok(history.some((h) => h.activityId === "end40" && h.event === "activity.end"));
    assert.equal(history.filter((h) => h.event === "timer.fired").length, 3);
    // The interrupted task ends in history with the reason (it used to stay open for good).
    const ends = history.filter((h) => h.activityId === "publicity" && h.event === "activity.end");
    assert.equal(ends.length, 1);
    assert.deepEqual(ends[0]!.detail, { canceled: true, reason: "被边界事件「40天」中断" });
    // The non-interrupting reminder did not end anything; nothing that never started is recorded.
    assert.equal(history.filter((h) => h.event === "activity.end" && h.detail?.canceled).length, 1);
    const rest = await request(testApp().app)
      .get(`/engine-rest/history/activity-instance?processInstanceId=${inst.id}&activityId=publicity`)
      .auth(restAdmin.username, restAdmin.password)
      .expect(200);
    assert.equal(rest.body.length, 1);
    assert.ok(rest.body[0].endTime);
    assert.equal(rest.body[0].canceled, true);
  });

  it("fires a job exactly once even when runDueJobs is called concurrently", async () => {
    const { key } = await deployFixture("timers.bpmn");
    const rt = engine();
    const clock = testApp().clock;
    const inst = await rt.startProcess({
      key: key("timers"),
      businessKey: `BK-${randomBytes(4).toString("hex")}`,
      variables: { publicityPeriod: "P40D" },
      actor: admin(),
    });
    clock.advance(10 * DAY + 1000);
    await Promise.all([rt.runDueJobs(), rt.runDueJobs(), rt.runDueJobs()]);
    const remind = (await rt.findTasks({ processInstanceId: inst.id })).filter((t) => t.taskDefinitionKey === "remind");
    assert.equal(remind.length, 1);
    await rt.cancelInstance(inst.id, { actor: admin(), reason: "test done" });
  });

  it("retries a failing job with backoff, raises an incident when retries run out, and an admin retry fires it", async () => {
    const { key } = await deployFixture("timers.bpmn");
    const rt = engine();
    const clock = testApp().clock;
    const inst = await rt.startProcess({
      key: key("timers"),
      businessKey: `BK-${randomBytes(4).toString("hex")}`,
      variables: { publicityPeriod: "P40D" },
      actor: admin(),
    });
    const job = await EngineJob.findOne({ where: { instanceId: inst.id, activityId: "wait30" } });
    assert.ok(job);
    let failures = 0;
    // Simulate a failing fire by corrupting the stored state for the duration of the attempts.
    const saved = (await EngineInstance.findByPk(inst.id))!.engineState;
    await testApp().db.transaction((t) => EngineInstance.update({ engineState: "{not json" }, { where: { id: inst.id }, transaction: t }));
    clock.advance(30 * DAY + 1000);
    for (let i = 0; i < 3; i++) {
      await rt.runDueJobs();
      failures++;
      clock.advance(10 * 60 * 1000);
    }
    const failed = await EngineJob.findByPk(job.id);
    assert.equal(failed?.retries, 0);
    assert.ok(failed?.exceptionMessage);
    const incidents = (await rt.findIncidents({ processInstanceId: inst.id })).filter((i) => i.configuration === job.id);
    assert.equal(incidents.length, 1);
    assert.equal(incidents[0]!.incidentType, "failedJob");
    assert.equal(failures, 3);

    await testApp().db.transaction((t) => EngineInstance.update({ engineState: saved }, { where: { id: inst.id }, transaction: t }));
    await rt.setJobRetries(job.id, 1, admin());
    assert.equal((await rt.findIncidents({ processInstanceId: inst.id })).filter((i) => i.configuration === job.id).length, 0);
    await rt.runDueJobs();
    assert.ok((await rt.findTasks({ processInstanceId: inst.id })).some((t) => t.taskDefinitionKey === "after30"));
    await rt.cancelInstance(inst.id, { actor: admin(), reason: "test done" });
  });
});
