import assert from "node:assert/strict";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { CreditRecord } from "../../../server/db/models/CreditRecord.js";
import { buildPenalty, buildWorld, inboxTask, post, publicQuery } from "./fixtures.js";

describe("objection flow (processes/credit-objection.bpmn): 异议申诉 on a record", function () {
  this.timeout(60_000);

  it("upheld: the recording department withdraws the record (已撤销), gone from the public query, kept for staff", async () => {
    const { subject, applicant, reviewer } = await buildWorld();
    // A record just decided may be disputed at once (no minimum period for objections).
    const wrong = await buildPenalty(subject, { severity: "一般", daysAgo: 3 });
    const started = await post(applicant, `/objection/records/${wrong.id}/apply`, {
      data: { grounds: "该处罚决定已被行政复议决定撤销，复议决定书附后。", contactPhone: "13800000000" },
    }).expect(201);
    const code: string = started.body.data.code;
    assert.match(code, /^YY410182\d{8}\d{6}$/);
    assert.equal(started.body.data.status, "核查中");
    const task = await inboxTask(reviewer, "credit-objection", code);
    assert.equal(task?.activityId, "verifyTask");
    await post(reviewer, `/api/tasks/${task.taskId}/complete`, { data: { outcome: "upheld" } }).expect(400);
    await post(reviewer, `/api/tasks/${task.taskId}/complete`, {
      data: { outcome: "upheld", outcomeReason: "经核实，原处罚决定已被复议撤销" },
    }).expect(200);
    const done = await applicant.get(`/api/cases/${code}`).expect(200);
    assert.equal(done.body.data.status, "异议成立（已撤销）");
    assert.equal((await CreditRecord.findByPk(wrong.id))?.status, "已撤销");
    const api = await publicQuery(`/api/public/subjects/${subject.code}`).expect(200);
    assert.deepEqual(api.body.data.creditRecords, []);
    const staff = await reviewer.get(`/admin/credit/subjects/${subject.code}`).expect(200);
    assert.match(staff.text, /公示中 → 已撤销/);
    // A withdrawn record cannot be disputed again.
    const again = await post(applicant, `/objection/records/${wrong.id}/apply`, {
      data: { grounds: "再次提出异议的理由说明文字", contactPhone: "13800000000" },
    }).expect(409);
    assert.match(again.body.error.message, /该记录已撤销，无需提出异议/);
  });

  it("refused: the record stays public and the applicant reads why", async () => {
    const { subject, applicant, reviewer } = await buildWorld();
    const right = await buildPenalty(subject, { severity: "一般", daysAgo: 20 });
    const code = (
      await post(applicant, `/objection/records/${right.id}/apply`, {
        data: { grounds: "认为罚款金额与决定书不一致，请予核查。", contactPhone: "13800000000" },
      }).expect(201)
    ).body.data.code as string;
    const task = await inboxTask(reviewer, "credit-objection", code);
    await post(reviewer, `/api/tasks/${task!.taskId}/complete`, {
      data: { outcome: "refused", outcomeReason: "经核对决定书原件，公示信息与决定书一致" },
    }).expect(200);
    const page = await applicant.get(`/my/cases/${code}`).expect(200);
    assert.match(page.text, /data-testid="case-status">异议不成立</);
    assert.match(page.text, /公示信息与决定书一致/);
    assert.equal((await CreditRecord.findByPk(right.id))?.status, "公示中");
    const api = await publicQuery(`/api/public/subjects/${subject.code}`).expect(200);
    assert.deepEqual(
      api.body.data.creditRecords.map((r: { title: string }) => r.title),
      [right.title],
    );
  });
  it("upheld with 更正: the listed fields change (checked like the entry form), the period is recomputed, each change audited", async () => {
    const { subject, applicant, reviewer } = await buildWorld();
    const record = await buildPenalty(subject, { severity: "一般", daysAgo: 40 });
    const code = (
      await post(applicant, `/objection/records/${record.id}/apply`, {
        data: { grounds: "公示的罚款金额与决定书不一致，严重程度也登记有误。", contactPhone: "13800000000" },
      }).expect(201)
    ).body.data.code as string;
    const task = await inboxTask(reviewer, "credit-objection", code);
    const complete = (corrections: unknown) =>
      post(reviewer, `/api/tasks/${task!.taskId}/complete`, {
        data: { outcome: "corrected", outcomeReason: "经核对决定书原件，登记有误，予以更正", corrections },
      });
    // Identity fields, future dates and unchanged values are refused before anything changes.
    // (the form offers no identity field: the select refuses it)
    const identity = await complete([{ field: "uscc", value: "91410182MA44XXXXXX" }]).expect(400);
    assert.ok(identity.body.error.details.some((d: { path: string }) => /corrections/.test(d.path)));
    const future = await complete([{ field: "decidedOn", value: "2099-01-01" }]).expect(400);
    assert.match(future.body.error.message, /决定日期.*晚于今天/);
    await complete([]).expect(400);
    assert.equal((await CreditRecord.findByPk(record.id))?.severity, "一般");

    await complete([
      { field: "fineAmount", value: "0.2" },
      { field: "severity", value: "轻微" },
    ]).expect(200);
    const done = await applicant.get(`/api/cases/${code}`).expect(200);
    assert.equal(done.body.data.status, "异议成立（已更正）");
    const corrected = await CreditRecord.findByPk(record.id);
    assert.equal(corrected?.severity, "轻微");
    assert.equal(JSON.parse(corrected.detail!).fineAmount, "0.2");
    assert.equal(corrected?.status, "不予公示", "轻微 is not published under the national rule: the period is recomputed");
    const entry = await AuditEntry.findOne({ where: { action: "credit_record.corrected", entityId: String(record.id) } });
    const detail = JSON.parse(entry!.detail!) as { changes: { field: string; from: string; to: string }[] };
    assert.deepEqual(
      detail.changes.map((c) => [c.field, c.to]),
      [
        ["fineAmount", "0.2"],
        ["severity", "轻微"],
      ],
    );
    assert.equal(detail.changes.find((c) => c.field === "severity")?.from, "一般");
    const api = await publicQuery(`/api/public/subjects/${subject.code}`).expect(200);
    assert.deepEqual(api.body.data.creditRecords, []);
    const staff = await reviewer.get(`/admin/credit/subjects/${subject.code}`).expect(200);
    assert.match(staff.text, /公示中 → 不予公示/);
  });
});
