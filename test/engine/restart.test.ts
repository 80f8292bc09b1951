import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createApp } from "../../server/app.js";
import { ManualClock } from "../../server/clock.js";
import type { Database } from "../../server/db/database.js";
import { initModels } from "../../server/db/models/index.js";
import type { EngineRuntime } from "../../server/engine/index.js";
import { createLogger } from "../../server/logger.js";
import { testApp } from "../helpers/testApp.js";
import { openTestDatabase } from "../helpers/testDatabase.js";
import { admin, DAY, fixture, isolateEngineTests, user } from "./helpers.js";

/**
 * A "restart": a new database connection and a new app (new runtime, empty caches) on the same
 * database, while the previous runtime's caches are dropped. Nothing survives but the database.
 */
class Restarts {
  private opened: Database[] = [];
  readonly clock = new ManualClock(testApp().clock.now());
  private current: EngineRuntime = testApp().app.locals.context.engine;

  async next(): Promise<EngineRuntime> {
    this.current.clearCaches();
    const { config } = testApp();
    const db = await openTestDatabase(config.databaseUrl);
    this.opened.push(db);
    const app = createApp({ config, db, logger: createLogger("silent"), clock: this.clock });
    this.current = app.locals.context.engine;
    return this.current;
  }

  async close(): Promise<void> {
    for (const db of this.opened) await db.close();
    // Models are bound to the last opened connection: bind them back to the shared test database.
    initModels(testApp().db.sequelize);
  }
}

async function runThroughEveryWait(approved: boolean): Promise<string[]> {
  const f = fixture("every-wait.bpmn");
  const restarts = new Restarts();
  try {
    let rt = await restarts.next();
    await rt.deploy({ name: "every-wait", files: [{ name: "every-wait.bpmn", xml: f.xml }], actor: admin() });
    const businessKey = `BK-${randomBytes(5).toString("hex")}`;
    const inst = await rt.startProcess({ key: f.key("every-wait"), businessKey, actor: admin() });

    rt = await restarts.next(); // waiting at the user task "review"
    const [review] = await rt.findTasks({ processInstanceId: inst.id });
    assert.equal(review?.taskDefinitionKey, "review");
    await rt.completeTask(review.id, { actor: user(), variables: { approved } });

    rt = await restarts.next(); // waiting at the 3-day timer
    assert.equal(await rt.runDueJobs(), 0);
    restarts.clock.advance(3 * DAY + 1000);
    rt = await restarts.next();
    assert.equal(await rt.runDueJobs(), 1);

    rt = await restarts.next(); // waiting for the message
    await rt.correlateMessage({ messageName: f.key("docs-received"), businessKey, actor: admin() });

    rt = await restarts.next(); // waiting at the external task
    const [ext] = await rt.fetchAndLock({
      workerId: "w",
      maxTasks: 1,
      topics: [{ topicName: f.key("every-wait-check"), lockDuration: 60_000 }],
    });
    assert.ok(ext);
    rt = await restarts.next();
    await rt.completeExternalTask(ext.id, { workerId: "w", variables: { checked: "ok" } });

    rt = await restarts.next(); // waiting at the user task "final"
    const [final] = await rt.findTasks({ processInstanceId: inst.id });
    assert.equal(final?.taskDefinitionKey, "final");
    await rt.completeTask(final.id, { actor: admin() });

    rt = await restarts.next();
    const done = await rt.getInstance(inst.id);
    assert.equal(done?.state, "COMPLETED");
    return (await rt.history(inst.id)).filter((h) => h.event === "activity.end").map((h) => h.activityId ?? "");
  } finally {
    await restarts.close();
  }
}

describe("engine restart survival", () => {
  isolateEngineTests();
  it("continues after a restart at every wait state (user task, timer, message, external task) and ends on the approved branch", async () => {
    const ended = await runThroughEveryWait(true);
    assert.ok(ended.includes("endYes"));
    assert.ok(!ended.includes("endNo"));
    for (const id of ["review", "cooling", "docs", "check", "final"]) assert.ok(ended.includes(id), `history has ${id}`);
  });

  it("takes the other branch when the variables say so, across the same restarts", async () => {
    const ended = await runThroughEveryWait(false);
    assert.ok(ended.includes("endNo"));
    assert.ok(!ended.includes("endYes"));
  });
});
