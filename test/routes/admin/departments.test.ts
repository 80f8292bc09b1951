import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { Department } from "../../../server/db/models/Department.js";
import { Group } from "../../../server/db/models/Group.js";
import { buildUser, loginAs } from "../../helpers/factories.js";

const code = () => `t${randomBytes(3).toString("hex")}`;

describe("admin: departments", () => {
  it("lists the county's departments; non-admins get 403", async () => {
    const agent = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const page = await agent.get("/admin/departments").expect(200);
    for (const name of ["市发展改革委(信用办)", "市市场监管局", "市财政局"]) assert.ok(page.text.includes(name), name);
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"] }));
    await reviewer.get("/admin/departments").set("Accept", "text/html").expect(403);
  });

  it("creates a department with its candidate group and audits it", async () => {
    const agent = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const c = code();
    await agent
      .post("/admin/departments")
      .type("form")
      .send({ _csrf: agent.csrf, code: c, name: "市测试局", uscc: "121200004013590816" })
      .expect(302);
    const d = await Department.findOne({ where: { code: c } });
    assert.equal(d?.uscc, "121200004013590816");
    const g = await Group.findByPk(c);
    assert.equal(g?.departmentId, d?.id);
    assert.ok(await AuditEntry.findOne({ where: { action: "department.created", entityId: String(d?.id) } }));
    const staff = await buildUser({ roles: ["reviewer"], department: c });
    const me = await (await loginAs(staff)).get("/api/me").expect(200);
    assert.deepEqual(me.body.data.groups, [c]);
  });

  it("refuses a bad unit USCC and a taken code with Chinese messages", async () => {
    const agent = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const bad = await agent
      .post("/admin/departments")
      .type("form")
      .send({ _csrf: agent.csrf, code: code(), name: "市错误局", uscc: "121200004013590817" })
      .expect(400);
    assert.match(bad.text, /第18位应为“6”/);
    const taken = await agent.post("/admin/departments").type("form").send({ _csrf: agent.csrf, code: "scjgj", name: "重复" }).expect(409);
    assert.match(taken.text, /该部门代码已被使用/);
  });

  it("renames a department and its group, keeping the code", async () => {
    const agent = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const c = code();
    await agent.post("/admin/departments").type("form").send({ _csrf: agent.csrf, code: c, name: "旧名" }).expect(302);
    const d = await Department.findOne({ where: { code: c } });
    await agent.get(`/admin/departments/${d!.id}`).expect(200);
    await agent.post(`/admin/departments/${d!.id}`).type("form").send({ _csrf: agent.csrf, name: "新名", code: "hacked" }).expect(302);
    await d!.reload();
    assert.equal(d!.name, "新名");
    assert.equal(d!.code, c);
    assert.equal((await Group.findByPk(c))?.name, "新名");
    assert.ok(await AuditEntry.findOne({ where: { action: "department.updated", entityId: String(d!.id) } }));
  });
});
