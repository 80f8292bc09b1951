import assert from "node:assert/strict";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { buildUser, loginAs } from "../../helpers/factories.js";
import { post, publishGenericItem } from "./helpers.js";

describe("the task page as a reviewer reads it: names not logins, 取消认领, claim on submit, 已提交", () => {
  it("names the assignee, labels unclaim 取消认领, claims an unclaimed task when its decision is submitted, and says 已提交", async function () {
    this.timeout(30_000);
    const admin = await buildUser({ roles: ["dept_admin"], department: "scjgj" });
    const deptAdmin = await loginAs(admin);
    const reviewerUser = await buildUser({ roles: ["reviewer"], department: "scjgj" });
    const reviewer = await loginAs(reviewerUser);
    const applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    const { itemCode, processKey, startForm } = await publishGenericItem(admin, "wd");
    const first = await post(applicant, "/api/cases", { itemCode, data: { reason: "一" } }).expect(201);
    const second = await post(applicant, "/api/cases", { itemCode, data: { reason: "二" } }).expect(201);
    const rows = (await reviewer.get(`/api/inbox?processKey=${processKey}&counts=0`).expect(200)).body.data as {
      taskId: string;
      case: { code: string };
    }[];
    const taskOf = (code: string) => rows.find((r) => r.case.code === code)!.taskId;

    // Claimed: the inbox and the task page name the person, and offer 取消认领 (not 退回, which reads like 退回补正).
    const claimed = taskOf(String(first.body.data.code));
    await post(reviewer, `/tasks/${claimed}/claim`, {}).expect(303);
    const inbox = await deptAdmin.get(`/tasks?item=${itemCode}`).expect(200);
    assert.ok(inbox.text.includes(`测试用户${reviewerUser.username}`), "the inbox names the assignee");
    const mine = await reviewer.get(`/tasks/${claimed}`).expect(200);
    assert.match(mine.text, /data-testid="unclaim">取消认领</);
    assert.match(mine.text, new RegExp(`办理人：测试用户${reviewerUser.username}`));
    assert.doesNotMatch(mine.text, new RegExp(`表单 ${startForm}`), "no internal form keys on the page");

    // Unclaimed: the page says submitting claims it; submitting does, and the flash says 已提交, not 已办结.
    const open = taskOf(String(second.body.data.code));
    const page = await reviewer.get(`/tasks/${open}`).expect(200);
    assert.match(page.text, /提交时将由您认领并办理/);
    const done = await post(reviewer, `/tasks/${open}/complete`, { data: { decision: "approve" } }).expect(200);
    assert.match(String(done.body.redirect), /^\/tasks/);
    const claim = await AuditEntry.findOne({ where: { action: "task.claimed", entityId: open } });
    assert.equal(claim?.actor, reviewerUser.username);
    const next = await reviewer.get("/tasks").expect(200);
    assert.match(next.text, /已提交“部门审核”/);
    assert.doesNotMatch(next.text, /已办结“部门审核”/);
  });
});
