import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { QueryTypes } from "sequelize";
import request from "supertest";
import { LOGIN_WINDOW_MS, loginLimitsFromEnv } from "../../server/auth/loginThrottle.js";
import { COMMON_PASSWORD_MESSAGE, passwordProblem } from "../../server/auth/passwords.js";
import { DEMO_PASSWORD } from "../../server/domain/accounts/demoSeed.js";
import { buildUser, csrfFrom, loginAs, randomUscc, TEST_PASSWORD, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

// The app trusts X-Forwarded-For from loopback (a reverse proxy on the same host), so each test can speak from its
// own address and the per-address counters of one test never reach another's.
const address = () => `198.51.${randomInt(256)}.${randomInt(1, 255)}`;
const uniq = () => randomBytes(4).toString("hex");
const app = () => testApp().app;
const limits = loginLimitsFromEnv();

function basic(path: string, user: { username: string; password: string }, from: string) {
  return request(app()).get(path).auth(user.username, user.password).set("X-Forwarded-For", from);
}

async function failBasic(times: number, user: { username: string }, from: () => string): Promise<void> {
  for (let i = 0; i < times; i++) await basic("/api/me", { username: user.username, password: "Wrong@98765" }, from()).expect(401);
}

async function sessionRows(): Promise<number> {
  const [row] = await testApp().db.sequelize.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM sessions", {
    type: QueryTypes.SELECT,
  });
  return Number(row?.n);
}

describe("security: HTTP Basic failure limits", () => {
  it("refuses one address and account with 429 after the limit, the right password included, until the window passes", async () => {
    const user = await buildUser();
    const from = address();
    await failBasic(limits.perAddressAndAccount, user, () => from);
    const limited = await basic("/api/me", user, from).expect(429);
    assert.equal(limited.body.error.code, "too_many_login_failures");
    assert.equal(limited.body.error.message, "登录失败次数过多，请 15 分钟后再试");
    assert.ok(Number(limited.headers["retry-after"]) > 0, "Retry-After says when to come back");
    const camunda = await basic("/engine-rest/version", user, from).expect(429);
    assert.equal(camunda.body.message, "登录失败次数过多，请 15 分钟后再试", "/engine-rest answers in Camunda's shape");
    assert.equal(typeof camunda.body.type, "string");
    await basic("/api/me", user, address()).expect(200); // another address is not this key
    testApp().clock.advance(LOGIN_WINDOW_MS + 1000);
    await basic("/api/me", user, from).expect(200);
  });

  it("refuses an address that tries many accounts", async function () {
    this.timeout(60_000);
    const from = address();
    for (let i = 0; i < limits.perAddress; i++) {
      await basic("/api/me", { username: `nobody_${uniq()}`, password: "Wrong@98765" }, from).expect(401);
    }
    const user = await buildUser();
    await basic("/api/me", user, from).expect(429);
    await basic("/api/me", user, address()).expect(200);
  });

  it("refuses an account tried from many addresses, except a client whose credentials this node verified recently", async function () {
    this.timeout(120_000);
    const target = await buildUser();
    const busyClient = await buildUser({ roles: ["worker"], department: null });
    await basic("/engine-rest/version", busyClient, address()).expect(200); // verified before the attack: in the cache
    for (const user of [target, busyClient]) {
      let from = address();
      for (let i = 0; i < limits.perAccount; i++) {
        if (i % (limits.perAddressAndAccount - 1) === 0) from = address();
        await basic("/api/me", { username: user.username, password: "Wrong@98765" }, from).expect(401);
      }
    }
    await basic("/api/me", target, address()).expect(429);
    await basic("/engine-rest/version", busyClient, address()).expect(200);
  });

  it("does not count successful logins", async () => {
    const user = await buildUser();
    const from = address();
    await failBasic(limits.perAddressAndAccount - 1, user, () => from);
    for (let i = 0; i < 5; i++) await basic("/api/me", user, from).expect(200);
    await basic("/api/me", { username: user.username, password: "Wrong@98765" }, from).expect(401);
  });

  it("shares the count with the login form: Basic failures close the form for that account too", async () => {
    const user = await buildUser();
    const from = address();
    await failBasic(limits.perAddressAndAccount, user, () => from);
    const agent = request.agent(app());
    const page = await agent.get("/login").set("X-Forwarded-For", from).expect(200);
    const res = await agent
      .post("/login")
      .set("X-Forwarded-For", from)
      .type("form")
      .send({ _csrf: csrfFrom(page.text), username: user.username, password: user.password })
      .expect(429);
    assert.match(res.text, /登录失败次数过多，请 15 分钟后再试/);
  });
});

