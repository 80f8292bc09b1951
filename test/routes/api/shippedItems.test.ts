import assert from "node:assert/strict";
import { bootShippedCatalog } from "../../../server/domain/catalog/seedCatalog.js";
import { buildSubject, buildUser, loginAs } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { ensureShippedForms } from "../../domain/commitments/fixtures.js";

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

describe("the shipped 食品经营许可 item with its real form", () => {
  before(async () => {
    await ensureShippedForms();
    const ctx = testApp().app.locals.context;
    await bootShippedCatalog({ db: ctx.db, engine: ctx.engine, clock: ctx.clock });
  });

  it("accepts a complete application with an uploaded 营业执照 and renders the item's letter", async () => {
    const subject = await buildSubject();
    const applicant = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [subject.id] }));
    const uploaded = await applicant
      .post("/api/uploads")
      .set("X-CSRF-Token", applicant.csrf)
      .attach("file", PNG, "license.png")
      .expect(201);
    const file = uploaded.body.data;
    const data = {
      subjectName: subject.name,
      uscc: subject.code,
      premises: "荥阳市京城路88号",
      businessItems: ["prepackaged", "hotFood"],
      principal: "李四",
      phone: "13800000000",
      safetySystem: true,
      staff: [{ name: "王五", healthCertNo: "HC-2026-0001" }],
      businessLicense: [
        { storage: "url", name: file.name, originalName: file.originalName, url: file.url, size: file.size, type: file.type },
      ],
    };
    const res = await applicant
      .post("/api/commitments")
      .set("X-CSRF-Token", applicant.csrf)
      .send({ itemCode: "scjgj-food-business-licence", subject: subject.code, data, signature: { name: "李四", agreed: true } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const detail = await applicant.get(`/api/commitments/${res.body.code}`).expect(200);
    assert.match(detail.body.data.letter.html, /荥阳市京城路88号/);
    assert.match(detail.body.data.letter.html, /违诺责任/);
    assert.equal(detail.body.data.department.code, "scjgj");
    assert.equal(detail.body.data.openTasks[0].candidateGroups[0], "scjgj");

    // The evidence is readable by those who may read the commitment: its department's reviewer, not another department's.
    const fileId = String(file.url).split("/").pop()!;
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    await reviewer.get(`/api/uploads/${fileId}`).expect(200);
    const otherDepartment = await loginAs(await buildUser({ roles: ["reviewer"], department: "zjj" }));
    const denied = await otherDepartment.get(`/api/uploads/${fileId}`).expect(404);
    assert.match(JSON.stringify(denied.body), /找不到该文件/);
  });
});
