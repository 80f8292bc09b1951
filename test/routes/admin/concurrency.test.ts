import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { Op } from "sequelize";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { CreditSubject } from "../../../server/db/models/CreditSubject.js";
import { verifyAuditChain } from "../../../server/domain/audit.js";
import { buildUser, randomUscc } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";

describe("concurrent writes through the app", () => {
  it("commits 50 parallel subject registrations over the API and keeps the audit chain intact", async function () {
    this.timeout(120_000);
    const { app, db } = testApp();
    const admin = await buildUser({ roles: ["admin"], department: "fgw" });
    const marker = `并发${randomBytes(4).toString("hex")}`;
    const codes = new Set<string>();
    while (codes.size < 50) codes.add(randomUscc());
    const responses = await Promise.all(
      [...codes].map((code, i) =>
        request(app)
          .post("/api/admin/subjects")
          .auth(admin.username, admin.password)
          .send({ subjectType: "法人及非法人组织", code, name: `${marker}第${i}号有限公司` }),
      ),
    );
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(50).fill(201),
      JSON.stringify(responses.find((r) => r.status !== 201)?.body),
    );
    const stored = await CreditSubject.findAll({ where: { name: { [Op.like]: `${marker}%` } } });
    assert.equal(stored.length, 50);
    const audited = await AuditEntry.count({ where: { action: "subject.created", actor: admin.username } });
    assert.equal(audited, 50);
    const verdict = await verifyAuditChain(db);
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
  });

  it("answers API clients with JSON errors in Chinese", async () => {
    const admin = await buildUser({ roles: ["admin"], department: "fgw" });
    const res = await request(testApp().app)
      .post("/api/admin/subjects")
      .auth(admin.username, admin.password)
      .send({ subjectType: "法人及非法人组织", code: "91110000600037341X", name: "错码公司" })
      .expect(400);
    assert.equal(res.body.error.code, "validation_failed");
    assert.match(res.body.error.details[0].message, /第18位应为“L”/);
    const reviewer = await buildUser({ roles: ["reviewer"] });
    await request(testApp().app)
      .post("/api/admin/subjects")
      .auth(reviewer.username, reviewer.password)
      .send({ subjectType: "法人及非法人组织", code: randomUscc(), name: "x" })
      .expect(403);
  });
});
