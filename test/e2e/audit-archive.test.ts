import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { loadCurrentUser } from "../../server/auth/loadUser.js";
import { bootPlatform } from "../../server/boot.js";
import type { AppContext } from "../../server/context.js";
import { loadConfig } from "../../server/config.js";
import { CreditSubject } from "../../server/db/models/CreditSubject.js";
import { Department } from "../../server/db/models/Department.js";
import { User } from "../../server/db/models/User.js";
import { createCatalogItem, publishCatalogItem } from "../../server/domain/catalog/catalogCommands.js";
import { submitCommitment } from "../../server/domain/commitments/submitCommitment.js";
import { usccCheckCharacter } from "../../server/domain/subjects/uscc.js";
import { publishFormRevision, saveFormRevision } from "../../server/forms/index.js";
import { createLogger } from "../../server/logger.js";
import { reviewProcessXml } from "../routes/admin/processFixture.js";
import { launchBrowser, loginAs, newContext, screenshot, watchProblems } from "./helpers/browser.js";

const PASSWORD = "Demo@12345";
const ITEM = "e2e-archive-item";
const DEPT_USCC = (() => {
  const first17 = "11410182MB1234567";
  return first17 + usccCheckCharacter(first17);
})();

/** The app booted as `npm start` boots it (fresh SQLite, demo accounts), keeping its context to set up a case. */
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

/** A small item of 市市场监管局 and the demo applicant's signed commitment on it; returns the 承诺编码. */
async function submittedCommitment(ctx: AppContext): Promise<string> {
  const deps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };
  const admin = await userOf("admin");
  const formKey = "e2e-archive-form";
  const definition = {
    display: "form",
    components: [
      { type: "textfield", key: "premises", label: "经营场所", input: true, validate: { required: true } },
      { type: "textfield", key: "principal", label: "负责人", input: true, validate: { required: true } },
    ],
  };
  const saved = await saveFormRevision(ctx.db, { formKey, title: "档案测试申请表", definition, actor: "admin" });
  await publishFormRevision(ctx.db, formKey, saved.revision, "admin");
  await createCatalogItem(deps, {
    actor: admin,
    itemCode: ITEM,
    departmentCode: "scjgj",
    fields: {
      name: "户外广告设置告知承诺",
      legalBasis: "《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）",
      commitmentType: "审批替代型",
      commitmentTypeOther: null,
      noticeContent: "申请人应具备相应条件；承诺不实的，依法撤销许可并记入信用记录。",
      letterTemplate:
        "<p>{{subject.name}}（{{subject.code}}）承诺：经营场所{{data.premises}}，负责人{{data.principal}}。</p><p>如违反承诺，愿意承担违诺责任。</p>",
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
  const { commitment } = await submitCommitment(deps, {
    actor: applicant,
    itemCode: ITEM,
    subjectCode: subject.code,
    data: { premises: "荥阳市索河路88号", principal: "刘示范" },
    signature: { name: "刘示范", agreed: true },
  });
  return commitment.code;
}

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent("download"), click()]);
  const p = await file.path();
  assert.ok(p, "the download finished");
  return { name: file.suggestedFilename(), text: readFileSync(p, "utf8") };
}