describe("security: CSRF and HTTP Basic", () => {
  it("still wants a token on a page route when a session request carries a bogus (or any) Basic header", async () => {
    const user = await buildUser();
    const agent = await loginAs(user);
    const bogus = await agent.post("/logout").set("Authorization", "Basic eHh4Onl5eQ==").type("form").send({});
    assert.equal(bogus.status, 403);
    assert.match(bogus.text, /页面已过期或请求来源无效/);
    // Basic is not checked on pages, so even the account's real credentials do not stand in for the token.
    await agent.post("/logout").auth(user.username, user.password).type("form").send({}).expect(403);
    await agent.get("/api/me").expect(200); // still logged in
  });

  it("answers a bogus Basic header under /api and /engine-rest with 401, even beside a valid session", async () => {
    const agent = await loginAs(await buildUser());
    await agent.put("/api/forms/x/drafts/y").set("Authorization", "Basic eHh4Onl5eQ==").send({ data: {} }).expect(401);
    const camunda = await agent.post("/engine-rest/message").set("Authorization", "Basic eHh4Onl5eQ==").send({}).expect(401);
    assert.equal(camunda.body.type, "AuthenticationException");
  });

  it("needs no token when /engine-rest verified the Basic credentials, and wants one from a session", async () => {
    const worker = await buildUser({ roles: ["worker"], department: null });
    const body = { workerId: "w1", maxTasks: 1, topics: [{ topicName: `none-${worker.username}`, lockDuration: 1000 }] };
    await request(app()).post("/engine-rest/external-task/fetchAndLock").auth(worker.username, worker.password).send(body).expect(200);
    const agent = request.agent(app());
    const page = await agent.get("/login");
    await agent
      .post("/login")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), username: worker.username, password: worker.password });
    const noToken = await agent.post("/engine-rest/external-task/fetchAndLock").send(body).expect(403);
    assert.match(noToken.body.message as string, /页面已过期或请求来源无效/);
    await agent.post("/engine-rest/external-task/fetchAndLock").auth(worker.username, worker.password).send(body).expect(200);
  });
});

describe("security: no session for anonymous visitors", () => {
  it("stores no session row for 20 anonymous visits of / and /login; the login form stays protected and works", async () => {
    const before = await sessionRows();
    for (let i = 0; i < 20; i++) {
      for (const path of ["/login", "/", "/register"]) {
        const res = await request(app()).get(path).expect(200);
        assert.doesNotMatch(String(res.headers["set-cookie"] ?? ""), /xy\.sid=/, `${path} sets no session cookie`);
      }
    }
    assert.equal(await sessionRows(), before);

    const user = await buildUser();
    const agent = request.agent(app());
    const page = await agent.get("/login").expect(200);
    await agent.post("/login").type("form").send({ username: user.username, password: user.password }).expect(403);
    const stranger = request.agent(app());
    const theirs = csrfFrom((await stranger.get("/login")).text);
    await agent.post("/login").type("form").send({ _csrf: theirs, username: user.username, password: user.password }).expect(403);
    const wrong = await agent
      .post("/login")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), username: user.username, password: "Wrong@98765" })
      .expect(401);
    assert.equal(await sessionRows(), before, "a failed login stores no session either");
    await agent
      .post("/login")
      .type("form")
      .send({ _csrf: csrfFrom(wrong.text), username: user.username, password: user.password })
      .expect(302);
    assert.equal(await sessionRows(), before + 1, "the login stores the session");
    const me = await agent.get("/api/me").expect(200);
    assert.equal(me.body.data.username, user.username);
  });
});

