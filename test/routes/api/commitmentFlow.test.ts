import assert from "node:assert/strict";
import { Commitment } from "../../../server/db/models/Commitment.js";
import { CommitmentSubmission } from "../../../server/db/models/CommitmentSubmission.js";
import { CreditRecord } from "../../../server/db/models/CreditRecord.js";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { buildSubject, buildUser, loginAs, type Agent } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import {
  buildPublishedForm,
  ensureShippedForms,
  GOOD_DATA,
  itemFields,
  randomItemCode,
  SIGNATURE,
} from "../../domain/commitments/fixtures.js";

const DAY = 24 * 60 * 60 * 1000;

describe("commitment flow through the API: publish -> submit -> return -> resubmit -> approve -> verify -> breach -> barred", () => {
  let savedClock: Date;
  before(async () => {
    await ensureShippedForms();
    savedClock = testApp().clock.now();
  });
  after(() => testApp().clock.set(savedClock));

  it("runs a case end to end and bars the subject after a breach", async function () {
    this.timeout(60_000);
    const { clock, app } = testApp();
    const deptAdmin = await loginAs(await buildUser({ roles: ["dept_admin"], department: "scjgj" }));
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const subject = await buildSubject();
    const applicant = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [subject.id] }));
    const post = (agent: Agent, url: string, body: unknown) =>
      agent
        .post(url)
        .set("X-CSRF-Token", agent.csrf)
        .send(body as object);

    // A department admin creates and publishes an item on a form it designed: no code change.
    const formKey = await buildPublishedForm();
    const itemCode = randomItemCode();
    await post(deptAdmin, "/api/catalog", { itemCode, ...itemFields(formKey) }).expect(201);
    const published = await post(deptAdmin, `/api/catalog/${itemCode}/publish`, {}).expect(200);
    assert.equal(published.body.data.status, "published");
    assert.equal(published.body.data.formRevision, 1);
    assert.ok(published.body.data.processDefinitionId);
    const catalog = await request(app).get("/api/catalog").expect(200);
    assert.ok(catalog.body.data.some((i: { itemCode: string }) => i.itemCode === itemCode));
    const itemPage = await request(app).get(`/api/catalog/${itemCode}`).expect(200);
    assert.equal(itemPage.body.data.form.key, formKey);
    assert.ok(Array.isArray(itemPage.body.data.form.definition.components));

    // Invalid data: 400 with field details, nothing stored.
    const bad = await post(applicant, "/api/commitments", {
      itemCode,
      subject: subject.code,
      data: { principal: "张三" },
      signature: SIGNATURE,
    }).expect(400);
    assert.ok(bad.body.error.details.some((d: { path: string }) => d.path === "premises"));
    assert.equal(await Commitment.count({ where: { subjectId: subject.id } }), 0);
    const unsigned = await post(applicant, "/api/commitments", {
      itemCode,
      subject: subject.code,
      data: GOOD_DATA,
      signature: { name: "张三", agreed: false },
    }).expect(400);
    assert.match(JSON.stringify(unsigned.body.error.details), /同意/);

    // Submit.
    const submitted = await post(applicant, "/api/commitments", {
      itemCode,
      subject: subject.code,
      data: GOOD_DATA,
      signature: SIGNATURE,
    }).expect(201);
    const code: string = submitted.body.code;
    assert.match(code, /^410182\d{8}\d{6}$/);
    assert.equal(submitted.body.status, "审查中");
    assert.ok(submitted.body.processInstanceId);
    const detail = await applicant.get(`/api/commitments/${code}`).expect(200);
    assert.match(detail.body.data.letter.html, /荥阳市索河路1号/);
    assert.equal(detail.body.data.letter.signerName, "张三");
    assert.equal(detail.body.data.openTasks[0].activityId, "reviewTask");
    assert.deepEqual(detail.body.data.openTasks[0].candidateGroups, ["scjgj"]);
    assert.ok(detail.body.data.reviewDueAt);
    assert.equal(detail.body.data.openTasks[0].due, detail.body.data.reviewDueAt, "the review task is due at the working-day deadline");
    const letter = await applicant.get(`/api/commitments/${code}/letter`).expect(200);
    assert.match(String(letter.headers["content-type"]), /text\/html/);
    assert.match(letter.text, /信用承诺书/);

    // Return for correction: a comment is required.
    await post(reviewer, `/api/commitments/${code}/review`, { data: { decision: "return" } }).expect(400);
    const returned = await post(reviewer, `/api/commitments/${code}/review`, {
      data: { decision: "return", comment: "请补充经营面积" },
    }).expect(200);
    assert.equal(returned.body.status, "退回补正");

    // Resubmit (a new revision), back to review.
    const resubmitted = await post(applicant, `/api/commitments/${code}/resubmit`, {
      data: { ...GOOD_DATA, area: 150 },
      signature: SIGNATURE,
    }).expect(200);
    assert.equal(resubmitted.body.status, "审查中");
    assert.equal(resubmitted.body.revision, 2);
    const revisions = await CommitmentSubmission.findAll({ where: { commitmentId: (await Commitment.findOne({ where: { code } }))!.id } });
    assert.deepEqual(revisions.map((r) => r.revision).sort(), [1, 2]);

    // Approve: 监管中, waiting for the verification window.
    const approved = await post(reviewer, `/api/commitments/${code}/review`, { data: { decision: "approve", comment: "符合条件" } }).expect(
      200,
    );
    assert.equal(approved.body.status, "监管中");
    const waiting = await reviewer.get(`/api/commitments/${code}`).expect(200);
    assert.equal(waiting.body.data.supervisionStatus, "监管中");
    assert.equal(waiting.body.data.openTasks.length, 0);
    const dueAt = new Date(waiting.body.data.verificationDueAt as string);
    assert.ok(dueAt.getTime() > clock.now().getTime() + 29 * DAY);

    // Verification falls due.
    clock.set(new Date(dueAt.getTime() + 1000));
    await testApp().app.locals.context.engine.runDueJobs();
    const due = await reviewer.get(`/api/commitments/${code}`).expect(200);
    assert.equal(due.body.data.openTasks[0]?.activityId, "verificationTask");

    // 全部未履行 requires both contents.
    await post(reviewer, `/api/commitments/${code}/verification`, { data: { fulfilment: "none" } }).expect(400);
    const breached = await post(reviewer, `/api/commitments/${code}/verification`, {
      data: { fulfilment: "none", unfulfilledContent: "经营场所与承诺不符", accountability: "撤销许可决定，记入信用记录" },
    }).expect(200);
    assert.equal(breached.body.status, "监管完成");
    assert.equal(breached.body.fulfilmentStatus, "全部未履行");
    assert.equal(breached.body.supervisionStatus, "监管完成");

    const record = await CreditRecord.findOne({ where: { subjectId: subject.id, recordType: "违诺" } });
    assert.ok(record, "a 违诺 credit record exists");
    assert.equal(record.repaired, false);
    assert.ok(await AuditEntry.findOne({ where: { action: "commitment.breached", entityId: code } }));

    const archive = await reviewer.get(`/api/commitments/${code}`).expect(200);
    assert.equal(archive.body.data.fulfilment.unfulfilledContent, "经营场所与承诺不符");
    assert.equal(archive.body.data.fulfilment.liabilityContent, "撤销许可决定，记入信用记录");
    assert.ok(archive.body.data.history.length > 0);

    // The public query shows the commitment and the breach.
    const publicView = await request(app).get(`/api/public/subjects/${subject.code}`).expect(200);
    assert.equal(publicView.body.data.commitments[0].code, code);
    assert.equal(publicView.body.data.creditRecords[0].type, "违诺");

    // The subject's next submission is refused, saying why and pointing to credit repair.
    const refused = await post(applicant, "/api/commitments", {
      itemCode,
      subject: subject.code,
      data: GOOD_DATA,
      signature: SIGNATURE,
    }).expect(409);
    assert.equal(refused.body.error.code, "commitment_route_barred");
    assert.match(refused.body.error.message, /违诺/);
    assert.match(refused.body.error.message, /信用修复/);
    assert.equal(await Commitment.count({ where: { subjectId: subject.id } }), 1);
  });
});

import request from "supertest";
