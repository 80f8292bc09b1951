import assert from "node:assert/strict";
import request from "supertest";
import { testApp } from "../helpers/testApp.js";
import { buildUser, loginAs } from "../helpers/factories.js";

describe("errors: pages for browsers, JSON for API clients", () => {
  it("answers malformed JSON with 400 and a Chinese message", async () => {
    const user = await buildUser();
    const res = await request(testApp().app)
      .post("/api/me")
      .auth(user.username, user.password)
      .set("Content-Type", "application/json")
      .send("{bad")
      .expect(400);
    assert.equal(res.body.error.code, "malformed_json");
    assert.match(res.body.error.message, /JSON/);
  });

  it("answers a body over the limit with 413", async () => {
    const user = await buildUser();
    const big = JSON.stringify({ x: "a".repeat(2 * 1024 * 1024) });
    const res = await request(testApp().app)
      .post("/api/me")
      .auth(user.username, user.password)
      .set("Content-Type", "application/json")
      .send(big)
      .expect(413);
    assert.equal(res.body.error.code, "payload_too_large");
  });

  it("answers unknown API routes with a JSON 404 and unknown pages with a Chinese page", async () => {
    const api = await request(testApp().app).get("/api/nothing-here").expect(404);
    assert.equal(api.body.error.code, "not_found");
    const page = await request(testApp().app).get("/nothing-here").set("Accept", "text/html").expect(404);
    assert.match(page.text, /找不到您要访问的页面/);
    assert.doesNotMatch(page.text, /at .*\.ts:\d+/, "no stack trace");
  });

  it("reports the database in /healthz", async () => {
    const res = await request(testApp().app).get("/healthz").expect(200);
    assert.equal(res.body.status, "ok");
  });
});

describe("control characters in input", () => {
  it("answers a NUL in the path, the query or a JSON body with a Chinese 400, never a database error", async () => {
    const user = await buildUser({ roles: ["admin"] });
    const { app } = testApp();
    const inPath = await request(app).get("/catalog/%00").set("Accept", "text/html").expect(400);
    assert.match(inPath.text, /不允许的控制字符/);
    const inQuery = await request(app).get("/api/public/subjects/x?q=a%00b").expect(400);
    assert.equal(inQuery.body.error.code, "validation_failed");
    const inBody = await request(app)
      .post("/api/forms")
      .auth(user.username, user.password)
      .set("Content-Type", "application/json")
      .send(JSON.stringify({ key: "a\u0000b", title: "x", components: [] }))
      .expect(400);
    assert.match(inBody.body.error.message, /NUL/);
  });
});

describe("engine REST errors", () => {
  it("names a missing field in Chinese, in Camunda's { type, message } shape", async () => {
    const user = await buildUser({ roles: ["admin"] });
    const res = await request(testApp().app).post("/engine-rest/message").auth(user.username, user.password).send({}).expect(400);
    assert.equal(res.body.type, "InvalidRequestException");
    assert.match(res.body.message, /messageName: 必填/);
    assert.doesNotMatch(res.body.message, /Invalid input/);
  });
});

describe("malformed multipart bodies", () => {
  const cut = '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.bpmn"\r\nContent-Type: text/xml\r\n\r\n<definitions';

  it("answers a deployment with no boundary or a cut-off body with 400 in Camunda's shape, not 500", async () => {
    const admin = await buildUser({ roles: ["admin"] });
    const noBoundary = await request(testApp().app)
      .post("/engine-rest/deployment/create")
      .auth(admin.username, admin.password)
      .set("Content-Type", "multipart/form-data")
      .send("x");
    assert.equal(noBoundary.status, 400);
    assert.equal(noBoundary.body.type, "InvalidRequestException");
    assert.match(noBoundary.body.message as string, /上传的表单数据不完整或格式错误/);
    const cutOff = await request(testApp().app)
      .post("/engine-rest/deployment/create")
      .auth(admin.username, admin.password)
      .set("Content-Type", "multipart/form-data; boundary=XYZ")
      .send(cut);
    assert.equal(cutOff.status, 400);
    assert.match(cutOff.body.message as string, /上传的表单数据不完整或格式错误/);
    const longName = await request(testApp().app)
      .post("/engine-rest/deployment/create")
      .auth(admin.username, admin.password)
      .field("deployment-name", "流".repeat(300))
      .attach("p.bpmn", Buffer.from("<definitions/>"), "p.bpmn");
    assert.equal(longName.status, 400);
    assert.match(longName.body.message as string, /deployment-name 不能超过 255 个字符/);
  });

  it("answers a cut-off upload to /api/uploads with a Chinese 400", async () => {
    const user = await buildUser();
    const res = await request(testApp().app)
      .post("/api/uploads")
      .auth(user.username, user.password)
      .set("Content-Type", "multipart/form-data; boundary=XYZ")
      .send(cut);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "malformed_multipart");
  });
});

describe("a form post with no body", () => {
  it("answers the catalog admin's create with the Chinese field errors, not a 500", async () => {
    const agent = await loginAs(await buildUser({ roles: ["admin"] }));
    const res = await agent.post("/admin/catalog").set("X-CSRF-Token", agent.csrf).set("Accept", "text/html");
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.match(res.text, /[\u4e00-\u9fa5]/);
  });
});

describe("/engine-rest refusals before its router (body parsing, Basic login) in Camunda's shape", () => {
  it("answers malformed JSON, a NUL and a wrong password with { type, message } in Chinese", async () => {
    const admin = await buildUser({ roles: ["admin"] });
    const malformed = await request(testApp().app)
      .post("/engine-rest/message")
      .auth(admin.username, admin.password)
      .set("Content-Type", "application/json")
      .send("{ not json");
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.type, "InvalidRequestException");
    assert.match(malformed.body.message as string, /JSON/);
    const nul = await request(testApp().app).get("/engine-rest/task?assignee=a%00b").auth(admin.username, admin.password);
    assert.equal(nul.status, 400);
    assert.equal(typeof nul.body.type, "string");
    const wrong = await request(testApp().app).get("/engine-rest/task").auth(admin.username, "wrong-password");
    assert.equal(wrong.status, 401);
    assert.equal(typeof wrong.body.type, "string");
    assert.match(wrong.body.message as string, /用户名或密码错误/);
  });
});