describe("security: common passwords", () => {
  const registration = (password: string) => ({
    username: `reg_${uniq()}`,
    password,
    passwordConfirm: password,
    displayName: "张经办",
    phone: "13800138000",
    email: "",
    subjectType: "法人及非法人组织",
    subjectCode: randomUscc(),
    subjectName: `常见密码测试${uniq()}有限公司`,
  });

  it("knows the common ones whatever their letter case, and lets the demo and test passwords through", () => {
    for (const p of ["Password1", "pASSWORD1", "P@ssw0rd", "Aa123456", "Admin@123", "Woaini1314", "Qwer1234", "1qaz@WSX"]) {
      assert.equal(passwordProblem(p), COMMON_PASSWORD_MESSAGE, p);
    }
    assert.equal(COMMON_PASSWORD_MESSAGE, "该密码过于常见，容易被猜中，请换一个");
    assert.equal(passwordProblem(DEMO_PASSWORD), undefined, "the seeded demo accounts keep their password");
    assert.equal(passwordProblem(TEST_PASSWORD), undefined);
    assert.equal(passwordProblem("Password1-月亮湾"), undefined, "only the whole password is compared");
  });

  it("refuses a common password at self-registration", async () => {
    const agent = request.agent(app());
    const page = await agent.get("/register").set("X-Forwarded-For", address()).expect(200);
    const res = await agent
      .post("/register")
      .set("X-Forwarded-For", address())
      .type("form")
      .send({ ...registration("Password1"), _csrf: csrfFrom(page.text) })
      .expect(400);
    assert.match(res.text, /该密码过于常见，容易被猜中，请换一个/);
  });

  it("refuses a common password when an admin creates an account or resets a password", async () => {
    const admin = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const created = await admin
      .post("/admin/users")
      .type("form")
      .send({ _csrf: admin.csrf, username: `s${uniq()}`, password: "Admin@123", displayName: "某人", roles: "reviewer" })
      .expect(400);
    assert.match(created.text, /该密码过于常见，容易被猜中，请换一个/);
    const target = await buildUser({ roles: ["reviewer"] });
    await admin.post(`/admin/users/${target.id}/password`).type("form").send({ _csrf: admin.csrf, password: "P@ssw0rd" }).expect(302);
    const flash = await admin.get(`/admin/users/${target.id}`).expect(200);
    assert.match(flash.text, /密码未重置：该密码过于常见/);
    await basic("/api/me", target, address()).expect(200); // the old password still works
  });
});

describe("security: registration failures", () => {
  it("limits failed registrations per address (429, in Chinese); another address is not affected", async () => {
    const from = address();
    const agent = request.agent(app());
    const csrf = csrfFrom((await agent.get("/register")).text);
    const limit = Number(process.env.REGISTER_FAILURE_RATE_LIMIT ?? 30);
    for (let i = 0; i < limit; i++) {
      await agent.post("/register").set("X-Forwarded-For", from).type("form").send({ _csrf: csrf, username: "1bad" }).expect(400);
    }
    const limited = await agent.post("/register").set("X-Forwarded-For", from).type("form").send({ _csrf: csrf, username: "1bad" });
    assert.equal(limited.status, 429);
    assert.match(limited.text, /注册失败次数过多，请一小时后再试/);
    await agent.post("/register").set("X-Forwarded-For", address()).type("form").send({ _csrf: csrf, username: "1bad" }).expect(400);
  });
});

describe("security: the worker role reaches only the external-task API", () => {
  let worker: TestUser;
  before(async () => {
    worker = await buildUser({ roles: ["worker"], department: null });
  });

  it("refuses a worker uploads, drafts, /api and the rest of /engine-rest (403, in Chinese), and allows its own API", async () => {
    const as = <T extends request.Test>(t: T) => t.auth(worker.username, worker.password);
    const upload = await as(request(app()).post("/api/uploads")).attach("file", Buffer.from("%PDF-1.4\n"), "a.pdf").expect(403);
    assert.match(upload.body.error.message as string, /对接程序账号（worker）只能调用外部任务接口/);
    await as(request(app()).put("/api/forms/x/drafts/y")).send({ data: {} }).expect(403);
    await as(request(app()).get("/api/forms/x/drafts/y")).expect(403);
    await as(request(app()).get("/api/me")).expect(403);
    const engine = await as(request(app()).get("/engine-rest/process-instance")).expect(403);
    assert.equal(engine.body.type, "AuthorizationException");
    await as(request(app()).post("/engine-rest/message")).send({ messageName: "x" }).expect(403);
    await as(request(app()).get("/engine-rest/version")).expect(200);
    await as(request(app()).get("/engine-rest/openapi.json")).expect(200);
    await as(request(app()).get("/engine-rest/external-task/count")).expect(200);
    const fetched = await as(request(app()).post("/engine-rest/external-task/fetchAndLock"))
      .send({ workerId: "w1", maxTasks: 1, topics: [{ topicName: `none-${worker.username}`, lockDuration: 1000 }] })
      .expect(200);
    assert.deepEqual(fetched.body, []);
  });

  it("shows a worker that logged in through the form the Chinese 403 page everywhere, and lets it log out", async () => {
    const agent = request.agent(app());
    const page = await agent.get("/login");
    await agent
      .post("/login")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), username: worker.username, password: worker.password })
      .expect(302);
    for (const path of ["/", "/my/cases", "/catalog", "/public/query", "/login"]) {
      const res = await agent.get(path).set("Accept", "text/html").expect(403);
      assert.match(res.text, /您没有执行此操作的权限/, path);
    }
    const refused = await agent.get("/").set("Accept", "text/html").expect(403);
    await agent
      .post("/logout")
      .type("form")
      .send({ _csrf: csrfFrom(refused.text) })
      .expect(302);
    await agent.get("/api/me").expect(401);
  });
});
