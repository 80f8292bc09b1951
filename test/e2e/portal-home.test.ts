import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Commitment } from "../../server/db/models/Commitment.js";
import {
  launchBrowser,
  loginAs,
  logout,
  newContext,
  recordRequests,
  requestsOffHost,
  screenshot,
  watchProblems,
} from "./helpers/browser.js";
import { CONSTRUCTION_ITEM, CONSTRUCTION_NAME, fillConstructionForm, signAndSubmit } from "./helpers/construction.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";

/** The page scrolls sideways: something is wider than the phone. */
async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe("browser: the portal home and what happens after a commitment is submitted", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let requests: string[];
  let problems: string[];

  before(async function () {
    this.timeout(180_000);
    server = await startServer();
    browser = await launchBrowser();
    context = await newContext(browser, server.baseUrl);
    requests = recordRequests(context);
    problems = watchProblems(context);
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("a visitor finds 事项 and 信用查询 in one search box, the catalog by department, 信用修复, notices and the contact line", async () => {
    await page.goto("/");
    await screenshot(page, "portal-home-01-visitor");
    const departments = page.getByTestId("home-department");
    assert.ok((await departments.count()) >= 2, "the shipped items of several departments are listed");
    assert.ok(await page.getByTestId("home-catalog").getByRole("link", { name: CONSTRUCTION_NAME }).isVisible());
    for (const label of ["通知公告", "荥阳市社会信用体系建设领导小组办公室", "信用修复指南", "申请信用修复"]) {
      assert.ok(await page.getByText(label, { exact: true }).first().isVisible(), `${label} is on the home page`);
    }
    assert.match(await page.getByTestId("home-contact").innerText(), /〔待填写：咨询电话〕/);
    assert.match(await page.getByTestId("home-my-cases").innerText(), /登录后查看办件进度/);

    await page.getByLabel("搜索事项或查询信用").fill("施工");
    await Promise.all([page.waitForURL(/\/catalog\?q=/), page.getByRole("button", { name: "搜索事项" }).click()]);
    await page.getByTestId("catalog-item").filter({ hasText: CONSTRUCTION_NAME }).waitFor();

    await page.goto("/");
    await page.getByLabel("搜索事项或查询信用").fill("荥阳市示范食品有限公司");
    await Promise.all([page.waitForURL(/\/public\/query\?q=/), page.getByRole("button", { name: "信用查询" }).click()]);
    await page.getByText("荥阳市示范食品有限公司").first().waitFor();

    await page.goto("/");
    await Promise.all([page.waitForURL("**/repair"), page.getByRole("link", { name: /信用修复指南/ }).click()]);
    await page.goto("/");
    await Promise.all([
      page.waitForURL(/\/catalog\/zjj-construction-permit$/),
      page.getByRole("link", { name: CONSTRUCTION_NAME }).click(),
    ]);
    await page.getByText("告知内容").first().waitFor();
  });

  it("fits a 390 px wide phone without sideways scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/");
    await screenshot(page, "portal-home-02-phone");
    assert.equal(await horizontalOverflow(page), 0, "the home page scrolls sideways at 390 px");
    const search = await page.getByRole("button", { name: "信用查询" }).boundingBox();
    assert.ok(search && search.x >= 0 && search.x + search.width <= 390, `the 信用查询 button is on screen: ${JSON.stringify(search)}`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  let code = "";

  it("after submitting, the back button shows 该申请已提交 with the 承诺编码, and signing a stale letter again makes no second case", async () => {
    await loginAs(page, "applicant", PASSWORD);
    const before = await Commitment.count();
    await page.goto(`/catalog/${CONSTRUCTION_ITEM}`);
    await Promise.all([page.waitForURL(/\/apply/), page.getByRole("link", { name: "我要承诺办理" }).click()]);
    await fillConstructionForm(page, "荥阳市示范仓库二期");
    // A second tab left on the same letter, to be signed again after the first submit.
    const stale = await context.newPage();
    await stale.goto(page.url());
    await stale.getByTestId("sign-form").waitFor();

    code = await signAndSubmit(page, "刘示范");
    assert.match(code, /^\d{20}$/);
    assert.equal(await Commitment.count(), before + 1);

    await page.goBack();
    await page.getByTestId("already-submitted").waitFor();
    assert.match(await page.getByTestId("already-submitted").innerText(), new RegExp(`该申请已提交，承诺编码 ${code}`));
    assert.equal(await page.getByTestId("sign-form").count(), 0, "no letter to sign again");
    await screenshot(page, "portal-home-03-back-after-submit");
    await page.goBack();
    await page.getByTestId("already-submitted").waitFor();
    assert.equal(await page.locator("[data-form-renderer]").count(), 0, "the form page shows the notice, not an empty form");
    await screenshot(page, "portal-home-04-form-after-submit");

    await stale.getByLabel(/本人已阅读并同意上述承诺/).check();
    await stale.getByLabel("签署人姓名").fill("刘示范");
    await Promise.all([stale.waitForURL(/\/apply\/preview/), stale.getByRole("button", { name: "签署并提交" }).click()]);
    await stale.getByTestId("already-submitted").waitFor();
    assert.equal((await stale.getByTestId("submitted-code").innerText()).trim(), code);
    assert.equal(await Commitment.count(), before + 1, "signing the same letter again made no second commitment");
    await screenshot(stale, "portal-home-05-signed-again");
    await stale.close();

    await Promise.all([page.waitForURL(`**/my/cases/${code}`), page.getByRole("link", { name: "查看办件" }).click()]);
    await page.getByText(code).first().waitFor();
  });

  it("once logged in, 我的办件 on the home page counts the applicant's cases by status", async () => {
    await page.goto("/");
    const counts = page.getByTestId("my-case-counts");
    await counts.waitFor();
    const total = Number((await page.getByTestId("my-cases-total").innerText()).replace(/\D+/g, ""));
    assert.ok(total >= 1, `total ${total}`);
    const reviewing = counts.locator("li").filter({ hasText: "审查中" });
    assert.ok(Number(await reviewing.getByTestId("count").innerText()) >= 1);
    await screenshot(page, "portal-home-06-applicant");
    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await horizontalOverflow(page), 0, "the applicant's home scrolls sideways at 390 px");
    await screenshot(page, "portal-home-07-applicant-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
    await Promise.all([page.waitForURL(/\/my\/cases\?status=/), reviewing.getByRole("link", { name: "审查中" }).click()]);
    await page.getByText(code).first().waitFor();
    await logout(page);
    assert.deepEqual(requestsOffHost(requests, server.host), []);
    assert.deepEqual(problems, []);
  });
});
