import assert from "node:assert/strict";
import request from "supertest";
import { Form, FormDraft } from "../../server/db/models/formModels.js";
import { buildUser, departmentId, loginAs } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { ensureShippedForms, publishTestForm, randomFormKey, text } from "./helpers.js";

const newForm = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  title: "测试申请表",
  display: "form",
  components: [text("name", "姓名", { required: true })],
  ...extra,
});

describe("forms API: /api/forms", () => {
  before(() => ensureShippedForms());

  it("lets an admin create, revise, publish, read, export and import a form", async () => {
    const admin = await buildUser({ roles: ["admin"] });
    const agent = await loginAs(admin);
    const key = randomFormKey();
    const created = await agent.post("/api/forms").set("X-CSRF-Token", agent.csrf).send(newForm(key)).expect(201);
    assert.equal(created.body.data.revision, 1);
    await agent.get(`/api/forms/${key}`).expect(404);
    await agent.post(`/api/forms/${key}/publish`).set("X-CSRF-Token", agent.csrf).send({ revision: 1 }).expect(200);
    const revised = await agent
      .put(`/api/forms/${key}`)
      .set("X-CSRF-Token", agent.csrf)
      .send({ title: "测试申请表（修订）", components: [text("name", "姓名", { required: true }), text("phone", "电话")] })
      .expect(200);
    assert.equal(revised.body.data.revision, 2);
    assert.equal((await agent.get(`/api/forms/${key}`).expect(200)).body.data.revision, 1);
    assert.equal((await agent.get(`/api/forms/${key}?revision=2`).expect(200)).body.data.definition.components.length, 2);
    const revisions = await agent.get(`/api/forms/${key}/revisions`).expect(200);
    assert.deepEqual(
      revisions.body.data.map((r: { revision: number }) => r.revision),
      [2, 1],
    );

    const exported = await agent.get(`/api/forms/${key}/export?revision=2`).expect(200);
    assert.match(String(exported.headers["content-disposition"]), /attachment/);
    const copyKey = randomFormKey();
    const imported = await agent
      .post("/api/forms/import")
      .set("X-CSRF-Token", agent.csrf)
      .send({ ...exported.body, key: copyKey })
      .expect(201);
    assert.equal(imported.body.data.revision, 1);
    assert.equal(imported.body.data.definition.components.length, 2);
    // Importing onto an existing key adds a revision.
    const again = await agent
      .post("/api/forms/import")
      .set("X-CSRF-Token", agent.csrf)
      .send({ ...exported.body, key: copyKey })
      .expect(201);
    assert.equal(again.body.data.revision, 2);
  });

  it("keeps a once-published revision readable by applicants after a newer one is published, but not a never-published one", async () => {
    const admin = await loginAs(await buildUser({ roles: ["admin"] }));
    const applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    const key = randomFormKey();
    await admin.post("/api/forms").set("X-CSRF-Token", admin.csrf).send(newForm(key)).expect(201);
    await admin.post(`/api/forms/${key}/publish`).set("X-CSRF-Token", admin.csrf).send({ revision: 1 }).expect(200);
    const revise = () =>
      admin
        .put(`/api/forms/${key}`)
        .set("X-CSRF-Token", admin.csrf)
        .send({ title: "测试申请表（修订）", components: [text("name", "姓名", { required: true })] })
        .expect(200);
    await revise();
    await admin.post(`/api/forms/${key}/publish`).set("X-CSRF-Token", admin.csrf).send({ revision: 2 }).expect(200);
    await revise();
    // A case pinned to revision 1 keeps working: its applicant reads the form and saves drafts against it.
    assert.equal((await applicant.get(`/api/forms/${key}?revision=1`).expect(200)).body.data.revision, 1);
    await applicant
      .put(`/api/forms/${key}/drafts/case-1`)
      .set("X-CSRF-Token", applicant.csrf)
      .send({ data: { name: "张三" }, revision: 1 })
      .expect(200);
    // Revision 3 was never published: only its editors see it.
    await applicant.get(`/api/forms/${key}?revision=3`).expect(404);
    await admin.get(`/api/forms/${key}?revision=3`).expect(200);
  });

  it("answers validation with 200 { data: cleaned } or 400 with Chinese details per field", async () => {
    const user = await buildUser({ roles: ["applicant"] });
    const agent = await loginAs(user);
    const ok = await agent
      .post("/api/forms/commitment-review/validate")
      .set("X-CSRF-Token", agent.csrf)
      .send({ data: { decision: "approve", injected: "x" } })
      .expect(200);
    assert.deepEqual(ok.body.data, { decision: "approve" });
    const bad = await agent
      .post("/api/forms/commitment-review/validate")
      .set("X-CSRF-Token", agent.csrf)
      .send({ data: { decision: "return" } })
      .expect(400);
    assert.equal(bad.body.error.code, "validation_failed");
    assert.deepEqual(bad.body.error.details, [{ path: "comment", message: "审核意见为必填项" }]);
  });

  it("answers hostile submissions with a 4xx: 10 MB of JSON, 10,000 levels of nesting, __proto__ keys", async () => {
    const user = await buildUser({ roles: ["applicant"] });
    const { app } = testApp();
    const url = "/api/forms/commitment-review/validate";
    const big = JSON.stringify({ data: { comment: "x".repeat(10 * 1024 * 1024) } });
    const tooBig = await request(app).post(url).auth(user.username, user.password).type("json").send(big);
    assert.equal(tooBig.status, 413);
    const deep = `{"data":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`;
    const nested = await request(app).post(url).auth(user.username, user.password).type("json").send(deep);
    assert.ok(nested.status >= 400 && nested.status < 500, String(nested.status));
    const proto = await request(app)
      .post(url)
      .auth(user.username, user.password)
      .type("json")
      .send('{"data":{"decision":"approve","__proto__":{"isAdmin":true}}}')
      .expect(400);
    assert.equal(proto.body.error.details[0].path, "__proto__");
    // Nothing is stored from a hostile draft either.
    const agent = await loginAs(user);
    const drafts = await FormDraft.count();
    await agent.put("/api/forms/commitment-review/drafts/hostile").set("X-CSRF-Token", agent.csrf).type("json").send(deep).expect(400);
    await agent
      .put("/api/forms/commitment-review/drafts/hostile")
      .set("X-CSRF-Token", agent.csrf)
      .type("json")
      .send('{"data":{"constructor":{"prototype":{"x":1}}}}')
      .expect(400);
    assert.equal(await FormDraft.count(), drafts);
  });

  it("refuses a hostile form with one 400 detail per offending component and stores nothing", async () => {
    const admin = await buildUser({ roles: ["admin"] });
    const agent = await loginAs(admin);
    const key = randomFormKey();
    const res = await agent
      .post("/api/forms")
      .set("X-CSRF-Token", agent.csrf)
      .send(
        newForm(key, {
          components: [
            text("a", "甲", { custom: "valid = instance.isValid()" }),
            text("b", "乙", {}, { calculateValue: "value = instance.root.total" }),
            text("c", "丙", {}, { customConditional: "show = instance.root.hidden" }),
          ],
        }),
      )
      .expect(400);
    assert.equal(res.body.error.code, "validation_failed");
    assert.deepEqual(
      res.body.error.details.map((d: { path: string }) => d.path),
      ["a", "b", "c"],
    );
    assert.equal(await Form.count({ where: { key } }), 0);
  });

  it("lets a dept_admin edit its own department's forms only; others read published revisions only", async () => {
    const deptAdmin = await buildUser({ roles: ["dept_admin"], department: "scjgj" });
    const agent = await loginAs(deptAdmin);
    const own = await publishTestForm([text("a", "甲")], { departmentId: await departmentId("scjgj") });
    const foreign = await publishTestForm([text("a", "甲")], { departmentId: await departmentId("zjj") });
    const global = await publishTestForm([text("a", "甲")]);
    const body = { components: [text("a", "甲"), text("b", "乙")] };
    await agent.put(`/api/forms/${own.formKey}`).set("X-CSRF-Token", agent.csrf).send(body).expect(200);
    await agent.put(`/api/forms/${foreign.formKey}`).set("X-CSRF-Token", agent.csrf).send(body).expect(403);
    await agent.put(`/api/forms/${global.formKey}`).set("X-CSRF-Token", agent.csrf).send(body).expect(403);
    const created = await agent
      .post("/api/forms")
      .set("X-CSRF-Token", agent.csrf)
      .send(newForm(randomFormKey(), { department: "zjj" }))
      .expect(201);
    const row = await Form.findOne({ where: { key: created.body.data.formKey } });
    assert.equal(row?.departmentId, await departmentId("scjgj"), "a dept_admin's new form belongs to its own department");

    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    await reviewer.get(`/api/forms/${own.formKey}`).expect(200);
    await reviewer.get(`/api/forms/${own.formKey}?revision=2`).expect(404);
    await reviewer.put(`/api/forms/${own.formKey}`).set("X-CSRF-Token", reviewer.csrf).send(body).expect(403);
    await reviewer.post("/api/forms").set("X-CSRF-Token", reviewer.csrf).send(newForm(randomFormKey())).expect(403);
    const list = await reviewer.get("/api/forms?size=100").expect(200);
    assert.ok(list.body.data.every((f: { publishedRevision: number | null }) => f.publishedRevision !== null));
  });

  it("refuses a change without the CSRF token from a session, and anonymous callers", async () => {
    const admin = await buildUser({ roles: ["admin"] });
    const agent = await loginAs(admin);
    await agent.post("/api/forms").send(newForm(randomFormKey())).expect(403);
    await request(testApp().app).get("/api/forms").expect(401);
  });

  it("saves a draft with type checks only and resumes it; another user cannot see it", async () => {
    const user = await buildUser({ roles: ["applicant"] });
    const agent = await loginAs(user);
    const url = "/api/forms/food-business-commitment/drafts/case-1";
    const saved = await agent
      .put(url)
      .set("X-CSRF-Token", agent.csrf)
      .send({ data: { subjectName: "荥阳示范", staff: [] } })
      .expect(200);
    assert.equal(saved.body.data.revision, 1);
    await agent
      .put(url)
      .set("X-CSRF-Token", agent.csrf)
      .send({ data: { subjectName: 5 } })
      .expect(400);
    assert.deepEqual((await agent.get(url).expect(200)).body.data.data, { subjectName: "荥阳示范", staff: [] });
    const other = await loginAs(await buildUser({ roles: ["applicant"] }));
    await other.get(url).expect(404);
    await agent.delete(url).set("X-CSRF-Token", agent.csrf).expect(204);
    await agent.get(url).expect(404);
  });
});
