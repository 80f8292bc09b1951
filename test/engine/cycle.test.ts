import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { EngineJob } from "../../server/db/models/engineModels.js";
import { testApp } from "../helpers/testApp.js";
import { admin, DAY, deployFixture, engine, isolateEngineTests } from "./helpers.js";

describe("engine: timer start event, cycle timers and an embedded sub-process", () => {
  isolateEngineTests();
  it("runs an API start past the timer start event (Camunda), makes a task row of a user task inside a sub-process, and fires an R2/P1D cycle twice", async () => {
    const { key, definitionId } = await deployFixture("cycle-subprocess.bpmn");
    const rt = engine();
    const clock = testApp().clock;
    // The deploy scheduled the timer start event (PT1H): a job of the definition, without instance.
    const [startJob] = await EngineJob.findAll({ where: { definitionId } });
    assert.equal(startJob?.instanceId, null);
    const inst = await rt.startProcess({ key: key("cycle"), businessKey: `BK-${randomBytes(4).toString("hex")}`, actor: admin() });
    const keys = async () => (await rt.findTasks({ processInstanceId: inst.id })).map((t) => t.taskDefinitionKey).sort();
    const complete = async (activityId: string) => {
      const [task] = await rt.findTasks({ processInstanceId: inst.id, taskDefinitionKey: activityId });
      await rt.completeTask(task!.id, { actor: admin() });
    };
    assert.deepEqual(await keys(), ["inner"], "not waiting at the timer start event: the user task inside the sub-process is in the inbox");
    // The timer start job starts one more instance after an hour; end it so that only the first instance's timers run below.
    clock.advance(60 * 60 * 1000 + 1000);
    await rt.runDueJobs();
    const started = (await rt.findInstances({ processDefinitionId: definitionId })).filter((i) => i.id !== inst.id);
    assert.equal(started.length, 1, "the timer start job started one instance");
    await rt.cancelInstance(started[0]!.id, { actor: admin(), reason: "test" });
    clock.advance(DAY);
    await rt.runDueJobs();
    assert.deepEqual(await keys(), ["inner", "remind"], "first cycle");
    clock.advance(DAY);
    assert.equal(await rt.runDueJobs(), 1, "second cycle");
    clock.advance(DAY);
    assert.equal(await rt.runDueJobs(), 0, "R2 fires twice only");
    // bpmn-elements runs one token of an activity at a time: the second reminder waits for the first.
    await complete("remind");
    assert.deepEqual(await keys(), ["inner", "remind"]);
    await complete("remind");
    await complete("inner");
    assert.equal((await rt.getInstance(inst.id))?.state, "COMPLETED");
  });
});