describe("browser: audit log, archive and instance variables as a person reads them", function () {
  let app: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  let context: BrowserContext;
  let problems: string[];
  let code: string;

  before(async function () {
    app = await startApp();
    await Department.update({ uscc: DEPT_USCC }, { where: { code: "scjgj" } });
    code = await submittedCommitment(app.ctx);
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
    await app?.close();
  });

  beforeEach(async function () {
    context = await newContext(browser, app.baseUrl);
    problems = watchProblems(context);
  });

  afterEach(async function () {
    await context?.close();
  });

  it("an auditor reads the log in Chinese, filters by a named action and exports the search as CSV", async function () {
    const page = await context.newPage();
    await loginAs(page, "auditor", PASSWORD);
    await page.getByRole("link", { name: "审计日志" }).first().click();
    await page.waitForURL("**/admin/audit");
    await page
      .getByTestId("chain-verdict")
      .getByText(/审计链完整/)
      .waitFor();
    const table = page.getByTestId("audit-table");
    await table.getByText("提交信用承诺").first().waitFor();
    assert.doesNotMatch(await table.innerText(), /::ffff:/, "addresses as plain IPv4");
    assert.doesNotMatch(await table.innerText(), /[{}]/, "no JSON braces in the details");
    await screenshot(page, "audit-01-log");

    await page.getByLabel("操作", { exact: true }).selectOption({ label: "登录" });
    await page.getByLabel("操作人").fill("auditor");
    await Promise.all([page.waitForURL(/action=auth\.login/), page.getByRole("button", { name: "查询" }).click()]);
    const rows = page.getByTestId("audit-table").locator("tbody tr");
    assert.ok((await rows.count()) >= 1);
    const first = await rows.first().innerText();
    assert.match(first, /auditor/);
    assert.match(first, /登录/);
    assert.match(first, /127\.0\.0\.1/);
    assert.equal(await page.getByLabel("操作", { exact: true }).inputValue(), "auth.login", "the filter keeps its choice");
    await screenshot(page, "audit-02-filtered");

    const csv = await download(page, () => page.getByRole("link", { name: /导出 CSV/ }).click());
    assert.equal(csv.name, "审计日志.csv");
    assert.ok(csv.text.startsWith("\uFEFF序号,时间,操作人,操作,操作代码,对象类型,对象编号,详情,IP地址"));
    const lines = csv.text.trim().split("\r\n").slice(1);
    assert.equal(lines.length, await rows.count(), "the same entries as the search");
    for (const line of lines) assert.match(line, /,auditor,登录,auth\.login,用户,\d+,,127\.0\.0\.1$/);

    // The details of a commitment's submission, as labelled fields.
    await page.getByLabel("操作人").fill("");
    await page.getByLabel("操作", { exact: true }).selectOption({ label: "提交信用承诺" });
    await page.getByLabel("对象类型").selectOption({ label: "信用承诺" });
    await page.getByRole("button", { name: "查询" }).click();
    const detail = page.getByTestId("audit-detail").first();
    await detail.getByText("事项").first().waitFor();
    assert.match(await detail.innerText(), new RegExp(`事项\\s+${ITEM}`));
    assert.match(await detail.innerText(), /流程实例/);
    await screenshot(page, "audit-03-details");
    assert.deepEqual(problems, []);
  });

  it("a reviewer opens a case from the archive; the CSV carries the accepting unit's USCC and no entities", async function () {
    const page = await context.newPage();
    await loginAs(page, "reviewer", PASSWORD);
    await page.getByRole("link", { name: "承诺档案" }).first().click();
    await page.waitForURL("**/archive");
    await page.getByLabel("事项编码").fill(ITEM);
    await Promise.all([page.waitForURL(/item=/), page.getByRole("button", { name: "筛选" }).click()]);
    await screenshot(page, "archive-01-list");
    const row = page.getByTestId("archive-table").locator("tbody tr").filter({ hasText: code });
    assert.match(await row.innerText(), new RegExp(DEPT_USCC));
    await screenshot(page, "archive-01-list");

    const csv = await download(page, () => page.getByTestId("export-csv").click());
    const header = csv.text.replace(/^\uFEFF/, "").split("\r\n")[0]!;
    assert.ok(header.split(",").includes("承诺受理单位统一社会信用代码"));
    assert.ok(csv.text.includes(DEPT_USCC), "the department's USCC is exported");
    assert.doesNotMatch(csv.text, /&(#x?[0-9a-f]+|[a-z]+);/i, "no HTML entities");

    await Promise.all([page.waitForURL(/\/tasks\/[^/]+$/), row.getByRole("link", { name: code }).click()]);
    await page.getByText(code).first().waitFor();
    await screenshot(page, "archive-02-case");
    assert.deepEqual(problems, []);
  });

  it("a department admin reads an instance's variables typed, with local times and folded JSON", async function () {
    const { key, xml } = reviewProcessXml();
    const deployed = await app.ctx.engine.deploy({ name: "e2e-vars", files: [{ name: `${key}.bpmn`, xml }], actor: "admin" });
    const scjgj = await Department.findOne({ where: { code: "scjgj" } });
    await app.ctx.engine.startProcess({
      definitionId: deployed.deployedProcessDefinitions[0]!.id,
      businessKey: `${key}-VARS`,
      variables: {
        applicant: "荥阳市示范食品有限公司",
        reviewDueAt: "2026-12-01T02:05:00.000Z",
        submittedAt: "2026-11-27T16:30:00.000Z",
        area: 120,
        approved: true,
        remark: null,
        premises: { address: "荥阳市索河路88号", area: 120, items: ["预包装食品", "热食类食品"] },
        staff: Array.from({ length: 8 }, (_, i) => ({ name: `员工${i + 1}`, healthCert: `JK-2026-${String(i + 1).padStart(4, "0")}` })),
      },
      variableTypes: { reviewDueAt: "Date" },
      departmentId: scjgj!.id,
      actor: "admin",
    });
    const page = await context.newPage();
    await loginAs(page, "deptadmin", PASSWORD);
    await page.goto("/admin/instances");
    await page.getByLabel("业务编号").fill(`${key}-VARS`);
    await page.getByLabel("业务编号").press("Enter");
    await Promise.all([page.waitForURL(/\/admin\/instances\/[^/?]+$/), page.getByRole("link", { name: `${key}-VARS` }).click()]);
    const vars = page.getByTestId("variables");
    await vars.waitFor();
    const row = (name: string) => vars.locator(`tr[data-variable="${name}"]`);
    assert.match(await vars.locator("thead").innerText(), /名称\s+类型\s+值/);
    assert.match(await row("reviewDueAt").innerText(), /Date\s+2026-12-01 10:05（北京时间）/);
    assert.match(await row("submittedAt").innerText(), /String[\s\S]*北京时间 2026-11-28 00:30/);
    assert.match(await row("area").innerText(), /Integer\s+120/);
    assert.match(await row("approved").innerText(), /Boolean\s+true（是）/);
    assert.match(await row("remark").innerText(), /Null\s+空值/);
    assert.match(await row("applicant").innerText(), /String\s+荥阳市示范食品有限公司/);
    // Short JSON is open; long JSON is folded until the person opens it.
    assert.ok(await row("premises").locator("pre").isVisible(), "short JSON shown open");
    const staff = row("staff");
    assert.equal(await staff.locator("pre").isVisible(), false, "long JSON folded");
    await staff.getByText("列表，8 项").click();
    assert.ok(await staff.locator("pre").isVisible(), "opens on a click");
    await vars.scrollIntoViewIfNeeded();
    await screenshot(page, "instance-01-variables");
    assert.deepEqual(problems, []);
  });
});
