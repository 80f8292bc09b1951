import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Op } from "sequelize";
import { Case } from "../../server/db/models/Case.js";
import { addDays, chinaDay } from "../../server/domain/calendar/days.js";
import { launchBrowser, loginAs, newContext, screenshot, watchProblems } from "./helpers/browser.js";
import { formReady } from "./helpers/cases.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";
const PLAN = "2026年度个体工商户双随机抽查（浏览器测试）";
const SNACK = "荥阳市示范小吃店";
const PERSON = "张示范";
/** A 1×1 PNG: what a photo of the premises looks like to the upload checks. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/**
 * 双随机、一公开 end to end: the 市场监管局 department admin lists an inspection item, configures a plan, previews and
 * confirms a draw; both drawn inspectors complete their 检查 tasks from the inbox (one orders rectification, which is
 * re-checked); the public portal shows the draw and the results; the report draws its charts.
 */
describe("browser: supervision — plan, draw, inspections from the inbox, rectification and re-check, public results", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  before(async function () {
    this.timeout(180_000);
    server = await startServer();
    browser = await launchBrowser();
    context = await newContext(browser, server.baseUrl);
    problems = watchProblems(context);
    page = await context.newPage();
    // The pages ask before anything that cannot be undone (window.confirm): a person clicks 确定.
    page.on("dialog", (dialog) => void dialog.accept());
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const caseOf = async (subjectName: string) => {
    const c = await Case.findOne({
      where: { processKey: "supervision", subjectName, endedAt: { [Op.is]: null } },
      order: [["id", "DESC"]],
    });
    assert.ok(c?.businessKey, `an open inspection of ${subjectName}`);
    return c.businessKey;
  };

  /** The logged-in inspector opens the case's task from the inbox and waits for its form. */
  const openFromInbox = async (code: string) => {
    await page.goto("/tasks");
    const row = page.locator(`tr[data-code="${code}"]`);
    await row.waitFor();
    // The inbox may open a task in a side pane on wide screens; the test follows the row's 办理 link to the full page.
    const href = await row.getByRole("link", { name: "办理" }).getAttribute("href");
    await page.goto(href!);
    await formReady(page, '[data-testid="decision"] [data-form-renderer]');
    return page.getByTestId("decision");
  };

  const submit = async (label: string) => {
    const decision = page.getByTestId("decision");
    await page.waitForTimeout(300); // Form.io debounces its change event
    const from = page.url();
    await Promise.all([page.waitForURL((u) => u.toString() !== from), decision.getByRole("button", { name: label }).click()]);
    // The page after a completion (the next task, or the inbox) finishes loading before the test moves on.
    await page.waitForLoadState("networkidle");
  };

  it("lets the department admin list an item, configure a plan, preview and confirm a draw", async () => {
    await loginAs(page, "deptadmin", PASSWORD);
    await page.goto("/admin/supervision/items");
    await page.getByLabel("事项编码").fill("SC-E2E-01");
    await page.getByLabel("事项名称").fill("食品经营场所卫生状况检查");
    await page.getByLabel("抽查方式").fill("实地核查");
    await page.getByLabel("抽查依据").fill("《中华人民共和国食品安全法》第一百一十条");
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "添加事项" }).click()]);
    await page.getByText("食品经营场所卫生状况检查").first().waitFor();

    await page.goto("/admin/supervision/plans/new");
    await page.getByLabel("计划名称").fill(PLAN);
    await page.getByLabel("年度").fill("2026");
    await page.getByLabel("抽查开始日期").fill("2026-01-01");
    await page.getByLabel("抽查结束日期").fill("2026-12-31");
    await page.getByLabel("每个对象的检查人员数").fill("2");
    for (const input of await page.locator('fieldset:has(legend:text("抽查比例")) input[type="number"]').all()) await input.fill("100");
    await page.getByLabel(/食品经营场所卫生状况检查/).check();
    await page.getByLabel("个体工商户", { exact: true }).check();
    await page.getByLabel("自然人", { exact: true }).check();
    await screenshot(page, "supervision-01-plan-form");
    await Promise.all([page.waitForURL(/\/admin\/supervision\/plans\/\d+$/), page.getByTestId("save-plan").click()]);
    const enable = page.getByRole("button", { name: "启用计划" });
    if (await enable.count()) await Promise.all([page.waitForLoadState("load"), enable.click()]);
    await Promise.all([page.waitForURL(/\/admin\/supervision\/draws\/\d+$/), page.getByTestId("preview-draw").click()]);
    assert.match(await page.getByTestId("draw-status").innerText(), /预览/);
    const targets = page.getByTestId("draw-targets");
    await targets.getByText(SNACK).waitFor();
    await targets.getByText(PERSON).waitFor();
    await screenshot(page, "supervision-02-draw-preview");
    await Promise.all([page.waitForLoadState("load"), page.getByTestId("confirm-draw").click()]);
    await page.getByTestId("draw-status").getByText("已确认").waitFor();
    assert.equal(await targets.getByText("已启动").count(), 2);
    await screenshot(page, "supervision-03-draw-confirmed");
  });

  it("has both inspectors complete their 检查 tasks from the inbox; one orders rectification and it is re-checked", async () => {
    const snack = await caseOf(SNACK);
    const person = await caseOf(PERSON);
    const deadline = addDays(chinaDay(new Date()), 15);

    await loginAs(page, "reviewer", PASSWORD);
    let form = await openFromInbox(snack);
    await form.getByLabel("检查情况").fill("现场检查，后厨卫生条件较差，进货查验记录不全");
    await form.getByLabel("发现问题，责令整改").check();
    await form.getByLabel("整改要求").fill("清洁后厨，补齐进货查验记录");
    await form.getByLabel("整改期限（截止日期）").fill(deadline);
    // Evidence goes through the platform's upload component (stored by content hash, read through an authorized route).
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), form.getByText("选择文件").first().click()]);
    await chooser.setFiles({ name: "后厨现场照片.png", mimeType: "image/png", buffer: PNG });
    await form.getByText("后厨现场照片.png").first().waitFor();
    await screenshot(page, "supervision-04-inspection-rectify");
    await submit("提交检查结果");
    form = await openFromInbox(person);
    await form.getByLabel("检查情况").fill("书面检查，未发现问题");
    await form.getByLabel("未发现问题").check();
    await submit("提交检查结果");

    await loginAs(page, "deptadmin", PASSWORD);
    for (const code of [snack, person]) {
      form = await openFromInbox(code);
      await form.getByLabel("检查情况").fill("同意检查组意见");
      await form.getByLabel("未发现问题").check();
      await submit("提交检查结果");
    }
    // The rectification order is the case's conclusion (the most serious of both): the 复查 waits in the inbox.
    form = await openFromInbox(snack);
    await form.getByLabel("复查情况").fill("后厨已清洁，进货查验记录已补齐");
    await form.getByLabel("已整改到位").check();
    await screenshot(page, "supervision-05-recheck");
    await submit("提交复查结论");
    const closed = await Case.findAll({ where: { processKey: "supervision", businessKey: [snack, person] } });
    assert.deepEqual(
      closed.map((c) => c.status),
      ["已办结（结果已公开）", "已办结（结果已公开）"],
    );
  });

  it("shows the draw and the results on the public portal, and the report's charts", async () => {
    await page.goto("/public/supervision");
    await page.getByText(PLAN).first().waitFor();
    await screenshot(page, "supervision-06-public-draws");
    await page.goto("/public/supervision/results");
    const table = page.getByTestId("supervision-results");
    await table.getByText(SNACK).waitFor();
    await table.getByText("发现问题，责令整改").waitFor();
    await table.getByText("复查：已整改到位").waitFor();
    await table.getByText("张**").waitFor();
    assert.equal(await table.getByText(PERSON).count(), 0, "a natural person's full name is not published");
    await screenshot(page, "supervision-07-public-results");

    await loginAs(page, "deptadmin", PASSWORD);
    await page.goto("/admin/supervision/reports?year=2026");
    await page.locator('[data-chart="coverage"][data-rendered="true"]').waitFor();
    await page.locator('[data-chart="results"][data-rendered="true"]').waitFor();
    await page.getByTestId("report-table").getByText(PLAN).waitFor();
    await screenshot(page, "supervision-08-report");
    assert.deepEqual(problems, []);
  });
});
