import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Commitment } from "../../server/db/models/Commitment.js";
import { UploadedFile } from "../../server/db/models/formModels.js";
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
import { formReady } from "./helpers/cases.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";
const ITEM = "scjgj-food-business-licence";
const SUBJECT_NAME = "荥阳市示范食品有限公司";
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

/** Picks options of a Choices multi-select the way a person does: open the box, click each option by its label. */
async function chooseOptions(page: Page, component: string, labels: string[]): Promise<void> {
  const box = page.locator(`.formio-component-${component} .choices`);
  for (const label of labels) {
    await box.click();
    await box.locator(".choices__list--dropdown .choices__item--choice", { hasText: label }).click();
  }
  await page.keyboard.press("Escape");
}

/** Uploads one file through the file component's 选择文件 link. */
async function upload(page: Page, component: string, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    page.locator(`.formio-component-${component}`).getByText("选择文件").click(),
  ]);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/uploads"),
    chooser.setFiles(file),
  ]);
}

/** The session ends as it does after the idle timeout: the browser no longer has the session cookie. */
async function expireSession(context: BrowserContext): Promise<void> {
  await context.clearCookies({ name: "xy.sid" });
}

describe("browser: form journeys (multi-select, uploads, subject fields, expired session, correction)", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let requests: string[];
  let problems: string[];
  let code = "";

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

  /** Drops the expected refusals (a refused upload, requests of the expired session) from the page problems. */
  const forgive = (pattern: RegExp) => problems.splice(0, problems.length, ...problems.filter((p) => !pattern.test(p)));

  it("the form fills in the subject's name and USCC read-only, and 经营项目 is a Choices multi-select", async () => {
    await loginAs(page, "applicant", PASSWORD);
    await page.goto(`/catalog/${ITEM}`);
    await Promise.all([page.waitForURL(/\/apply/), page.getByTestId("apply-button").click()]);
    await formReady(page, "[data-form-renderer]");
    const subjectCode = (await page.getByTestId("subject").innerText()).match(/[0-9A-Z]{18}/)![0];
    const name = page.getByLabel("经营者名称");
    const uscc = page.getByLabel("统一社会信用代码");
    assert.equal(await name.inputValue(), SUBJECT_NAME);
    assert.equal(await uscc.inputValue(), subjectCode);
    assert.ok(await name.isDisabled(), "经营者名称 is the subject's and cannot be changed");
    assert.ok(await uscc.isDisabled());
    await page.getByText("按承诺主体自动填写，不能修改").first().waitFor();

    await page.getByLabel("经营场所").fill("荥阳市索河路88号");
    await chooseOptions(page, "businessItems", ["预包装食品销售", "热食类食品制售", "自制饮品制售"]);
    const chosen = page.locator(".formio-component-businessItems .choices__list--multiple .choices__item");
    assert.deepEqual(
      (await chosen.allInnerTexts()).map((t) => t.replace(/删除.*$/s, "").trim()),
      ["预包装食品销售", "热食类食品制售", "自制饮品制售"],
    );
    // One chosen value removed with its own button.
    await chosen.filter({ hasText: "自制饮品制售" }).locator(".choices__button").click();
    assert.equal(await chosen.count(), 2);
    await page.getByLabel("负责人").fill("刘示范");
    await page.getByLabel("联系电话").fill("13800138000");
    await page.getByLabel(/已建立食品安全管理制度/).check();
    await page.locator(".formio-component-staff").getByLabel("姓名").first().fill("王厨师");
    await page.locator(".formio-component-staff").getByLabel("健康证编号").first().fill("JK-2026-0001");
    await page.locator(".formio-component-businessItems").scrollIntoViewIfNeeded();
    await screenshot(page, "journeys-01-subject-fields-and-multiselect");
  });

  it("an upload shows its size in Chinese units and can be removed; a refused one says why once and leaves no row", async () => {
    const files = page.locator(".formio-component-businessLicense");
    await upload(page, "businessLicense", { name: "旧执照.png", mimeType: "image/png", buffer: PNG });
    await files.getByText("旧执照.png").first().waitFor();
    await files.getByText(`${PNG.length} 字节`).waitFor();
    assert.doesNotMatch(await files.innerText(), /Bytes|\d\.\d\d /);
    const sizes = await page.evaluate(() => {
      const fileSize = (
        window as unknown as { Formio: { Components: { components: { file: { prototype: { fileSize: (n: number) => string } } } } } }
      ).Formio.Components.components.file.prototype.fileSize;
      return [596, 12_345, 1_234_567, 250 * 1024 * 1024].map((n) => fileSize(n));
    });
    assert.deepEqual(sizes, ["596 字节", "12.1 KB", "1.2 MB", "250 MB"]);
    const uploaded = await UploadedFile.findOne({ where: { originalName: "旧执照.png" } });
    assert.ok(uploaded);

    // Removing: the row goes, nothing else is shown, and the server no longer has the file.
    const removed = page.waitForResponse((r) => r.request().method() === "DELETE" && /\/api\/uploads\//.test(r.url()));
    await files.getByRole("listitem").filter({ hasText: "旧执照.png" }).locator('[ref="removeLink"]').click();
    assert.equal((await removed).status(), 204);
    await files.getByText("旧执照.png").waitFor({ state: "detached" });
    assert.doesNotMatch(await files.innerText(), /\{|error|Not Found|找不到/);
    assert.equal(await UploadedFile.findByPk(uploaded.id), null);

    // A refused file: the reason once, in Chinese, and no row left behind.
    await upload(page, "businessLicense", { name: "不是图片.png", mimeType: "image/png", buffer: Buffer.from("这不是图片") });
    const refusal = files.getByTestId("upload-refused");
    await refusal.getByText("只能上传 PDF、JPG 或 PNG 文件（按文件内容识别）").waitFor();
    assert.equal(await files.getByText("只能上传 PDF、JPG 或 PNG 文件（按文件内容识别）").count(), 1);
    assert.equal(await files.locator("li.list-group-item").filter({ hasText: "不是图片.png" }).count(), 0, "no row for the refused file");
    await screenshot(page, "journeys-02-upload-refused");
    forgive(/\b400\b.*\/api\/uploads\?/);

    await upload(page, "businessLicense", { name: "营业执照.png", mimeType: "image/png", buffer: PNG });
    await files.getByText("营业执照.png").first().waitFor();
    await refusal.waitFor({ state: "detached" });
    await page
      .locator('[data-role="draft-status"]')
      .getByText(/草稿已自动保存/)
      .waitFor({ timeout: 10_000 });
    await screenshot(page, "journeys-03-upload-listed");
  });

  it("an expired session: autosave says 登录已过期, keeps what was typed in the browser, and saves it after logging in again in place", async () => {
    await expireSession(context);
    await page.getByLabel("经营场所").fill("荥阳市索河路99号");
    const status = page.locator('[data-role="draft-status"]');
    await status.getByText(/登录已过期/).waitFor({ timeout: 10_000 });
    assert.doesNotMatch(await status.innerText(), /网络/);
    const dialog = page.getByTestId("relogin-dialog");
    await dialog.getByText("登录已过期，请重新登录").waitFor();
    const kept = await page.evaluate(() =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith("xy-draft:"))
        .map((k) => localStorage.getItem(k)),
    );
    assert.equal(kept.length, 1);
    assert.match(kept[0]!, /荥阳市索河路99号/);
    await screenshot(page, "journeys-04-session-expired");

    // A wrong password is said in the dialog; the right one carries on.
    await dialog.getByLabel("用户名").fill("applicant");
    await dialog.getByLabel("密码").fill("wrong-password");
    await dialog.getByRole("button", { name: "登录并继续" }).click();
    await dialog.getByText(/用户名或密码/).waitFor();
    await dialog.getByLabel("密码").fill(PASSWORD);
    await dialog.getByRole("button", { name: "登录并继续" }).click();
    await dialog.waitFor({ state: "hidden" });
    await status.getByText(/草稿已自动保存/).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByLabel("经营场所").inputValue(), "荥阳市索河路99号");
    assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("xy-draft:")).length), 0);
    // The requests the expired session made were refused, as they should be.
    forgive(/(\b401\b|\b403\b|ERR_ABORTED).*\/(drafts\/|api\/me|login)/);
  });

  it("signing after the session expired asks to log in again and then submits the signature (no 403 page)", async () => {
    await Promise.all([page.waitForURL(/\/apply\/preview/), page.getByTestId("apply-next").click()]);
    await page.getByTestId("letter-preview").getByText("荥阳市索河路99号").waitFor();
    await page.getByLabel("签署人姓名").fill("刘示范");
    await page.getByLabel(/本人已阅读并同意上述承诺/).check();
    await expireSession(context);
    await page.getByTestId("submit-commitment").click();
    const dialog = page.getByTestId("relogin-dialog");
    await dialog.getByText("登录已过期，请重新登录").waitFor();
    await screenshot(page, "journeys-05-sign-after-expiry");
    await dialog.getByLabel("用户名").fill("applicant");
    await dialog.getByLabel("密码").fill(PASSWORD);
    await Promise.all([page.waitForURL(/\/submitted$/), dialog.getByRole("button", { name: "登录并继续" }).click()]).catch(
      async (err: unknown) => {
        await screenshot(page, "journeys-failed-sign");
        throw new Error(`${String(err)}\nat ${page.url()}\nproblems: ${problems.join("\n")}`);
      },
    );
    code = (await page.getByTestId("commitment-code").innerText()).trim();
    assert.match(code, /^\d{20}$/);
    const commitment = await Commitment.findOne({ where: { code } });
    assert.equal(commitment?.signerName, "刘示范");
    assert.deepEqual(JSON.parse(commitment.data).businessItems, ["prepackaged", "hotFood"]);
    await screenshot(page, "journeys-06-signed-after-relogin");
    forgive(/(\b401\b|\b403\b|ERR_ABORTED).*\/(drafts\/|api\/me|login)/);
  });

  it("the case and task pages show every chosen 经营项目 read-only, by label", async () => {
    await page.goto(`/my/cases/${code}`);
    await formReady(page, "[data-form-renderer]");
    const items = page.locator(".formio-component-businessItems");
    await items.getByText("预包装食品销售", { exact: true }).waitFor();
    await items.getByText("热食类食品制售", { exact: true }).waitFor();
    assert.doesNotMatch(await items.innerText(), /prepackaged|hotFood/);
    await screenshot(page, "journeys-07-case-readonly");
    await logout(page);

    await loginAs(page, "reviewer", PASSWORD);
    await page.goto("/tasks");
    const row = page.locator(`tr[data-code="${code}"]`);
    await row.waitFor();
    // The task page itself (the inbox may also show it beside the list).
    await page.goto((await row.getByRole("link", { name: "办理" }).first().getAttribute("href"))!);
    const claim = page.getByRole("button", { name: "认领", exact: true });
    if (await claim.isVisible()) await Promise.all([page.waitForLoadState("load"), claim.click()]);
    await formReady(page, '[data-testid="submission"] [data-form-renderer]');
    const submitted = page.getByTestId("submission").locator(".formio-component-businessItems");
    await submitted.getByText("预包装食品销售", { exact: true }).waitFor();
    await submitted.getByText("热食类食品制售", { exact: true }).waitFor();
    await submitted.scrollIntoViewIfNeeded();
    await screenshot(page, "journeys-08-task-readonly");

    // Returned for correction, with the reviewer's comment.
    await formReady(page, '[data-testid="decision"] [data-form-renderer]');
    const decision = page.getByTestId("decision");
    await decision.getByLabel("退回补正").check();
    await decision.getByLabel("审核意见").fill("请补充经营场所的门牌号");
    await page.waitForTimeout(300); // Form.io debounces its change event
    await Promise.all([
      page.waitForURL((u) => u.pathname === "/tasks"),
      decision.getByRole("button", { name: "提交审核意见" }).click(),
    ]).catch(async (err: unknown) => {
      await screenshot(page, "journeys-failed-return");
      throw new Error(`${String(err)}\nat ${page.url()}\nproblems: ${problems.join("\n")}`);
    });
    await logout(page);
  });

  it("the correction page saves drafts with a status like the application page, and the signer's name is filled in", async () => {
    await loginAs(page, "applicant", PASSWORD);
    await page.goto(`/my/cases/${code}`);
    await Promise.all([page.waitForURL(/\/correct$/), page.getByTestId("correct-button").click()]);
    await formReady(page, "[data-form-renderer]");
    const status = page.locator('[data-role="draft-status"]');
    await status.getByText("修改内容会自动保存为草稿").waitFor();
    assert.ok(await page.getByLabel("经营者名称").isDisabled());
    await page.getByLabel("经营场所").fill("荥阳市索河路99号院3号楼");
    await status.getByText(/草稿已自动保存（\d\d:\d\d）/).waitFor({ timeout: 10_000 });
    await screenshot(page, "journeys-09-correction-autosave");
    // Reopened, the page says the draft was restored and shows what was typed.
    await page.waitForLoadState("networkidle");
    await page.reload();
    await formReady(page, "[data-form-renderer]");
    await status.getByText(/已恢复 .* 保存的草稿/).waitFor();
    assert.equal(await page.getByLabel("经营场所").inputValue(), "荥阳市索河路99号院3号楼");
    await Promise.all([page.waitForURL(/\/correct\/preview$/), page.getByTestId("apply-next").click()]);
    assert.equal(await page.getByLabel("签署人姓名").inputValue(), "刘示范");
    assert.match(await page.getByTestId("letter-preview").innerText(), /承诺人（签字）：刘示范/);
    await screenshot(page, "journeys-10-correction-signer");
    await page.getByLabel(/本人已阅读并同意上述承诺/).check();
    await Promise.all([page.waitForURL(new RegExp(`/my/cases/${code}$`)), page.getByTestId("submit-commitment").click()]);
    await page.getByText("补正材料已重新提交").waitFor();
    assert.deepEqual(requestsOffHost(requests, server.host), []);
    assert.deepEqual(problems, []);
  });
});
