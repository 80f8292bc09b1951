import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { testApp } from "../helpers/testApp.js";
import { admin, DAY, deployFixture, engine, isolateEngineTests } from "./helpers.js";

describe("engine: timer start event, cycle timers and an embedded sub-process", () => {
  isolateEngineTests();
  it("waits at a timer start event, makes a task row of a user task inside a sub-process, and fires an R2/P1D cycle twice", async () => {
    const { key } = await deployFixture("cycle-subprocess.bpmn");
    const rt = engine();
    const clock = testApp().clock;
    const inst = await rt.startProcess({ key: key("cycle"), businessKey: `BK-${randomBytes(4).toString("hex")}`, actor: admin() });
    const keys = async () => (await rt.findTasks({ processInstanceId: inst.id })).map((t) => t.taskDefinitionKey).sort();
    const complete = async (activityId: string) => {
      const [task] = await rt.findTasks({ processInstanceId: inst.id, taskDefinitionKey: activityId });
      await rt.completeTask(task!.id, { actor: admin() });
    };
    assert.deepEqual(await keys(), [], "waiting at the timer start event");
    clock.advance(60 * 60 * 1000 + 1000);
    await rt.runDueJobs();
    assert.deepEqual(await keys(), ["inner"], "the user task inside the sub-process is in the inbox");
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
