import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { publishFormRevision, saveFormRevision } from "../../server/forms/index.js";
import { Case } from "../../server/db/models/Case.js";
import { launchBrowser, loginAs, logout, newContext, screenshot, watchProblems } from "./helpers/browser.js";
import { formReady } from "./helpers/cases.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";
const KEY = "e2e_three_steps";
const ITEM = "scjgj-e2e-three-steps";

const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="defs-${KEY}" targetNamespace="http://example.com/${KEY}">
  <bpmn:process id="${KEY}" name="三级审核" isExecutable="true">
    <bpmn:startEvent id="start" name="提交申请" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first" />
    <bpmn:userTask id="first" name="初审" camunda:candidateGroups="scjgj" camunda:formKey="e2e-step" />
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second" />
    <bpmn:userTask id="second" name="复审" camunda:candidateGroups="scjgj" camunda:formKey="e2e-step" />
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="third" />
    <bpmn:userTask id="third" name="终审" camunda:candidateGroups="scjgj" camunda:formKey="e2e-step" />
    <bpmn:sequenceFlow id="f4" sourceRef="third" targetRef="done" />
    <bpmn:endEvent id="done" name="办结" />
  </bpmn:process>
</bpmn:definitions>`;

/** Every form on the page has loaded and the diagram has answered (drawn, or said that this BPMN has no diagram). */
async function pageSettled(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("[data-form-renderer]")].every((el) => !!(el as unknown as { xyForm?: unknown }).xyForm) &&
      !!document.querySelector('[data-testid="diagram"][data-rendered="true"], [data-viewer-error]:not(.d-none)'),
  );
}

/** 转办, 加签, 抄送, 退回 two steps back and 撤回 in Chromium, on a 通用事项 with three review steps published here. */
describe("browser: reviewer actions — 转办, 前加签, 抄送, 退回 two steps, 撤回", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[] = [];

  const api = async (method: string, path: string, as: string, body?: unknown) => {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Basic ${Buffer.from(`${as}:${PASSWORD}`).toString("base64")}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const apply = async (reason: string) => {
    const started = (await api("POST", "/api/cases", "applicant", { itemCode: ITEM, data: { reason } })).data as {
      code: string;
      processInstanceId: string;
    };
    return started;
  };
  const openTask = async (instanceId: string) => {
    const tasks = (await api("GET", `/engine-rest/task?processInstanceId=${instanceId}`, "deptadmin")) as unknown as {
      id: string;
      taskDefinitionKey: string;
    }[];
    return tasks[0]!;
  };
  const decideByApi = async (instanceId: string, as: string, opinion: string) => {
    const task = await openTask(instanceId);
    await api("POST", `/engine-rest/task/${task.id}/claim`, as, { userId: as });
    await api("POST", `/api/tasks/${task.id}/complete`, as, { data: { opinion } });
  };

  before(async function () {
    this.timeout(180_000);
    server = await startServer();
    for (const [key, title, components] of [
      ["e2e-apply", "三级审核申请", [{ type: "textfield", key: "reason", label: "事由", input: true, validate: { required: true } }]],
      [
        "e2e-step",
        "审核",
        [
          { type: "textarea", key: "opinion", label: "审核意见", input: true, rows: 3 },
          { type: "button", key: "submit", label: "提交", action: "submit", input: true },
        ],
      ],
    ] as const) {
      const saved = await saveFormRevision(server.db, {
        formKey: key,
        title,
        definition: { display: "form", components: [...components] },
        actor: "deptadmin",
      });
      await publishFormRevision(server.db, key, saved.revision, "deptadmin");
    }
    const body = new FormData();
    body.append("data", new Blob([xml], { type: "application/octet-stream" }), `${KEY}.bpmn`);
    const deployed = await fetch(`${server.baseUrl}/engine-rest/deployment/create`, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from(`deptadmin:${PASSWORD}`).toString("base64")}` },
      body,
    });
    assert.equal(deployed.status, 200, await deployed.text());
    await api("POST", "/api/catalog", "deptadmin", {
      itemCode: ITEM,
      kind: "generic",
      name: "三级审核测试事项",
      legalBasis: "依据",
      noticeContent: "指南",
      formKey: "e2e-apply",
      processKey: KEY,
      reviewDays: 3,
    });
    await api("POST", `/api/catalog/${ITEM}/publish`, "deptadmin", {});
    browser = await launchBrowser();
    context = await newContext(browser, server.baseUrl);
    problems = watchProblems(context);
    page = await context.newPage();
    page.on("dialog", (d) => void d.accept());
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed") {
      await screenshot(page, `reviewer-actions-failed-${this.currentTest.title.slice(0, 12)}`);
      console.log(page.url(), problems);
    }
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("转办 to a colleague, who adds a signer before; the signer approves, the colleague approves, a CC recipient reads it", async function () {
    this.timeout(180_000);
    const { code, processInstanceId } = await apply("转办与加签");
    const taskId = (await openTask(processInstanceId)).id;

    // The reviewer claims the task and transfers it to the department admin, with a reason.
    await loginAs(page, "reviewer", PASSWORD);
    await page.goto("/tasks");
    await page.locator(`tr[data-code="${code}"]`).waitFor();
    await page.goto(`/tasks/${taskId}`);
    await Promise.all([page.waitForLoadState("load"), page.getByTestId("claim").click()]);
    await page.getByTestId("reassign").locator("summary").click();
    await page.getByLabel("交给").selectOption({ value: "deptadmin" });
    await page.getByLabel("原因").fill("本人下乡核查，请代为审核");
    await screenshot(page, "reviewer-actions-01-transfer");
    await Promise.all([
      page.waitForURL((u) => u.pathname === "/tasks"),
      page.getByRole("button", { name: "转办（交由对方办理）" }).click(),
    ]);
    await logout(page);

    // The colleague adds the reviewer as a signer before it (前加签) and copies the case to another department.
    await loginAs(page, "deptadmin", PASSWORD);
    await page.getByTestId("message-bell").waitFor();
    await page.goto(`/tasks/${taskId}`);
    await page.getByTestId("add-signers").locator("summary").click();
    await page.getByLabel("加签人（本部门同事，可多选）").selectOption({ value: "reviewer" });
    await page.getByLabel("前加签：加签人先审批，之后我再决定").check();
    await page.getByLabel("说明").fill("请先核实现场情况");
    await Promise.all([page.waitForLoadState("load"), page.getByTestId("add-signers-submit").click()]);
    await page.getByTestId("sign-state").getByText("待审批").waitFor();
    await page.getByTestId("copy").locator("summary").click();
    await page.getByLabel("抄送人（用户名，多个用逗号分隔）").fill("reviewer2");
    await page.getByLabel("附言").fill("请住建局知悉");
    await Promise.all([page.waitForLoadState("load"), page.getByTestId("copy-submit").click()]);
    await pageSettled(page);
    await screenshot(page, "reviewer-actions-02-signer-added");
    await logout(page);

    // The signer keeps a 常用意见, finds the request in the inbox, picks the opinion and approves.
    await loginAs(page, "reviewer", PASSWORD);
    await page.goto("/opinions");
    await page.getByLabel("新的常用意见").fill("现场核实无误，同意。");
    await Promise.all([page.waitForLoadState("load"), page.getByTestId("add-opinion").click()]);
    await page.goto("/tasks");
    const request = page.getByTestId("sign-requests").getByRole("link", { name: new RegExp(code) });
    await Promise.all([page.waitForURL(/\/signs\/\d+$/), request.click()]);
    await page.getByLabel("常用意见").selectOption({ label: "现场核实无误，同意。" });
    assert.equal(await page.getByLabel("审批意见").inputValue(), "现场核实无误，同意。");
    await pageSettled(page);
    await screenshot(page, "reviewer-actions-03-sign");
    await Promise.all([page.waitForURL((u) => u.pathname === "/tasks"), page.getByTestId("sign-approve").click()]);
    await logout(page);

    // The colleague now decides the step.
    await loginAs(page, "deptadmin", PASSWORD);
    await page.goto(`/tasks/${taskId}`);
    await formReady(page, '[data-testid="decision"] [data-form-renderer]');
    assert.equal(await page.getByTestId("sign-state").count(), 0);
    assert.match(await page.getByTestId("signers").innerText(), /同意/);
    await page.getByTestId("decision").getByLabel("审核意见").fill("经审核，材料齐全，同意。");
    await page.waitForTimeout(300); // Form.io debounces its change event
    await screenshot(page, "reviewer-actions-04-decide");
    await Promise.all([
      page.waitForURL((u) => u.pathname !== `/tasks/${taskId}`),
      page.getByTestId("decision").getByRole("button", { name: "提交" }).click(),
    ]);
    assert.match((await Case.findOne({ where: { businessKey: code } }))!.status, /复审/);
    await logout(page);

    // The CC recipient (another department) reads the case, its timeline and nothing to act on.
    await loginAs(page, "reviewer2", PASSWORD);
    await page.goto("/cc");
    await Promise.all([
      page.waitForURL(/\/cc\/\d+$/),
      page
        .getByRole("link", { name: new RegExp(code) })
        .first()
        .click(),
    ]);
    await page.getByTestId("cc-note").waitFor();
    assert.equal(await page.getByTestId("decision").count(), 0);
    await page.getByRole("tab", { name: "办理记录" }).click();
    const timeline = await page.getByTestId("timeline").innerText();
    assert.match(timeline, /转办“初审”给 赵管理/);
    assert.match(timeline, /前加签：请 \S+ 审批“初审”/);
    assert.match(timeline, /现场核实无误，同意。/);
    await pageSettled(page);
    await screenshot(page, "reviewer-actions-05-cc-read-only");
    await logout(page);
  });

  it("returns a case two steps back; it is approved on resubmission", async function () {
    this.timeout(180_000);
    const { code, processInstanceId } = await apply("退回两步");
    await decideByApi(processInstanceId, "reviewer", "初审同意");
    await decideByApi(processInstanceId, "reviewer", "复审同意");
    const third = await openTask(processInstanceId);
    assert.equal(third.taskDefinitionKey, "third");

    await loginAs(page, "deptadmin", PASSWORD);
    await page.goto(`/tasks/${third.id}`);
    await Promise.all([page.waitForLoadState("load"), page.getByTestId("claim").click()]);
    await page.getByTestId("return").locator("summary").click();
    await page.getByLabel("退回到").selectOption({ value: "first" });
    await page.getByLabel("退回原因（被退回的人会看到）").fill("营业执照经营范围与申请不符，请重新初审");
    await screenshot(page, "reviewer-actions-06-return");
    await Promise.all([page.waitForURL((u) => u.pathname === "/tasks"), page.getByTestId("return-submit").click()]);
    await logout(page);

    // The one who did 初审 finds it back in its inbox with the reason, and resubmits.
    await loginAs(page, "reviewer", PASSWORD);
    assert.ok(Number(await page.getByTestId("unread-badge").innerText()) > 0);
    await page.goto("/messages");
    await page
      .getByTestId("messages")
      .getByText(/被退回到「初审」/)
      .first()
      .waitFor();
    await screenshot(page, "reviewer-actions-07-messages");
    const back = await openTask(processInstanceId);
    await page.goto(`/tasks/${back.id}`);
    assert.match(await page.getByTestId("return-reason").innerText(), /经营范围与申请不符/);
    await formReady(page, '[data-testid="decision"] [data-form-renderer]');
    await page.getByTestId("decision").getByLabel("审核意见").fill("已重新核对经营范围，同意。");
    await page.waitForTimeout(300);
    await pageSettled(page);
    await screenshot(page, "reviewer-actions-08-returned-task");
    await Promise.all([
      page.waitForURL((u) => u.pathname !== `/tasks/${back.id}`),
      page.getByTestId("decision").getByRole("button", { name: "提交" }).click(),
    ]);
    await logout(page);
    await decideByApi(processInstanceId, "reviewer", "复审同意");
    await decideByApi(processInstanceId, "deptadmin", "终审同意");

    await loginAs(page, "applicant", PASSWORD);
    await page.goto(`/my/cases/${code}`);
    await page.getByTestId("case-status").getByText("已办结").waitFor();
    assert.match((await page.getByTestId("timeline").textContent()) ?? "", /退回到“初审”/);
    await pageSettled(page);
    await screenshot(page, "reviewer-actions-09-case-done");
    await page.goto(`/cases/${code}/print`);
    assert.match(await page.getByTestId("print-opinions").innerText(), /终审同意/);
    await screenshot(page, "reviewer-actions-10-print");
    await logout(page);
  });

  it("lets the applicant withdraw a third case before anyone decides", async function () {
    this.timeout(120_000);
    const { code } = await apply("撤回");
    await loginAs(page, "applicant", PASSWORD);
    await page.goto(`/my/cases/${code}`);
    await page.getByTestId("withdraw").locator("summary").click();
    await page.getByLabel("撤回原因").fill("材料需要重新准备");
    await Promise.all([page.waitForLoadState("load"), page.getByTestId("withdraw-submit").click()]);
    await page.getByTestId("case-status").getByText("已撤回").waitFor();
    await pageSettled(page);
    await screenshot(page, "reviewer-actions-11-withdrawn");
    assert.equal((await Case.findOne({ where: { businessKey: code } }))?.status, "已撤回");
  });
});
