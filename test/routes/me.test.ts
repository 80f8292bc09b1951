import assert from "node:assert/strict";
import request from "supertest";
import { buildSubject, buildUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

describe("GET /api/me", () => {
  it("lists the subjects an applicant acts for by the codes an API client submits with, with name and type", async () => {
    const a = await buildSubject();
    const b = await buildSubject();
    const applicant = await buildUser({ roles: ["applicant"], subjectIds: [a.id, b.id] });
    const res = await request(testApp().app).get("/api/me").auth(applicant.username, applicant.password).expect(200);
    const subjects = res.body.data.subjects as { code: string; name: string; type: string }[];
    assert.deepEqual(subjects.map((s) => s.code).sort(), [a.code, b.code].sort());
    for (const s of subjects) {
      assert.ok(s.name);
      assert.match(s.type, /法人及非法人组织|自然人|个体工商户/);
    }
  });

  it("answers an empty list for staff, who act for no subject", async () => {
    const reviewer = await buildUser({ roles: ["reviewer"] });
    const res = await request(testApp().app).get("/api/me").auth(reviewer.username, reviewer.password).expect(200);
    assert.deepEqual(res.body.data.subjects, []);
  });
});
