import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { EngineHistory } from "../../server/db/models/engineModels.js";
import { testApp } from "../helpers/testApp.js";
import { admin, deployFixture, engine, isolateEngineTests, user } from "./helpers.js";

const bk = () => `BK-${randomBytes(5).toString("hex")}`;

describe("engine: what a step answers and records", () => {
  isolateEngineTests();

  it("answers the stored startedAt, startActor and endReason from startProcess and completeTask, as getInstance does", async () => {
    const { key } = await deployFixture("review.bpmn");
    const rt = engine();
    const clock = testApp().clock;
    const starter = user({ username: `starter_${randomBytes(3).toString("hex")}` });
    const started = await rt.startProcess({ key: key("review"), businessKey: bk(), variables: { amount: 10 }, actor: starter });
    const stored = await rt.getInstance(started.id);
    assert.ok(stored);
    assert.equal(stored.startActor, starter.username);
    assert.deepEqual(
      { startedAt: started.startedAt.getTime(), startActor: started.startActor, endReason: started.endReason },
      { startedAt: stored.startedAt.getTime(), startActor: stored.startActor, endReason: stored.endReason },
    );

    clock.advance(60_000);
    const [task] = await rt.findTasks({ processInstanceId: started.id });
    const done = await rt.completeTask(task!.id, { actor: admin(), variables: { approved: false } });
    assert.equal(done.state, "COMPLETED");
    assert.equal(done.startedAt.getTime(), stored.startedAt.getTime(), "startedAt is when the instance started, not this step");
    assert.equal(done.startActor, starter.username);
    assert.equal(done.endReason, null);
    const after = await rt.getInstance(started.id);
    assert.equal(done.endedAt?.getTime(), after?.endedAt?.getTime());
  });

  it("records each activity once although every step resumes the engine from its stored state", async () => {
    const { key } = await deployFixture("review.bpmn");
    const rt = engine();
    const inst = await rt.startProcess({
      key: key("review"),
      businessKey: bk(),
      variables: { amount: 10, applicant: "zhang" },
      actor: admin(),
    });
    const [review] = await rt.findTasks({ processInstanceId: inst.id });
    await rt.completeTask(review!.id, { actor: admin(), variables: { approved: true } });
    const [confirm] = await rt.findTasks({ processInstanceId: inst.id });
    await rt.completeTask(confirm!.id, { actor: "zhang" });
    const starts = (await rt.history(inst.id)).filter((h) => h.event === "activity.start").map((h) => h.activityId);
    assert.deepEqual(starts, ["start", "review", "decision", "confirm", "endApproved"]);
  });

  it("keeps the history of a large variable as valid JSON: a truncated preview with its size", async () => {
    const { key } = await deployFixture("review.bpmn");
    const rt = engine();
    const big = "信".repeat(70_000);
    const inst = await rt.startProcess({
      key: key("review"),
      businessKey: bk(),
      variables: { amount: 10, note: big, small: { a: 1 } },
      actor: admin(),
    });
    const sets = (await rt.history(inst.id)).filter((h) => h.event === "variable.set");
    const note = sets.find((h) => h.activityName === "note");
    assert.ok(note?.detail, "the detail of a large variable parses");
    assert.equal(note.detail.name, "note");
    assert.equal(note.detail.truncated, true);
    assert.equal(note.detail.size, JSON.stringify(big).length);
    assert.equal(typeof note.detail.preview, "string");
    assert.ok(String(note.detail.preview).startsWith(`"信信信`));
    assert.ok(String(note.detail.preview).length < 10_000);
    assert.deepEqual(sets.find((h) => h.activityName === "small")?.detail, { name: "small", value: { a: 1 } });
    // Every stored detail is valid JSON.
    for (const row of await EngineHistory.findAll({ where: { instanceId: inst.id } })) {
      if (row.detail !== null) assert.doesNotThrow(() => JSON.parse(row.detail!), row.event);
    }
  });
});
