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

  it("lets a worker read the engine's version and API description, and nothing outside /engine-rest (403 in Chinese)", async () => {
    await request(app()).get("/engine-rest/version").auth(worker.username, worker.password).expect(200);
    await request(app()).get("/engine-rest/openapi.json").auth(worker.username, worker.password).expect(200);
    for (const path of ["/api/me", "/api/inbox", "/api/forms"]) {
      const res = await request(app()).get(path).auth(worker.username, worker.password);
      assert.equal(res.status, 403, path);
      assert.match(res.body.error.message as string, /只能调用外部任务接口/, path);
    }
  });

  it("refuses a lock duration, retry timeout or retry count beyond its limits with 400, and the task list keeps answering", async () => {
    const post = (path: string, body: object) => request(app()).post(path).auth(worker.username, worker.password).send(body);
    const tooLong = 10 ** 15;
    const fetch = await post("/engine-rest/external-task/fetchAndLock", {
      workerId: "w1",
      maxTasks: 1,
      topics: [{ topicName: `none-${worker.username}`, lockDuration: tooLong }],
    });
    assert.equal(fetch.status, 400);
    assert.equal(fetch.body.type, "InvalidRequestException");
    const id = "00000000-0000-4000-8000-000000000000";
    assert.equal((await post(`/engine-rest/external-task/${id}/extendLock`, { workerId: "w1", newDuration: tooLong })).status, 400);
    assert.equal(
      (await post(`/engine-rest/external-task/${id}/failure`, { workerId: "w1", retries: 1, retryTimeout: tooLong })).status,
      400,
    );
    assert.equal((await post(`/engine-rest/external-task/${id}/failure`, { workerId: "w1", retries: 2 ** 40 })).status, 400);
    await request(app()).get("/engine-rest/external-task").auth(worker.username, worker.password).expect(200);
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
