import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { loadCurrentUser } from "../../server/auth/loadUser.js";
import { bootPlatform } from "../../server/boot.js";
import type { AppContext } from "../../server/context.js";
import { loadConfig } from "../../server/config.js";
import { CreditSubject } from "../../server/db/models/CreditSubject.js";
import { User } from "../../server/db/models/User.js";
import { createCatalogItem, publishCatalogItem } from "../../server/domain/catalog/catalogCommands.js";
import { submitCommitment } from "../../server/domain/commitments/submitCommitment.js";
import { publishFormRevision, saveFormRevision } from "../../server/forms/index.js";
import { createLogger } from "../../server/logger.js";
import { launchBrowser, loginAs, screenshot, watchProblems } from "./helpers/browser.js";

const PASSWORD = "Demo@12345";
const ITEM = "e2e-inbox-item";

async function startApp() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "xinyong-e2e-"));
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    PORT: "0",
    SESSION_SECRET: "e2e-secret-not-for-production",
    DEMO_SEED: "1",
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "silent",
    JOB_WORKER: "0",
  });
  const { db, app } = await bootPlatform(config, createLogger(config.logLevel));
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    ctx: app.locals.context,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function userOf(username: string) {
  const row = await User.findOne({ where: { username } });
  const user = row && (await loadCurrentUser(row.sequelize, { id: row.id }));
  assert.ok(user, `demo account ${username}`);
  return user;
}

/** An item of 市市场监管局 and `n` signed commitments of the demo applicant on it: the reviewer's inbox. */
async function submittedCommitments(ctx: AppContext, n: number): Promise<string[]> {
  const deps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };
  const admin = await userOf("admin");
  const formKey = "e2e-inbox-form";
  const definition = {
    display: "form",
    components: [{ type: "textfield", key: "premises", label: "经营场所", input: true, validate: { required: true } }],
  };
  const saved = await saveFormRevision(ctx.db, { formKey, title: "待办测试申请表", definition, actor: "admin" });
  await publishFormRevision(ctx.db, formKey, saved.revision, "admin");
  await createCatalogItem(deps, {
    actor: admin,
    itemCode: ITEM,
    departmentCode: "scjgj",
    fields: {
      name: "食品经营许可告知承诺",
      legalBasis: "《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）",
      commitmentType: "审批替代型",
      commitmentTypeOther: null,
      noticeContent: "申请人应具备相应条件；承诺不实的，依法撤销许可并记入信用记录。",
      letterTemplate: "<p>{{subject.name}}承诺：经营场所{{data.premises}}。</p>",
      formKey,
      processKey: "commitment",
      verificationMethod: "现场核查",
      verificationDays: 30,
      publicType: "可向社会公开",
      validityMonths: 12,
      reviewDays: 5,
    },
  });
  await publishCatalogItem(deps, { actor: admin, itemCode: ITEM });
  const applicant = await userOf("applicant");
  const subject = await CreditSubject.findByPk(applicant.subjectIds[0]);
  assert.ok(subject, "the demo applicant acts for a subject");
  const codes: string[] = [];
  for (let i = 1; i <= n; i++) {
    const { commitment } = await submitCommitment(deps, {
      actor: applicant,
      itemCode: ITEM,
      subjectCode: subject.code,
      data: { premises: `荥阳市索河路${i}号` },
      signature: { name: "刘示范", agreed: true },
    });
    codes.push(commitment.code);
  }
  return codes;
}

/** The code of the task shown in the side pane (its page's heading names the case). */
async function paneShows(page: Page, code: string): Promise<void> {
  const frame = page.frameLocator('[data-testid="task-pane-frame"]');
  await frame.locator("body[data-layout=pane]").waitFor();
  await frame.getByText(code).first().waitFor();
}

