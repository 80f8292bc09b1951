import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { ProcessDraft } from "../../server/db/models/ProcessDraft.js";
import { EngineDefinition } from "../../server/db/models/engineModels.js";
import { launchBrowser, loginAs, newContext, recordRequests, requestsOffHost, screenshot, watchProblems } from "./helpers/browser.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";
/** Screenshots a person looks at while changing the modeler (besides test-artifacts/). */
const SHOTS = process.env.MODELER_SHOTS_DIR ?? "/tmp/modeler-shots";

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  await screenshot(page, `process-modeler-${name}`);
}

async function center(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  assert.ok(box, "the element is on screen");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags with the mouse, in small steps, as a person does. */
async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 10, from.y + 10, { steps: 3 });
  await page.mouse.move(to.x, to.y, { steps: 12 });
  // Let the hover feedback (the drop or connect target) settle, as a hand would.
  await page.waitForTimeout(150);
  await page.mouse.move(to.x + 2, to.y + 2, { steps: 2 });
  await page.mouse.up();
  // diagram-js swallows the first click after a drag (so that dropping never also clicks): spend it on empty canvas.
  const canvas = await page.getByTestId("modeler-canvas").boundingBox();
  await page.mouse.click(canvas!.x + canvas!.width - 60, canvas!.y + canvas!.height - 60);
}

/** What the test reads of a diagram-js element. */
interface DiagramElement {
  type: string;
  source?: { id: string };
  target?: { id: string };
}

const shape = (page: Page, id: string) => page.locator(`[data-testid="modeler-canvas"] g.djs-element[data-element-id="${id}"]`);

/** Opens a properties panel group by its (Chinese) title, when it is closed. */
async function openGroup(page: Page, title: string): Promise<void> {
  const header = page.locator(".bio-properties-panel-group-header", {
    has: page.locator(".bio-properties-panel-group-header-title", { hasText: new RegExp(`^${title}$`) }),
  });
  await header.first().waitFor();
  if (!(await header.first().evaluate((el) => el.classList.contains("open")))) await header.first().click();
}

/** Selects a user task on the canvas (the click after a popup menu closes may be swallowed: a person clicks again). */
async function selectTask(page: Page, id: string): Promise<void> {
  const header = page.locator(".bio-properties-panel-header-type", { hasText: "用户任务" });
  for (let i = 0; i < 3; i++) {
    await shape(page, id).click();
    if (await header.isVisible()) return;
    await page.waitForTimeout(300);
    if (await header.isVisible()) return;
  }
  await header.waitFor();
}

/** Texts of the palette, context pad, popup menu and properties panel that contain no Chinese at all. */
async function englishLeft(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const texts: string[] = [];
    const allowed = /^(FEEL|XML|BPMN|ID|JSON|DMN|URL|\$\{.*\}|[\w.:-]*\d[\w.:-]*)$/;
    const add = (t: string | null | undefined) => {
      const s = (t ?? "").trim();
      if (s && /[A-Za-z]{3,}/.test(s) && !/[\u4e00-\u9fff]/.test(s) && !allowed.test(s)) texts.push(s);
    };
    document.querySelectorAll(".djs-palette .entry, .djs-context-pad .entry").forEach((e) => {
      add(e.getAttribute("aria-label"));
      add(e.getAttribute("title"));
    });
    document.querySelectorAll(".djs-popup .entry, .djs-popup-title, .djs-popup-header").forEach((e) => add(e.textContent));
    document
      .querySelectorAll(
        ".bio-properties-panel-group-header-title, .bio-properties-panel-label, .bio-properties-panel-description, .bio-properties-panel-header-type, .bio-properties-panel-placeholder-text, .bjsl-button",
      )
      .forEach((e) => add(e.textContent));
    return texts;
  });
}

