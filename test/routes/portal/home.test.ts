import assert from "node:assert/strict";
import request from "supertest";
import { CatalogItem } from "../../../server/db/models/CatalogItem.js";
import { CatalogItemVersion } from "../../../server/db/models/CatalogItemVersion.js";
import { buildSubject, buildUser, loginAs } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, ensureShippedForms } from "../../domain/commitments/fixtures.js";

describe("home page: a service portal's home", () => {
  let itemCode: string;
  let itemName: string;
  before(async () => {
    await ensureShippedForms();
    itemCode = await buildPublishedItem("scjgj");
    const item = await CatalogItem.findOne({ where: { itemCode } });
    itemName = (await CatalogItemVersion.findByPk(item!.publishedVersionId!))!.name;
  });

  it("offers one search box for 事项 and 信用查询, the catalog by department, 信用修复, notices and the contact line", async () => {
    const page = await request(testApp().app).get("/").expect(200);
    assert.match(page.text, /<form method="get" action="\/catalog" role="search"[\s\S]*name="q"[\s\S]*formaction="\/public\/query"/);
    assert.match(page.text, new RegExp(`data-department="scjgj"[\\s\\S]*href="/catalog/${itemCode}"[^>]*>${itemName}<`));
    assert.match(page.text, /href="\/repair"/);
    assert.match(page.text, /href="\/repair\/apply"/);
    assert.match(page.text, /通知公告/);
    assert.match(page.text, /荥阳市社会信用体系建设领导小组办公室/);
    assert.match(page.text, /data-placeholder="phone">〔待填写：咨询电话〕/);
    // Not logged in: 我的办件 asks to log in rather than showing counts.
    assert.match(page.text, /data-testid="home-my-cases"[\s\S]*href="\/login"/);
    assert.doesNotMatch(page.text, /data-testid="my-case-counts"/);
  });

  it("shows the applicant's cases by status, each a link to that filter of 我的办件", async () => {
    const c = await buildSubmittedCase(itemCode);
    const applicant = await loginAs(c.applicantAccount);
    const page = await applicant.get("/").expect(200);
    assert.match(page.text, /data-testid="my-cases-total"[\s\S]*?>1</);
    assert.match(
      page.text,
      /href="\/my\/cases\?status&#x3D;%E5%AE%A1%E6%9F%A5%E4%B8%AD"[^>]*data-status="审查中">审查中<\/a>\s*<span class="badge text-bg-primary" data-testid="count">1</,
    );
  });

  it("tells an applicant without cases what to do, and staff keep their work entries", async () => {
    const applicant = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [(await buildSubject()).id] }));
    const page = await applicant.get("/").expect(200);
    assert.match(page.text, /您还没有办件/);
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const staff = await reviewer.get("/").expect(200);
    assert.match(staff.text, /data-testid="home-cards"[\s\S]*href="\/tasks"/);
    assert.match(staff.text, /“我的办件”供申请人查看/);
  });
});
