import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { buildUser, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { admin as engineAdmin, deployFixture, engine, fixture, isolateEngineTests } from "./helpers.js";

const app = () => testApp().app;
const bk = () => `BK-${randomBytes(5).toString("hex")}`;

describe("engine REST queries: external task lock filter, task paging, form keys at deploy", () => {
  isolateEngineTests();
  let admin: TestUser;
  let deptAdmin: TestUser;
  before(async () => {
    admin = await buildUser({ roles: ["admin"] });
    deptAdmin = await buildUser({ roles: ["dept_admin", "reviewer"] });
  });

  it("GET /engine-rest/external-task?locked=true|false answers only locked / only unlocked tasks", async () => {
    const { key } = await deployFixture("external.bpmn");
    const rt = engine();
    const topicName = key("credit-check");
    for (let i = 0; i < 2; i++) await rt.startProcess({ key: key("external"), businessKey: bk(), actor: engineAdmin() });
    const [held] = await rt.fetchAndLock({ workerId: "w1", maxTasks: 1, topics: [{ topicName, lockDuration: 60_000 }] });
    assert.ok(held);
    const get = (query: string) =>
      request(app())
        .get(`/engine-rest/external-task?topicName=${topicName}${query}`)
        .auth(admin.username, admin.password)
        .expect(200)
        .then((r) => (r.body as { id: string; workerId: string | null }[]).map((x) => x.id).sort());
    const all = await get("");
    assert.equal(all.length, 2);
    assert.deepEqual(await get("&locked=true"), [held.id]);
    assert.deepEqual(
      await get("&locked=false"),
      all.filter((id) => id !== held.id),
    );
    assert.deepEqual(
      await get("&notLocked=true"),
      all.filter((id) => id !== held.id),
    );
    // An expired lock no longer holds (fetchAndLock hands the task out again).
    testApp().clock.advance(61_000);
    assert.deepEqual(await get("&locked=true"), []);
    assert.deepEqual(await get("&locked=false"), all);
    const bad = await request(app()).get("/engine-rest/external-task?locked=maybe").auth(admin.username, admin.password).expect(400);
    assert.equal(bad.body.type, "InvalidRequestException");
  });

  describe("task paging", () => {
    let processDefinitionKey: string;
    let ids: string[];
    before(async () => {
      const { key } = await deployFixture("review.bpmn");
      processDefinitionKey = key("review");
      for (let i = 0; i < 3; i++)
        await engine().startProcess({ key: processDefinitionKey, businessKey: bk(), variables: { amount: i }, actor: engineAdmin() });
      ids = (await engine().findTasks({ processDefinitionKey, sortBy: "id" })).map((t) => t.id);
      assert.equal(ids.length, 3);
    });

    it("pages GET and POST /engine-rest/task with firstResult and maxResults (numbers or digit strings)", async () => {
      const get = await request(app())
        .get(`/engine-rest/task?processDefinitionKey=${processDefinitionKey}&sortBy=id&sortOrder=asc&firstResult=1&maxResults=1`)
        .auth(admin.username, admin.password)
        .expect(200);
      assert.deepEqual(
        get.body.map((t: { id: string }) => t.id),
        [ids[1]],
      );
      const post = await request(app())
        .post("/engine-rest/task")
        .auth(admin.username, admin.password)
        .send({ processDefinitionKey, sorting: [{ sortBy: "id", sortOrder: "asc" }], firstResult: 2, maxResults: "5" })
        .expect(200);
      assert.deepEqual(
        post.body.map((t: { id: string }) => t.id),
        [ids[2]],
      );
      const plain = await request(app())
        .get(`/engine-rest/task?processDefinitionKey=${processDefinitionKey}`)
        .auth(admin.username, admin.password)
        .expect(200);
      assert.equal(plain.body.length, 3, "no paging parameters: every task");
      const nulls = await request(app())
        .post("/engine-rest/task")
        .auth(admin.username, admin.password)
        .send({ processDefinitionKey, firstResult: null, maxResults: null })
        .expect(200);
      assert.equal(nulls.body.length, 3);
    });

    const badQueries = [
      "maxResults=-1",
      "firstResult=-5",
      "maxResults=abc",
      "maxResults=NaN",
      "firstResult=NaN",
      "maxResults=1.5",
      "maxResults=1e3",
      "maxResults=",
      "maxResults=%201",
      "maxResults=0x10",
      "maxResults=10001",
      "maxResults=99999999999999999999",
      "firstResult=2147483648",
      "firstResult=1e308",
      "maxResults[]=1",
      "maxResults=1&maxResults=2",
    ];
    for (const q of badQueries) {
      it(`answers 400 in Camunda's error shape for GET /engine-rest/task?${q} (and /task/count)`, async () => {
        for (const path of ["/engine-rest/task", "/engine-rest/task/count"]) {
          const res = await request(app()).get(`${path}?${q}`).auth(admin.username, admin.password).expect(400);
          assert.equal(res.body.type, "InvalidRequestException");
          assert.match(res.body.message, /firstResult|maxResults/);
        }
      });
    }

    const badBodies: Record<string, unknown>[] = [
      { maxResults: -1 },
      { firstResult: -1 },
      { maxResults: "abc" },
      { maxResults: 2.5 },
      { maxResults: true },
      { maxResults: [1] },
      { maxResults: { n: 1 } },
      { maxResults: 10_001 },
      { firstResult: 1e300 },
      { firstResult: 2 ** 53 },
    ];
    for (const body of badBodies) {
      it(`answers 400 in Camunda's error shape for POST /engine-rest/task ${JSON.stringify(body)}`, async () => {
        const res = await request(app()).post("/engine-rest/task").auth(admin.username, admin.password).send(body).expect(400);
        assert.equal(res.body.type, "InvalidRequestException");
        assert.match(res.body.message, /firstResult|maxResults/);
      });
    }

    it("validates paging in the runtime too: non-integers and negatives are 400, a huge maxResults is cut to 10,000", async () => {
      const rt = engine();
      for (const f of [
        { maxResults: Number.NaN },
        { firstResult: -1 },
        { maxResults: 2.5 },
        { firstResult: Infinity },
        { maxResults: "5" as unknown as number },
      ]) {
        await assert.rejects(rt.findTasks({ processDefinitionKey, ...f }), (err: Error & { status: number }) => err.status === 400);
      }
      assert.equal((await rt.findTasks({ processDefinitionKey, maxResults: Number.MAX_SAFE_INTEGER })).length, 3);
      assert.equal((await rt.findTasks({ processDefinitionKey, firstResult: Number.MAX_SAFE_INTEGER })).length, 0);
      assert.equal((await rt.findTasks({ processDefinitionKey, maxResults: 0 })).length, 0);
    });
  });

  it("refuses over REST a deployment whose user task names an unknown form (ParseException naming the task)", async () => {
    const f = fixture("review.bpmn");
    const res = await request(app())
      .post("/engine-rest/deployment/create")
      .auth(deptAdmin.username, deptAdmin.password)
      .field("deployment-name", "unknown-form")
      .attach("review.bpmn", Buffer.from(f.xml), { filename: "review.bpmn", contentType: "application/octet-stream" })
      .expect(400);
    assert.equal(res.body.type, "ParseException");
    const errors = (res.body.details as Record<string, { errors: { message: string; mainElementId: string }[] }>)["review.bpmn"]!.errors;
    const e = errors.find((x) => x.mainElementId === "review");
    assert.ok(e, JSON.stringify(res.body));
    assert.match(e.message, /用户任务“部门审核”/);
    assert.ok(e.message.includes(`${f.key("review")}-form`));
    assert.equal((await engine().findDefinitions({ key: f.key("review") })).length, 0);
  });

  it("deploys processes/commitment.bpmn: the shipped forms it names exist", async () => {
    const { readFileSync } = await import("node:fs");
    const xml = readFileSync(new URL("../../processes/commitment.bpmn", import.meta.url), "utf8");
    const forms = [...xml.matchAll(/camunda:formKey="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(forms.sort(), ["commitment-review", "commitment-verification"]);
    // Deployed in a transaction that is rolled back: no new version for other tests to see.
    await assert.rejects(
      testApp().db.transaction(async (t) => {
        const d = await engine().deploy({ name: "check", files: [{ name: "commitment.bpmn", xml }], actor: "test" }, t);
        assert.equal(d.deployedProcessDefinitions.length, 1);
        throw new Error("rollback");
      }),
      /rollback/,
    );
  });
});
