import assert from "node:assert/strict";
import request from "supertest";
import { buildUser, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

const app = () => testApp().app;

describe("engine REST: the worker role (external-task workers)", () => {
  let worker: TestUser;
  let reviewer: TestUser;
  before(async () => {
    worker = await buildUser({ roles: ["worker"] });
    reviewer = await buildUser({ roles: ["reviewer"] });
  });

  it("lets a worker account fetch and lock external tasks", async () => {
    const res = await request(app())
      .post("/engine-rest/external-task/fetchAndLock")
      .auth(worker.username, worker.password)
      .send({ workerId: "w1", maxTasks: 1, topics: [{ topicName: `nothing-${worker.username}`, lockDuration: 1000 }] })
      .expect(200);
    assert.deepEqual(res.body, []);
  });

  it("refuses a worker everything else a staff account does (deploy, instances, definitions) with 403 and Camunda's error shape", async () => {
    for (const path of ["/engine-rest/process-instance", "/engine-rest/process-definition", "/engine-rest/incident", "/engine-rest/job"]) {
      const res = await request(app()).get(path).auth(worker.username, worker.password);
      assert.equal(res.status, 403, path);
      assert.equal(res.body.type, "AuthorizationException", path);
    }
    const deploy = await request(app())
      .post("/engine-rest/deployment/create")
      .auth(worker.username, worker.password)
      .attach("p.bpmn", Buffer.from("<definitions/>"), "p.bpmn");
    assert.equal(deploy.status, 403);
  });

  it("refuses a reviewer the external-task API (403): workers are separate accounts", async () => {
    const res = await request(app())
      .post("/engine-rest/external-task/fetchAndLock")
      .auth(reviewer.username, reviewer.password)
      .send({ workerId: "w1", maxTasks: 1, topics: [{ topicName: "x", lockDuration: 1000 }] });
    assert.equal(res.status, 403);
    assert.match(res.body.message as string, /权限|无权/);
  });
});
