import assert from "node:assert/strict";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { Case } from "../../../server/db/models/Case.js";
import { CreditRecord } from "../../../server/db/models/CreditRecord.js";
import { CreditRecordStatusChange } from "../../../server/db/models/CreditRecordStatusChange.js";
import { assertMayUseCommitmentRoute } from "../../../server/domain/commitments/eligibility.js";
import { setPeriodOverride } from "../../../server/domain/credit/creditRecords.js";
import { buildSubject, buildUser, loginAs } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPenalty, buildWorld, inboxTask, post, publicQuery, uploadProof } from "./fixtures.js";

const application = (proof: unknown) => ({
  correction: "已于 2026 年 3 月缴清全部罚款，并完成整改，建立了进货查验制度。",
  proof,
  contactName: "李四",
  contactPhone: "13800000000",
  commitmentAgreed: true,
  signerName: "王五",
});

const publicTitles = async (code: string) =>
  ((await publicQuery(`/api/public/subjects/${code}`).expect(200)).body.data.creditRecords as { title: string }[]).map((r) => r.title);

describe("credit repair flow (processes/credit-repair.bpmn on the generic case layer)", function () {
  this.timeout(60_000);

  it("refuses a record whose minimum publicity period has not passed, in Chinese, and starts nothing; 轻微 has no minimum", async () => {
    const { subject, applicant } = await buildWorld();
    const recent = await buildPenalty(subject, { severity: "一般", daysAgo: 10 });
    assert.equal(recent.status, "公示中");
    const page = await applicant.get(`/repair/records/${recent.id}/apply`).expect(409);
    assert.match(page.text, /最短公示期至 \d{4}-\d{2}-\d{2} 届满，\d{4}-\d{2}-\d{2} 起方可申请信用修复/);
    assert.doesNotMatch(page.text, /data-form-renderer/);
    const { value } = await uploadProof(applicant);
    const refused = await post(applicant, `/repair/records/${recent.id}/apply`, { data: application(value) }).expect(409);
    assert.equal(refused.body.error.code, "record_not_eligible");
    assert.match(refused.body.error.message, new RegExp(`最短公示期至 ${recent.minUntil} 届满`));
    assert.equal(await Case.count({ where: { processKey: "credit-repair", subjectCode: subject.code } }), 0);
    const list = await applicant.get("/repair/apply").expect(200);
    assert.match(list.text, /暂不能申请信用修复：该记录为一般信息，最短公示期至/);

    // A 轻微 record published by a law's own period has no minimum: repair may be applied for at once.
    const minor = await buildPenalty(subject, { severity: "轻微", daysAgo: 5 });
    assert.equal(minor.status, "不予公示");
    await applicant.get(`/repair/records/${minor.id}/apply`).expect(409); // not public: nothing to stop
    const { db, clock } = testApp();
    await setPeriodOverride(db, {
      recordId: minor.id,
      override: { publish: true, max: { value: 3, unit: "month" } },
      basis: "《某法》第十条",
      actor: "officer",
      at: clock.now(),
    });
    const open = await applicant.get(`/repair/records/${minor.id}/apply`).expect(200);
    assert.match(open.text, /data-form-renderer/);

    // A record of a subject the applicant does not act for is not found at all.
    const stranger = await buildPenalty(await buildSubject(), { severity: "一般", daysAgo: 200 });
    await applicant.get(`/repair/records/${stranger.id}/apply`).expect(404);
    await post(applicant, `/repair/records/${stranger.id}/apply`, { data: application(value) }).expect(404);
  });

  it("runs apply -> 受理 -> 补充材料 -> resubmission -> 同意: publicity ends, staff still see the record, the 告知承诺 bar is lifted", async () => {
    const { subject, applicant, reviewer } = await buildWorld();
    const serious = await buildPenalty(subject, { severity: "严重", daysAgo: 400 });
    assert.equal(serious.status, "公示中");
    assert.ok(serious.minUntil && serious.minUntil < serious.publicityUntil!);
    const { db } = testApp();
    await assert.rejects(
      db.transaction((t) => assertMayUseCommitmentRoute(subject, t)),
      /暂不能适用告知承诺制/,
    );
    assert.deepEqual(await publicTitles(subject.code), [serious.title]);

    // Apply with an uploaded proof and the 信用修复承诺.
    const proof = await uploadProof(applicant);
    const incomplete = await post(applicant, `/repair/records/${serious.id}/apply`, {
      data: { ...application(proof.value), commitmentAgreed: false },
    }).expect(400);
    assert.ok(incomplete.body.error.details.some((d: { path: string }) => d.path === "commitmentAgreed"));
    const started = await post(applicant, `/repair/records/${serious.id}/apply`, { data: application(proof.value) }).expect(201);
    const code: string = started.body.data.code;
    assert.match(code, /^XF410182\d{8}\d{6}$/);
    assert.equal(started.body.data.kind, "repair");
    assert.equal(started.body.data.status, "待受理");
    assert.equal(started.body.redirect, `/my/cases/${code}`);
    const kase = await Case.findOne({ where: { businessKey: code } });
    assert.equal(kase?.subjectCode, subject.code);
    assert.equal(kase?.departmentId, serious.departmentId, "谁认定、谁修复: the recording department owns the case");
    assert.match(kase.title, /^信用修复：/);
    assert.ok(kase?.dueAt, "the 受理 step has its working-day due date");
    // One open application per record.
    const again = await post(applicant, `/repair/records/${serious.id}/apply`, { data: application(proof.value) }).expect(409);
    assert.equal(again.body.error.code, "case_open");

    // 受理 in the reviewer's inbox of the recording department; another department sees nothing.
    const accept = await inboxTask(reviewer, "credit-repair", code);
    assert.ok(accept, "the 受理 task is in the recording department's inbox");
    assert.equal(accept.activityId, "acceptTask");
    assert.equal(accept.case.kind, "repair");
    const outsider = await loginAs(await buildUser({ roles: ["reviewer"], department: "zjj" }));
    assert.equal(await inboxTask(outsider, "credit-repair", code), undefined);
    await outsider.get(`/tasks/${accept.taskId}`).expect(404);
    // The reviewer reads the proof; the other department cannot.
    await reviewer.get(`/api/uploads/${proof.id}`).expect(200);
    await outsider.get(`/api/uploads/${proof.id}`).expect(404);
    const taskPage = await reviewer.get(`/tasks/${accept.taskId}`).expect(200);
    assert.match(taskPage.text, /受理：信用修复：/);
    assert.ok(taskPage.text.includes(serious.decisionNumber!), "the record under repair shows with the application");
    const noReason = await post(reviewer, `/api/tasks/${accept.taskId}/complete`, { data: { acceptance: "reject" } }).expect(400);
    assert.ok(noReason.body.error.details.some((d: { path: string }) => d.path === "acceptanceReason"));
    await post(reviewer, `/tasks/${accept.taskId}/complete`, { data: { acceptance: "accept" } }).expect(200);

    // 审核 asks for more material: what is missing is required, and the applicant reads it on its case page.
    const review = await inboxTask(reviewer, "credit-repair", code);
    assert.equal(review?.activityId, "reviewTask");
    assert.equal(review?.case.status, "审核中");
    const noMissing = await post(reviewer, `/api/tasks/${review.taskId}/complete`, { data: { decision: "supplement" } }).expect(400);
    assert.ok(noMissing.body.error.details.some((d: { path: string }) => d.path === "missing"));
    await post(reviewer, `/api/tasks/${review.taskId}/complete`, {
      data: { decision: "supplement", missing: "请补充整改完成的现场照片" },
    }).expect(200);
    const mine = await applicant.get(`/api/cases/${code}`).expect(200);
    assert.equal(mine.body.data.status, "补充材料");
    assert.equal(mine.body.data.myTasks.length, 1);
    const casePage = await applicant.get(`/my/cases/${code}`).expect(200);
    assert.match(casePage.text, /需要您办理：补充材料/);
    assert.match(casePage.text, /请补充整改完成的现场照片/);
    // Still public while the case runs.
    assert.deepEqual(await publicTitles(subject.code), [serious.title]);

    // The applicant resubmits on its case page; the case goes back to 审核.
    const photo = await uploadProof(applicant, "整改照片.pdf");
    const supplement = mine.body.data.myTasks[0] as { id: string };
    await post(reviewer, `/api/tasks/${supplement.id}/complete`, { data: { supplementNote: "x" } }).expect(404);
    await post(applicant, `/my/cases/${code}/tasks/${supplement.id}/complete`, { data: {} }).expect(400);
    await post(applicant, `/my/cases/${code}/tasks/${supplement.id}/complete`, {
      data: { supplementNote: "已补充整改完成的现场照片", supplementProof: photo.value },
    }).expect(200);
    const back = await inboxTask(reviewer, "credit-repair", code);
    assert.equal(back?.activityId, "reviewTask");
    await reviewer.get(`/api/uploads/${photo.id}`).expect(200);

    // 同意修复: the record stops being published, is kept with its history, and the bar is lifted.
    await post(reviewer, `/api/tasks/${back.taskId}/complete`, { data: { decision: "approve", decisionReason: "已履行全部义务" } }).expect(
      200,
    );
    const done = await applicant.get(`/api/cases/${code}`).expect(200);
    assert.equal(done.body.data.status, "已修复（终止公示）");
    assert.ok(done.body.data.endedAt);
    const record = await CreditRecord.findByPk(serious.id);
    assert.equal(record?.status, "已修复（终止公示）");
    assert.equal(record?.repaired, true);
    const history = await CreditRecordStatusChange.findAll({ where: { recordId: serious.id }, order: [["id", "ASC"]] });
    assert.equal(history.at(-1)?.toStatus, "已修复（终止公示）");
    assert.match(String(history.at(-1)?.reason), new RegExp(`信用修复决定（办件编号 ${code}）：已履行全部义务`));
    assert.deepEqual(await publicTitles(subject.code), []);
    const query = await publicQuery(`/public/query?code=${subject.code}`).expect(200);
    assert.ok(!query.text.includes(serious.decisionNumber!), "the public query page no longer shows it");
    const staff = await reviewer.get(`/admin/credit/subjects/${subject.code}`).expect(200);
    assert.ok(staff.text.includes(serious.decisionNumber!), "staff still see the record");
    assert.match(staff.text, /公示中 → 已修复（终止公示）/);
    assert.ok(staff.text.includes(code), "and the repair case");
    await db.transaction((t) => assertMayUseCommitmentRoute(subject, t));
    const effect = await AuditEntry.findOne({ where: { action: "record.publicity_stopped", entityId: String(serious.id) } });
    assert.equal(JSON.parse(effect!.detail!).commitmentRouteBarLifted, true);
  });

  it("不予受理 and 不予修复 end the case with the reason the applicant reads", async () => {
    const { subject, applicant, reviewer } = await buildWorld();
    const first = await buildPenalty(subject, { severity: "一般", daysAgo: 150 });
    const second = await buildPenalty(subject, { severity: "一般", daysAgo: 160 });
    const proof = await uploadProof(applicant);

    const a = (await post(applicant, `/repair/records/${first.id}/apply`, { data: application(proof.value) }).expect(201)).body.data.code;
    const acceptA = await inboxTask(reviewer, "credit-repair", a);
    await post(reviewer, `/api/tasks/${acceptA!.taskId}/complete`, {
      data: { acceptance: "reject", acceptanceReason: "罚款尚未缴清" },
    }).expect(200);
    const caseA = await applicant.get(`/my/cases/${a}`).expect(200);
    assert.match(caseA.text, /data-testid="case-status">不予受理</);
    assert.match(caseA.text, /罚款尚未缴清/);

    const b = (await post(applicant, `/repair/records/${second.id}/apply`, { data: application(proof.value) }).expect(201)).body.data.code;
    const acceptB = await inboxTask(reviewer, "credit-repair", b);
    await post(reviewer, `/api/tasks/${acceptB!.taskId}/complete`, { data: { acceptance: "accept" } }).expect(200);
    const reviewB = await inboxTask(reviewer, "credit-repair", b);
    await post(reviewer, `/api/tasks/${reviewB!.taskId}/complete`, { data: { decision: "refuse" } }).expect(400);
    await post(reviewer, `/api/tasks/${reviewB!.taskId}/complete`, {
      data: { decision: "refuse", decisionReason: "整改未通过复查" },
    }).expect(200);
    const caseB = await applicant.get(`/api/cases/${b}`).expect(200);
    assert.equal(caseB.body.data.status, "不予修复");
    assert.match(String(caseB.body.data.endReason), /整改未通过复查/);
    assert.equal((await CreditRecord.findByPk(second.id))?.status, "公示中");
    assert.ok((await publicTitles(subject.code)).includes(second.title));
  });
});
