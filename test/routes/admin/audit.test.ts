import assert from "node:assert/strict";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { buildUser, loginAs } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { formatDate } from "../../../server/presenters/helpers.js";

describe("admin: audit log page", () => {
  it("shows admins and auditors the chain's verdict; others get 403", async () => {
    for (const roles of [["admin"], ["auditor"]] as const) {
      const agent = await loginAs(await buildUser({ roles: [...roles] }));
      const page = await agent.get("/admin/audit").expect(200);
      assert.match(page.text, /审计链完整：已校验 \d+ 条记录/);
    }
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"] }));
    await reviewer.get("/admin/audit").set("Accept", "text/html").expect(403);
  });

  it("names the first broken entry when a row was altered", async () => {
    const { db } = testApp();
    const agent = await loginAs(await buildUser({ roles: ["auditor"] }));
    const last = await AuditEntry.findOne({ order: [["id", "DESC"]] });
    assert.ok(last);
    await db.sequelize.query("UPDATE audit_entries SET detail = :d WHERE id = :id", {
      replacements: { id: last.id, d: '{"forged":true}' },
    });
    try {
      const page = await agent.get(`/admin/audit?entityId=${last.entityId ?? ""}`).expect(200);
      assert.match(page.text, new RegExp(`审计链已损坏：第一条异常记录为 #${last.id}`));
      const at = await agent.get(`/admin/audit?upTo=${last.id}`).expect(200);
      assert.match(at.text, new RegExp(`id="entry-${last.id}" class="table-danger"`), "the broken entry is marked");
    } finally {
      await db.sequelize.query("UPDATE audit_entries SET detail = :d WHERE id = :id", { replacements: { id: last.id, d: last.detail } });
    }
  });

  it("searches by actor, action prefix, entity and date range, with an empty state", async () => {
    const user = await buildUser({ roles: ["auditor"] });
    const agent = await loginAs(user); // records auth.login for this user
    const today = formatDate(new Date());
    const mine = await agent.get(`/admin/audit?actor=${user.username}&action=auth.&from=${today}&to=${today}`).expect(200);
    assert.match(mine.text, /auth\.login/);
    const entity = await agent.get(`/admin/audit?entityType=user&entityId=${user.id}&action=auth.login`).expect(200);
    assert.match(entity.text, new RegExp(user.username));
    const before = await agent.get(`/admin/audit?actor=${user.username}&to=2000-01-01`).expect(200);
    assert.match(before.text, /没有符合条件的记录/);
    await agent.get("/admin/audit?from=not-a-date&page=-3").expect(200);
  });
});
