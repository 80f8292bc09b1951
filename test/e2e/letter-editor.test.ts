import assert from "node:assert/strict";
import type { Browser, BrowserContext } from "playwright-core";
import { launchBrowser, loginAs, newContext, screenshot, watchProblems } from "./helpers/browser.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const ITEM = "scjgj-food-business-licence";

describe("browser: the 信用承诺书 template as a department admin edits it", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;

  before(async function () {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
    await server?.close();
  });

  afterEach(async function () {
    await context?.close();
  });

  it("writes rich text, inserts placeholders from the picker, previews with sample data, and saves sanitized HTML", async function () {
    context = await newContext(browser, server.baseUrl);
    const problems = watchProblems(context);
    const page = await context.newPage();
    await loginAs(page, "deptadmin", "Demo@12345");
    await page.goto(`/admin/catalog/${ITEM}`);

    const editor = page.getByRole("textbox", { name: "承诺书正文（富文本编辑）" });
    await editor.getByText("本单位", { exact: false }).first().waitFor();
    const preview = page.getByTestId("letter-preview");
    // The preview renders the template with sample data: the sample 承诺人 and the form's fields by their labels.
    await preview.getByText("荥阳市示范食品有限公司（示例）", { exact: false }).first().waitFor();
    await preview.getByRole("heading", { name: "信用承诺书" }).waitFor();
    assert.match(await preview.innerText(), /【[^】]+】/);

    // The picker lists the 承诺人, the 承诺书 and the fields of the item's form.
    const picker = page.getByLabel("选择要插入到光标处的内容");
    const options = await picker.locator("option").allInnerTexts();
    assert.ok(options.some((o) => o.includes("承诺人名称") && o.includes("{{subject.name}}")));
    assert.ok(
      options.some((o) => o.includes("{{data.premises}}")),
      options.join(" | "),
    );

    // Type at the end in bold, then insert the signer's name from the picker.
    await editor.click();
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Control+b");
    await page.keyboard.type("特此承诺，签字人：");
    await picker.selectOption("{{commitment.signerName}}");
    await page.getByRole("button", { name: "插入" }).click();
    await preview.getByText("特此承诺，签字人：张三（示例）").waitFor();
    const source = page.getByLabel("信用承诺书模板（源代码");
    assert.match(await source.inputValue(), /<strong>特此承诺，签字人：\{\{commitment\.signerName\}\}<\/strong>/);
    await screenshot(page, "letter-editor");

    // What the sanitizer would remove is named before saving, and never reaches the preview.
    const good = await source.inputValue();
    await source.fill(`${good}<p onclick="alert(1)">点我</p><script>alert(2)</script>`);
    await page.getByText("承诺书模板包含不允许的 HTML", { exact: false }).waitFor();
    await preview.getByText("点我").waitFor();
    assert.equal(await preview.locator("script, [onclick]").count(), 0);
    await source.fill(good);
    await page.getByText("承诺书模板包含不允许的 HTML", { exact: false }).waitFor({ state: "hidden" });

    await Promise.all([page.waitForURL(new RegExp(`/admin/catalog/${ITEM}$`)), page.getByTestId("save-item").click()]);
    await page.getByRole("status").first().waitFor();
    assert.match(await page.getByLabel("信用承诺书模板（源代码").inputValue(), /特此承诺，签字人：\{\{commitment\.signerName\}\}/);
    await editor.getByText("特此承诺，签字人：{{commitment.signerName}}").waitFor();
    assert.deepEqual(problems, []);
  });
});
