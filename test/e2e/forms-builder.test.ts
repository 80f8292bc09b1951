import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, loginAs, newContext, recordRequests, requestsOffHost, screenshot } from "./helpers/browser.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";
// Words the untranslated Form.io builder shows; none may remain once the zh-CN table is loaded.
const ENGLISH = [
  "Text Field",
  "Text Area",
  "Select Boxes",
  "Basic",
  "Advanced",
  "Layout",
  "Premium",
  "Drag and Drop",
  "dragAndDrop",
  "Display",
  "Validation",
  "Conditional",
  "Label",
  "Placeholder",
  "Save",
  "Cancel",
  "Remove",
  "Preview",
  "Required",
  "browseFiles",
  "addOrRemove",
  "Remove item",
];

function englishIn(text: string): string[] {
  return ENGLISH.filter((w) => new RegExp(`(^|[^A-Za-z])${w}([^A-Za-z]|$)`).test(text));
}

describe("browser: the form designer", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let requests: string[];
  let problems: string[];

  before(async function () {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async function () {
    context = await newContext(browser, server.baseUrl);
    requests = recordRequests(context);
    problems = [];
    context.on("response", (res) => {
      if (res.status() >= 400 && !res.url().endsWith("/favicon.ico")) problems.push(`${res.status()} ${res.url()}`);
    });
    context.on("page", (page: Page) => {
      page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
      page.on("console", (msg) => {
        if (msg.type() === "error" && !msg.location().url.endsWith("/favicon.ico")) problems.push(`console error: ${msg.text()}`);
      });
    });
  });

  afterEach(async function () {
    await context?.close();
  });

  it("lists the shipped forms and opens the builder in Chinese with no request to another host", async function () {
    const page = await context.newPage();
    await loginAs(page, "admin", PASSWORD);
    // The designer sits in the 流程与表单 menu of the navigation bar.
    await page.getByTestId("nav").getByRole("button", { name: "流程与表单" }).click();
    await page.getByTestId("nav").getByRole("link", { name: "表单设计" }).click();
    await page.getByTestId("forms-table").waitFor();
    const list = await page.getByTestId("forms-table").innerText();
    for (const title of ["食品经营许可告知承诺申请表", "建筑工程施工许可告知承诺申请表", "告知承诺审核意见", "承诺履行情况核查"])
      assert.ok(list.includes(title), title);

    await page.goto("/admin/forms/food-business-commitment");
    await page.locator("#form-designer[data-ready='1']").waitFor();
    const builder = page.getByTestId("builder");
    const text = await builder.innerText();
    for (const label of ["基础组件", "单行文本", "多行文本", "下拉选择", "布局", "数据", "经营场所", "将组件拖放到这里"])
      assert.ok(text.includes(label), `builder shows ${label}`);
    assert.deepEqual(englishIn(text), [], "no untranslated builder words");

    // The component settings dialog: tabs and buttons in Chinese.
    const field = builder.locator(".builder-component:not(:has(.builder-component))").filter({ hasText: "经营场所" }).first();
    await field.hover();
    await field.locator(".component-settings-button-edit").first().click();
    assert.equal(await field.locator(".component-settings-button-edit").first().getAttribute("aria-label"), "编辑：打开组件设置窗口");
    const dialog = page.locator(".component-edit-container");
    await dialog.waitFor();
    const dialogText = await dialog.innerText();
    for (const label of ["显示", "数据", "校验", "接口", "条件", "标签", "保存", "取消"])
      assert.ok(dialogText.includes(label), `settings dialog shows ${label}`);
    const placeholders = await dialog
      .locator("[placeholder]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("placeholder") ?? "").join("\n"));
    assert.deepEqual(englishIn(`${dialogText}\n${placeholders}`), [], "no untranslated settings words or placeholders");
    await screenshot(page, "forms-builder-settings");
    await dialog.getByRole("button", { name: "取消" }).first().click();

    assert.deepEqual(requestsOffHost(requests, server.host), [], "every request stays on this server (no CDN)");
    assert.deepEqual(problems, [], "no failed request, script error or CSP violation");
  });

  it("saves the designed form as a new revision and publishes it", async function () {
    const page = await context.newPage();
    await loginAs(page, "admin", PASSWORD);
    await page.goto("/admin/forms/commitment-verification");
    await page.locator("#form-designer[data-ready='1']").waitFor();
    await page.getByLabel("表单名称").fill("承诺履行情况核查（修订）");
    await Promise.all([page.waitForURL(/revision=2/), page.getByTestId("save-form").click()]);
    const revisions = page.getByTestId("revisions");
    assert.match(await revisions.innerText(), /第 2 版/);
    page.once("dialog", (d) => void d.accept());
    await Promise.all([page.waitForLoadState("load"), revisions.getByRole("button", { name: "发布" }).first().click()]);
    await page.waitForFunction(() => /第 2 版\s*已发布/.test(document.querySelector("[data-testid=revisions]")?.textContent ?? ""));
    await screenshot(page, "forms-builder-published");
    assert.deepEqual(requestsOffHost(requests, server.host), []);
    assert.deepEqual(problems, []);
  });

  it("shows a dept_admin the designer entry and refuses the forms of another department", async function () {
    const page = await context.newPage();
    await loginAs(page, "deptadmin", PASSWORD);
    const labels = (await page.getByTestId("nav").getByRole("link", { includeHidden: true }).allTextContents()).map((t) => t.trim());
    assert.ok(labels.includes("表单设计"));
    const res = await page.goto("/admin/forms/construction-permit-commitment");
    assert.equal(res?.status(), 403);
    problems = problems.filter((p) => !p.includes("/admin/forms/construction-permit-commitment") && !/status of 403/.test(p));
    await page.goto("/admin/forms/food-business-commitment");
    await page.locator("#form-designer[data-ready='1']").waitFor();
    assert.deepEqual(problems, []);
  });
});
