import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { addDays, chinaDay } from "../../server/domain/calendar/days.js";
import { DEMO_SUBJECTS } from "../../server/domain/accounts/demoSeed.js";
import { ARTIFACTS_DIR, launchBrowser, loginAs, logout, newContext, screenshot, watchProblems } from "./helpers/browser.js";
import { formReady, pageSettled } from "./helpers/cases.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";
const SUBJECT = DEMO_SUBJECTS[0]!;
const DECISION_NUMBER = `荥市监罚〔2026〕E2E${Date.now() % 100000}号`;

/** A one-row 双公示 file as a department exports it: a 一般 penalty of the demo food company decided 150 days ago. */
function penaltyCsv(): Buffer {
  const headers = [
    "信息类别",
    "严重程度",
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "法定代表人",
    "决定文书号",
    "违法行为类型",
    "违法事实",
    "依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "决定日期",
    "决定机关",
    "决定机关统一社会信用代码",
  ];
  const row = [
    "行政处罚",
    "一般",
    SUBJECT.name,
    "法人及非法人组织",
    SUBJECT.code,
    "刘示范",
    DECISION_NUMBER,
    "违反食品安全法",
    "未按规定查验进货凭证",
    "《中华人民共和国食品安全法》第一百二十六条",
    "罚款",
    "罚款人民币伍仟元",
    "0.5",
    addDays(chinaDay(new Date()), -150),
    "荥阳市市场监督管理局",
    "121200004013590816",
  ];
  return Buffer.from(`${headers.join(",")}\n${row.join(",")}\n`, "utf8");
}

/** The reviewer opens the case's task from 待办任务 (办理), checks the diagram's current step, decides and submits. */
async function decideFromInbox(
  page: Page,
  input: { code: string; current: string; decision: string; opinion?: { label: string; text: string }; shot: string },
): Promise<void> {
  await loginAs(page, "reviewer", PASSWORD);
  await page.goto("/tasks");
  const row = page.locator(`tr[data-code="${input.code}"]`);
  await row.waitFor();
  await Promise.all([page.waitForURL(/\/tasks\/[^/?]+$/), row.getByRole("link", { name: "办理" }).click()]);
  await formReady(page, '[data-testid="decision"] [data-form-renderer]');
  await pageSettled(page);
  assert.equal(await page.getByTestId("diagram").getAttribute("data-current"), input.current);
  const decision = page.getByTestId("decision");
  await decision.getByRole("radio", { name: input.decision, exact: true }).check();
  if (input.opinion) await decision.getByLabel(input.opinion.label).fill(input.opinion.text);
  await page.waitForTimeout(300); // Form.io debounces its change event
  await screenshot(page, input.shot);
  // After a decision the page moves on to the next task of the inbox, or back to the inbox when none is left.
  const taskPath = new URL(page.url()).pathname;
  await Promise.all([page.waitForURL((u) => u.pathname !== taskPath), decision.getByRole("button", { name: "提交" }).click()]);
  // Landing on the next task: let its forms and diagram load before the journey goes elsewhere.
  if (/^\/tasks\/[^/]+$/.test(new URL(page.url()).pathname)) await pageSettled(page);
}

