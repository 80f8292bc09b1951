import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Op } from "sequelize";
import request from "supertest";
import { EngineDeployment, EngineExternalTask, EngineIncident, EngineInstance, EngineJob } from "../../server/db/models/engineModels.js";
import { buildUser, loginAs, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { admin as engineAdmin, createFormsOf, DAY, deployFixture, engine, fixture, isolateEngineTests } from "./helpers.js";

const app = () => testApp().app;
const bk = () => `BK-${randomBytes(5).toString("hex")}`;

type Row = Record<string, unknown> & { id: string };

/** One list under /engine-rest with its /count sibling: a filter selecting this test's rows, and narrower filters. */
interface ListCase {
  name: string;
  path: string;
  filter: () => Record<string, string>;
  /** How many rows the filter matches, counted in the tables directly. */
  expected: () => Promise<number>;
  /** Filters that select fewer of this test's rows, with their expected counts (from the tables). */
  narrower: () => Narrow[] | Promise<Narrow[]>;
  /** The documented order: a row never sorts before the one ahead of it (ties are broken by id in SQL). */
  inOrder: (before: Row, after: Row) => boolean;
}

type Narrow = { filter: Record<string, string>; expected: number };

const time = (v: unknown) => new Date(String(v).replace(/([+-]\d{2})(\d{2})$/, "$1:$2")).getTime();

describe("engine REST lists page and count in SQL: deployments, incidents, jobs, external tasks, process instances", () => {
  isolateEngineTests();
  const tag = randomBytes(4).toString("hex");
  let admin: TestUser;
  let reviewKey: string;
  let reviewInstances: string[];
  let externalDefinitionId: string;
  let topicName: string;
  let failedExternal: string[];
  let timersKey: string;
  let timersDefinitionId: string;
  let timerInstances: string[];
  const startJobId = `lists-${tag}-start-job`;

  before(async () => {
    admin = await buildUser({ roles: ["admin"] });
    const rt = engine();
    // Five deployments of one key in the same instant (the test clock stands still): only the id orders them.
    const review = fixture("review.bpmn");
    await createFormsOf(review.xml);
    for (let i = 0; i < 5; i++) {
      await rt.deploy({ name: `lists-${tag}-${i}`, files: [{ name: "review.bpmn", xml: review.xml }], actor: engineAdmin() });
    }
    reviewKey = review.key("review");
    reviewInstances = [];
    for (let i = 0; i < 5; i++) {
      reviewInstances.push(
        (await rt.startProcess({ key: reviewKey, businessKey: bk(), variables: { amount: i }, actor: engineAdmin() })).id,
      );
    }
    // Seven external tasks; five fail without retries (five open incidents), two stay locked.
    const external = await deployFixture("external.bpmn");
    externalDefinitionId = external.definitionId;
    topicName = external.key("credit-check");
    for (let i = 0; i < 7; i++) await rt.startProcess({ key: external.key("external"), businessKey: bk(), actor: engineAdmin() });
    const locked = await rt.fetchAndLock({ workerId: `w-${tag}`, maxTasks: 7, topics: [{ topicName, lockDuration: 60_000 }] });
    assert.equal(locked.length, 7);
    failedExternal = locked.slice(0, 5).map((t) => t.id);
    for (const id of failedExternal) await rt.handleExternalFailure(id, { workerId: `w-${tag}`, errorMessage: "测试失败", retries: 0 });
    // Timer jobs of three instances started in the same instant (equal due dates across instances) ...
    const timers = await deployFixture("timers.bpmn");
    timersKey = timers.key("timers");
    timersDefinitionId = timers.definitionId;
    timerInstances = [];
    for (let i = 0; i < 3; i++) {
      const inst = await rt.startProcess({
        key: timersKey,
        businessKey: bk(),
        variables: { publicityPeriod: "P40D" },
        actor: engineAdmin(),
      });
      timerInstances.push(inst.id);
    }
  });

  // ... and a timer start event's job, which belongs to no instance yet (no retries left: no worker ever fires it). The
  // engine tests' afterEach drops the timer start jobs of their fixtures, so it is put back before each test.
  beforeEach(async () => {
    const now = testApp().clock.now();
    await testApp().db.transaction(async (t) => {
      if (await EngineJob.findByPk(startJobId, { transaction: t })) return;
      await EngineJob.create(
        {
          id: startJobId,
          instanceId: null,
          definitionId: timersDefinitionId,
          definitionKey: timersKey,
          activityId: "start",
          executionId: null,
          type: "timer-start-event",
          dueAt: new Date(now.getTime() + 400 * DAY),
          owner: null,
          lockUntil: null,
          retries: 0,
          exceptionMessage: null,
          createdAt: now,
        },
        { transaction: t },
      );
    });
  });

  after(async () => {
    await testApp().db.transaction((t) => EngineJob.destroy({ where: { id: startJobId }, transaction: t }));
  });

  const cases: ListCase[] = [
    {
      name: "deployments",
      path: "/engine-rest/deployment",
      filter: () => ({ nameLike: `lists-${tag}-%` }),
      expected: () => EngineDeployment.count({ where: { name: { [Op.like]: `lists-${tag}-%` } } }),
      narrower: (): Narrow[] => [{ filter: { name: `lists-${tag}-3` }, expected: 1 }],
      inOrder: (a, b) => time(a.deploymentTime) >= time(b.deploymentTime),
    },
    {
      name: "process instances",
      path: "/engine-rest/process-instance",
      filter: () => ({ processDefinitionKey: reviewKey }),
      expected: () => EngineInstance.count({ where: { definitionKey: reviewKey, state: "ACTIVE" } }),
      narrower: (): Narrow[] => [
        { filter: { processDefinitionKey: reviewKey, processInstanceIds: reviewInstances.slice(1, 4).join(",") }, expected: 3 },
      ],
      inOrder: () => true,
    },
    {
      name: "incidents",
      path: "/engine-rest/incident",
      filter: () => ({ processDefinitionId: externalDefinitionId }),
      expected: () => EngineIncident.count({ where: { definitionId: externalDefinitionId, resolvedAt: null } }),
      narrower: (): Narrow[] => [
        { filter: { processDefinitionId: externalDefinitionId, configuration: failedExternal[0]! }, expected: 1 },
        { filter: { processDefinitionId: externalDefinitionId, incidentType: "failedJob" }, expected: 0 },
      ],
      inOrder: (a, b) => time(a.incidentTimestamp) <= time(b.incidentTimestamp),
    },
    {
      name: "external tasks",
      path: "/engine-rest/external-task",
      filter: () => ({ topicName }),
      expected: () => EngineExternalTask.count({ where: { topic: topicName } }),
      narrower: (): Narrow[] => [
        { filter: { topicName, noRetriesLeft: "true" }, expected: 5 },
        { filter: { topicName, withRetriesLeft: "true" }, expected: 2 },
        { filter: { topicName, locked: "true" }, expected: 2 },
        { filter: { topicName, notLocked: "true" }, expected: 5 },
        { filter: { topicName, externalTaskId: failedExternal[1]! }, expected: 1 },
      ],
      inOrder: () => true,
    },
    {
      name: "jobs",
      path: "/engine-rest/job",
      filter: () => ({ processDefinitionKey: timersKey }),
      expected: () => EngineJob.count({ where: { definitionKey: timersKey } }),
      narrower: async (): Promise<Narrow[]> => [
        {
          filter: { processInstanceId: timerInstances[1]! },
          expected: await EngineJob.count({ where: { instanceId: timerInstances[1]! } }),
        },
        { filter: { processDefinitionKey: timersKey, noRetriesLeft: "true" }, expected: 1 },
        {
          filter: { processDefinitionKey: timersKey, withRetriesLeft: "true" },
          expected: (await EngineJob.count({ where: { definitionKey: timersKey } })) - 1,
        },
        { filter: { jobId: startJobId }, expected: 1 },
      ],
      inOrder: (a, b) => time(a.dueDate) <= time(b.dueDate),
    },
  ];

  const get = (path: string, query: Record<string, string>) =>
    request(app())
      .get(`${path}?${new URLSearchParams(query).toString()}`)
      .auth(admin.username, admin.password);

  for (const c of cases) {
    describe(`GET ${c.path} and ${c.path}/count (${c.name})`, () => {
      it("answers disjoint consecutive pages in one stable order, the documented one", async () => {
        const all = (await get(c.path, { ...c.filter(), maxResults: "10000" }).expect(200)).body as Row[];
        const ids = all.map((r) => r.id);
        assert.ok(ids.length >= 5, `${c.name}: at least five rows to page through (got ${ids.length})`);
        assert.equal(new Set(ids).size, ids.length, "no row twice");
        for (let i = 1; i < all.length; i++) assert.ok(c.inOrder(all[i - 1]!, all[i]!), `${c.name}: rows ${i - 1} and ${i} in order`);
        const paged: string[] = [];
        for (let first = 0; first <= ids.length; first += 2) {
          const page = (await get(c.path, { ...c.filter(), firstResult: String(first), maxResults: "2" }).expect(200)).body as Row[];
          assert.ok(page.length <= 2);
          paged.push(...page.map((r) => r.id));
        }
        assert.deepEqual(paged, ids, "the pages, one after the other, are the whole list: nothing skipped, nothing twice");
        const again = (await get(c.path, { ...c.filter(), maxResults: "10000" }).expect(200)).body as Row[];
        assert.deepEqual(
          again.map((r) => r.id),
          ids,
          "the same order every time",
        );
        const odd = (await get(c.path, { ...c.filter(), firstResult: "3", maxResults: "1" }).expect(200)).body as Row[];
        assert.deepEqual(
          odd.map((r) => r.id),
          ids.slice(3, 4),
        );
      });

      it("counts with SQL what the list's filter matches ({ count }), whatever firstResult / maxResults say", async () => {
        const expected = await c.expected();
        const count = await get(`${c.path}/count`, c.filter()).expect(200);
        assert.deepEqual(count.body, { count: expected });
        const list = (await get(c.path, { ...c.filter(), maxResults: "10000" }).expect(200)).body as Row[];
        assert.equal(list.length, expected);
        const paged = await get(`${c.path}/count`, { ...c.filter(), firstResult: "1", maxResults: "1" }).expect(200);
        assert.equal(paged.body.count, expected, "paging does not cut the count, as in Camunda");
        for (const n of await c.narrower()) {
          const narrowCount = await get(`${c.path}/count`, n.filter).expect(200);
          assert.equal(narrowCount.body.count, n.expected, `${c.name} count ${JSON.stringify(n.filter)}`);
          const narrowList = (await get(c.path, n.filter).expect(200)).body as Row[];
          assert.equal(narrowList.length, n.expected, `${c.name} list ${JSON.stringify(n.filter)}`);
        }
      });

      for (const bad of <Record<string, string>[]>[
        { firstResult: "-1" },
        { maxResults: "abc" },
        { maxResults: "1.5" },
        { maxResults: "10001" },
        { firstResult: "2147483648" },
      ]) {
        it(`answers 400 { type, message } in Chinese for ${JSON.stringify(bad)} on the list and on /count`, async () => {
          for (const path of [c.path, `${c.path}/count`]) {
            const res = await get(path, { ...c.filter(), ...bad }).expect(400);
            assert.deepEqual(Object.keys(res.body as object).sort(), ["message", "type"], path);
            assert.equal(res.body.type, "InvalidRequestException");
            assert.match(res.body.message as string, /firstResult|maxResults/);
            assert.match(res.body.message as string, /[\u4e00-\u9fff]/, "a Chinese message");
          }
        });
      }
    });
  }

  it("answers a timer start event's job with processInstanceId null and its definition id", async () => {
    const res = await get("/engine-rest/job", { jobId: startJobId }).expect(200);
    const [job] = res.body as Row[];
    assert.ok(job);
    assert.equal(job.processInstanceId, null);
    assert.equal(job.executionId, null);
    assert.equal(job.processDefinitionId, timersDefinitionId);
    assert.equal(job.processDefinitionKey, timersKey);
    // Jobs of instances name their instance's definition.
    const own = (await get("/engine-rest/job", { processInstanceId: timerInstances[0]! }).expect(200)).body as Row[];
    assert.ok(own.length > 0);
    for (const j of own) {
      assert.equal(j.processInstanceId, timerInstances[0]);
      assert.equal(j.processDefinitionId, timersDefinitionId);
    }
  });

  it("pages and counts POST /engine-rest/process-instance(/count) with the filter and paging in the body", async () => {
    const all = (
      await request(app())
        .post("/engine-rest/process-instance")
        .auth(admin.username, admin.password)
        .send({ processDefinitionKey: reviewKey })
        .expect(200)
    ).body as Row[];
    assert.equal(all.length, 5);
    const page = await request(app())
      .post("/engine-rest/process-instance")
      .auth(admin.username, admin.password)
      .send({ processDefinitionKey: reviewKey, firstResult: 2, maxResults: 2 })
      .expect(200);
    assert.deepEqual(
      (page.body as Row[]).map((r) => r.id),
      all.slice(2, 4).map((r) => r.id),
    );
    const count = await request(app())
      .post("/engine-rest/process-instance/count")
      .auth(admin.username, admin.password)
      .send({ processDefinitionKey: reviewKey, processInstanceIds: reviewInstances.slice(0, 2).join(",") })
      .expect(200);
    assert.deepEqual(count.body, { count: 2 });
    const bad = await request(app())
      .post("/engine-rest/process-instance/count")
      .auth(admin.username, admin.password)
      .send({ processDefinitionKey: reviewKey, maxResults: -1 })
      .expect(400);
    assert.equal(bad.body.type, "InvalidRequestException");
    assert.match(bad.body.message as string, /[\u4e00-\u9fff]/);
  });

  it("counts process definitions with the list's filter (deploymentId, processDefinitionId)", async () => {
    const get = (path: string) => request(app()).get(path).auth(admin.username, admin.password).expect(200);
    for (const filter of [
      `processDefinitionId=${encodeURIComponent(timersDefinitionId)}`,
      "processDefinitionId=none",
      "deploymentId=none",
    ]) {
      const list = (await get(`/engine-rest/process-definition?${filter}`)).body as unknown[];
      const count = (await get(`/engine-rest/process-definition/count?${filter}`)).body as { count: number };
      assert.equal(count.count, list.length, filter);
    }
    assert.equal(((await get(`/engine-rest/process-definition/count?processDefinitionId=none`)).body as { count: number }).count, 0);
  });

  it("finds one deployment by id past any list cap, and answers 404 for an unknown one", async () => {
    const [one] = (await get("/engine-rest/deployment", { name: `lists-${tag}-2` }).expect(200)).body as Row[];
    assert.ok(one);
    const res = await get(`/engine-rest/deployment/${one.id}`, {}).expect(200);
    assert.equal(res.body.name, `lists-${tag}-2`);
    const missing = await get(`/engine-rest/deployment/no-such-${tag}`, {}).expect(404);
    assert.equal(missing.body.type, "InvalidRequestException");
  });

  it("refuses paging the runtime cannot write into SQL (engine.lists), and cuts maxResults to 10,000", async () => {
    const rt = engine();
    for (const f of [{ maxResults: Number.NaN }, { firstResult: -1 }, { maxResults: 1.5 }, { firstResult: Infinity }]) {
      await assert.rejects(
        rt.lists.jobs({ processDefinitionKey: timersKey, ...f }),
        (err: Error & { status: number }) => err.status === 400,
      );
      await assert.rejects(rt.lists.deployments(f), (err: Error & { status: number }) => err.status === 400);
      await assert.rejects(rt.lists.incidents(f), (err: Error & { status: number }) => err.status === 400);
      await assert.rejects(rt.lists.externalTasks({ topicName, ...f }), (err: Error & { status: number }) => err.status === 400);
    }
    assert.equal((await rt.lists.externalTasks({ topicName, maxResults: Number.MAX_SAFE_INTEGER })).length, 7);
  });

  it("lists every declared list's firstResult / maxResults and the /count paths in the OpenAPI document", async () => {
    const doc = (await request(app()).get("/engine-rest/openapi.json").expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: { $ref?: string }[] }>>;
      components: { parameters: Record<string, { schema: { maximum: number } }> };
    };
    for (const path of ["/deployment", "/incident", "/job", "/external-task", "/process-instance", "/task", "/history/process-instance"]) {
      const refs = (doc.paths[path]?.get?.parameters ?? []).map((p) => p.$ref);
      assert.ok(refs.includes("#/components/parameters/firstResult"), `${path} firstResult`);
      assert.ok(refs.includes("#/components/parameters/maxResults"), `${path} maxResults`);
    }
    for (const path of ["/deployment/count", "/incident/count", "/job/count", "/external-task/count", "/process-instance/count"]) {
      assert.ok(doc.paths[path]?.get, `${path} is documented`);
    }
    assert.equal(doc.components.parameters.maxResults?.schema.maximum, 10_000);
  });
});

