import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ARTIFACTS_DIR, launchBrowser, loginAs, newContext, screenshot, watchProblems } from "./helpers/browser.js";
import { CONSTRUCTION_ITEM, fillConstructionForm, signAndSubmit } from "./helpers/construction.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";

describe("browser: the printed 信用承诺书 keeps its signature, 受理单位 and date", function () {
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
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("the applicant signs a letter, opens 打印承诺书 and the print layout shows the signature block but no site chrome", async () => {
    await loginAs(page, "applicant", PASSWORD);
    await page.goto(`/catalog/${CONSTRUCTION_ITEM}`);
    await Promise.all([page.waitForURL(/\/apply/), page.getByRole("link", { name: "我要承诺办理" }).click()]);
    await fillConstructionForm(page, "荥阳市示范厂房一期");
    const code = await signAndSubmit(page, "刘示范");
    await Promise.all([page.waitForURL(/\/letter$/), page.getByRole("link", { name: "打印承诺书" }).click()]);

    const signature = page.getByTestId("letter").locator(".letter-signature");
    assert.ok(await signature.isVisible(), "the signature block shows on screen");
    await page.emulateMedia({ media: "print" });
    assert.ok(await signature.isVisible(), "the signature block prints");
    const printed = await signature.innerText();
    assert.match(printed, /承诺人（签字）：刘示范/);
    assert.match(printed, /承诺受理单位：.+/);
    assert.match(printed, /日期：\d{4}年\d{1,2}月\d{1,2}日|日期：\d{4}-\d{2}-\d{2}/);
    assert.ok((await page.getByTestId("letter").innerText()).includes(code), "the 承诺编码 prints");
    // The site's navigation, footer and the page's own buttons stay off paper.
    for (const selector of ["nav.navbar", "footer.site-footer", '[data-testid="print-button"]']) {
      assert.equal(await page.locator(selector).isVisible(), false, `${selector} is hidden in print`);
    }
    await screenshot(page, "printing-01-letter-print-media");
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.pdf({ path: path.join(ARTIFACTS_DIR, "printing-01-letter.pdf"), format: "A4", printBackground: true });
    await page.emulateMedia({ media: "screen" });
    assert.deepEqual(problems, []);
  });
});