describe("browser: a 双公示 import, a credit repair through the inbox, the public query and a verified credit report", function () {
  this.timeout(300_000);
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
    page.on("dialog", (dialog) => void dialog.accept());
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("staff import, the applicant applies with a proof, the reviewer accepts and approves, the record leaves the public query", async () => {
    // 1. A 市场监管局 reviewer imports the department's file: 预检 first, then 导入.
    await loginAs(page, "reviewer", PASSWORD);
    await page.goto("/admin/credit/import");
    await page
      .getByLabel("文件（.csv 或 .xlsx）")
      .setInputFiles({ name: "双公示-行政处罚.csv", mimeType: "text/csv", buffer: penaltyCsv() });
    await page.getByRole("button", { name: "预检（不写入）" }).click();
    await page.locator("#import-result.alert-success").waitFor();
    assert.match(await page.locator("#import-result").innerText(), /预检通过：可导入 1 条/);
    await page.getByRole("button", { name: "导入", exact: true }).click();
    await page.locator("#import-result.alert-success", { hasText: "已导入" }).waitFor();
    assert.match(await page.locator("#import-result").innerText(), /已导入 1 条记录/);
    await screenshot(page, "credit-repair-01-import");
    // 两书同达: the record's 信用修复告知书 was issued with it; staff print it from the subject's profile.
    await page.goto(`/admin/credit/subjects/${SUBJECT.code}`);
    const recordDocs = page.getByTestId("record-documents").first();
    await Promise.all([page.waitForURL(/\/documents\/GZ\d+$/), recordDocs.getByRole("link", { name: /信用修复告知书/ }).click()]);
    const notice = await page.getByTestId("document").innerText();
    assert.ok(notice.includes(DECISION_NUMBER));
    assert.match(notice, /起可申请信用修复/);
    await page.emulateMedia({ media: "print" });
    for (const id of ["signature", "seal"]) assert.ok(await page.getByTestId(id).isVisible(), `${id} prints`);
    assert.equal(await page.getByTestId("print-button").isVisible(), false);
    await screenshot(page, "credit-repair-01b-notice-print");
    await page.emulateMedia({ media: "screen" });
    await logout(page);

    // 2. The public sees the record (no login).
    await page.goto("/public/query");
    await page.getByLabel("统一社会信用代码或名称").fill(SUBJECT.code);
    await Promise.all([page.waitForURL(/\/public\/query\?/), page.getByRole("button", { name: "查询" }).click()]);
    assert.ok((await page.getByTestId("public-records").innerText()).includes(DECISION_NUMBER), "the public query shows the record");
    await screenshot(page, "credit-repair-02-public-before");

    // 3. The applicant applies for repair with an uploaded proof and the 信用修复承诺.
    await loginAs(page, "applicant", PASSWORD);
    await page.goto("/repair/apply");
    const card = page.getByTestId("record").filter({ hasText: DECISION_NUMBER });
    await Promise.all([page.waitForURL(/\/repair\/records\/\d+\/apply$/), card.getByRole("link", { name: "申请信用修复" }).click()]);
    await formReady(page, '[data-testid="apply-form"] [data-form-renderer]');
    const form = page.getByTestId("apply-form");
    await form.getByLabel("纠正失信行为、履行义务的情况").fill("已于 2026 年 8 月缴清罚款，并建立进货查验制度。");
    const uploaded = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/uploads" && r.request().method() === "POST");
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), form.locator(".formio-component-proof a.browse").click()]);
    await chooser.setFiles({
      name: "罚款缴纳凭证.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"),
    });
    assert.equal((await uploaded).status(), 201);
    await form.locator(".formio-component-proof").getByText("罚款缴纳凭证.pdf").first().waitFor();
    await form.getByLabel("联系人").fill("刘经办");
    await form.getByLabel("联系电话").fill("13800000000");
    await form.getByLabel("本主体已阅读并作出上述信用修复承诺，同意公开本承诺").check();
    await form.getByLabel("承诺人（法定代表人或经办人）签名").fill("刘示范");
    await page.waitForTimeout(300); // Form.io debounces its change event
    await screenshot(page, "credit-repair-03-application");
    await Promise.all([page.waitForURL(/\/my\/cases\/XF\d+$/), form.getByRole("button", { name: "提交修复申请" }).click()]);
    const code = (await page.getByTestId("case-code").innerText()).trim();
    assert.match(code, /^XF410182\d{14}$/);
    assert.equal((await page.getByTestId("case-status").innerText()).trim(), "待受理");

    // 4. The recording department's reviewer accepts and approves from the inbox (a laptop-width window: the task
    //    opens as its own page rather than in the wide-screen pane).
    const wide = page.viewportSize();
    await page.setViewportSize({ width: 1100, height: wide?.height ?? 900 });
    await decideFromInbox(page, {
      code,
      current: "acceptTask",
      decision: "受理",
      shot: "credit-repair-04-accept",
    });
    await decideFromInbox(page, {
      code,
      current: "reviewTask",
      decision: "同意修复（终止公示）",
      opinion: { label: "审核意见", text: "罚款已缴清，整改到位，同意修复" },
      shot: "credit-repair-05-review",
    });

    if (wide) await page.setViewportSize(wide);

    // 5. The applicant sees the decision and prints the 信用修复决定书 from its case.
    await loginAs(page, "applicant", PASSWORD);
    await page.goto(`/my/cases/${code}`);
    assert.equal((await page.getByTestId("case-status").innerText()).trim(), "已修复（终止公示）");
    const documents = page.getByTestId("case-documents");
    await Promise.all([page.waitForURL(/\/documents\/JD\d+$/), documents.getByRole("link", { name: /信用修复决定书/ }).click()]);
    assert.match(await page.getByTestId("document").innerText(), /同意信用修复/);
    await page.emulateMedia({ media: "print" });
    assert.ok(await page.getByTestId("signature").isVisible(), "the seal and date block prints");
    assert.equal(await page.locator("nav.navbar").isVisible(), false);
    await screenshot(page, "credit-repair-06-decision-print");
    await page.emulateMedia({ media: "screen" });
    await logout(page);

    // 6. The public query no longer shows the record.
    await page.goto(`/public/query?code=${SUBJECT.code}`);
    assert.equal(await page.getByTestId("public-records").count(), 0, "no record is public any more");
    assert.match(await page.getByTestId("repair-commitments").innerText(), new RegExp(`信用修复承诺（修复办件 ${code}）`));
    assert.ok(!(await page.locator("main").innerText()).includes(DECISION_NUMBER), "the repaired record's number is nowhere on the page");
    await screenshot(page, "credit-repair-07-public-after");
    assert.deepEqual(problems, []);
  });

  it("the applicant generates a credit report, prints it, and anyone verifies it at /verify with the printed hash", async () => {
    await loginAs(page, "applicant", PASSWORD);
    await page.getByRole("link", { name: "信用报告" }).first().click();
    await page.waitForURL(/\/credit-reports/);
    await Promise.all([page.waitForURL(/\/documents\/BG\d+$/), page.getByRole("button", { name: "生成信用报告" }).click()]);
    const number = (await page.getByTestId("document-number").innerText()).trim();
    const hash = (await page.getByTestId("report-hash").innerText()).trim();
    assert.match(number, /^BG410182\d{14}$/);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal((await page.getByTestId("report-subject").innerText()).trim(), SUBJECT.name);
    await page.getByTestId("report-no-records").waitFor(); // the repaired record is not in the report
    assert.match(await page.getByTestId("report-repair-commitments").innerText(), /信用修复承诺/);

    await page.emulateMedia({ media: "print" });
    for (const id of ["signature", "seal", "report-hash"]) assert.ok(await page.getByTestId(id).isVisible(), `${id} prints`);
    for (const selector of ["nav.navbar", "footer.site-footer", '[data-testid="print-button"]'])
      assert.equal(await page.locator(selector).isVisible(), false, `${selector} is hidden in print`);
    await screenshot(page, "credit-repair-08-report-print");
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.pdf({ path: path.join(ARTIFACTS_DIR, "credit-repair-report.pdf"), format: "A4", printBackground: true });
    await page.emulateMedia({ media: "screen" });
    await logout(page);

    // Anyone: enter the number, see subject, date and hash; paste the printed hash to compare.
    await page.goto("/verify");
    await page.getByLabel("报告编号").fill(number);
    await Promise.all([page.waitForURL(new RegExp(`/verify/${number}$`)), page.getByRole("button", { name: "核验" }).click()]);
    assert.equal((await page.getByTestId("verify-subject").innerText()).trim(), SUBJECT.name);
    assert.equal((await page.getByTestId("verify-hash").innerText()).trim(), hash);
    await page.getByLabel("比对摘要值").fill(hash);
    await Promise.all([page.waitForURL(/hash=/), page.getByRole("button", { name: "比对" }).click()]);
    await page.getByTestId("hash-match").waitFor();
    await screenshot(page, "credit-repair-09-verify");
    await page.getByLabel("比对摘要值").fill("0".repeat(64));
    await Promise.all([page.waitForURL(/hash=0/), page.getByRole("button", { name: "比对" }).click()]);
    await page.getByTestId("hash-mismatch").waitFor();
    assert.deepEqual(problems, []);
  });
});
