import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { buildUser, loginAs, type Agent } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { DECISION_FORM, publishForm, reviewProcessXml } from "./helpers.js";

const uniq = () => randomBytes(4).toString("hex");
const DAY = 24 * 60 * 60 * 1000;
const post = (agent: Agent, url: string, body: unknown) =>
  agent
    .post(url)
    .set("X-CSRF-Token", agent.csrf)
    .set("Accept", "application/json")
    .send(body as object);

describe("催办 on a task of any flow: the applicant on an overdue step, a department admin on any, once a day", () => {
  let itemCode: string;
  let processKey: string;
  let applicant: Agent;
  let deptAdmin: Agent;
  let reviewer: Agent;
  let saved: Date;

  before(async function () {
    this.timeout(30_000);
    saved = testApp().clock.now();
    const admin = await buildUser({ roles: ["dept_admin"], department: "scjgj" });
    deptAdmin = await loginAs(admin);
    reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    const text = { type: "textfield", key: "reason", label: "事由", input: true, validate: { required: true } };
    const startForm = await publishForm("urge-apply", [text]);
    const review = await publishForm("urge-review", DECISION_FORM);
    processKey = `urge_${uniq()}`;
    await request(testApp().app)
      .post("/engine-rest/deployment/create")
      .auth(admin.username, admin.password)
      .attach("data", Buffer.from(reviewProcessXml(processKey, { review, correct: startForm }, "scjgj", "P1D")), {
        filename: "p.bpmn",
        contentType: "application/octet-stream",
      })
      .expect(200);
    itemCode = `urge-${uniq()}`;
    await post(deptAdmin, "/api/catalog", {
      itemCode,
      kind: "generic",
      name: "催办测试事项",
      legalBasis: "依据",
      noticeContent: "指南",
      formKey: startForm,
      processKey,
      reviewDays: 1,
    }).expect(201);
    await post(deptAdmin, `/api/catalog/${itemCode}/publish`, {}).expect(200);
  });
  after(() => testApp().clock.set(saved));

  it("refuses before the deadline, accepts after it, once a day; the holder sees it in the inbox and on the task page", async () => {
    const started = await post(applicant, "/api/cases", { itemCode, data: { reason: "测试" } }).expect(201);
    const code = String(started.body.data.code);
    const inbox = await reviewer.get(`/api/inbox?processKey=${processKey}&counts=0&pageSize=100`).expect(200);
    const row = (inbox.body.data as { taskId: string; urged: boolean; case: { code: string } }[]).find((r) => r.case.code === code)!;
    assert.equal(row.urged, false);
    const early = await post(applicant, `/api/tasks/${row.taskId}/urge`, { message: "请尽快" }).expect(403);
    assert.match(early.body.error.message, /办理时限未到/);
    const stranger = await loginAs(await buildUser({ roles: ["applicant"] }));
    testApp().clock.set(new Date(saved.getTime() + 2 * DAY));
    await post(stranger, `/api/tasks/${row.taskId}/urge`, {}).expect(404);
    const outsider = await loginAs(await buildUser({ roles: ["dept_admin"], department: "zjj" }));
    await post(outsider, `/api/tasks/${row.taskId}/urge`, {}).expect(404);
    await post(applicant, `/api/tasks/${row.taskId}/urge`, { message: "已超期两天，请尽快办理" }).expect(201);
    const again = await post(applicant, `/api/tasks/${row.taskId}/urge`, { message: "再催" }).expect(429);
    assert.match(again.body.error.message, /今天已经催办过/);
    // The department admin (a supervisor) may urge too, independently.
    await post(deptAdmin, `/api/tasks/${row.taskId}/urge`, {}).expect(201);
    const entry = await AuditEntry.findOne({ where: { action: "task.urged", entityId: row.taskId }, order: [["id", "ASC"]] });
    assert.ok(entry && entry.actor !== "system");

    const after = await reviewer.get(`/api/inbox?processKey=${processKey}&counts=0&pageSize=100`).expect(200);
    assert.equal((after.body.data as { taskId: string; urged: boolean }[]).find((r) => r.taskId === row.taskId)?.urged, true);
    const page = await reviewer.get(`/tasks/${row.taskId}`).expect(200);
    assert.match(page.text, /此任务被催办/);
    assert.match(page.text, /已超期两天，请尽快办理/);
    const casePage = await applicant.get(`/my/cases/${code}`).expect(200);
    assert.match(casePage.text, /催办/);
    assert.doesNotMatch(casePage.text, /data-testid="urge"/, "already urged today: no button");
  });
});
