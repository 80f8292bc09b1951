import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { publishFormRevision, saveFormRevision, validateSubmission } from "../../server/forms/index.js";
import { ValidationError } from "../../server/errors.js";
import { launchBrowser, loginAs, newContext, recordRequests, requestsOffHost, screenshot } from "./helpers/browser.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";
const FORM_KEY = "e2e-verdicts";

const choices = [
  { label: "甲类", value: "a" },
  { label: "乙类", value: "b" },
];
// One form with each kind of field the table exercises.
const COMPONENTS = [
  { type: "textfield", key: "name", label: "姓名", input: true, validate: { required: true, maxLength: 10 } },
  { type: "textfield", key: "postcode", label: "邮政编码", input: true, validate: { pattern: "^[0-9]{6}$" } },
  { type: "email", key: "mail", label: "电子邮箱", input: true },
  { type: "number", key: "age", label: "年龄", input: true, validate: { min: 18, max: 120 } },
  { type: "select", key: "kind", label: "类别", input: true, dataSrc: "values", data: { values: choices }, validate: { required: true } },
  {
    type: "radio",
    key: "hasCompany",
    label: "是否有单位",
    input: true,
    values: [
      { label: "是", value: "yes" },
      { label: "否", value: "no" },
    ],
  },
  {
    type: "textfield",
    key: "companyName",
    label: "单位名称",
    input: true,
    validate: { required: true },
    conditional: { show: true, conjunction: "all", conditions: [{ component: "hasCompany", operator: "isEqual", value: "yes" }] },
  },
  { type: "checkbox", key: "agree", label: "我承诺所填内容真实", input: true, validate: { required: true } },
  {
    type: "datagrid",
    key: "staff",
    label: "从业人员",
    input: true,
    validate: { minLength: 1, maxLength: 3 },
    components: [{ type: "textfield", key: "staffName", label: "人员姓名", input: true, validate: { required: true } }],
  },
  { type: "number", key: "count", label: "人数", input: true, disabled: true, calculateValue: { _size: [{ var: "data.staff" }] } },
  { type: "button", key: "submit", label: "提交", action: "submit", input: true },
];

const VALID = {
  name: "张三",
  postcode: "450100",
  mail: "a@example.com",
  age: 30,
  kind: "a",
  hasCompany: "no",
  agree: true,
  staff: [{ staffName: "李四" }],
};

// [case, data, expected verdict]
const CASES: [string, Record<string, unknown>, boolean][] = [
  ["valid data", VALID, true],
  ["required field missing", { ...VALID, name: "" }, false],
  ["too long", { ...VALID, name: "一二三四五六七八九十十一" }, false],
  ["pattern mismatch", { ...VALID, postcode: "45010" }, false],
  ["invalid email", { ...VALID, mail: "not-an-email" }, false],
  ["number below min", { ...VALID, age: 5 }, false],
  ["select value not in list", { ...VALID, kind: "zzz" }, false],
  ["radio value not in list", { ...VALID, hasCompany: "maybe" }, false],
  ["required checkbox unchecked", { ...VALID, agree: false }, false],
  ["datagrid below minLength", { ...VALID, staff: [] }, false],
  [
    "datagrid above maxLength",
    { ...VALID, staff: [{ staffName: "a" }, { staffName: "b" }, { staffName: "c" }, { staffName: "d" }] },
    false,
  ],
  ["required cell in a datagrid row", { ...VALID, staff: [{ staffName: "" }] }, false],
  ["hidden conditional value (cleared)", { ...VALID, hasCompany: "no", companyName: "不应保存" }, true],
  ["shown conditional field missing", { ...VALID, hasCompany: "yes" }, false],
  ["shown conditional field filled", { ...VALID, hasCompany: "yes", companyName: "荥阳示范" }, true],
  ["unknown keys (dropped)", { ...VALID, isAdmin: true, extra: { a: 1 } }, true],
  ["forged calculated value (recomputed)", { ...VALID, count: 999 }, true],
  ["number sent as a string", { ...VALID, age: "30" }, false],
  ["object for a text field", { ...VALID, name: { $ne: "" } }, false],
  ["string for a datagrid", { ...VALID, staff: "李四" }, false],
  ["string for a checkbox", { ...VALID, agree: "true" }, false],
];

async function serverVerdict(server: RunningServer, data: unknown): Promise<{ ok: boolean; data?: Record<string, unknown> }> {
  try {
    const result = await validateSubmission(server.db, { formKey: FORM_KEY }, data);
    return { ok: true, data: result.data };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false };
    throw err;
  }
}

