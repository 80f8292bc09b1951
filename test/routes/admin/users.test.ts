import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { User } from "../../../server/db/models/User.js";
import { buildUser, csrfFrom, departmentId, loginAs, type TestUser } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";

const uniq = () => randomBytes(4).toString("hex");
const admin = () => buildUser({ roles: ["admin"], department: "fgw" });

async function tryLogin(user: { username: string; password: string }): Promise<number> {
  const agent = request.agent(testApp().app);
  const page = await agent.get("/login");
  const res = await agent
    .post("/login")
    .type("form")
    .send({ _csrf: csrfFrom(page.text), ...user });
  return res.status;
}

describe("admin: user accounts", () => {
  it("shows non-admins the Chinese 403 page", async () => {
    for (const roles of [["reviewer"], ["applicant"], ["auditor"], ["dept_admin"]] as const) {
      const agent = await loginAs(await buildUser({ roles: [...roles] }));
      const res = await agent.get("/admin/users").set("Accept", "text/html").expect(403);
      assert.match(res.text, /您没有执行此操作的权限/);
      await agent
        .post("/admin/users")
        .type("form")
        .send({ _csrf: agent.csrf, username: `x${uniq()}` })
        .expect(403);
    }
  });

  it("lists accounts with search, role and department filters, pages of 20 and an empty state", async () => {
    const agent = await loginAs(await admin());
    const marker = `m${uniq()}`;
    const zjj = await departmentId("zjj");
    for (let i = 0; i < 3; i++) {
      const u = await buildUser({ roles: ["reviewer"], department: "zjj" });
      await User.update({ displayName: `${marker}审核${i}` }, { where: { id: u.id } });
    }
    const list = await agent.get(`/admin/users?q=${marker}`).expect(200);
    assert.equal((list.text.match(new RegExp(`${marker}审核`, "g")) ?? []).length, 3);
    const filtered = await agent.get(`/admin/users?q=${marker}&role=auditor`).expect(200);
    assert.match(filtered.text, /没有符合条件的账号/);
    const byDepartment = await agent.get(`/admin/users?q=${marker}&department=${zjj}&role=reviewer`).expect(200);
    assert.match(byDepartment.text, new RegExp(`${marker}审核0`));
    for (let i = 3; i < 21; i++) {
      const u = await buildUser({ roles: ["applicant"] });
      await User.update({ displayName: `${marker}申请${i}` }, { where: { id: u.id } });
    }
    const edits = /href="\/admin\/users\/\d+">编辑/g;
    const first = await agent.get(`/admin/users?q=${marker}`).expect(200);
    assert.equal((first.text.match(edits) ?? []).length, 20, "20 per page");
    assert.match(
      first.text,
      new RegExp(`href="/admin/users\\?q(=|&#x3D;)${marker}&amp;page(=|&#x3D;)2"`),
      "the next page keeps the search",
    );
    assert.match(first.text, /共 21 条/);
    const second = await agent.get(`/admin/users?q=${marker}&page=2`).expect(200);
    assert.equal((second.text.match(edits) ?? []).length, 1);
    await agent.get("/admin/users?page=abc&role=nonsense").expect(200);
  });

  it("creates a staff account that logs in with its roles and department group, and audits it", async () => {
    const agent = await loginAs(await admin());
    const page = await agent.get("/admin/users/new").expect(200);
    assert.match(page.text, /新建工作人员账号/);
    const username = `staff_${uniq()}`;
    const res = await agent
      .post("/admin/users")
      .type("form")
      .send(
        `_csrf=${encodeURIComponent(agent.csrf)}&username=${username}&password=Staff%4012345&displayName=%E5%91%A8%E5%AE%A1%E6%A0%B8` +
          `&roles=reviewer&roles=dept_admin&departmentId=${await departmentId("swj")}&groups=zjj`,
      )
      .expect(302);
    assert.match(String(res.headers.location), /^\/admin\/users\/\d+$/);
    const staff = await loginAs({ id: 0, username, password: "Staff@12345" });
    const me = await staff.get("/api/me").expect(200);
    assert.deepEqual(me.body.data.roles, ["dept_admin", "reviewer"]);
    assert.deepEqual(me.body.data.groups, ["swj", "zjj"]);
    assert.equal(me.body.data.department.name, "市税务局");
    assert.ok(await AuditEntry.findOne({ where: { action: "user.created", entityId: String(me.body.data.id) } }));
  });

  it("creates a worker account (对接程序) without a department that can fetch external tasks over HTTP Basic and nothing else", async () => {
    const agent = await loginAs(await admin());
    const form = await agent.get("/admin/users/new").set("Accept", "text/html").expect(200);
    assert.match(form.text, /对接程序（外部任务）/);
    const username = `worker${uniq()}`;
    await agent
      .post("/admin/users")
      .type("form")
      .send(
        `_csrf=${encodeURIComponent(agent.csrf)}&username=${username}&password=Worker%4012345&displayName=%E5%AF%B9%E6%8E%A5&roles=worker`,
      )
      .expect(302);
    await request(testApp().app)
      .post("/engine-rest/external-task/fetchAndLock")
      .auth(username, "Worker@12345")
      .send({ workerId: "w", maxTasks: 1, topics: [{ topicName: `none-${username}`, lockDuration: 1000 }] })
      .expect(200);
    await request(testApp().app).get("/engine-rest/task").auth(username, "Worker@12345").expect(403);
  });

  it("re-renders the form with Chinese field errors and refuses a taken username generically", async () => {
    const agent = await loginAs(await admin());
    const existing = await buildUser();
    const res = await agent
      .post("/admin/users")
      .type("form")
      .send({ _csrf: agent.csrf, username: existing.username, password: "weak", displayName: "", roles: "reviewer" })
      .expect(400);
    assert.match(res.text, /请填写姓名/);
    const taken = await agent
      .post("/admin/users")
      .type("form")
      .send({ _csrf: agent.csrf, username: existing.username, password: "Good@12345", displayName: "某人", roles: "reviewer" })
      .expect(400);
    assert.match(taken.text, /该用户名不可用/);
    const weak = await agent
      .post("/admin/users")
      .type("form")
      .send({ _csrf: agent.csrf, username: `w${uniq()}`, password: "weakpassword", displayName: "某人", roles: "reviewer" })
      .expect(400);
    assert.match(weak.text, /密码需包含/);
    const noRole = await agent
      .post("/admin/users")
      .type("form")
      .send({ _csrf: agent.csrf, username: `w${uniq()}`, password: "Good@12345", displayName: "某人" })
      .expect(400);
    assert.match(noRole.text, /请至少选择一个角色/);
  });

  it("edits roles and department, effective on the user's next request, and audits the change", async () => {
    const agent = await loginAs(await admin());
    const target = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    const session = await loginAs(target);
    await session.get("/admin/audit").set("Accept", "text/html").expect(403);
    const edit = await agent.get(`/admin/users/${target.id}`).expect(200);
    assert.match(edit.text, new RegExp(target.username));
    await agent
      .post(`/admin/users/${target.id}`)
      .type("form")
      .send(
        `_csrf=${encodeURIComponent(agent.csrf)}&displayName=changed&roles=auditor&roles=reviewer&departmentId=${await departmentId("zjj")}&active=1`,
      )
      .expect(302);
    await session.get("/admin/audit").set("Accept", "text/html").expect(200);
    const me = await session.get("/api/me").expect(200);
    assert.deepEqual(me.body.data.roles, ["auditor", "reviewer"]);
    assert.deepEqual(me.body.data.groups, ["zjj"], "the old department's group is left, the new one joined");
    const entry = await AuditEntry.findOne({ where: { action: "user.updated", entityId: String(target.id) } });
    assert.ok(entry?.detail?.includes("auditor"));
  });

  it("resets a password: the old one stops working, the new one works, audited without the password", async () => {
    const agent = await loginAs(await admin());
    const target = await buildUser();
    await agent.post(`/admin/users/${target.id}/password`).type("form").send({ _csrf: agent.csrf, password: "Short1!" }).expect(302);
    assert.equal(await tryLogin(target), 302, "a refused reset changes nothing");
    await agent.post(`/admin/users/${target.id}/password`).type("form").send({ _csrf: agent.csrf, password: "Newer@12345" }).expect(302);
    assert.equal(await tryLogin(target), 401);
    assert.equal(await tryLogin({ username: target.username, password: "Newer@12345" }), 302);
    const entry = await AuditEntry.findOne({ where: { action: "user.password_reset", entityId: String(target.id) } });
    assert.ok(entry);
    assert.doesNotMatch(entry.detail ?? "", /Newer/);
  });

  it("deactivates an account after confirmation: it cannot log in and its session ends", async () => {
    const adminUser = await admin();
    const agent = await loginAs(adminUser);
    const target: TestUser = await buildUser({ roles: ["reviewer"] });
    const session = await loginAs(target);
    const page = await agent.get(`/admin/users/${target.id}`).expect(200);
    assert.match(page.text, /data-confirm="确定要停用账号/);
    await agent.post(`/admin/users/${target.id}/deactivate`).type("form").send({ _csrf: agent.csrf }).expect(302);
    assert.equal(await tryLogin(target), 401);
    await session.get("/api/me").expect(401);
    assert.ok(await AuditEntry.findOne({ where: { action: "user.deactivated", entityId: String(target.id) } }));
    const after = await agent.get(`/admin/users/${target.id}`).expect(200);
    assert.match(after.text, /已停用/);
    await agent
      .post(`/admin/users/${adminUser.id}/deactivate`)
      .type("form")
      .send({ _csrf: agent.csrf })
      .set("Accept", "text/html")
      .expect(403);
  });

  it("does not let an admin remove their own admin role", async () => {
    const adminUser = await admin();
    const agent = await loginAs(adminUser);
    const res = await agent
      .post(`/admin/users/${adminUser.id}`)
      .type("form")
      .send({ _csrf: agent.csrf, displayName: "我", roles: "reviewer", active: "1" })
      .expect(400);
    assert.match(res.text, /不能取消自己的系统管理员角色/);
    const me = await agent.get("/api/me").expect(200);
    assert.ok(me.body.data.roles.includes("admin"));
  });

  it("answers an unknown account with 404", async () => {
    const agent = await loginAs(await admin());
    await agent.get("/admin/users/99999999").set("Accept", "text/html").expect(404);
    await agent.get("/admin/users/abc").set("Accept", "text/html").expect(404);
  });
});