describe("browser: the reviewer inbox as a task-list user works it", function () {
  let app: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  let context: BrowserContext;
  let problems: string[];
  let codes: string[];

  before(async function () {
    app = await startApp();
    codes = await submittedCommitments(app.ctx, 3);
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
    await app?.close();
  });

  afterEach(async function () {
    await context?.close();
  });

  it("on a wide screen opens tasks beside the list, moves with j / k, opens with Enter and shows the shortcuts", async function () {
    context = await browser.newContext({
      baseURL: app.baseUrl,
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
      viewport: { width: 1440, height: 900 },
    });
    problems = watchProblems(context);
    const page = await context.newPage();
    await loginAs(page, "reviewer", PASSWORD);
    await page.goto("/tasks");
    await page.getByRole("link", { name: "全部" }).first().waitFor();
    const rows = page.getByTestId("task-row");
    assert.equal(await rows.count(), 3);

    // The shortcuts are explained in a tooltip on 快捷键.
    await page.getByRole("button", { name: /键盘快捷键/ }).hover();
    await page.getByRole("tooltip").getByText("j 下一条 · k 上一条").waitFor();
    await page.mouse.move(0, 0);

    // j selects the first row, Enter opens it on the right; the list stays.
    await page.keyboard.press("j");
    assert.equal(await rows.nth(0).getAttribute("aria-selected"), "true");
    const first = await rows.nth(0).getAttribute("data-code");
    await page.keyboard.press("Enter");
    await paneShows(page, first!);
    assert.equal(new URL(page.url()).pathname, "/tasks", "the list did not go away");
    assert.ok(await page.getByTestId("task-table").isVisible());

    // j moves down and the pane follows; k comes back.
    await page.keyboard.press("j");
    const second = await rows.nth(1).getAttribute("data-code");
    await paneShows(page, second!);
    assert.equal(await rows.nth(1).getAttribute("aria-selected"), "true");
    await page.keyboard.press("k");
    await paneShows(page, first!);
    await page.keyboard.press("j");
    await paneShows(page, second!);
    await page.frameLocator('[data-testid="task-pane-frame"]').getByText("正在加载表单").first().waitFor({ state: "hidden" });
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "inbox-list-and-detail");

    // A click on another task's name shows it in the pane too; Esc closes the pane.
    await rows.nth(2).getByRole("link", { name: "受理审查" }).click();
    await paneShows(page, (await rows.nth(2).getAttribute("data-code"))!);
    await page.keyboard.press("Escape");
    await page.getByTestId("task-pane").waitFor({ state: "hidden" });
    // Moving on while a task page still loads its forms aborts those requests: the browser's doing, not a fault.
    assert.deepEqual(
      problems.filter((p) => !p.endsWith("net::ERR_ABORTED")),
      [],
    );
    assert.ok(codes.includes(first!) && codes.includes(second!));
  });

  it("claims, sets a follow-up date, saves a filter and hands a task to a colleague from the list", async function () {
    context = await browser.newContext({
      baseURL: app.baseUrl,
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
      viewport: { width: 1440, height: 900 },
    });
    problems = watchProblems(context);
    const page = await context.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    await loginAs(page, "reviewer", PASSWORD);
    await page.goto("/tasks");
    const row = page.locator(`[data-testid="task-row"][data-code="${codes[0]}"]`);
    await row.getByRole("button", { name: "认领" }).click();
    await page.getByText(`已认领任务`).waitFor();

    // 跟进日期 from the row's 更多 menu; the column shows it.
    await row.getByRole("button", { name: "更多" }).click();
    await row.getByLabel("跟进日期").fill("2030-06-01");
    await row.getByRole("button", { name: "设置跟进" }).click();
    await page.getByText("跟进日期设为 2030-06-01").waitFor();
    assert.equal((await row.getByTestId("follow-up").innerText()).trim(), "2030-06-01");

    // A saved filter: pick 事项, filter, name it, save; later one click brings it back.
    await page.getByLabel("事项").selectOption({ label: "食品经营许可告知承诺" });
    await page.getByRole("button", { name: "筛选" }).click();
    await page.getByPlaceholder("给当前筛选起个名字").fill("食品许可待办");
    await page.getByRole("button", { name: "保存当前筛选" }).click();
    await page.getByText("已保存筛选“食品许可待办”").waitFor();
    await page.getByRole("link", { name: "清除" }).click();
    await page.getByRole("link", { name: "食品许可待办" }).click();
    assert.equal(new URL(page.url()).searchParams.get("item"), ITEM);
    assert.equal(await page.getByLabel("事项").inputValue(), ITEM);

    // 转办 to a colleague of the department (the one transfer command), with a reason.
    await row.getByRole("button", { name: "更多" }).click();
    await row.getByLabel("转办给同事").selectOption({ value: "deptadmin" });
    await row.getByPlaceholder("转办原因（会记入办理记录）").fill("本周外出核查，请代为审查");
    await row.getByRole("button", { name: "转办" }).click();
    await page.getByText(/已转办给 deptadmin/).waitFor();
    assert.equal((await app.ctx.engine.findTasks({ businessKey: codes[0] }))[0]?.assignee, "deptadmin");
    assert.deepEqual(problems, []);
  });

  it("on a narrow screen opens the task page itself", async function () {
    context = await browser.newContext({
      baseURL: app.baseUrl,
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
      viewport: { width: 800, height: 900 },
    });
    const page = await context.newPage();
    await loginAs(page, "reviewer", PASSWORD);
    await page.goto("/tasks");
    const row = page.getByTestId("task-row").last();
    const code = await row.getAttribute("data-code");
    await row.getByRole("link", { name: "办理" }).click();
    await page.waitForURL(/\/tasks\/[^/?]+$/);
    await page.getByText(code!).first().waitFor();
  });
});
