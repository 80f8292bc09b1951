import assert from "node:assert/strict";
import { buildUser, loginAs } from "../helpers/factories.js";
import { buildPublishedItem, buildSubmittedCase, ensureShippedForms } from "../domain/commitments/fixtures.js";

describe("信用承诺档案 page /archive", () => {
  let itemCode: string;
  before(async () => {
    await ensureShippedForms();
    itemCode = await buildPublishedItem("scjgj");
  });

  it("lists the department's commitments with the record fields and export links that keep the filters", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const page = await reviewer.get(`/archive?item=${itemCode}`).expect(200);
    assert.match(page.text, new RegExp(code));
    assert.match(page.text, /承诺类型/);
    const html = page.text.replace(/&#x3D;/g, "=").replace(/&amp;/g, "&");
    assert.ok(html.includes(`href="/api/archive?format=csv&item=${itemCode}"`), "the CSV export keeps the item filter");
    const csv = await reviewer.get(`/api/archive?format=csv&item=${itemCode}`).expect(200);
    assert.match(csv.text, /承诺编码/);
    assert.match(csv.text, new RegExp(code));
    // 承诺内容 and 违诺责任 are the signed letter's text in both exports (the CSV once left them empty).
    const json = await reviewer.get(`/api/archive?format=json&item=${itemCode}`).expect(200);
    const record = (json.body.data as { code: string; content: string | null; liability: string | null }[]).find((r) => r.code === code)!;
    assert.ok(record.content && record.content.length > 20, "the JSON record has the letter's text");
    assert.ok(csv.text.includes(record.content.slice(0, 20).replace(/"/g, '""')), "the CSV carries the same 承诺内容");
    assert.ok(record.liability && csv.text.includes(record.liability.slice(0, 10)), "and the same 违诺责任");
  });

  it("hides another department's commitments and shows an empty state", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const other = await loginAs(await buildUser({ roles: ["reviewer"], department: "zjj" }));
    const page = await other.get(`/archive?item=${itemCode}`).expect(200);
    assert.doesNotMatch(page.text, new RegExp(code));
    assert.match(page.text, /data-testid="empty-state"/);
  });

  it("refuses applicants (403) and answers a malformed filter with a Chinese 400", async () => {
    const applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    await applicant.get("/archive").set("Accept", "text/html").expect(403);
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const bad = await reviewer.get("/archive?from=2026-13").set("Accept", "text/html").expect(400);
    assert.match(bad.text, /日期格式应为 YYYY-MM-DD/);
  });
});
