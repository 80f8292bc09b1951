import assert from "node:assert/strict";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { Commitment } from "../../server/db/models/Commitment.js";
import { launchBrowser, loginAs, logout, newContext, recordRequests, requestsOffHost, watchProblems } from "./helpers/browser.js";
import {
  choose,
  dragComponent,
  dragIntoForm,
  englishInSettings,
  englishWords,
  keyOf,
  openGroup,
  openNewForm,
  openTab,
  saveSettings,
  settings,
  shot,
  typeJson,
  typeLabel,
} from "./helpers/designer.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";
const FORM_KEY = "e2e-designer-outdoor-ad";
const ITEM = "e2e-designer-outdoor-ad-item";
const WIZARD_KEY = "e2e-designer-wizard";

type Renderer = { xyForm: { submission: { data: Record<string, unknown> } } };
type Verdict = {
  status: number;
  body: { data?: Record<string, unknown>; error?: { message: string; details: { path: string; message: string }[] } };
};

async function formReady(page: Page): Promise<void> {
  await page.waitForFunction(() => !!(document.querySelector("[data-form-renderer]") as { xyForm?: unknown } | null)?.xyForm);
}

/** What the renderer holds right now: the data the browser would send. */
async function browserData(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(
    () =>
      JSON.parse(JSON.stringify((document.querySelector("[data-form-renderer]") as unknown as Renderer).xyForm.submission.data)) as Record<
        string,
        unknown
      >,
  );
}

/** Sends data to the renderer's own submit (or validate) URL with the page's session and CSRF header. */
async function postToRenderer(page: Page, data: unknown): Promise<Verdict> {
  return page.evaluate(async (d) => {
    const el = document.querySelector("[data-form-renderer]")!;
    const url = el.getAttribute("data-submit-url") || el.getAttribute("data-validate-url")!;
    const res = await (window as unknown as { xyFetch(u: string, o: unknown): Promise<Response> }).xyFetch(url, {
      method: "POST",
      body: { data: d },
    });
    return { status: res.status, body: (await res.json()) as Verdict["body"] };
  }, data);
}

/** The renderer's own verdict (Form.io's validation plus the server's shape rules), without sending anything. */
async function clientVerdict(page: Page, data: unknown): Promise<{ ok: boolean; details?: { path: string; message: string }[] }> {
  return page.evaluate(
    (d) =>
      (
        window as unknown as {
          xyFormRenderer: {
            clientVerdict(el: Element, d: unknown): Promise<{ ok: boolean; details?: { path: string; message: string }[] }>;
          };
        }
      ).xyFormRenderer.clientVerdict(document.querySelector("[data-form-renderer]")!, d),
    data,
  );
}

