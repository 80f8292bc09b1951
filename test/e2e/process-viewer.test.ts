import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext } from "playwright-core";
import { systemClock } from "../../server/clock.js";
import { createEngineRuntime, type EngineRuntime } from "../../server/engine/index.js";
import { createLogger } from "../../server/logger.js";
import { reviewProcessXml } from "../routes/admin/processFixture.js";
import { launchBrowser, loginAs, newContext, recordRequests, requestsOffHost, screenshot, watchProblems } from "./helpers/browser.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/bpmn");

describe("browser: process console diagram viewer and upload", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let requests: string[];
  let problems: string[];
  let engine: EngineRuntime;

  before(async function () {
    server = await startServer();
    // The runtime keeps nothing in memory: a second one over the same database sees what the server's sees.
    engine = createEngineRuntime({ db: server.db, clock: systemClock, logger: createLogger("silent") });
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
  });

  afterEach(async function () {
    await context?.close();
  });

  it("draws an instance's diagram with the done and current steps marked, all from this server", async function () {
    const { key, xml } = reviewProcessXml();
    const d = await engine.deploy({ name: "e2e", files: [{ name: `${key}.bpmn`, xml }], actor: "admin" });
    const inst = await engine.startProcess({
      definitionId: d.deployedProcessDefinitions[0]!.id,
      businessKey: `${key}-E2E`,
      variables: { subject: "荥阳市示范食品有限公司" },
      actor: "admin",
    });

    const page = await context.newPage();
    await loginAs(page, "admin", PASSWORD);
    await page.goto(`/admin/instances/${inst.id}`);
    const diagram = page.getByTestId("diagram");
    await diagram.locator("svg").first().waitFor();
    await page.locator('[data-bpmn-viewer][data-rendered="true"]').waitFor();

    // The svg holds the process's elements, drawn by bpmn-js.
    for (const id of ["submitted", "review", "done", "f1", "f2"]) {
      assert.equal(await diagram.locator(`svg g.djs-element[data-element-id="${id}"]`).count(), 1, `element ${id} is drawn`);
    }
    assert.match(await diagram.locator("svg").first().innerHTML(), /部门审核/);
    // Current task and completed start event carry the markers, and the marker changes how they look.
    assert.equal(await diagram.locator('g.djs-element.xy-current[data-element-id="review"]').count(), 1);
    assert.equal(await diagram.locator('g.djs-element.xy-completed[data-element-id="submitted"]').count(), 1);
    assert.equal(
      await diagram.locator('g.djs-element.xy-current[data-element-id="done"], g.djs-element.xy-completed[data-element-id="done"]').count(),
      0,
    );
    const stroke = await diagram
      .locator('g[data-element-id="review"] .djs-visual > :first-child')
      .evaluate((el) => getComputedStyle(el).stroke);
    assert.equal(stroke, "rgb(253, 126, 20)", "the current task is drawn in orange");
    assert.equal(await diagram.getAttribute("data-current"), "review");

    await screenshot(page, "process-viewer-instance");
    assert.deepEqual(requestsOffHost(requests, server.host), [], "no request leaves the server's host");
    assert.ok(requests.some((u) => u.includes("/vendor/bpmn-js/bpmn-viewer.production.min.js")));
    assert.deepEqual(problems, []);
  });

  it("uploads a .bpmn file: a refused file shows element-level errors and stays selected; a good one deploys", async function () {
    const page = await context.newPage();
    await loginAs(page, "admin", PASSWORD);
    await page.goto("/admin/processes");
    const dir = mkdtempSync(path.join(os.tmpdir(), "xy-upload-"));
    const evil = path.join(dir, "evil-process.bpmn");
    writeFileSync(evil, readFileSync(path.join(FIXTURES, "hostile-script-task.bpmn"), "utf8").replaceAll("test-", `e2e${Date.now()}-`));
    await page.locator("#bpmn-file").setInputFiles(evil);
    await page.getByRole("button", { name: "上传并部署" }).click();
    const result = page.getByTestId("upload-result");
    await result.locator(".alert-danger").waitFor();
    const text = await result.innerText();
    assert.match(text, /evil-process\.bpmn 未通过校验，没有部署/);
    assert.match(text, /evil/, "the script task's id is named");
    assert.equal(
      await page.locator("#bpmn-file").evaluate((el) => (el as HTMLInputElement).files?.[0]?.name),
      "evil-process.bpmn",
      "the chosen file is kept",
    );
    await screenshot(page, "process-upload-refused");

    const good = reviewProcessXml();
    const goodFile = path.join(dir, `${good.key}.bpmn`);
    writeFileSync(goodFile, good.xml);
    await page.locator("#bpmn-file").setInputFiles(goodFile);
    await page.getByRole("button", { name: "上传并部署" }).click();
    await result.locator(".alert-success").waitFor();
    assert.match(await result.innerText(), new RegExp(`${good.key}）版本 1`));
    await page.getByRole("link", { name: "刷新列表" }).click();
    await page.locator(`tr[data-key="${good.key}"]`).waitFor();
    // The definition page draws the new process.
    await page.locator(`tr[data-key="${good.key}"] a`).first().click();
    await page.locator('[data-bpmn-viewer][data-rendered="true"]').waitFor();
    assert.equal(await page.locator('svg g.djs-element[data-element-id="review"]').count(), 1);
    await screenshot(page, "process-definition");
    assert.deepEqual(requestsOffHost(requests, server.host), []);
    // The refused upload answers 400 by design; nothing else may fail.
    assert.deepEqual(
      problems.filter((p) => !/^400 POST .*\/admin\/processes\/deployments$/.test(p) && !/status of 400/.test(p)),
      [],
    );
  });
});
