import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { randomBytes } from "node:crypto";
import { BasicAuthInterceptor, Client, Variables } from "camunda-external-task-client-js";
import { buildUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import type { InstanceView } from "../../server/engine/index.js";
import { admin, engine, fixture, isolateEngineTests } from "./helpers.js";

/** Waits for a condition with a generous bound (the worker polls a real server); not a timing assertion. */
async function eventually(check: () => Promise<boolean>, what: string, boundMs = 20_000): Promise<void> {
  const until = Date.now() + boundMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`did not happen: ${what}`);
}

describe("camunda-external-task-client-js against a running server", function () {
  isolateEngineTests();
  this.timeout(60_000);
  let server: Server;
  let baseUrl: string;
  before(async () => {
    server = testApp().app.listen(0);
    await new Promise<void>((resolve) => server.once("listening", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/engine-rest`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("subscribes to a topic, completes external tasks with typed variables, and the instances continue on the right branch", async () => {
    const worker = await buildUser({ roles: ["worker"] });
    const f = fixture("external.bpmn");
    const rt = engine();
    await rt.deploy({ name: "external", files: [{ name: "external.bpmn", xml: f.xml }], actor: admin() });
    const instances: InstanceView[] = [];
    for (let i = 0; i < 4; i++) {
      instances.push(
        await rt.startProcess({
          key: f.key("external"),
          businessKey: `BK-${randomBytes(4).toString("hex")}`,
          variables: { applicant: `A${i}`, seq: i },
          actor: admin(),
        }),
      );
    }
    const seen: string[] = [];
    const client = new Client({
      baseUrl,
      interceptors: new BasicAuthInterceptor({ username: worker.username, password: worker.password }),
      asyncResponseTimeout: 2000,
      interval: 50,
      lockDuration: 30_000,
      autoPoll: false,
    });
    client.subscribe(f.key("credit-check"), { variables: ["applicant", "seq"] }, async ({ task, taskService }) => {
      const seq = task.variables.get("seq") as number;
      seen.push(task.variables.get("applicant") as string);
      const out = new Variables();
      out.set("score", seq % 2 === 0 ? 90 : 10);
      out.setTyped("checkedAt", { type: "Date", value: new Date("2026-11-27T00:00:00Z"), valueInfo: {} });
      await taskService.complete(task, out);
    });
    client.start();
    try {
      await eventually(async () => {
        const states = await Promise.all(instances.map((i) => rt.findTasks({ processInstanceId: i.id })));
        const done = await Promise.all(instances.map((i) => rt.getInstance(i.id)));
        return instances.every((_, i) => states[i]!.length === 1 || done[i]!.state === "COMPLETED");
      }, "every instance moved past the external task");
    } finally {
      client.stop();
    }
    assert.deepEqual([...seen].sort(), ["A0", "A1", "A2", "A3"]);
    for (const [i, inst] of instances.entries()) {
      const view = await rt.getInstance(inst.id);
      assert.equal(view?.variables.score, i % 2 === 0 ? 90 : 10);
      assert.equal(view?.variables.checkedAt, "2026-11-27T00:00:00.000Z");
      if (i % 2 === 0)
        assert.deepEqual(
          (await rt.findTasks({ processInstanceId: inst.id })).map((t) => t.taskDefinitionKey),
          ["good"],
        );
      else assert.equal(view?.state, "COMPLETED");
    }
  });
});