describe("browser: designing a form with the mouse and keyboard only", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let requests: string[];
  let problems: string[];

  before(async function () {
    this.timeout(180_000);
    server = await startServer();
    browser = await launchBrowser();
    context = await newContext(browser, server.baseUrl);
    requests = recordRequests(context);
    problems = watchProblems(context);
    page = await context.newPage();
    page.on("dialog", (d) => void d.accept());
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && page) await shot(page, `designer-failed-${this.currentTest.title.slice(0, 40)}`);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Only the refusals a test provoked on purpose may appear among the page's problems. */
  function expectNoProblems(allowed: RegExp[] = []): void {
    // Ace starts a worker from a blob: URL for every editor of a settings dialog; closing the dialog aborts it.
    const benign = [/^failed blob:\S+: net::ERR_ABORTED$/];
    const left = problems.filter((p) => ![...benign, ...allowed].some((re) => re.test(p)));
    problems.length = 0;
    assert.deepEqual(left, [], "no failed request, script error or CSP violation");
    assert.deepEqual(requestsOffHost(requests, server.host), [], "every request stays on this server");
  }

  it("generates an ASCII key from a Chinese label, keeps keys unique and explains a bad key in Chinese", async function () {
    await loginAs(page, "admin", PASSWORD);
    await openNewForm(page);
    let dialog = await dragIntoForm(page, "基础组件", "textfield");
    await typeLabel(dialog, "广告设置地点");
    assert.equal(await keyOf(dialog), "guangGaoSheZhiDiDian");
    await saveSettings(dialog);

    dialog = await dragIntoForm(page, "基础组件", "textfield");
    await typeLabel(dialog, "广告设置地点");
    assert.equal(await keyOf(dialog), "guangGaoSheZhiDiDian1", "a second field with the same label gets a unique key");
    // The key stays editable; a key the server would refuse is explained in Chinese, next to the field.
    const key = dialog.locator('input[name="data[key]"]');
    await key.fill("广告-");
    await dialog.getByRole("button", { name: "保存", exact: true }).click();
    await dialog
      .getByText(/键名只能由英文字母、数字、下划线/)
      .first()
      .waitFor();
    assert.doesNotMatch(await dialog.innerText(), /property name must only contain/i);
    await key.fill("guangGaoBeiYongDiDian");
    await saveSettings(dialog);
    await shot(page, "designer-keys");

    // Both fields are in the form with their keys.
    const keys = await page.evaluate(() =>
      Array.from(document.querySelectorAll("#builder .formio-component-textfield"))
        .map((el) => Array.from(el.classList).find((c) => c.startsWith("formio-component-") && c !== "formio-component-textfield"))
        .filter(Boolean),
    );
    assert.deepEqual(keys, ["formio-component-guangGaoSheZhiDiDian", "formio-component-guangGaoBeiYongDiDian"]);
    expectNoProblems();
  });

  it("offers exactly the components the server accepts, in Chinese, and saves a form holding every one of them", async function () {
    this.timeout(300_000);
    await loginAs(page, "admin", PASSWORD);
    await openNewForm(page);
    const platform = await page.evaluate(() => {
      const p = (window as unknown as { XY_FORMIO_PLATFORM: Record<string, unknown> }).XY_FORMIO_PLATFORM as {
        inputTypes: string[];
        layoutTypes: string[];
        presets: Record<string, { title: string }>;
        refusedTypes: Record<string, string>;
        typeNames: Record<string, string>;
      };
      return {
        accepted: [...p.inputTypes, ...p.layoutTypes, ...Object.keys(p.presets)],
        refused: Object.keys(p.refusedTypes),
        names: p.typeNames,
      };
    });
    const entries: { group: string; key: string; title: string }[] = [];
    for (const group of (await page.locator(".builder-group-button").allInnerTexts()).map((t) => t.trim())) {
      const list = await openGroup(page, group);
      for (const entry of await list.locator("[data-key]").all())
        entries.push({ group, key: (await entry.getAttribute("data-key"))!, title: (await entry.innerText()).trim() });
    }
    const offered = entries.map((e) => e.key);
    assert.deepEqual([...offered].sort(), [...new Set(platform.accepted)].sort(), "the palette offers every type the server stores");
    assert.deepEqual(
      platform.refused.filter((t) => offered.includes(t)),
      [],
      "no type the server refuses (password, reCAPTCHA ...) is offered",
    );
    for (const e of entries) assert.equal(e.title, platform.names[e.key], `the palette names ${e.key} as the server does`);

    // Every entry dragged in; inputs get a Chinese label (and so a pinyin key); no settings dialog shows English.
    const english: string[] = [];
    const inputs = new Set(
      [...platform.accepted].filter(
        (t) => !["panel", "columns", "fieldset", "well", "table", "tabs", "content", "htmlelement", "button"].includes(t),
      ),
    );
    for (const { group, key, title } of entries) {
      const dialog = await dragIntoForm(page, group, key);
      for (const w of await englishInSettings(dialog)) english.push(`${title}（${key}）的设置 ${w}`);
      if (inputs.has(key)) await typeLabel(dialog, `示例${title.replace(/[^\u4e00-\u9fff]/g, "")}`);
      if (key === "radio" || key === "selectboxes") {
        await openTab(dialog, "数据");
        await dialog.locator('input[name="data[values][0][label]"]').fill("是");
        await dialog.locator('input[name="data[values][0][value]"]').fill("yes");
      }
      if (key === "form") {
        await openTab(dialog, "表单");
        await choose(dialog, "form", /（.+）/);
      }
      await saveSettings(dialog);
    }
    for (const w of await englishWords(page.locator("#builder .formio-builder-form"))) english.push(`设计区：${w}`);
    assert.deepEqual(english, [], "nothing in English in the settings dialogs or on the canvas");
    await shot(page, "designer-every-component");

    await page.getByLabel("表单名称").fill("全部组件示例表（设计器）");
    await page.getByLabel("键名").fill("e2e-designer-every-component");
    const [saved] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/forms"),
      page.getByTestId("save-form").click(),
    ]);
    assert.equal(saved.status(), 201, "the server stores a form with every palette component");
    await page.waitForURL(/revision=1/);
    // What the server stored (the designer's own copy of revision 1).
    const stored = (
      (await (await page.request.get("/api/forms/e2e-designer-every-component?revision=1")).json()) as {
        data: { definition: { components: Record<string, unknown>[] } };
      }
    ).data.definition.components;
    const address = stored.find((c) => (c.properties as Record<string, unknown> | undefined)?.platformType === "address")!;
    assert.equal(address.type, "container", "an address is stored as its container");
    assert.deepEqual(
      (address.components as { key: string }[]).map((c) => c.key),
      ["province", "city", "district", "street"],
    );
    assert.equal(address.key, "shiLiDiZhi", "the address's key follows its Chinese label");
    const nested = stored.find((c) => c.type === "form")!;
    assert.ok(typeof nested.form === "string" && Number(nested.revision) >= 1, "the nested form is pinned to a published revision");

    await page.locator("#form-designer[data-ready='1']").waitFor();
    await Promise.all([page.waitForURL(/\/preview/), page.getByTestId("revisions").getByRole("link", { name: "预览" }).first().click()]);
    await formReady(page);
    const rendered = page.locator("[data-form-renderer]");
    await rendered.getByText("示例地址").first().waitFor();
    for (const part of ["省（自治区、直辖市）", "市（地区、州）", "区县", "详细地址"]) await rendered.getByLabel(part).first().waitFor();
    assert.deepEqual(await englishWords(rendered), [], "the applicant's form shows nothing in English");
    await shot(page, "designer-every-component-preview");
    expectNoProblems();
  });

  it("names the component's Chinese label and settings tab when the server still refuses a setting", async function () {
    await loginAs(page, "admin", PASSWORD);
    await openNewForm(page);
    const dialog = await dragIntoForm(page, "基础组件", "number");
    await typeLabel(dialog, "营业面积");
    await openTab(dialog, "数据");
    await dialog.getByText("JSONLogic 计算值").click();
    // _get is a lodash operator core registers on JSONLogic; the platform's list leaves it out.
    await typeJson(page, dialog, "calculateValue", { _get: [{ var: "data" }, "x"] });
    await saveSettings(dialog);
    await page.getByLabel("表单名称").fill("拒绝示例");
    await page.getByLabel("键名").fill("e2e-designer-refused");
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/forms"),
      page.getByTestId("save-form").click(),
    ]);
    assert.equal(refused.status(), 400);
    const status = page.locator('[data-role="designer-status"]');
    await status.getByText("营业面积").first().waitFor();
    const text = await status.innerText();
    assert.match(text, /组件“营业面积”（yingYeMianJi）在“数据”页签/);
    assert.match(text, /_get/);
    assert.doesNotMatch(text, /undefined|components\[/);
    const outlined = page.locator("#builder .xy-refused");
    assert.equal(await outlined.count(), 1, "the refused component is outlined in the builder");
    assert.match(await outlined.innerText(), /营业面积/);
    await shot(page, "designer-refused-setting");
    expectNoProblems([/400 POST \S+\/api\/forms$/, /status of 400/]);
  });

  it("builds a form from every palette group, saves, publishes and previews it with the server's verdict", async function () {
    await loginAs(page, "admin", PASSWORD);
    await openNewForm(page);
    const builderText = await page.getByTestId("builder").innerText();
    for (const words of [
      "基础组件",
      "高级组件",
      "布局",
      "数据",
      "文件与嵌套表单",
      "单行文本",
      "多行文本",
      "下拉选择",
      "单选",
      "将组件拖放到这里",
    ])
      assert.ok(builderText.includes(words), `the builder shows ${words}`);
    assert.doesNotMatch(builderText, /Text Field|Basic|Advanced|Premium|Layout|Drag and Drop/);
    await shot(page, "designer-palette");

    // 基础组件: a required text field, a radio, a field shown only when the radio says yes, two numbers and their product.
    let dialog = await dragIntoForm(page, "基础组件", "textfield");
    await typeLabel(dialog, "广告设置地点");
    assert.equal(await keyOf(dialog), "guangGaoSheZhiDiDian");
    await openTab(dialog, "校验");
    await dialog.getByLabel("必填", { exact: true }).check();
    await shot(page, "designer-settings-validation");
    await saveSettings(dialog);

    dialog = await dragIntoForm(page, "基础组件", "radio");
    await typeLabel(dialog, "是否临街设置");
    assert.equal(await keyOf(dialog), "shiFouLinJieSheZhi");
    await openTab(dialog, "数据");
    await dialog.locator('input[name="data[values][0][label]"]').fill("是");
    await dialog.locator('input[name="data[values][0][value]"]').fill("yes");
    await dialog
      .locator(".formio-component-values")
      .getByRole("button", { name: /添加一项/ })
      .click();
    await dialog.locator('input[name="data[values][1][label]"]').fill("否");
    await dialog.locator('input[name="data[values][1][value]"]').fill("no");
    await saveSettings(dialog);

    dialog = await dragIntoForm(page, "基础组件", "textfield");
    await typeLabel(dialog, "临街门牌号");
    assert.equal(await keyOf(dialog), "linJieMenPaiHao");
    await openTab(dialog, "校验");
    await dialog.getByLabel("必填", { exact: true }).check();
    await openTab(dialog, "条件");
    const conditionalText = await dialog.locator(".tab-pane.active").innerText();
    assert.match(conditionalText, /条件显示（当字段 X 等于 Y）/);
    assert.match(conditionalText, /JSONLogic 显示条件/);
    assert.doesNotMatch(conditionalText, /JavaScript/);
    await choose(dialog, "conditional.show", "是");
    await choose(dialog, "conditional.when", /是否临街设置/);
    await dialog.locator('input[name="data[conditional.eq]"]').fill("yes");
    await shot(page, "designer-settings-conditional");
    await saveSettings(dialog);

    dialog = await dragIntoForm(page, "基础组件", "number");
    await typeLabel(dialog, "长度（米）");
    assert.equal(await keyOf(dialog), "changDuMi");
    await saveSettings(dialog);
    dialog = await dragIntoForm(page, "基础组件", "number");
    await typeLabel(dialog, "宽度（米）");
    assert.equal(await keyOf(dialog), "kuanDuMi");
    await saveSettings(dialog);
    dialog = await dragIntoForm(page, "基础组件", "number");
    await typeLabel(dialog, "面积（平方米）");
    assert.equal(await keyOf(dialog), "mianJiPingFangMi");
    await openTab(dialog, "数据");
    const dataText = await dialog.locator(".tab-pane.active").innerText();
    assert.match(dataText, /JSONLogic 计算值/);
    assert.doesNotMatch(dataText, /JavaScript|在服务器上计算取值|允许手动修改计算结果/);
    await dialog.getByText("JSONLogic 计算值").click();
    await typeJson(page, dialog, "calculateValue", { "*": [{ var: "data.changDuMi" }, { var: "data.kuanDuMi" }] });
    await shot(page, "designer-settings-calculated");
    await saveSettings(dialog);

    // 高级组件: an e-mail address.
    dialog = await dragIntoForm(page, "高级组件", "email");
    await typeLabel(dialog, "联系邮箱");
    assert.equal(await keyOf(dialog), "lianXiYouXiang");
    await saveSettings(dialog);

    // 布局: a panel, and a text area dropped inside it.
    dialog = await dragIntoForm(page, "布局", "panel");
    await typeLabel(dialog, "补充说明", "title");
    assert.equal(await keyOf(dialog), "buChongShuoMing");
    await saveSettings(dialog);
    dialog = await dragComponent(page, "基础组件", "textarea", page.locator('#builder [ref="buChongShuoMing-container"]'));
    await typeLabel(dialog, "备注");
    assert.equal(await keyOf(dialog), "beiZhu");
    await saveSettings(dialog);

    // 数据: a data grid with one column dropped into it.
    dialog = await dragIntoForm(page, "数据", "datagrid");
    await typeLabel(dialog, "广告牌清单");
    assert.equal(await keyOf(dialog), "guangGaoPaiQingDan");
    await saveSettings(dialog);
    dialog = await dragComponent(page, "基础组件", "textfield", page.locator('#builder [ref="guangGaoPaiQingDan-container"]'));
    await typeLabel(dialog, "牌面文字");
    assert.equal(await keyOf(dialog), "paiMianWenZi");
    await saveSettings(dialog);

    // 文件上传: evidence.
    dialog = await dragIntoForm(page, "文件与嵌套表单", "file");
    await typeLabel(dialog, "现场照片");
    assert.equal(await keyOf(dialog), "xianChangZhaoPian");
    await openTab(dialog, "文件上传");
    assert.doesNotMatch(await dialog.locator(".tab-pane.active").innerText(), /存储方式|Storage/);
    await saveSettings(dialog);
    await shot(page, "designer-built");

    await page.getByLabel("表单名称").fill("户外广告设施设置申请表（设计器）");
    await page.getByLabel("键名").fill(FORM_KEY);
    await page.locator("#form-department").selectOption("scjgj");
    const [saved] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/forms"),
      page.getByTestId("save-form").click(),
    ]);
    assert.equal(saved.status(), 201, "the server stores the form the builder made");
    await page.waitForURL(/revision=1/);
    await page.locator("#form-designer[data-ready='1']").waitFor();
    await Promise.all([page.waitForLoadState("load"), page.getByTestId("revisions").getByRole("button", { name: "发布" }).first().click()]);
    await page.waitForFunction(() => /第 1 版\s*已发布/.test(document.querySelector("[data-testid=revisions]")?.textContent ?? ""));
    await page.locator("#form-designer[data-ready='1']").waitFor();

    // The preview: what the applicant will see, and the server's verdict.
    await Promise.all([page.waitForURL(/\/preview/), page.getByTestId("revisions").getByRole("link", { name: "预览" }).first().click()]);
    await formReady(page);
    const form = page.locator("[data-form-renderer]");
    assert.equal(await form.getByLabel("临街门牌号").count(), 0, "the conditional field is hidden at first");
    await form.getByLabel("广告设置地点").fill("荥阳市郑上路1号");
    await form.getByLabel("是", { exact: true }).check();
    await form.getByLabel("临街门牌号").waitFor();
    await form.getByLabel("临街门牌号").fill("郑上路1号楼顶");
    await form.getByLabel("长度（米）").fill("6");
    await form.getByLabel("宽度（米）").fill("3");
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>("input[name='data[mianJiPingFangMi]']")?.value === "18");
    await form.getByLabel("联系邮箱").fill("ad@example.com");
    await form.getByLabel("牌面文字").first().fill("示范食品");
    await form.getByRole("button", { name: "提交" }).click();
    const verdict = page.getByTestId("server-verdict");
    await verdict.getByText("服务器校验通过").waitFor();
    const kept = JSON.parse(await verdict.locator("pre").innerText()) as Record<string, unknown>;
    assert.equal(kept.mianJiPingFangMi, 18, "the server recomputes the calculated value");
    assert.equal(kept.linJieMenPaiHao, "郑上路1号楼顶");
    await shot(page, "designer-preview-accepted");

    // A bad submission: the browser shows it invalid, and the server refuses the same data naming the field in Chinese.
    await form.getByLabel("广告设置地点").fill("");
    await form.getByLabel("联系邮箱").fill("不是邮箱");
    await form.getByRole("button", { name: "提交" }).click();
    await form.getByText("广告设置地点为必填项").first().waitFor();
    const bad = await browserData(page);
    assert.equal((await clientVerdict(page, bad)).ok, false);
    const refused = await postToRenderer(page, bad);
    assert.equal(refused.status, 400);
    const messages = refused.body.error!.details.map((d) => d.message).join("\n");
    assert.match(messages, /广告设置地点/);
    assert.match(messages, /联系邮箱/);
    await shot(page, "designer-preview-refused");
    expectNoProblems([/\/validate\?revision=1/, /status of 400/]);
  });

  it("an applicant fills the designed form through a catalog item, and the server agrees with the browser", async function () {
    await loginAs(page, "admin", PASSWORD);
    await page.goto("/admin/catalog");
    await Promise.all([page.waitForURL(/\/admin\/catalog\/new/), page.getByTestId("new-item").click()]);
    await page.getByLabel("事项编码").fill(ITEM);
    await page.getByLabel("实施机关").selectOption("scjgj");
    await page.getByLabel("事项名称").fill("户外广告设施设置（设计器表单）");
    await page.getByLabel("承诺类型", { exact: true }).selectOption("证明事项型");
    await page.getByLabel("设定依据").fill("《城市市容和环境卫生管理条例》第十一条");
    await page.getByLabel("告知内容").fill("一、设置条件：广告设施安全牢固。\n二、违诺责任：承诺不实的，依法撤销并记入信用记录。");
    await page.getByLabel("申请表").selectOption(FORM_KEY);
    await page.getByLabel("核查方式").fill("现场核查广告设施");
    await page
      .getByLabel("信用承诺书模板")
      .fill("<p>{{subject.name}}承诺：在{{data.guangGaoSheZhiDiDian}}设置面积{{data.mianJiPingFangMi}}平方米的广告设施。</p>");
    await Promise.all([page.waitForURL(new RegExp(`/admin/catalog/${ITEM}$`)), page.getByTestId("save-item").click()]);
    await Promise.all([page.waitForLoadState("load"), page.getByTestId("publish").click()]);
    await page.getByText("已发布第 1 版").waitFor();
    await logout(page);

    await loginAs(page, "applicant", PASSWORD);
    await page.goto("/catalog");
    await page.getByText("户外广告设施设置（设计器表单）").click();
    await Promise.all([page.waitForURL(/\/apply/), page.getByTestId("apply-button").click()]);
    await formReady(page);
    const form = page.locator("[data-form-renderer]");
    await form.getByLabel("广告设置地点").fill("荥阳市郑上路1号");
    await form.getByLabel("长度（米）").fill("4");
    await form.getByLabel("长度（米）").press("Tab");
    await form.getByLabel("宽度（米）").fill("2.5");
    // As a person does, leave the field: the number is committed and the calculated area follows.
    await form.getByLabel("宽度（米）").press("Tab");
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>("input[name='data[mianJiPingFangMi]']")?.value === "10");
    await form.getByLabel("联系邮箱").fill("ad@example");
    await form.getByLabel("是", { exact: true }).check();
    await form.getByLabel("临街门牌号").waitFor();

    // Invalid in the browser (the shown conditional field is required, the e-mail is incomplete): nothing moves on.
    await page.getByTestId("apply-next").click();
    await form.getByText("临街门牌号为必填项").first().waitFor();
    assert.match(page.url(), /\/apply(\?|$)/);
    const invalid = await browserData(page);
    assert.equal((await clientVerdict(page, invalid)).ok, false);
    const refused = await postToRenderer(page, invalid);
    assert.equal(refused.status, 400, "the server refuses what the browser shows as invalid");
    const messages = refused.body.error!.details.map((d) => d.message).join("\n");
    assert.match(messages, /临街门牌号/);
    assert.match(messages, /联系邮箱/);
    await shot(page, "designer-apply-invalid");

    await form.getByLabel("临街门牌号").fill("郑上路1号楼顶");
    await form.getByLabel("联系邮箱").fill("ad@example.com");
    await form.getByLabel("牌面文字").first().fill("示范食品");
    const valid = await browserData(page);
    assert.equal((await clientVerdict(page, valid)).ok, true, "the browser accepts the corrected data");
    await Promise.all([page.waitForURL(/\/apply\/preview/), page.getByTestId("apply-next").click()]);
    const letter = page.getByTestId("letter-preview");
    await letter.getByText("荥阳市郑上路1号", { exact: false }).waitFor();
    assert.match(await letter.innerText(), /面积10平方米/, "the letter shows the value the server computed");
    await page.getByLabel(/本人已阅读并同意上述承诺/).check();
    await page.getByLabel("签署人姓名").fill("刘示范");
    await Promise.all([page.waitForURL(/\/submitted$/), page.getByTestId("submit-commitment").click()]);
    const code = (await page.getByTestId("commitment-code").innerText()).trim();
    const commitment = await Commitment.findOne({ where: { code } });
    assert.ok(commitment, "the commitment is recorded");
    await shot(page, "designer-apply-submitted");
    expectNoProblems([/\/apply\/check/, /status of 400/]);
    await logout(page);
  });

  it("builds a wizard with two pages, filled page by page in the preview", async function () {
    await loginAs(page, "admin", PASSWORD);
    await openNewForm(page);
    await page.getByLabel("表单类型").selectOption("wizard");
    await page.locator("#form-designer[data-ready='1'][data-display='wizard']").waitFor();

    // Page 1: rename it and drop a required field onto it.
    const pagePanel: Locator = page.locator("#builder .builder-component").first();
    await pagePanel.hover({ position: { x: 60, y: 12 } });
    await pagePanel.locator(".component-settings-button-edit").first().click();
    let dialog = settings(page);
    await typeLabel(dialog, "申请人信息", "title");
    await saveSettings(dialog);
    dialog = await dragComponent(page, "基础组件", "textfield", page.locator('#builder [ref="page1-container"]'));
    await typeLabel(dialog, "申请人姓名");
    await openTab(dialog, "校验");
    await dialog.getByLabel("必填", { exact: true }).check();
    await saveSettings(dialog);

    // Page 2.
    await page.locator('#builder [ref="addPage"]').click();
    await page.locator("#builder .wizard-pages").getByText("第 2 页").click();
    await page.locator('#builder [ref="page2-container"]').waitFor();
    const second = page.locator("#builder .builder-component").first();
    await second.hover({ position: { x: 60, y: 12 } });
    await second.locator(".component-settings-button-edit").first().click();
    dialog = settings(page);
    await typeLabel(dialog, "广告信息", "title");
    await saveSettings(dialog);
    dialog = await dragComponent(page, "基础组件", "textfield", page.locator('#builder [ref="page2-container"]'));
    await typeLabel(dialog, "广告内容");
    await openTab(dialog, "校验");
    await dialog.getByLabel("必填", { exact: true }).check();
    await saveSettings(dialog);
    const pages = await page.locator("#builder .wizard-pages").innerText();
    assert.match(pages, /申请人信息[\s\S]*广告信息/);
    assert.match(await page.locator('#builder [ref="addPage"]').innerText(), /新增页面/);
    assert.deepEqual(await englishWords(page.locator("#builder")), [], "the wizard builder shows nothing in English");
    await shot(page, "designer-wizard-builder");

    await page.getByLabel("表单名称").fill("分步申请表（设计器）");
    await page.getByLabel("键名").fill(WIZARD_KEY);
    await Promise.all([page.waitForURL(/revision=1/), page.getByTestId("save-form").click()]);
    await page.locator("#form-designer[data-ready='1'][data-display='wizard']").waitFor();
    await Promise.all([page.waitForLoadState("load"), page.getByTestId("revisions").getByRole("button", { name: "发布" }).first().click()]);
    await page.waitForFunction(() => /已发布/.test(document.querySelector("[data-testid=revisions]")?.textContent ?? ""));
    await page.locator("#form-designer[data-ready='1']").waitFor();

    await page.goto(`/admin/forms/${WIZARD_KEY}/preview`);
    await formReady(page);
    const progress = page.getByTestId("wizard-progress");
    assert.match(await progress.innerText(), /第 1 \/ 2 步：申请人信息/);
    assert.match(await progress.innerText(), /1\. 申请人信息[\s\S]*2\. 广告信息/);
    const form = page.locator("[data-form-renderer]");
    // The page is validated before the wizard moves on.
    await form.getByRole("button", { name: "下一步" }).click();
    await form.getByText("申请人姓名为必填项").first().waitFor();
    assert.match(await progress.innerText(), /第 1 \/ 2 步/);
    await shot(page, "designer-wizard-page1-invalid");
    await form.getByLabel("申请人姓名").fill("刘示范");
    await form.getByRole("button", { name: "下一步" }).click();
    await page.waitForFunction(() =>
      /第 2 \/ 2 步：广告信息/.test(document.querySelector("[data-testid=wizard-progress]")?.textContent ?? ""),
    );
    await form.getByRole("button", { name: "提交" }).click();
    await form.getByText("广告内容为必填项").first().waitFor();
    await form.getByLabel("广告内容").fill("示范食品 招牌");
    await shot(page, "designer-wizard-page2");
    await form.getByRole("button", { name: "提交" }).click();
    await page.getByTestId("server-verdict").getByText("服务器校验通过").waitFor();
    const kept = JSON.parse(await page.getByTestId("server-verdict").locator("pre").innerText()) as Record<string, unknown>;
    assert.deepEqual(
      { name: kept.shenQingRenXingMing, ad: kept.guangGaoNeiRong },
      { name: "刘示范", ad: "示范食品 招牌" },
      "the server validated both pages",
    );
    await shot(page, "designer-wizard-accepted");
    expectNoProblems();
  });
});
