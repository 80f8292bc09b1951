import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { buildUser, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { admin as engineAdmin, deployFixture, engine, isolateEngineTests } from "./helpers.js";

const app = () => testApp().app;
const bk = () => `BK-${randomBytes(5).toString("hex")}`;

type Row = { id: string };

/** One list endpoint under /engine-rest: a query (or body) that selects this test's rows, and its count sibling if it has one. */
interface Endpoint {
  name: string;
  method: "get" | "post";
  path: string;
  filter: () => Record<string, string>;
  count?: string;
}

describe("engine REST paging: every list endpoint checks firstResult / maxResults and answers Camunda's slice", () => {
  isolateEngineTests();
  let admin: TestUser;
  let reviewKey: string;
  let reviewInstance: string;
  let topicName: string;
  let timerInstance: string;

  before(async () => {
    admin = await buildUser({ roles: ["admin"] });
    const rt = engine();
    const review = await deployFixture("review.bpmn");
    reviewKey = review.key("review");
    for (let i = 0; i < 3; i++) {
      const inst = await rt.startProcess({ key: reviewKey, businessKey: bk(), variables: { amount: i }, actor: engineAdmin() });
      reviewInstance = inst.id;
    }
    const external = await deployFixture("external.bpmn");
    topicName = external.key("credit-check");
    for (let i = 0; i < 3; i++) await rt.startProcess({ key: external.key("external"), businessKey: bk(), actor: engineAdmin() });
    // Two external tasks whose retries run out: two open incidents.
    const locked = await rt.fetchAndLock({ workerId: "w-paging", maxTasks: 2, topics: [{ topicName, lockDuration: 60_000 }] });
    assert.equal(locked.length, 2);
    for (const t of locked) await rt.handleExternalFailure(t.id, { workerId: "w-paging", errorMessage: "测试失败", retries: 0 });
    const timers = await deployFixture("timers.bpmn");
    const inst = await rt.startProcess({
      key: timers.key("timers"),
      businessKey: bk(),
      variables: { publicityPeriod: "P40D" },
      actor: engineAdmin(),
    });
    timerInstance = inst.id;
  });

  const endpoints: Endpoint[] = [
    {
      name: "process instances",
      method: "get",
      path: "/engine-rest/process-instance",
      filter: () => ({ processDefinitionKey: reviewKey }),
      count: "/engine-rest/process-instance/count",
    },
    {
      name: "process instances (POST)",
      method: "post",
      path: "/engine-rest/process-instance",
      filter: () => ({ processDefinitionKey: reviewKey }),
    },
    {
      name: "historic process instances",
      method: "get",
      path: "/engine-rest/history/process-instance",
      filter: () => ({ processDefinitionKey: reviewKey }),
    },
    {
      name: "historic activity instances",
      method: "get",
      path: "/engine-rest/history/activity-instance",
      filter: () => ({ processInstanceId: reviewInstance }),
    },
    {
      name: "process definitions",
      method: "get",
      path: "/engine-rest/process-definition",
      filter: () => ({}),
      count: "/engine-rest/process-definition/count",
    },
    { name: "deployments", method: "get", path: "/engine-rest/deployment", filter: () => ({}) },
    { name: "external tasks", method: "get", path: "/engine-rest/external-task", filter: () => ({ topicName }) },
    { name: "incidents", method: "get", path: "/engine-rest/incident", filter: () => ({}) },
    { name: "jobs", method: "get", path: "/engine-rest/job", filter: () => ({ processInstanceId: timerInstance }) },
  ];

  /** GET: a query string with arrays as repeated keys (what Express parses into an array); POST: a JSON body. */
  const call = (e: Endpoint, path: string, params: Record<string, unknown>) => {
    if (e.method === "post") return request(app()).post(path).send(params).auth(admin.username, admin.password);
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, String(one));
    return request(app()).get(`${path}?${qs.toString()}`).auth(admin.username, admin.password);
  };

  // Query-string values as sent; bodies keep their JSON types.
  const bad: Record<string, unknown>[] = [
    { maxResults: "-1" },
    { firstResult: "-5" },
    { maxResults: "NaN" },
    { firstResult: "NaN" },
    { maxResults: "1.5" },
    { firstResult: "1.5" },
    { maxResults: "1e3" },
    { maxResults: "" },
    { maxResults: "abc" },
    { maxResults: "10001" },
    { maxResults: "99999999999999999999" },
    { firstResult: "2147483648" },
    { firstResult: "1e308" },
    { maxResults: ["1", "2"] },
    { firstResult: ["0", "1"] },
  ];
  const badBodies: Record<string, unknown>[] = [
    { maxResults: -1 },
    { firstResult: -1 },
    { maxResults: 1.5 },
    { maxResults: "NaN" },
    { maxResults: 10_001 },
    { firstResult: 2 ** 53 },
    { maxResults: [1] },
    { maxResults: true },
  ];

  for (const e of endpoints) {
    describe(`${e.method.toUpperCase()} ${e.path} (${e.name})`, () => {
      const paths = e.count ? [e.path, e.count] : [e.path];
      const cases = e.method === "get" ? bad : badBodies;
      for (const params of cases) {
        it(`answers 400 InvalidRequestException for ${JSON.stringify(params)}${e.count ? " (and on /count)" : ""}`, async () => {
          for (const path of paths) {
            const res = await call(e, path, { ...e.filter(), ...params }).expect(400);
            assert.equal(res.body.type, "InvalidRequestException", path);
            assert.equal(typeof res.body.message, "string");
            assert.match(res.body.message as string, /firstResult|maxResults/);
          }
        });
      }

      it("answers Camunda's slice for valid firstResult / maxResults (numbers or digit strings)", async () => {
        const all = ((await call(e, e.path, e.filter()).expect(200)).body as Row[]).map((r) => r.id);
        assert.ok(all.length >= 2, `${e.name}: at least two rows to page through (got ${all.length})`);
        const ids = async (params: Record<string, unknown>) =>
          ((await call(e, e.path, { ...e.filter(), ...params }).expect(200)).body as Row[]).map((r) => r.id);
        assert.deepEqual(await ids({ firstResult: "1", maxResults: "1" }), all.slice(1, 2));
        assert.deepEqual(await ids({ firstResult: 0, maxResults: 2 }), all.slice(0, 2));
        assert.deepEqual(await ids({ firstResult: "1" }), all.slice(1));
        assert.deepEqual(await ids({ maxResults: "0" }), []);
        assert.deepEqual(await ids({ maxResults: "10000" }), all);
        assert.deepEqual(await ids({ firstResult: "2147483647", maxResults: "10000" }), []);
        if (e.count) {
          const count = await call(e, e.count, { ...e.filter(), firstResult: "1", maxResults: "1" }).expect(200);
          assert.equal(count.body.count, all.length, "count ignores paging, as Camunda's does");
        }
      });
    });
  }

  it("validates paging in engine.findInstances too: non-integers and negatives are 400, a huge maxResults is cut to 10,000", async () => {
    const rt = engine();
    for (const f of [
      { maxResults: Number.NaN },
      { firstResult: -1 },
      { maxResults: 1.5 },
      { firstResult: Infinity },
      { maxResults: "5" as unknown as number },
    ]) {
      await assert.rejects(
        rt.findInstances({ processDefinitionKey: reviewKey, ...f }),
        (err: Error & { status: number }) => err.status === 400,
      );
    }
    assert.equal((await rt.findInstances({ processDefinitionKey: reviewKey, maxResults: Number.MAX_SAFE_INTEGER })).length, 3);
    assert.equal((await rt.findInstances({ processDefinitionKey: reviewKey, firstResult: Number.MAX_SAFE_INTEGER })).length, 0);
    assert.equal((await rt.findInstances({ processDefinitionKey: reviewKey, firstResult: 1, maxResults: 1 })).length, 1);
  });
});
