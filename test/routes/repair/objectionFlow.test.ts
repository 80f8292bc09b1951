import assert from "node:assert/strict";
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
});