describe("browser: the same verdict in Chromium's renderer and on the server", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let requests: string[];
  const problems: string[] = [];

  before(async function () {
    server = await startServer();
    const saved = await saveFormRevision(server.db, {
      formKey: FORM_KEY,
      title: "校验对照表单",
      definition: { components: COMPONENTS },
      actor: "e2e",
    });
    await publishFormRevision(server.db, FORM_KEY, saved.revision, "e2e");
    browser = await launchBrowser();
    context = await newContext(browser, server.baseUrl);
    requests = recordRequests(context);
    page = await context.newPage();
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error" && !msg.location().url.endsWith("/favicon.ico")) problems.push(`console error: ${msg.text()}`);
    });
    await loginAs(page, "admin", PASSWORD);
    await page.goto(`/admin/forms/${FORM_KEY}/preview`);
    await page.waitForFunction(() => !!(document.querySelector("[data-form-renderer]") as { xyForm?: unknown } | null)?.xyForm);
  });

  after(async function () {
    await browser?.close();
    await server?.close();
  });

  for (const [name, data, expected] of CASES) {
    it(`${name}: ${expected ? "accepted" : "refused"} by both`, async function () {
      const client = await page.evaluate(
        (d) =>
          (
            window as unknown as {
              xyFormRenderer: { clientVerdict(el: Element, d: unknown): Promise<{ ok: boolean; data?: unknown; details?: unknown }> };
            }
          ).xyFormRenderer.clientVerdict(document.querySelector("[data-form-renderer]")!, d),
        data,
      );
      const server_ = await serverVerdict(server, data);
      assert.equal(server_.ok, expected, `server verdict for ${name}`);
      assert.equal(client.ok, expected, `browser verdict for ${name}: ${JSON.stringify(client.details ?? "")}`);
      if (expected) {
        // What the server keeps: no hidden or unknown values, the calculated value recomputed.
        const s = server_.data!;
        for (const key of ["isAdmin", "extra"]) assert.ok(!(key in s), `${key} dropped`);
        if (data.hasCompany !== "yes") assert.ok(!("companyName" in s), "hidden value cleared");
        assert.equal(s.count, (data.staff as unknown[]).length, "the server recomputes the calculated value");
      }
    });
  }

  it("shows the renderer's Chinese errors and the server's verdict in the preview", async function () {
    await page.goto(`/admin/forms/${FORM_KEY}/preview`);
    await page.waitForFunction(() => !!(document.querySelector("[data-form-renderer]") as { xyForm?: unknown } | null)?.xyForm);
    await page.getByRole("button", { name: "提交" }).click();
    await page.getByText("姓名为必填项").first().waitFor();
    await page.getByLabel("姓名").first().fill("张三");
    await page.getByLabel("我承诺所填内容真实").check();
    await page.getByLabel("人员姓名").first().fill("李四");
    await page.locator("select[name='data[kind]'], .choices").first().click();
    await page.getByText("甲类", { exact: true }).last().click();
    await page.getByRole("button", { name: "提交" }).click();
    await page.getByTestId("server-verdict").getByText("服务器校验通过").waitFor();
    await screenshot(page, "forms-preview-verdict");
    assert.deepEqual(requestsOffHost(requests, server.host), []);
    assert.deepEqual(problems, []);
  });

  it("uploads evidence through the file component with the session's CSRF token", async function () {
    await page.goto("/admin/forms/food-business-commitment/preview");
    await page.waitForFunction(() => !!(document.querySelector("[data-form-renderer]") as { xyForm?: unknown } | null)?.xyForm);
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/uploads"),
      (async () => {
        const [chooser] = await Promise.all([
          page.waitForEvent("filechooser"),
          page.locator(".formio-component-businessLicense").getByText("选择文件").click(),
        ]);
        await chooser.setFiles({ name: "营业执照.png", mimeType: "image/png", buffer: png });
      })(),
    ]);
    assert.equal(response.status(), 201);
    assert.ok(response.request().headers()["x-csrf-token"], "the upload carries the CSRF header");
    await page.locator(".formio-component-businessLicense").getByText("营业执照.png").first().waitFor();
    const value = (await page.evaluate(
      () =>
        (document.querySelector("[data-form-renderer]") as unknown as { xyForm: { submission: { data: Record<string, unknown> } } }).xyForm
          .submission.data.businessLicense,
    )) as { url: string }[];
    assert.match(value[0]!.url, /\/api\/uploads\/[0-9a-f-]{36}$/);
    await screenshot(page, "forms-upload");

    assert.deepEqual(requestsOffHost(requests, server.host), []);
    assert.deepEqual(problems, []);
  });

  it("shows a refused upload's Chinese reason under the file field, not the server's JSON", async function () {
    await page.goto("/admin/forms/food-business-commitment/preview");
    await page.waitForFunction(() => !!(document.querySelector("[data-form-renderer]") as { xyForm?: unknown } | null)?.xyForm);
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
    problems.length = 0;
    // PNG content named .pdf: the server refuses it with a reason that names PNG.
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/uploads"),
      (async () => {
        const [chooser] = await Promise.all([
          page.waitForEvent("filechooser"),
          page.locator(".formio-component-businessLicense").getByText("选择文件").click(),
        ]);
        await chooser.setFiles({ name: "假执照.pdf", mimeType: "application/pdf", buffer: png });
      })(),
    ]);
    assert.equal(refused.status(), 400);
    const field = page.locator(".formio-component-businessLicense");
    await field.getByText(/PNG/).first().waitFor();
    assert.doesNotMatch(await field.innerText(), /"error"|Unable to upload/);
    // The browser logs the refused request (400) and Form.io lets the upload's rejection go unhandled (with our
    // message, no longer the JSON); nothing else went wrong.
    assert.deepEqual(
      problems.filter((p) => !/status of 400/.test(p) && !/^page error: 文件内容是 PNG/.test(p)),
      [],
    );
  });
});
