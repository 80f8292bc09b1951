import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { buildUser, loginAs, type Agent } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { DECISION_FORM, publishForm, reviewProcessXml } from "./helpers.js";

const uniq = () => randomBytes(4).toString("hex");
const text = (key: string, label: string) => ({ type: "textfield", key, label, input: true, validate: { required: true } });

describe("a 通用事项 through the pages: published from /admin/catalog, applied for on the portal, worked on /tasks", () => {
  let processKey: string;
  let startForm: string;
  let deptAdmin: Agent;

  before(async function () {
    this.timeout(30_000);
    const admin = await buildUser({ roles: ["dept_admin"], department: "scjgj" });
    deptAdmin = await loginAs(admin);
    startForm = await publishForm("page-apply", [text("reason", "申请事由")]);
    const review = await publishForm("page-review", DECISION_FORM);
    const correct = await publishForm("page-correct", [text("reason", "申请事由")]);
    processKey = `page_${uniq()}`;
    await request(testApp().app)
      .post("/engine-rest/deployment/create")
      .auth(admin.username, admin.password)
      .attach("data", Buffer.from(reviewProcessXml(processKey, { review, correct })), {
        filename: "p.bpmn",
        contentType: "application/octet-stream",
      })
      .expect(200);
  });

  it("offers deployed processes and published forms, refuses a missing process in Chinese, and publishes", async function () {
    this.timeout(30_000);
    const page = await deptAdmin.get("/admin/catalog/new?kind=generic").expect(200);
    assert.match(page.text, /新建通用事项/);
    assert.ok(page.text.includes(`value="${processKey}"`), "the deployed process is offered");
    assert.ok(!page.text.includes('value="commitment"'), "the commitment process belongs to its module");
    assert.doesNotMatch(page.text, /信用承诺书模板/);
    const itemCode = `page-${uniq()}`;
    const body = {
      _csrf: deptAdmin.csrf,
      kind: "generic",
      itemCode,
      name: "页面通用事项",
      legalBasis: "依据",
      noticeContent: "指南内容",
      formKey: startForm,
      reviewDays: "3",
    };
    const refused = await deptAdmin
      .post("/admin/catalog")
      .type("form")
      .send({ ...body, processKey: "" })
      .expect(400);
    assert.match(refused.text, /请选择办理流程/);
    await deptAdmin
      .post("/admin/catalog")
      .type("form")
      .send({ ...body, processKey })
      .expect(303);
    await deptAdmin.post(`/admin/catalog/${itemCode}/publish`).type("form").send({ _csrf: deptAdmin.csrf }).expect(303);
    const list = await deptAdmin.get("/admin/catalog").expect(200);
    assert.match(list.text, new RegExp(`页面通用事项</a></td>\\s*<td class="small">通用事项</td>`));

    // The applicant: 办事指南 -> 我要办理 -> the start form -> submitted -> its case page.
    const applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    const item = await applicant.get(`/catalog/${itemCode}`).expect(200);
    assert.match(item.text, /我要办理/);
    assert.ok(item.text.includes(`/catalog/${itemCode}/start`));
    await applicant.get(`/catalog/${itemCode}/apply`).expect(303);
    const start = await applicant.get(`/catalog/${itemCode}/start`).expect(200);
    assert.match(start.text, /data-form-url="\/catalog\/[^"]+\/form.json"/);
    const missing = await applicant
      .post(`/catalog/${itemCode}/start`)
      .set("X-CSRF-Token", applicant.csrf)
      .set("Accept", "application/json")
      .send({ data: {} })
      .expect(400);
    assert.ok(missing.body.error.details.some((d: { path: string }) => d.path === "reason"));
    const sent = await applicant
      .post(`/catalog/${itemCode}/start`)
      .set("X-CSRF-Token", applicant.csrf)
      .set("Accept", "application/json")
      .send({ data: { reason: "测试" } })
      .expect(200);
    const code = String(sent.body.data.code);
    assert.equal(sent.body.redirect, `/my/cases/${code}`);
    const casePage = await applicant.get(`/my/cases/${code}`).expect(200);
    assert.match(casePage.text, /办理中：部门审核/);
    assert.equal((casePage.text.match(/data-testid="case-form"/g) ?? []).length, 1);
    const diagram = await applicant.get(`/my/cases/${code}/diagram.json`).expect(200);
    assert.deepEqual(diagram.body.current, ["review"]);
    const mine = await applicant.get("/my/cases").expect(200);
    assert.ok(mine.text.includes(code));
    // Another applicant sees nothing of it.
    const other = await loginAs(await buildUser({ roles: ["applicant"] }));
    await other.get(`/my/cases/${code}`).expect(404);
    await other.get(`/my/cases/${code}/diagram.json`).expect(404);

    // The reviewer: the inbox row, the task page with the case's forms, the diagram, the decision form.
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const inbox = await reviewer.get(`/tasks?item=${itemCode}`).expect(200);
    assert.ok(inbox.text.includes(code), "the case is in the inbox, filtered by its item");
    const api = await reviewer.get(`/api/inbox?processKey=${processKey}`).expect(200);
    const taskId = (api.body.data as { taskId: string; case: { code: string } }[]).find((r) => r.case.code === code)!.taskId;
    const taskPage = await reviewer.get(`/tasks/${taskId}`).expect(200);
    assert.match(taskPage.text, /部门审核：页面通用事项/);
    assert.match(taskPage.text, /data-testid="case-forms"/);
    assert.ok(taskPage.text.includes(`/tasks/${taskId}/case-forms/1.json`));
    const form = await reviewer.get(`/tasks/${taskId}/case-forms/1.json`).expect(200);
    assert.equal(form.body.data.key ?? form.body.data.formKey ?? startForm, startForm);
    await reviewer.get(`/tasks/${taskId}/case-forms/9.json`).expect(404);
    const taskDiagram = await reviewer.get(`/tasks/${taskId}/diagram.json`).expect(200);
    assert.deepEqual(taskDiagram.body.current, ["review"]);
    const done = await reviewer
      .post(`/tasks/${taskId}/complete`)
      .set("X-CSRF-Token", reviewer.csrf)
      .set("Accept", "application/json")
      .send({ data: { decision: "return" } })
      .expect(200);
    assert.match(String(done.body.redirect), /^\/tasks/);

    // Back on the applicant's case: its own 补正 task with its form; answering it sends the case back to review.
    const back = await applicant.get(`/my/cases/${code}`).expect(200);
    assert.match(back.text, /需要您办理：补正材料/);
    const listed = await applicant.get("/my/cases").expect(200);
    assert.match(listed.text, /需要您办理：补正材料/);
    const taskUrl = /data-submit-url="(\/my\/cases\/[^"]+\/complete)"/.exec(back.text)![1]!;
    await applicant.post(taskUrl).set("X-CSRF-Token", applicant.csrf).set("Accept", "application/json").send({ data: {} }).expect(400);
    await applicant
      .post(taskUrl)
      .set("X-CSRF-Token", applicant.csrf)
      .set("Accept", "application/json")
      .send({ data: { reason: "补充后的事由" } })
      .expect(200);
    const after = await applicant.get(`/my/cases/${code}`).expect(200);
    assert.match(after.text, /办理中：部门审核/);
    assert.doesNotMatch(after.text, /需要您办理/);
  });
});

describe("the inbox page filters by kind of case", () => {
  it("lists the 通用事项 task (left open above) under 通用事项 and not under 告知承诺", async () => {
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const page = await reviewer.get("/tasks").expect(200);
    assert.match(page.text, /<option value="generic">通用事项<\/option>/);
    const api = await reviewer.get("/api/inbox?kind=commitment&counts=0").expect(200);
    for (const row of api.body.data as { case: { kind: string } }[]) assert.equal(row.case.kind, "commitment");
    const generic = await reviewer.get("/api/inbox?kind=generic&counts=0&pageSize=100").expect(200);
    const genericRows = generic.body.data as { case: { kind: string; code: string } }[];
    assert.ok(genericRows.length >= 1, "the case left in 部门审核 above is listed");
    for (const row of genericRows) assert.equal(row.case.kind, "generic");
    const commitmentCodes = new Set((api.body.data as { case: { code: string } }[]).map((r) => r.case.code));
    assert.ok(genericRows.every((r) => !commitmentCodes.has(r.case.code)));
    const filtered = await reviewer.get("/tasks?kind=generic").expect(200);
    assert.match(filtered.text, /<option value="generic" selected>通用事项<\/option>/);
  });
});
