import assert from "node:assert/strict";
import request from "supertest";
import { residentIdCheckCharacter } from "../../server/domain/subjects/residentId.js";
import { buildSubject } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

describe("public credit query page /public/query", () => {
  it("shows a subject found by its USCC without a login", async () => {
    const subject = await buildSubject({ name: `公开查询测试${Date.now()}有限公司` });
    const res = await request(testApp().app).get(`/public/query?q=${subject.code}`).expect(200);
    assert.match(res.text, new RegExp(subject.name));
    assert.match(res.text, /暂无可公开的信用承诺/);
  });

  it("says which character is wrong for a code with a bad check character (400)", async () => {
    const subject = await buildSubject();
    const last = subject.code.at(-1)!;
    const wrong = subject.code.slice(0, 17) + (last === "0" ? "1" : "0");
    const res = await request(testApp().app).get(`/public/query?q=${wrong}`).expect(400);
    assert.match(res.text, /校验位不正确（第18位应为“/);
  });

  it("answers a well-formed code of an unknown subject with 404 and a Chinese sentence", async () => {
    const res = await request(testApp().app).get("/public/query?q=91110000600037341L").expect(404);
    assert.match(res.text, /未查询到该统一社会信用代码对应的主体/);
  });

  it("finds subjects by part of their name, never natural persons", async () => {
    const tag = `名称检索${Math.random().toString(36).slice(2, 8)}`;
    const company = await buildSubject({ name: `${tag}科技有限公司` });
    const first17 = `4101821990${String(10 + Math.floor(Math.random() * 3)).padStart(2, "0")}${String(10 + Math.floor(Math.random() * 18))}${String(Math.floor(Math.random() * 1000)).padStart(3, "0")}`;
    await buildSubject({ name: `${tag}个人`, subjectType: "自然人", code: first17 + residentIdCheckCharacter(first17) });
    const res = await request(testApp().app)
      .get(`/public/query?q=${encodeURIComponent(tag)}`)
      .expect(200);
    assert.match(res.text, new RegExp(company.code));
    assert.doesNotMatch(res.text, /个人<\/span>/);
  });

  it("shows an empty state when no name matches", async () => {
    const res = await request(testApp().app)
      .get(`/public/query?q=${encodeURIComponent("不存在的主体名称xyz")}`)
      .expect(200);
    assert.match(res.text, /未找到名称包含/);
  });
});

describe("credit repair guide /repair", () => {
  it("explains, without a login, the conditions, materials and where to apply", async () => {
    const res = await request(testApp().app).get("/repair").expect(200);
    assert.match(res.text, /申请条件/);
    assert.match(res.text, /信用修复承诺/);
    assert.match(res.text, /href="\/repair\/apply"/); // applications are online now (test/routes/repair/)
  });
});
