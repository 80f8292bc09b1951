import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { Case } from "../../../server/db/models/Case.js";
import { bootShippedCatalog } from "../../../server/domain/catalog/seedCatalog.js";
import { ensureShippedForms } from "../../domain/commitments/fixtures.js";
import { buildSubject, buildUser, loginAs, type Agent, type TestUser } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { DECISION_FORM, publishForm, reviewProcessXml } from "./helpers.js";

const uniq = () => randomBytes(4).toString("hex");

const text = (key: string, label: string, required = true) => ({ type: "textfield", key, label, input: true, validate: { required } });

const post = (agent: Agent, url: string, body: unknown) =>
  agent
    .post(url)
    .set("X-CSRF-Token", agent.csrf)
    .send(body as object);

describe("a generic flow with no module: deployed through /engine-rest, published as an item, run through /api", () => {
  let deptAdmin: TestUser;
  let itemCode: string;
  let processKey: string;
  let applicant: Agent;
  let reviewer: Agent;
  let reviewerUser: TestUser;
  let subjectCode: string;

  before(async function () {
    this.timeout(30_000);
    deptAdmin = await buildUser({ roles: ["dept_admin"], department: "scjgj" });
    reviewerUser = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    reviewer = await loginAs(reviewerUser);
    const subject = await buildSubject();
    subjectCode = subject.code;
    applicant = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [subject.id] }));
    const startForm = await publishForm("reissue-apply", [text("reason", "补领原因"), text("contact", "联系电话")]);
    const review = await publishForm("reissue-review", DECISION_FORM);
    const correct = await publishForm("reissue-correct", [text("reason", "补领原因"), text("note", "补正说明")]);
    processKey = `reissue_${uniq()}`;
    await request(testApp().app)
      .post("/engine-rest/deployment/create")
      .auth(deptAdmin.username, deptAdmin.password)
      .attach("data", Buffer.from(reviewProcessXml(processKey, { review, correct })), {
        filename: `${processKey}.bpmn`,
        contentType: "application/octet-stream",
      })
      .expect(200);
    itemCode = `ty-${uniq()}`;
    const admin = await loginAs(deptAdmin);
    const created = await post(admin, "/api/catalog", {
      itemCode,
      kind: "generic",
      name: "信用承诺书补领",
      legalBasis: "《荥阳市信用承诺管理办法》",
      noticeContent: "遗失或损毁已作出的信用承诺书的，可申请补领加盖印章的副本。",
      formKey: startForm,
      processKey,
      reviewDays: 5,
    }).expect(201);
    assert.equal(created.body.data.kind, "generic");
    await post(admin, `/api/catalog/${itemCode}/publish`, {}).expect(200);
  });

  const inboxTask = async (activity: string) => {
    const inbox = await reviewer.get(`/api/inbox?processKey=${processKey}&activity=${activity}`).expect(200);
    return inbox.body.data as { taskId: string; case: { code: string; kind: string; status: string; itemName: string } }[];
  };

  it("runs apply -> return -> correct -> approve with the forms' validation at every door and no code change", async function () {
    this.timeout(60_000);
    // Bad start data: 400 with the field, nothing started.
    const before = await Case.count({ where: { processKey } });
    const bad = await post(applicant, "/api/cases", { itemCode, subject: subjectCode, data: { contact: "13800000000" } }).expect(400);
    assert.ok(bad.body.error.details.some((d: { path: string }) => d.path === "reason"));
    assert.equal(await Case.count({ where: { processKey } }), before);

    const started = await post(applicant, "/api/cases", {
      itemCode,
      subject: subjectCode,
      data: { reason: "原件遗失", contact: "13800000000" },
    }).expect(201);
    const code: string = started.body.data.code;
    assert.match(code, /^TY\d{6}\d{8}\d{6}$/);
    assert.equal(started.body.data.kind, "generic");
    assert.equal(started.body.data.status, "办理中：部门审核");
    assert.equal(started.body.data.subject.code, subjectCode);

    // The reviewer's inbox shows it with its case, as for any flow.
    const [row] = await inboxTask("review");
    assert.ok(row, "the review task is in the inbox");
    assert.equal(row.case.code, code);
    assert.equal(row.case.kind, "generic");
    assert.equal(row.case.itemName, "信用承诺书补领");

    // The same missing decision gets the same refusal through /api and /engine-rest; nothing moves.
    const viaApi = await post(reviewer, `/api/tasks/${row.taskId}/complete`, { data: { opinion: "缺少决定" } }).expect(400);
    const viaRest = await request(testApp().app)
      .post(`/engine-rest/task/${row.taskId}/complete`)
      .auth(reviewerUser.username, reviewerUser.password)
      .send({ variables: { opinion: { value: "缺少决定" } } })
      .expect(400);
    assert.ok(viaApi.body.error.details.some((d: { path: string }) => d.path === "decision"));
    assert.match(JSON.stringify(viaRest.body), /decision/);
    // A reviewer of another department neither sees nor completes it.
    const outsider = await buildUser({ roles: ["reviewer"], department: "zjj" });
    await request(testApp().app)
      .post(`/engine-rest/task/${row.taskId}/complete`)
      .auth(outsider.username, outsider.password)
      .send({ variables: { decision: { value: "approve" } } })
      .expect(404);

    // Return to the applicant: the 补正 task is assigned to the initiator and shows on its case.
    await post(reviewer, `/api/tasks/${row.taskId}/complete`, { data: { decision: "return", opinion: "请写明遗失经过" } }).expect(200);
    const mine = await applicant.get(`/api/cases/${code}`).expect(200);
    assert.equal(mine.body.data.status, "办理中：补正材料");
    assert.equal(mine.body.data.myTasks.length, 1);
    const correction = mine.body.data.myTasks[0] as { id: string; name: string };
    assert.equal(correction.name, "补正材料");
    const listed = await applicant.get("/api/cases").expect(200);
    const listedRow = listed.body.data.find((c: { code: string }) => c.code === code);
    assert.deepEqual(listedRow.waitingOnMe, ["补正材料"]);
    // The reviewer cannot answer the applicant's task.
    await post(reviewer, `/api/tasks/${correction.id}/complete`, { data: { reason: "x", note: "y" } }).expect(404);
    await post(applicant, `/api/tasks/${correction.id}/complete`, { data: { note: "补充" } }).expect(400);
    await post(applicant, `/api/tasks/${correction.id}/complete`, { data: { reason: "原件于搬迁时遗失", note: "已登报声明" } }).expect(200);

    // Approve: the case ends 已办结, and its forms are kept in order.
    const [again] = await inboxTask("review");
    assert.ok(again, "the review task is back");
    await post(reviewer, `/api/tasks/${again.taskId}/complete`, { data: { decision: "approve", opinion: "同意补领" } }).expect(200);
    const done = await applicant.get(`/api/cases/${code}`).expect(200);
    assert.equal(done.body.data.status, "已办结");
    assert.ok(done.body.data.endedAt);
    const page = await applicant.get(`/my/cases/${code}`).expect(200);
    assert.match(page.text, /已办结/);
    assert.equal((page.text.match(/data-testid="case-form"/g) ?? []).length, 4, "申请, 部门审核, 补正材料, 部门审核");
  });

  it("marks a cancelled instance's case 已终止 with the reason", async () => {
    const started = await post(applicant, "/api/cases", { itemCode, data: { reason: "原件损毁", contact: "13800000000" } }).expect(201);
    assert.equal(started.body.data.subject, null);
    await request(testApp().app)
      .delete(`/engine-rest/process-instance/${started.body.data.processInstanceId}`)
      .auth(deptAdmin.username, deptAdmin.password)
      .expect(204);
    const after = await applicant.get(`/api/cases/${started.body.data.code}`).expect(200);
    assert.equal(after.body.data.status, "已终止");
    assert.match(String(after.body.data.endReason), /通过 REST 接口取消/);
  });

  it("keeps 通用事项 and 告知承诺事项 apart: a generic item cannot use the commitment process, nor be applied for as a commitment", async () => {
    const admin = await loginAs(deptAdmin);
    const refused = await post(admin, "/api/catalog", {
      itemCode: `ty-${uniq()}`,
      kind: "generic",
      name: "错误的通用事项",
      legalBasis: "无",
      noticeContent: "用告知承诺流程的通用事项",
      formKey: "food-business-commitment",
      processKey: "commitment",
      reviewDays: 5,
    }).expect(400);
    assert.match(JSON.stringify(refused.body), /告知承诺流程只能用于告知承诺事项/);
    const asCommitment = await post(applicant, "/api/commitments", {
      itemCode,
      subject: subjectCode,
      data: { reason: "原件遗失", contact: "13800000000" },
      signature: { name: "张三", agreed: true },
    }).expect(409);
    assert.match(asCommitment.body.error.message, /不是告知承诺事项/);
  });
});

