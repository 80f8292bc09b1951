import assert from "node:assert/strict";
import { buildUser, loginAs } from "../../helpers/factories.js";
import { post, publishGenericItem } from "./helpers.js";

describe("抄送: a read-only copy of a case to users and groups, listed under 抄送我的", () => {
  it("sends from the task, shows the recipients the case read-only, and nobody else", async function () {
    this.timeout(30_000);
    const admin = await buildUser({ roles: ["dept_admin"], department: "scjgj" });
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const applicantUser = await buildUser({ roles: ["applicant"] });
    const applicant = await loginAs(applicantUser);
    const { itemCode, processKey } = await publishGenericItem(admin, "cc");
    const started = await post(applicant, "/api/cases", { itemCode, data: { reason: "抄送测试" } }).expect(201);
    const code = String(started.body.data.code);
    const inbox = await reviewer.get(`/api/inbox?processKey=${processKey}&counts=0`).expect(200);
    const taskId = (inbox.body.data as { taskId: string }[])[0]!.taskId;

    const credit = await buildUser({ roles: ["reviewer"], department: "fgw" });
    const creditAgent = await loginAs(credit);
    const zjj = await loginAs(await buildUser({ roles: ["reviewer"], department: "zjj" }));
    const bystander = await loginAs(await buildUser({ roles: ["reviewer"], department: "swj" }));
    await post(reviewer, `/api/tasks/${taskId}/copy`, {}).expect(400);
    const refused = await post(reviewer, `/api/tasks/${taskId}/copy`, { users: [applicantUser.username] }).expect(400);
    assert.match(JSON.stringify(refused.body), /不是在岗的工作人员/);
    await post(reviewer, `/api/tasks/${taskId}/copy`, { groups: ["no-such-group"] }).expect(400);
    await post(bystander, `/api/tasks/${taskId}/copy`, { users: [credit.username] }).expect(404);
    const sent = await post(reviewer, `/api/tasks/${taskId}/copy`, {
      users: [credit.username],
      groups: ["zjj"],
      note: "请信用办知悉",
    }).expect(201);
    assert.equal(sent.body.data.length, 2);

    for (const recipient of [creditAgent, zjj]) {
      const list = await recipient.get("/cc").expect(200);
      assert.ok(list.text.includes(code), "listed under 抄送我的");
      const id = /href="\/cc\/(\d+)"/.exec(list.text)![1]!;
      const page = await recipient.get(`/cc/${id}`).expect(200);
      assert.match(page.text, /抄送给您（只读）/);
      assert.match(page.text, /请信用办知悉/);
      assert.doesNotMatch(page.text, /data-testid="decision"/);
      await recipient.get(`/cc/${id}/forms/1.json`).expect(200);
      await recipient.get(`/cc/${id}/diagram.json`).expect(200);
      // A copy is read-only: the recipient cannot work the task.
      await post(recipient, `/api/tasks/${taskId}/complete`, { data: { decision: "approve" } }).expect(404);
    }
    const empty = await bystander.get("/cc").expect(200);
    assert.ok(!empty.text.includes(code));
    const creditList = await creditAgent.get("/cc").expect(200);
    const id = /href="\/cc\/(\d+)"/.exec(creditList.text)![1]!;
    await bystander.get(`/cc/${id}`).expect(404);
    await applicant.get(`/cc/${id}`).expect(403);
    const casePage = await applicant.get(`/my/cases/${code}`).expect(200);
    assert.match(casePage.text, /抄送 zjj（部门审核）/);
  });
});
