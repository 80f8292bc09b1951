import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Case } from "../../server/db/models/Case.js";
import { launchBrowser, loginAs, logout, newContext, screenshot, watchProblems } from "./helpers/browser.js";
import { decideFromInbox, formReady, pageSettled } from "./helpers/cases.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";
const ITEM = "fgw-letter-reissue";

/** The shipped 通用事项 (no flow module, only processes/ and forms/), walked by an applicant and the 信用办 reviewer. */
describe("browser: a 通用事项 with no module — apply, return, correct on the case page, approve, with the diagram", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let code = "";

  before(async function () {
    this.timeout(180_000);
    server = await startServer();
    browser = await launchBrowser();
    context = await newContext(browser, server.baseUrl);
    problems = watchProblems(context);
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const reviewTask = (decision: string, opinion: string) =>
    decideFromInbox(page, {
      username: "xinyong",
      password: PASSWORD,
      code,
      current: "review",
      decision,
      opinion: opinion ? { label: "审核意见", text: opinion } : undefined,
      shot: decision === "退回补正" ? "generic-04-task-return" : "generic-07-task-approve",
    });

  it("lets the applicant apply from 办事指南 with the start form and shows the case with its current step", async () => {
    await loginAs(page, "applicant", PASSWORD);
    await page.goto(`/catalog/${ITEM}`);
    await page.getByText("办事指南").first().waitFor();
    await screenshot(page, "generic-01-item");
    await Promise.all([page.waitForURL(/\/start/), page.getByTestId("apply-button").click()]);
    await formReady(page, "[data-form-renderer]");
    await page.getByLabel("原承诺编码").fill("41018220261201000001");
    await page.getByLabel("遗失").check();
    await page.getByLabel("情况说明").fill("办公室搬迁时遗失原件");
    await page.getByLabel("联系人").fill("刘经办");
    await page.getByLabel("联系电话").fill("13800138000");
    await screenshot(page, "generic-02-start-form");
    await Promise.all([page.waitForURL(/\/my\/cases\/TY\d+$/), page.getByTestId("apply-next").click()]);
    code = (await page.getByTestId("case-code").innerText()).trim();
    assert.match(code, /^TY\d{20}$/);
    assert.match(await page.getByTestId("case-status").innerText(), /信用办审核/);
    await page.locator('[data-testid="diagram"][data-rendered="true"]').waitFor();
    assert.equal(await page.getByTestId("diagram").getAttribute("data-current"), "review");
    await pageSettled(page);
    await screenshot(page, "generic-03-case-submitted");
    await logout(page);
  });

  it("lets the 信用办 reviewer return it from the inbox, and the applicant correct it on the case page", async () => {
    await reviewTask("退回补正", "请写明遗失的时间和经过");
    await screenshot(page, "generic-04-inbox-after-return");
    await logout(page);
    await loginAs(page, "applicant", PASSWORD);
    await page.goto("/my/cases");
    await page.locator(`a[href="/my/cases/${code}"]`).getByTestId("waiting-on-me").waitFor();
    await screenshot(page, "generic-05-my-cases");
    await page.goto(`/my/cases/${code}`);
    const task = page.getByTestId("my-task");
    await formReady(page, '[data-testid="my-task"] [data-form-renderer]');
    await task.getByLabel("补正后的情况说明").fill("2026年11月20日办公室搬迁时遗失原件");
    await task.getByLabel("补正说明").fill("已补充遗失时间和经过");
    await screenshot(page, "generic-06-correction");
    await page.waitForTimeout(300);
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && /\/complete$/.test(r.url()) && r.status() === 200),
      task.getByRole("button", { name: "提交补正" }).click(),
    ]);
    await page.getByTestId("case-status").getByText("信用办审核").waitFor();
    assert.equal(await page.getByTestId("my-task").count(), 0);
    // The reloaded case page loads its forms and diagram before the applicant leaves (a fetch cut short is not a broken page).
    await pageSettled(page);
    await logout(page);
  });

  it("lets the reviewer approve; the case ends 已办结 and the diagram shows every step done", async () => {
    await reviewTask("同意补领", "");
    await logout(page);
    await loginAs(page, "applicant", PASSWORD);
    await page.goto(`/my/cases/${code}`);
    await page.getByTestId("case-status").getByText("已办结").waitFor();
    await page.locator('[data-testid="diagram"][data-rendered="true"]').waitFor();
    const completed = (await page.getByTestId("diagram").getAttribute("data-completed")) ?? "";
    for (const id of ["applied", "review", "correct", "reissued"]) assert.ok(completed.split(" ").includes(id), `${id} done: ${completed}`);
    assert.equal(await page.getByTestId("case-form").count(), 4);
    await screenshot(page, "generic-07-case-done");
    const kase = await Case.findOne({ where: { businessKey: code } });
    assert.equal(kase?.status, "已办结");
    const unexpected = problems.filter((p) => !/\/complete/.test(p));
    assert.deepEqual(unexpected, []);
  });
});
