import assert from "node:assert/strict";
import request from "supertest";
import { buildSubject, buildUser, loginAs, randomUscc } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, ensureShippedForms } from "../../domain/commitments/fixtures.js";

describe("public subject query", () => {
  before(ensureShippedForms);

  it("answers a malformed code and a wrong check character with 400 saying which", async () => {
    const app = testApp().app;
    const short = await request(app).get("/api/public/subjects/91110000600037").expect(400);
    assert.match(short.body.error.message, /18位/);
    const letter = await request(app).get("/api/public/subjects/91110000600037341I").expect(400);
    assert.match(letter.body.error.message, /第18位|不是统一社会信用代码允许的字符/);
    const check = await request(app).get("/api/public/subjects/91110000600037341A").expect(400);
    assert.match(check.body.error.message, /校验位/);
    assert.match(check.body.error.message, /L/);
  });

  it("answers a well-formed unknown code with 404", async () => {
    await request(testApp().app).get(`/api/public/subjects/${randomUscc()}`).expect(404);
  });

  it("lists only accepted commitments whose 公开类型 is 可向社会公开", async () => {
    const publicItem = await buildPublishedItem("scjgj", { publicType: "可向社会公开" });
    const hiddenItem = await buildPublishedItem("scjgj", { publicType: "特定范围内公开" });
    const shown = await buildSubmittedCase(publicItem);
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    await reviewer
      .post(`/api/commitments/${shown.code}/review`)
      .set("X-CSRF-Token", reviewer.csrf)
      .send({ data: { decision: "approve" } })
      .expect(200);
    const subject = shown.subject;
    // A case on an item published only within a specific scope stays out of the public query.
    const hidden = await buildSubmittedCase(hiddenItem);
    const res = await request(testApp().app).get(`/api/public/subjects/${subject.code}`).expect(200);
    assert.equal(res.body.data.subject.name, subject.name);
    assert.deepEqual(
      res.body.data.commitments.map((c: { code: string }) => c.code),
      [shown.code],
    );
    assert.ok(!("data" in res.body.data.commitments[0]), "no submission data in public");
    const other = await request(testApp().app).get(`/api/public/subjects/${hidden.subject.code}`).expect(200);
    assert.deepEqual(other.body.data.commitments, []);
    const fresh = await buildSubject();
    const empty = await request(testApp().app).get(`/api/public/subjects/${fresh.code}`).expect(200);
    assert.deepEqual(empty.body.data.commitments, []);
  });
});
