import assert from "node:assert/strict";
import request from "supertest";
import { startInspectionsForDraw } from "../../server/domain/supervision/inspections/startInspections.js";
import { completeUserTask } from "../../server/domain/tasks/completeTask.js";
import { buildSubject, buildUser, loginAs, type Agent } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { ensureShippedForms } from "../domain/commitments/fixtures.js";
import { buildConfirmedDraw, deps, inspectionOf } from "../domain/supervision/inspections/fixtures.js";
import { uploadProof } from "./repair/fixtures.js";

const post = (agent: Agent, url: string, body: unknown) =>
  agent
    .post(url)
    .set("X-CSRF-Token", agent.csrf)
    .set("Accept", "application/json")
    .send(body as object);

const anonymous = () => request(testApp().app);

describe("supervision inspection pages and API", function () {
  this.timeout(60_000);
  before(ensureShippedForms);

  it("inspectors find the 检查 task in their inbox, open it and complete it; the result is public only once published", async () => {
    const world = await buildConfirmedDraw(2);
    const [first, second] = await startInspectionsForDraw(deps(), world.drawId, world.admin);
    const inspector = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    // The drawn inspectors are accounts built by the fixture with the test password.
    const agent = await loginAs({ id: world.inspectors[0]!.id, username: world.inspectors[0]!.username, password: "Test@12345" });
    const inbox = await agent.get("/api/inbox?processKey=supervision").expect(200);
    const rows = inbox.body.data as { taskId: string; taskName: string; case: { code: string; status: string } }[];
    const row = rows.find((r) => r.case.code === first!.caseNumber);
    assert.ok(row, "the 检查 task is in the drawn inspector's inbox");
    assert.equal(row.taskName, "检查");
    assert.equal(row.case.status, "待检查");
    const page = await agent.get(`/tasks/${row.taskId}`).expect(200);
    // The case's first form says what the inspectors are sent to do: plan, items, inspectors, due day.
    assert.match(page.text, /检查任务/);
    // Another reviewer of the department, not drawn, does not see it.
    const outsider = await loginAs(inspector);
    const theirs = (await outsider.get("/api/inbox?processKey=supervision").expect(200)).body.data as { case: { code: string } }[];
    assert.ok(!theirs.some((r) => r.case.code === first!.caseNumber));

    const subjectName = world.subjects[0]!.name;
    const before = await anonymous()
      .get(`/api/public/supervision/results?q=${encodeURIComponent(subjectName)}`)
      .expect(200);
    assert.equal(before.body.data.length, 0);
    const bad = await post(agent, `/api/tasks/${row.taskId}/complete`, { data: { findings: "", result: "none" } }).expect(400);
    assert.match(bad.body.error.message + JSON.stringify(bad.body.error.details), /检查情况/);
    await post(agent, `/api/tasks/${row.taskId}/complete`, { data: { findings: "现场检查未发现问题", result: "none" } }).expect(200);
    // The second inspector's own task is still open: nothing is published before both have concluded.
    const halfway = await anonymous()
      .get(`/api/public/supervision/results?q=${encodeURIComponent(subjectName)}`)
      .expect(200);
    assert.equal(halfway.body.data.length, 0);
    const agent2 = await loginAs({ id: world.inspectors[1]!.id, username: world.inspectors[1]!.username, password: "Test@12345" });
    const row2 = (
      (await agent2.get("/api/inbox?processKey=supervision").expect(200)).body.data as { taskId: string; case: { code: string } }[]
    ).find((r) => r.case.code === first!.caseNumber);
    assert.ok(row2);
    await post(agent2, `/api/tasks/${row2.taskId}/complete`, { data: { findings: "同意", result: "none" } }).expect(200);
    const after = await anonymous()
      .get(`/api/public/supervision/results?q=${encodeURIComponent(subjectName)}`)
      .expect(200);
    assert.equal(after.body.data.length, 1);
    assert.equal(after.body.data[0].result, "未发现问题");
    assert.equal(after.body.data[0].items, "食品经营许可事项检查");
    const html = await anonymous()
      .get(`/public/supervision/results?q=${encodeURIComponent(subjectName)}`)
      .expect(200);
    assert.match(html.text, new RegExp(subjectName));
    assert.match(html.text, /未发现问题/);
    // The second target, not yet inspected, is not shown.
    const other = await anonymous()
      .get(`/api/public/supervision/results?q=${encodeURIComponent(world.subjects[1]!.name)}`)
      .expect(200);
    assert.equal(other.body.data.length, 0);
    assert.ok(second);
  });

  it("shows the subject's applicant the rectification order on 我的办件 and the case page", async () => {
    const world = await buildConfirmedDraw(1);
    const applicant = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [world.subjects[0]!.id] }));
    const [one] = await startInspectionsForDraw(deps(), world.drawId, world.admin);
    for (const inspector of world.inspectors) {
      const [task] = (await deps().engine.findTasks({ businessKey: one!.caseNumber, taskDefinitionKey: "inspectTask" })).filter(
        (x) => x.assignee === inspector.username,
      );
      await completeUserTask(deps(), {
        actor: inspector,
        taskId: task!.id,
        data: { findings: "消防通道堵塞", result: "rectify", rectifyOrder: "七日内清理消防通道", rectifyDeadline: "2099-12-31" },
      });
    }
    const list = await applicant.get("/my/cases").expect(200);
    assert.match(list.text, new RegExp(one!.caseNumber));
    assert.match(list.text, /责令整改中（待复查）/);
    assert.match(list.text, /监管检查/);
    const page = await applicant.get(`/my/cases/${one!.caseNumber}`).expect(200);
    assert.match(page.text, /责令整改中（待复查）/);
    // The inspectors' forms are on the case page, read-only: the order and its deadline among them.
    assert.match(page.text, /七日内清理消防通道/);
    assert.match(page.text, /2099-12-31/);
  });

  it("keeps evidence uploaded with the inspection readable by the department's staff only", async () => {
    const inspectorUser = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    const inspector = await loginAs(inspectorUser);
    const subject = await buildSubject();
    const created = await post(inspector, "/api/supervision/inspections", {
      origin: "complaint",
      subjectCode: subject.code,
      reason: "投诉：无证经营",
      inspectors: [inspectorUser.username],
    }).expect(201);
    const { id, value } = await uploadProof(inspector, "现场检查笔录.pdf");
    const [task] = await deps().engine.findTasks({ businessKey: created.body.data.caseNumber, taskDefinitionKey: "inspectTask" });
    await post(inspector, `/api/tasks/${task!.id}/complete`, {
      data: { findings: "现场检查，未发现问题", result: "none", evidence: value },
    }).expect(200);
    const colleague = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    await colleague.get(`/api/uploads/${id}`).expect(200);
    const elsewhere = await loginAs(await buildUser({ roles: ["reviewer"], department: "zjj" }));
    await elsewhere.get(`/api/uploads/${id}`).expect(404);
  });

  it("shows an empty state when nothing matches", async () => {
    const res = await anonymous().get("/public/supervision/results?q=不存在的主体名称xyz").expect(200);
    assert.match(res.text, /暂无符合条件的已公开检查结果/);
  });

  it("staff start a triggered inspection of any subject from the page and /api; applicants may not; bad input is a Chinese 400", async () => {
    const staffUser = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    const staff = await loginAs(staffUser);
    const subject = await buildSubject();
    const page = await staff.get("/supervision/inspections/new").expect(200);
    assert.match(page.text, /投诉举报/);
    assert.match(page.text, new RegExp(staffUser.username));
    const missing = await post(staff, "/api/supervision/inspections", {
      origin: "complaint",
      subjectCode: subject.code,
      reason: "",
      inspectors: [staffUser.username],
    }).expect(400);
    assert.equal(missing.body.error.details[0].path, "reason");
    const created = await post(staff, "/api/supervision/inspections", {
      origin: "complaint",
      subjectCode: subject.code,
      reason: "12315 投诉：销售过期食品",
      inspectors: [staffUser.username],
    }).expect(201);
    const row = await inspectionOf(created.body.data.caseNumber);
    assert.equal(row.origin, "complaint");
    // The form posts and comes back with the flash.
    const form = await staff
      .post("/supervision/inspections")
      .type("form")
      .send({ _csrf: staff.csrf, origin: "bigdata", subjectCode: subject.code, reason: "监测发现异常", inspectors: staffUser.username })
      .expect(303);
    assert.equal(form.headers.location, "/supervision/inspections/new");
    const refused = await staff
      .post("/supervision/inspections")
      .type("form")
      .send({ _csrf: staff.csrf, origin: "bigdata", subjectCode: "NOPE", reason: "x", inspectors: staffUser.username })
      .expect(400);
    assert.match(refused.text, /找不到检查对象|没有统一社会信用代码/);
    const applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    await post(applicant, "/api/supervision/inspections", {
      origin: "complaint",
      subjectCode: subject.code,
      reason: "x",
      inspectors: [],
    }).expect(403);
    await applicant.get("/supervision/verifications").expect(403);
  });

  it("the due 核查 page shows an empty state; the reports page draws charts from local ECharts and exports CSV", async () => {
    const officer = await loginAs(await buildUser({ roles: ["dept_admin", "reviewer"], department: "zjj" }));
    const due = await officer.get("/supervision/verifications").expect(200);
    assert.match(due.text, /没有到期待核查的告知承诺|due-verifications/);
    const world = await buildConfirmedDraw(2);
    const [one] = await startInspectionsForDraw(deps(), world.drawId, world.admin);
    const admin = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const json = await admin.get("/api/supervision/reports?year=2026").expect(200);
    const planRow = (json.body.data as { planId: number; drawn: Record<string, number>; inspections: number; open: number }[]).find(
      (r) => r.planId === world.planId,
    );
    assert.ok(planRow);
    assert.equal(planRow.drawn.C, 2);
    assert.equal(planRow.inspections, 2);
    assert.equal(planRow.open, 2);
    const page = await admin.get("/admin/supervision/reports?year=2026").expect(200);
    assert.match(page.text, /\/vendor\/echarts\/echarts\.min\.js/);
    assert.match(page.text, /data-chart="coverage"/);
    const asset = await anonymous().get("/vendor/echarts/echarts.min.js").expect(200);
    assert.ok(asset.text.length > 100_000);
    const csv = await admin.get("/admin/supervision/reports?year=2026&format=csv").expect(200);
    assert.match(String(csv.headers["content-type"]), /text\/csv/);
    assert.ok(csv.text.startsWith("\uFEFF部门,抽查计划,年度"));
    assert.match(csv.text, new RegExp(`测试抽查计划`));
    // A department's staff read their own department only; applicants not at all.
    const zjj = (await officer.get("/api/supervision/reports?year=2026").expect(200)).body.data as { planId: number }[];
    assert.ok(!zjj.some((r) => r.planId === world.planId));
    const applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    await applicant.get("/api/supervision/reports").set("Accept", "application/json").expect(403);
    assert.ok(one);
  });
});
