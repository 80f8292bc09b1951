import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { AuditEntry } from "../../server/db/models/AuditEntry.js";
import { CreditSubject } from "../../server/db/models/CreditSubject.js";
import { SubjectClaim } from "../../server/db/models/SubjectClaim.js";
import { User } from "../../server/db/models/User.js";
import { buildSubject, buildUser, csrfFrom, loginAs, randomUscc } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

const uniq = () => randomBytes(4).toString("hex");

function form(overrides: Record<string, string> = {}) {
  return {
    username: `reg_${uniq()}`,
    password: "Reg@12345",
    passwordConfirm: "Reg@12345",
    displayName: "张经办",
    phone: "13800138000",
    email: "zhang@example.cn",
    subjectType: "法人及非法人组织",
    subjectCode: randomUscc(),
    subjectName: `注册测试${uniq()}有限公司`,
    ...overrides,
  };
}

async function registerPage() {
  const agent = request.agent(testApp().app);
  const page = await agent.get("/register").expect(200);
  return { agent, csrf: csrfFrom(page.text), page };
}

describe("applicant self-registration", () => {
  it("shows a Chinese form with a CSRF token", async () => {
    const { page } = await registerPage();
    assert.match(page.text, /注册申请人账号/);
    assert.match(page.text, /统一社会信用代码/);
    assert.match(page.text, /name="_csrf" value="[^"]+"/);
  });

  it("registers an applicant for a new subject, links it, logs in and audits", async () => {
    const { agent, csrf } = await registerPage();
    const data = form();
    const res = await agent
      .post("/register")
      .type("form")
      .send({ ...data, _csrf: csrf, subjectCode: data.subjectCode.toLowerCase() })
      .expect(302);
    assert.equal(res.headers.location, "/my/subjects");
    const me = await agent.get("/api/me").expect(200);
    assert.equal(me.body.data.username, data.username);
    assert.deepEqual(me.body.data.roles, ["applicant"]);
    const subject = await CreditSubject.findOne({ where: { code: data.subjectCode } });
    assert.ok(subject, "the subject is stored upper-cased");
    assert.equal(subject.divisionCode, "410182");
    assert.deepEqual(me.body.data.subjectIds, [subject.id]);
    const page = await agent.get("/my/subjects").expect(200);
    assert.match(page.text, new RegExp(data.subjectName));
    assert.match(page.text, /注册成功/);
    const user = await User.findOne({ where: { username: data.username } });
    assert.equal(user?.phone, "13800138000");
    for (const action of ["user.registered", "subject.created", "subject.linked"]) {
      assert.ok(await AuditEntry.findOne({ where: { actor: data.username, action } }), action);
    }
  });

  it("registers a natural person with a resident ID", async () => {
    const { agent, csrf } = await registerPage();
    const id17 = `410182${1960 + Math.floor(Math.random() * 40)}0101${String(Math.floor(Math.random() * 900) + 100)}`;
    const { residentIdCheckCharacter } = await import("../../server/domain/subjects/residentId.js");
    const code = id17 + residentIdCheckCharacter(id17);
    if (await CreditSubject.findOne({ where: { code } })) return; // astronomically unlikely clash
    await agent
      .post("/register")
      .type("form")
      .send(form({ _csrf: csrf, subjectType: "自然人", subjectCode: code, subjectName: "李个人" }))
      .expect(302);
    const subject = await CreditSubject.findOne({ where: { code } });
    assert.equal(subject?.subjectType, "自然人");
  });

  it("names the wrong character of an invalid USCC in Chinese and keeps the input", async () => {
    const { agent, csrf } = await registerPage();
    const data = form({ _csrf: csrf, subjectCode: "91410182MA9IY00010" });
    const res = await agent.post("/register").type("form").send(data).expect(400);
    assert.match(res.text, /第12位“I”不是统一社会信用代码允许的字符/);
    assert.match(res.text, new RegExp(`value="${data.username}"`), "the form keeps what was typed");
    const valid = randomUscc();
    const wrongCheck = valid.slice(0, 17) + (valid[17] === "0" ? "1" : "0");
    const again = await agent
      .post("/register")
      .type("form")
      .send(form({ _csrf: csrfFrom(res.text), subjectCode: wrongCheck }))
      .expect(400);
    assert.match(again.text, new RegExp(`第18位应为“${valid[17]}”`));
    assert.equal(await User.count({ where: { username: data.username } }), 0);
  });

  it("refuses a legacy-pilot code at self-registration and says an officer must accept it", async () => {
    const { agent, csrf } = await registerPage();
    const res = await agent
      .post("/register")
      .type("form")
      .send(form({ _csrf: csrf, subjectCode: "91350100M0001TGQXM" }))
      .expect(400);
    assert.match(res.text, /早期试点地区/);
    assert.match(res.text, /工作人员核实/);
  });

  it("refuses a weak password with the platform's rule", async () => {
    const { agent, csrf } = await registerPage();
    const res = await agent
      .post("/register")
      .type("form")
      .send(form({ _csrf: csrf, password: "password", passwordConfirm: "password" }))
      .expect(400);
    assert.match(res.text, /密码需包含大写字母、小写字母、数字、符号中的至少三类/);
  });

  it("answers a taken username generically, whatever its letter case", async () => {
    const existing = await buildUser();
    const { agent, csrf } = await registerPage();
    const res = await agent
      .post("/register")
      .type("form")
      .send(form({ _csrf: csrf, username: existing.username.toUpperCase() }))
      .expect(400);
    assert.match(res.text, /该用户名不可用/);
    assert.doesNotMatch(res.text, /已存在|已注册|已被注册/);
    const reserved = await agent
      .post("/register")
      .type("form")
      .send(form({ _csrf: csrfFrom(res.text), username: "system" }))
      .expect(400);
    assert.match(reserved.text, /该用户名不可用/);
  });

  it("does not let a newcomer act for a subject already on the platform until an admin confirms", async () => {
    const subject = await buildSubject();
    const { agent, csrf } = await registerPage();
    const data = form({ _csrf: csrf, subjectCode: subject.code, subjectName: "冒名公司" });
    await agent.post("/register").type("form").send(data).expect(302);
    const me = await agent.get("/api/me").expect(200);
    assert.deepEqual(me.body.data.subjectIds, [], "no link before an officer confirms");
    const page = await agent.get("/my/subjects").expect(200);
    assert.match(page.text, /待核实/);
    const reloaded = await CreditSubject.findByPk(subject.id);
    assert.equal(reloaded?.name, subject.name, "the registrant cannot rename an existing subject");
    const claim = await SubjectClaim.findOne({ where: { subjectId: subject.id, userId: me.body.data.id } });
    assert.equal(claim?.status, "pending");
    assert.ok(await AuditEntry.findOne({ where: { action: "subject.claim_requested", entityId: String(subject.id) } }));

    const admin = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const show = await admin.get(`/admin/subjects/${subject.id}`).expect(200);
    assert.match(show.text, new RegExp(data.username));
    await admin
      .post(`/admin/subjects/${subject.id}/claims/${claim.id}`)
      .type("form")
      .send({ _csrf: admin.csrf, decision: "approve" })
      .expect(302);
    const flash = await admin.get(`/admin/subjects/${subject.id}`).expect(200);
    assert.match(flash.text, /已确认关联/);
    const after = await agent.get("/api/me").expect(200);
    assert.deepEqual(after.body.data.subjectIds, [subject.id]);
    assert.ok(await AuditEntry.findOne({ where: { action: "subject.claim_approved", entityId: String(subject.id) } }));
  });

  it("refuses a registration without a valid CSRF token", async () => {
    const agent = request.agent(testApp().app);
    await agent.get("/register").expect(200);
    const data = form();
    await agent.post("/register").type("form").send(data).expect(403);
    await agent
      .post("/register")
      .type("form")
      .send({ ...data, _csrf: "forged" })
      .expect(403);
    assert.equal(await User.count({ where: { username: data.username } }), 0);
  });
});
