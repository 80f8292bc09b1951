import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { CreditSubject } from "../../../server/db/models/CreditSubject.js";
import { buildSubject, buildUser, loginAs } from "../../helpers/factories.js";

const LEGACY = "91350100M0001TGQXM";

describe("admin: credit subjects", () => {
  it("lets officers search by code prefix or name, and keeps applicants out", async () => {
    const marker = randomBytes(4).toString("hex");
    const subject = await buildSubject({ name: `检索${marker}有限公司` });
    for (const roles of [["reviewer"], ["dept_admin"], ["auditor"], ["admin"]] as const) {
      const agent = await loginAs(await buildUser({ roles: [...roles] }));
      const byName = await agent.get(`/admin/subjects?q=${marker}`).expect(200);
      assert.match(byName.text, new RegExp(subject.code));
      const byCode = await agent.get(`/admin/subjects?q=${subject.code.slice(0, 14).toLowerCase()}`).expect(200);
      assert.match(byCode.text, new RegExp(`检索${marker}`));
    }
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"] }));
    const none = await reviewer.get(`/admin/subjects?q=zz${marker}`).expect(200);
    assert.match(none.text, /没有代码或名称匹配/);
    assert.doesNotMatch(none.text, /登记该主体/, "only admins are offered to register");
    const applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    await applicant.get("/admin/subjects").set("Accept", "text/html").expect(403);
  });

  it("refuses a legacy-pilot code without a reason and accepts it with one, recorded and audited", async () => {
    const existing = await CreditSubject.findOne({ where: { code: LEGACY } });
    if (existing) await existing.destroy();
    const admin = await buildUser({ roles: ["admin"], department: "fgw" });
    const agent = await loginAs(admin);
    const refused = await agent
      .post("/admin/subjects")
      .type("form")
      .send({ _csrf: agent.csrf, subjectType: "法人及非法人组织", code: LEGACY, name: "福州试点公司" })
      .expect(400);
    assert.match(refused.text, /第18位应为“1”/);
    assert.match(refused.text, /请填写受理理由/);
    const reason = "已核验营业执照原件，系福州早期试点赋码";
    const res = await agent
      .post("/admin/subjects")
      .type("form")
      .send({ _csrf: agent.csrf, subjectType: "法人及非法人组织", code: LEGACY, name: "福州试点公司", legacyOverrideReason: reason })
      .expect(302);
    const subject = await CreditSubject.findOne({ where: { code: LEGACY } });
    assert.ok(subject?.legacyPilot);
    assert.equal(subject.legacyOverrideReason, reason);
    assert.equal(subject.legacyOverrideBy, admin.username);
    const show = await agent.get(String(res.headers.location)).expect(200);
    assert.match(show.text, new RegExp(reason));
    const accepted = await AuditEntry.findOne({ where: { action: "subject.legacy_accepted", entityId: String(subject.id) } });
    assert.ok(accepted?.detail?.includes(reason));
    assert.ok(accepted);
    assert.equal(accepted.actor, admin.username);
    await subject.destroy();
  });

  it("lets only admins register subjects", async () => {
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"] }));
    await reviewer.get("/admin/subjects/new").set("Accept", "text/html").expect(403);
    await reviewer
      .post("/admin/subjects")
      .type("form")
      .send({ _csrf: reviewer.csrf, subjectType: "法人及非法人组织", code: "91110000600037341L", name: "x" })
      .set("Accept", "text/html")
      .expect(403);
  });

  it("refuses a duplicate code with a Chinese message", async () => {
    const subject = await buildSubject();
    const agent = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const res = await agent
      .post("/admin/subjects")
      .type("form")
      .send({ _csrf: agent.csrf, subjectType: "法人及非法人组织", code: subject.code, name: "重复" })
      .expect(409);
    assert.match(res.text, /该代码对应的主体已登记/);
  });
});

describe("my subjects", () => {
  it("shows an applicant the subjects it acts for, and an empty state otherwise", async () => {
    const subject = await buildSubject();
    const agent = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [subject.id] }));
    const page = await agent.get("/my/subjects").expect(200);
    assert.match(page.text, new RegExp(subject.name));
    const lonely = await loginAs(await buildUser({ roles: ["applicant"] }));
    const empty = await lonely.get("/my/subjects").expect(200);
    assert.match(empty.text, /您目前还不能代表任何主体办理事项/);
  });
});