describe("browser: process modeler (draw, pickers, lint, draft, deploy, compare)", function () {
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
    problems = watchProblems(context);
    // tsx names the arrow functions this file passes to page.evaluate through a __name helper the page lacks.
    await context.addInitScript("window.__name = (f) => f");
  });

  afterEach(async function () {
    await context?.close();
  });

  it("an admin draws a process with the mouse, picks a form and a department, sees lint in Chinese, saves, deploys twice and compares", async function () {
    const key = `e2e_modeler_${Date.now().toString(36)}`;
    const page = await context.newPage();
    page.on("dialog", (d) => void d.accept());
    await loginAs(page, "admin", PASSWORD);
    await page.goto("/admin/processes");
    await page.getByTestId("new-process").click();
    await page.locator('[data-modeler][data-ready="true"]').waitFor({ timeout: 60000 });
    assert.match(await page.getByTestId("modeler-title").innerText(), /新建流程/);

    // The process itself: click the empty canvas, set its id (the key) and name in the properties panel.
    const canvas = page.getByTestId("modeler-canvas");
    const canvasBox = (await canvas.boundingBox())!;
    await page.mouse.click(canvasBox.x + canvasBox.width - 120, canvasBox.y + 60);
    await openGroup(page, "常规");
    await page.locator("#bio-properties-panel-id").fill(key);
    await page.locator("#bio-properties-panel-name").fill("建模器测试流程");
    await page.locator("#bio-properties-panel-name").press("Tab");
    await page.getByTestId("modeler-process").filter({ hasText: key }).waitFor();

    // Drag a user task from the palette onto the canvas, to the right of the start event.
    const start = await center(shape(page, "StartEvent_1"));
    const paletteEntry = page.locator('.djs-palette .entry[data-action="create.user-task"]');
    assert.equal(await paletteEntry.getAttribute("aria-label"), "用户任务");
    await drag(page, await center(paletteEntry), { x: start.x + 200, y: start.y });
    const userTask = page.locator('[data-testid="modeler-canvas"] g.djs-element.djs-shape[data-element-id^="Activity_"]');
    await userTask.waitFor();
    const taskId = (await userTask.getAttribute("data-element-id"))!;

    // Not connected yet: the lint says so in Chinese, naming the element, on the diagram and in the list below.
    const issues = page.getByTestId("modeler-issues");
    await issues.locator(`li[data-rule="no-disconnected"]`, { hasText: taskId }).waitFor();
    assert.match(await issues.innerText(), new RegExp(`元素 ${taskId}：元素没有任何连线，无法到达`));
    // ... and marks the task itself on the diagram.
    await page.locator(`.djs-overlays[data-container-id="${taskId}"] .djs-overlay-linting .bjsl-icon-error`).waitFor({ state: "visible" });
    await page.locator(".bjsl-button").waitFor({ state: "visible" });
    assert.match(await page.locator(".bjsl-button").innerText(), /个错误/);
    await page.mouse.move(10, 10);
    await shot(page, "01-lint-disconnected");

    // Connect the start event to the task with the context pad, then append an end event to the task.
    await shape(page, "StartEvent_1").click();
    const connect = page.locator('.djs-context-pad .entry[data-action="connect"]');
    assert.equal((await connect.getAttribute("aria-label")) ?? (await connect.getAttribute("title")), "连线到其他元素");
    const taskAt = await center(shape(page, taskId));
    await drag(page, await center(connect), taskAt);
    const flows = () =>
      page.evaluate(
        (target) =>
          (window as unknown as { __xyModeler: { get(n: string): { filter(f: (e: DiagramElement) => boolean): unknown[] } } }).__xyModeler
            .get("elementRegistry")
            .filter((e) => e.type === "bpmn:SequenceFlow" && e.source?.id === "StartEvent_1" && e.target?.id === target).length,
        taskId,
      );
    assert.equal(await flows(), 1, "the start event is connected to the task");
    await shape(page, taskId).click();
    await page.locator(".bio-properties-panel-header-type", { hasText: "用户任务" }).waitFor();
    const appendEnd = page.locator('.djs-context-pad .entry[data-action="append.end-event"]');
    assert.equal((await appendEnd.getAttribute("aria-label")) ?? (await appendEnd.getAttribute("title")), "追加结束事件");
    await appendEnd.click();
    await page.keyboard.press("Escape");
    await issues.locator('li[data-rule="no-disconnected"]').waitFor({ state: "detached" });

    // Name the task and pick its form and candidate group in the properties panel.
    await shape(page, taskId).click();
    await page.locator(".bio-properties-panel-header-type", { hasText: "用户任务" }).waitFor();
    await openGroup(page, "常规");
    await page.locator("#bio-properties-panel-name").fill("部门审核");
    await page.locator("#bio-properties-panel-name").press("Tab");
    await openGroup(page, "表单");
    const formPicker = page.locator("select#bio-properties-panel-xy-form");
    const formOptions = await formPicker
      .locator("option")
      .evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? "" })));
    const form = formOptions.find((o) => o.value);
    assert.ok(form, "the picker lists the published forms");
    assert.match(form.label, new RegExp(`（${form.value}）$`), "each form shows its title and key");
    await formPicker.selectOption(form.value);
    await page.locator("select#bio-properties-panel-xy-form-binding").waitFor();
    await openGroup(page, "处理人");
    await page.locator("select#bio-properties-panel-xy-candidate-groups").selectOption("scjgj");
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>("#bio-properties-panel-candidateGroups")?.value === "scjgj");
    await shot(page, "02-properties-pickers");

    // The replace menu (wrench) and the whole panel speak Chinese; nothing went untranslated.
    await page.locator('.djs-context-pad .entry[data-action="replace"]').click();
    await page.locator(".djs-popup .entry").first().waitFor();
    assert.ok((await page.locator(".djs-popup .entry", { hasText: "服务任务" }).count()) > 0);
    await shot(page, "03-replace-menu");
    const leftovers = await englishLeft(page);
    await page.keyboard.press("Escape");
    assert.deepEqual(leftovers, [], "no English on the palette, context pad, popup menu or properties panel");
    assert.deepEqual(await page.evaluate(() => [...((window as unknown as { __xyUntranslated: Set<string> }).__xyUntranslated ?? [])]), []);

    // Save a draft: stored on the server under the process key, and the address becomes the edit page.
    await page.getByTestId("save-draft").click();
    await page.getByTestId("modeler-status").filter({ hasText: "草稿已保存" }).waitFor();
    await page.waitForURL(`**/admin/processes/${key}/edit`);
    const draft = await ProcessDraft.findOne({ where: { processKey: key } });
    assert.ok(draft, "the draft is stored");
    assert.match(draft.xml, /部门审核/);
    assert.match(draft.xml, new RegExp(`camunda:formKey="${form.value}"`));
    assert.match(draft.xml, /camunda:candidateGroups="scjgj"/);

    // Deploy: version 1, through the server's checks.
    await page.getByTestId("deploy").click();
    const result = page.getByTestId("modeler-result");
    await result
      .locator(".alert")
      .filter({ hasText: /部署成功|没有部署|请先修正/ })
      .waitFor();
    assert.match(await result.innerText(), /部署成功[\s\S]*版本 1/);
    assert.equal(await ProcessDraft.count({ where: { processKey: key } }), 0, "a deployed draft is gone");
    await shot(page, "04-deployed-v1");

    // Edit again (the page reopens the latest version), rename the task and deploy version 2.
    await page.goto(`/admin/processes/${key}/edit`);
    await page.locator('[data-modeler][data-ready="true"]').waitFor();
    await shape(page, taskId).click();
    await openGroup(page, "常规");
    await page.locator("#bio-properties-panel-name").fill("部门联合审核");
    await page.locator("#bio-properties-panel-name").press("Tab");
    await page.getByTestId("deploy").click();
    await result
      .locator(".alert")
      .filter({ hasText: /部署成功|没有部署|请先修正/ })
      .waitFor();
    assert.match(await result.innerText(), /部署成功[\s\S]*版本 2/);
    const versions = await EngineDefinition.findAll({ where: { key }, order: [["version", "ASC"]] });
    assert.deepEqual(
      versions.map((v) => v.version),
      [1, 2],
    );

    // Compare the two versions: the renamed task is marked on the diagram and listed with old and new names.
    await page.getByTestId("compare-after-deploy").click();
    await page.locator('[data-compare][data-rendered="true"]').waitFor();
    assert.match(await page.getByTestId("compare-title").innerText(), /版本 1 与 2/);
    assert.equal(await page.locator(`#compare-to g.djs-element.xy-diff-changed[data-element-id="${taskId}"]`).count(), 1);
    const row = page.locator(`[data-testid="compare-table"] tr[data-element="${taskId}"]`);
    assert.match(await row.innerText(), /属性修改[\s\S]*名称：部门审核 → 部门联合审核/);
    await shot(page, "05-compare");

    assert.deepEqual(requestsOffHost(requests, server.host), [], "no request leaves the server (no CDN)");
    assert.ok(requests.some((u) => u.endsWith("/bundles/modeler/modeler.js")));
    assert.deepEqual(problems, []);
  });

  it("an admin draws a parallel multi-instance review (会签) in the properties panel, deploys it, and each inspector completes their own task", async function () {
    const key = `e2e_mi_${Date.now().toString(36)}`;
    const page = await context.newPage();
    page.on("dialog", (d) => void d.accept());
    await loginAs(page, "admin", PASSWORD);
    await page.goto("/admin/processes/new");
    await page.locator('[data-modeler][data-ready="true"]').waitFor({ timeout: 60000 });
    const canvasBox = (await page.getByTestId("modeler-canvas").boundingBox())!;
    await page.mouse.click(canvasBox.x + canvasBox.width - 120, canvasBox.y + 60);
    await openGroup(page, "常规");
    await page.locator("#bio-properties-panel-id").fill(key);
    await page.locator("#bio-properties-panel-name").fill("会签测试流程");
    await page.locator("#bio-properties-panel-name").press("Tab");
    await page.getByTestId("modeler-process").filter({ hasText: key }).waitFor();

    // A user task from the palette, connected from the start event (as in the first journey).
    const start = await center(shape(page, "StartEvent_1"));
    await drag(page, await center(page.locator('.djs-palette .entry[data-action="create.user-task"]')), { x: start.x + 200, y: start.y });
    const task = page.locator('[data-testid="modeler-canvas"] g.djs-element.djs-shape[data-element-id^="Activity_"]');
    await task.waitFor();
    const taskId = (await task.getAttribute("data-element-id"))!;
    await shape(page, "StartEvent_1").click();
    await drag(page, await center(page.locator('.djs-context-pad .entry[data-action="connect"]')), await center(shape(page, taskId)));
    // Parallel multi-instance from the replace menu (wrench), then an end event after it.
    await shape(page, taskId).click();
    await page.locator('.djs-context-pad .entry[data-action="replace"]').click();
    await page.locator('.djs-popup-header .entry[title="并行多实例"]').click();
    await page.keyboard.press("Escape");
    await selectTask(page, taskId);
    await page.locator('.djs-context-pad .entry[data-action="append.end-event"]').click();
    await page.keyboard.press("Escape");

    // The multi-instance fields and the assignee in the properties panel.
    await selectTask(page, taskId);
    await openGroup(page, "常规");
    await page.locator("#bio-properties-panel-name").fill("现场核查");
    await page.locator("#bio-properties-panel-name").press("Tab");
    await openGroup(page, "多实例");
    await page.locator("#bio-properties-panel-collection").fill("${inspectors}");
    await page.locator("#bio-properties-panel-elementVariable").fill("inspector");
    await page.locator("#bio-properties-panel-elementVariable").press("Tab");
    await openGroup(page, "处理人");
    await page.locator("#bio-properties-panel-assignee").fill("${inspector}");
    await page.locator("#bio-properties-panel-assignee").press("Tab");
    // Nothing blocks: the lint no longer refuses a multi-instance task.
    const issues = page.getByTestId("modeler-issues");
    assert.equal(await issues.locator('li[data-category="error"]').count(), 0, await issues.innerText());
    await shot(page, "07-multi-instance");

    await page.getByTestId("deploy").click();
    const result = page.getByTestId("modeler-result");
    await result
      .locator(".alert")
      .filter({ hasText: /部署成功|没有部署|请先修正/ })
      .waitFor();
    assert.match(await result.innerText(), /部署成功[\s\S]*版本 1/);
    const [deployed] = await EngineDefinition.findAll({ where: { key } });
    assert.match(deployed!.xml, /camunda:collection="\$\{inspectors\}"/);
    assert.match(deployed!.xml, /camunda:elementVariable="inspector"/);

    // The process runs: two tasks, one per inspector; each completes their own.
    const rest = async (user: string, method: string, url: string, body?: unknown) => {
      const res = await fetch(`${server.baseUrl}/engine-rest${url}`, {
        method,
        headers: { authorization: `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString("base64")}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${await res.clone().text()}`);
      return res.status === 204 ? null : ((await res.json()) as unknown);
    };
    const inst = (await rest("admin", "POST", `/process-definition/key/${key}/start`, {
      variables: { inspectors: { value: JSON.stringify(["reviewer", "deptadmin"]), type: "Json" } },
    })) as { id: string };
    const tasks = (await rest("admin", "GET", `/task?processInstanceId=${inst.id}`)) as { id: string; assignee: string; name: string }[];
    assert.deepEqual(tasks.map((t) => t.assignee).sort(), ["deptadmin", "reviewer"]);
    assert.ok(tasks.every((t) => t.name === "现场核查"));
    for (const t of tasks) await rest(t.assignee, "POST", `/task/${t.id}/complete`, {});
    const history = (await rest("admin", "GET", `/history/process-instance/${inst.id}`)) as { state: string };
    assert.equal(history.state, "COMPLETED");

    await page.goto(`/admin/instances/${inst.id}`);
    await page
      .getByTestId("instance-state")
      .filter({ hasText: /完成|结束/ })
      .waitFor();
    await shot(page, "08-multi-instance-completed");
    assert.deepEqual(problems, []);
  });

  it("a department admin opens the commitment process read-only: the reason is shown, nothing can be saved", async function () {
    const page = await context.newPage();
    await loginAs(page, "deptadmin", PASSWORD);
    await page.goto("/admin/processes/commitment/edit");
    await page.locator('[data-modeler][data-ready="true"]').waitFor({ timeout: 60000 });
    assert.match(await page.getByTestId("modeler-refusal").innerText(), /属于告知承诺，只有系统管理员可以部署/);
    assert.equal(await page.getByTestId("save-draft").count(), 0);
    assert.equal(await page.getByTestId("deploy").count(), 0);
    // The deployed diagram is drawn, with its Chinese names.
    assert.match(await page.getByTestId("modeler-canvas").innerText(), /审/);
    await shot(page, "06-read-only");
    assert.deepEqual(problems, []);
  });
});