describe("admin: the process console pages its deployment list", () => {
  isolateEngineTests();

  it("shows 20 deployments a page, newest first, with pagination over every deployment", async () => {
    const tag = randomBytes(4).toString("hex");
    const review = fixture("review.bpmn");
    await createFormsOf(review.xml);
    // More than one page whatever the other tests left.
    for (let i = 0; i < 21; i++) {
      await engine().deploy({ name: `admin-${tag}-${i}`, files: [{ name: "review.bpmn", xml: review.xml }], actor: engineAdmin() });
    }
    const total = await EngineDeployment.count();
    const expected = (
      await EngineDeployment.findAll({
        attributes: ["id"],
        order: [
          ["deployedAt", "DESC"],
          ["id", "ASC"],
        ],
        limit: 40,
      })
    ).map((d) => d.id);
    const agent = await loginAs(await buildUser({ roles: ["admin"] }));
    const idsOf = (html: string) => [...html.matchAll(/data-deployment-id="([^"]+)"/g)].map((m) => m[1]);
    const first = await agent.get("/admin/processes").expect(200);
    assert.deepEqual(idsOf(first.text), expected.slice(0, 20));
    assert.match(first.text, new RegExp(`共 ${total} 条，第 1-20 条`));
    assert.match(first.text, /href="\/admin\/processes\?page(=|&#x3D;)2"/);
    const second = await agent.get("/admin/processes?page=2").expect(200);
    assert.deepEqual(idsOf(second.text), expected.slice(20, 40));
    assert.match(second.text, new RegExp(`共 ${total} 条，第 21-${Math.min(40, total)} 条`));
    // Still the definitions table above it.
    assert.match(second.text, new RegExp(`<tr data-key="${review.key("review")}">`));
  });
});