describe("the shipped 通用事项 信用承诺书补领: processes/ and forms/ only, seeded on first start", () => {
  it("is on the catalog and runs apply -> 信用办审核 -> 申请人补正 -> approve", async function () {
    this.timeout(30_000);
    const ctx = testApp().app.locals.context;
    await ensureShippedForms();
    await bootShippedCatalog({ db: ctx.db, engine: ctx.engine, clock: ctx.clock });
    const item = await request(testApp().app).get("/api/catalog/fgw-letter-reissue").expect(200);
    assert.equal(item.body.data.kind, "generic");
    assert.equal(item.body.data.form.key, "letter-reissue-apply");
    const applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "fgw" }));
    const started = await post(applicant, "/api/cases", {
      itemCode: "fgw-letter-reissue",
      data: {
        commitmentCode: "41018220261201000001",
        reissueReason: "lost",
        explanation: "搬迁时遗失",
        contactName: "李四",
        contactPhone: "13800000000",
      },
    }).expect(201);
    assert.equal(started.body.data.status, "办理中：信用办审核");
    const inbox = await reviewer.get("/api/inbox?processKey=letter-reissue").expect(200);
    const row = (inbox.body.data as { taskId: string; case: { code: string } }[]).find((r) => r.case.code === started.body.data.code);
    assert.ok(row, "the 信用办 reviewer has the task");
    await post(reviewer, `/api/tasks/${row.taskId}/complete`, { data: { decision: "return", reviewComment: "请补充遗失经过" } }).expect(
      200,
    );
    const mine = await applicant.get(`/api/cases/${started.body.data.code}`).expect(200);
    assert.equal(mine.body.data.myTasks[0].name, "申请人补正");
    await post(applicant, `/api/tasks/${mine.body.data.myTasks[0].id}/complete`, {
      data: { explanation: "2026年11月搬迁时遗失", correctionNote: "已补充经过" },
    }).expect(200);
    const again = await reviewer.get("/api/inbox?processKey=letter-reissue").expect(200);
    const next = (again.body.data as { taskId: string; case: { code: string } }[]).find((r) => r.case.code === started.body.data.code);
    await post(reviewer, `/api/tasks/${next!.taskId}/complete`, { data: { decision: "approve" } }).expect(200);
    const done = await applicant.get(`/api/cases/${started.body.data.code}`).expect(200);
    assert.equal(done.body.data.status, "已办结");
  });
});
