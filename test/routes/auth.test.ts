import assert from "node:assert/strict";
import request from "supertest";
import { AuditEntry } from "../../server/db/models/AuditEntry.js";
import { buildSubject, buildUser, csrfFrom, loginAs } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

describe("login, sessions and /api/me", () => {
  it("logs in through the page, records the login, and gives an existing session a new id at login", async () => {
    const user = await buildUser({ roles: ["reviewer"] });
    const agent = request.agent(testApp().app);
    const page = await agent.get("/login").expect(200);
    assert.doesNotMatch(String(page.headers["set-cookie"]), /xy\.sid=/, "an anonymous visit opens no session");
    const res = await agent
      .post("/login")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), username: user.username, password: user.password })
      .expect(302);
    const first = /xy\.sid=([^;]+)/.exec(String(res.headers["set-cookie"]))?.[1];
    assert.ok(first, "the login opens a session");
    const me = await agent.get("/api/me").expect(200);
    assert.equal(me.body.data.username, user.username);
    assert.deepEqual(me.body.data.roles, ["reviewer"]);
    assert.deepEqual(me.body.data.groups, ["scjgj"]);
    assert.ok(await AuditEntry.findOne({ where: { actor: user.username, action: "auth.login" } }));

    // A session id someone planted (here: the first login's) is replaced at the next login, and the old one is gone.
    const other = await buildUser();
    const home = await agent.get("/").expect(200);
    const again = await agent
      .post("/login")
      .type("form")
      .send({ _csrf: csrfFrom(home.text), username: other.username, password: other.password })
      .expect(302);
    const second = /xy\.sid=([^;]+)/.exec(String(again.headers["set-cookie"]))?.[1];
    assert.ok(second && second !== first, "the session id changes at login");
    await request(testApp().app).get("/api/me").set("Cookie", `xy.sid=${first}`).expect(401);
    assert.equal((await agent.get("/api/me").expect(200)).body.data.username, other.username);
  });

  it("answers a wrong password and an unknown user with the same Chinese message", async () => {
    const user = await buildUser();
    const agent = request.agent(testApp().app);
    const page = await agent.get("/login");
    const wrong = await agent
      .post("/login")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), username: user.username, password: "Wrong@12345" })
      .expect(401);
    const unknown = await agent
      .post("/login")
      .type("form")
      .send({ _csrf: csrfFrom(wrong.text), username: `${user.username}x`, password: "Wrong@12345" })
      .expect(401);
    assert.match(wrong.text, /用户名或密码错误/);
    assert.match(unknown.text, /用户名或密码错误/);
    assert.ok(await AuditEntry.findOne({ where: { actor: user.username, action: "auth.login_failed" } }));
  });

  it("refuses a login without or with a forged CSRF token (403)", async () => {
    const user = await buildUser();
    const agent = request.agent(testApp().app);
    await agent.get("/login");
    const res = await agent
      .post("/login")
      .type("form")
      .send({ _csrf: "forged", username: user.username, password: user.password })
      .expect(403);
    assert.match(res.text, /页面已过期|请求来源无效/);
    await agent.post("/login").type("form").send({ username: user.username, password: user.password }).expect(403);
  });

  it("limits repeated failed logins for one account and tells the user in Chinese, the right password included", async () => {
    const user = await buildUser();
    const agent = request.agent(testApp().app);
    // An address of its own (the app trusts X-Forwarded-For from loopback): other tests' failures are not counted here.
    const from = `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
    let page = await agent.get("/login");
    for (let i = 0; i < 10; i++) {
      page = await agent
        .post("/login")
        .set("X-Forwarded-For", from)
        .type("form")
        .send({ _csrf: csrfFrom(page.text), username: user.username, password: "Wrong@12345" })
        .expect(401);
    }
    const last = await agent
      .post("/login")
      .set("X-Forwarded-For", from)
      .type("form")
      .send({ _csrf: csrfFrom(page.text), username: user.username, password: user.password });
    assert.equal(last.status, 429);
    assert.match(last.text, /登录失败次数过多，请 15 分钟后再试/);
    assert.ok(Number(last.headers["retry-after"]) > 0);
  });

  it("answers /api/me with HTTP Basic credentials and 401 without them", async () => {
    const subject = await buildSubject();
    const user = await buildUser({ roles: ["applicant"], subjectIds: [subject.id] });
    const { app } = testApp();
    const me = await request(app).get("/api/me").auth(user.username, user.password).expect(200);
    assert.deepEqual(me.body.data.subjectIds, [subject.id]);
    assert.equal(me.headers["set-cookie"], undefined, "an API call with Basic credentials opens no session");
    const anonymous = await request(app).get("/api/me").expect(401);
    assert.equal(anonymous.body.error.code, "unauthenticated");
    const wrong = await request(app).get("/api/me").auth(user.username, "nope").expect(401);
    assert.match(wrong.body.error.message, /用户名或密码错误/);
  });

  it("sends a browser without a session to login and remembers the page it wanted", async () => {
    const res = await request(testApp().app).get("/admin/users?page=2").set("Accept", "text/html").expect(302);
    assert.equal(res.headers.location, `/login?next=${encodeURIComponent("/admin/users?page=2")}`);
  });

  it("returns to the remembered page after login, but never to another site", async () => {
    const user = await buildUser({ roles: ["admin"] });
    const agent = request.agent(testApp().app);
    const page = await agent.get("/login?next=%2Fadmin%2Fusers").expect(200);
    const res = await agent
      .post("/login")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), username: user.username, password: user.password, next: "//evil.example/" })
      .expect(302);
    assert.equal(res.headers.location, "/");
  });

  it("logs out and the session no longer works", async () => {
    const user = await buildUser();
    const agent = await loginAs(user);
    await agent.post("/logout").type("form").send({ _csrf: agent.csrf }).expect(302);
    await agent.get("/api/me").expect(401);
  });
});
