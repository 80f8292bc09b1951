import assert from "node:assert/strict";
import request from "supertest";
import { Commitment } from "../../../server/db/models/Commitment.js";
import { CreditRecord } from "../../../server/db/models/CreditRecord.js";
import { CatalogItemVersion } from "../../../server/db/models/CatalogItemVersion.js";
import { CatalogItem } from "../../../server/db/models/CatalogItem.js";
import { decideCommitmentReview } from "../../../server/domain/commitments/decisions.js";
import { buildSubject, buildUser, loginAs, type Agent } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, currentUserOf, ensureShippedForms, GOOD_DATA } from "../../domain/commitments/fixtures.js";

const json = (agent: Agent, url: string, body: unknown) =>
  agent
    .post(url)
    .set("Accept", "application/json")
    .set("X-CSRF-Token", agent.csrf)
    .send(body as object);
const form = (agent: Agent, url: string, body: Record<string, string>) =>
  agent
    .post(url)
    .type("form")
    .send({ _csrf: agent.csrf, ...body });

async function itemName(itemCode: string): Promise<string> {
  const item = await CatalogItem.findOne({ where: { itemCode } });
  return (await CatalogItemVersion.findByPk(item!.publishedVersionId!))!.name;
}

async function applicantFor(...subjects: { id: number }[]) {
  return loginAs(await buildUser({ roles: ["applicant"], subjectIds: subjects.map((s) => s.id) }));
}

describe("applicant portal: catalog, 办事指南, apply, preview, submit", () => {
  let itemCode: string;
  let name: string;
  before(async () => {
    await ensureShippedForms();
    itemCode = await buildPublishedItem("scjgj");
    name = await itemName(itemCode);
  });

  it("lists published items by department without login, searches them, and says what to do when nothing matches", async () => {
    const { app } = testApp();
    const page = await request(app).get("/catalog").expect(200);
    assert.match(page.text, /办事指南/);
    assert.match(page.text, new RegExp(`data-department="scjgj"[\\s\\S]*${name}`));
    const found = await request(app)
      .get(`/catalog?q=${encodeURIComponent(name)}`)
      .expect(200);
    assert.match(found.text, new RegExp(`href="/catalog/${itemCode}"`));
    assert.match(found.text, /找到 1 个/);
    const none = await request(app)
      .get(`/catalog?q=${encodeURIComponent("不存在的事项xyz")}`)
      .expect(200);
    assert.match(none.text, /data-testid="empty-state"/);
    assert.match(none.text, /没有找到与“不存在的事项xyz”相关的事项/);
  });

  it("shows the 办事指南 with 告知内容, 设定依据, 核查 and the button; unknown items are 404", async () => {
    const { app } = testApp();
    const page = await request(app).get(`/catalog/${itemCode}`).expect(200);
    for (const text of [
      "告知内容",
      "设定依据",
      "承诺类型",
      "核查方式",
      "核查时限",
      "审查时限",
      "我要承诺办理",
      "现场核查",
      "国办发〔2020〕42号",
    ]) {
      assert.ok(page.text.includes(text), `missing ${text}`);
    }
    assert.match(page.text, new RegExp(`href="/catalog/${itemCode}/apply"`));
    const missing = await request(app).get("/catalog/no-such-item-x").expect(404);
    assert.match(missing.text, /找不到/);
    // Not logged in: the apply page sends the person to log in first.
    const apply = await request(app).get(`/catalog/${itemCode}/apply`).expect(302);
    assert.match(apply.headers.location!, /^\/login\?next=/);
  });

  it("tells a barred subject why before the form, with a link to 信用修复", async () => {
    const subject = await buildSubject();
    await CreditRecord.create({
      subjectId: subject.id,
      recordType: "违诺",
      severity: null,
      title: "违反信用承诺：测试",
      content: null,
      isPublic: true,
      decidedOn: "2026-01-01",
      publicityFrom: "2026-01-01",
      publicityUntil: null,
      sourceUnit: "市市场监管局",
      sourceCommitmentId: null,
      repairedAt: null,
      createdBy: "test",
    });
    const applicant = await applicantFor(subject);
    const page = await applicant.get(`/catalog/${itemCode}`).expect(200);
    assert.match(page.text, /data-testid="eligibility"/);
    assert.match(page.text, /违反信用承诺：测试/);
    assert.match(page.text, /href="\/repair"/);
    assert.doesNotMatch(page.text, /data-testid="apply-button"/);
    const apply = await applicant.get(`/catalog/${itemCode}/apply`).expect(200);
    assert.match(apply.text, /暂不能适用告知承诺方式办理/);
    assert.doesNotMatch(apply.text, /data-form-renderer/);
  });

  it("asks which subject when the applicant acts for several, and refuses a subject it does not act for", async () => {
    const [a, b, other] = [await buildSubject(), await buildSubject(), await buildSubject()];
    const applicant = await applicantFor(a, b);
    const picker = await applicant.get(`/catalog/${itemCode}/apply`).expect(200);
    assert.match(picker.text, /data-testid="subject-picker"/);
    assert.ok(picker.text.includes(a.name) && picker.text.includes(b.name));
    const chosen = await applicant.get(`/catalog/${itemCode}/apply?subject=${b.code}`).expect(200);
    assert.match(chosen.text, /data-form-renderer/);
    assert.ok(chosen.text.includes(`data-submit-url="/catalog/${itemCode}/apply/check?subject&#x3D;${b.code}"`));
    await applicant.get(`/catalog/${itemCode}/apply?subject=${other.code}`).expect(404);
  });

  it("validates the form, previews the letter as it will be archived, requires the checkbox and name, then submits", async () => {
    const subject = await buildSubject();
    const applicant = await applicantFor(subject);
    const check = `/catalog/${itemCode}/apply/check?subject=${subject.code}`;
    // CSRF: a JSON call without the token is refused.
    await applicant.post(check).send({ data: GOOD_DATA }).expect(403);
    const bad = await json(applicant, check, { data: { principal: "张三" } }).expect(400);
    assert.ok(bad.body.error.details.some((d: { path: string }) => d.path === "premises"));
    const ok = await json(applicant, check, { data: GOOD_DATA }).expect(200);
    assert.equal(ok.body.redirect, `/catalog/${itemCode}/apply/preview?subject=${subject.code}`);
    // The form page now restores the draft.
    const again = await applicant.get(`/catalog/${itemCode}/apply?subject=${subject.code}`).expect(200);
    assert.match(again.text, /已恢复/);

    const preview = await applicant.get(ok.body.redirect as string).expect(200);
    assert.match(preview.text, /信用承诺书/);
    assert.ok(preview.text.includes(`经营场所${GOOD_DATA.premises}`));
    assert.ok(preview.text.includes(subject.name));
    assert.match(preview.text, /name="agreed"/);
    assert.match(preview.text, /name="signerName"/);

    const submit = `/catalog/${itemCode}/apply/submit`;
    await applicant.post(submit).type("form").send({ subject: subject.code, signerName: "李四", agreed: "on" }).expect(403);
    const unticked = await form(applicant, submit, { subject: subject.code, signerName: "李四" }).expect(400);
    assert.match(unticked.text, /请勾选/);
    assert.equal(await Commitment.count({ where: { subjectId: subject.id } }), 0);
    const done = await form(applicant, submit, { subject: subject.code, signerName: "李四", agreed: "on" }).expect(303);
    const match = /^\/my\/cases\/(\d{20})\/submitted$/.exec(done.headers.location!);
    assert.ok(match, done.headers.location);
    const code = match[1]!;
    const commitment = (await Commitment.findOne({ where: { code } }))!;
    assert.equal(commitment.signerName, "李四");
    assert.ok(commitment.letterHtml.includes(`经营场所${GOOD_DATA.premises}`));
    const result = await applicant.get(done.headers.location!).expect(200);
    assert.ok(result.text.includes(code));
    assert.match(result.text, /接下来会发生什么/);
    // The draft is gone: a new application starts empty.
    const fresh = await applicant.get(`/catalog/${itemCode}/apply?subject=${subject.code}`).expect(200);
    assert.doesNotMatch(fresh.text, /已恢复/);
  });
});

describe("applicant portal: 我的办件, timeline, correction, printable letter", () => {
  let itemCode: string;
  before(async () => {
    await ensureShippedForms();
    itemCode = await buildPublishedItem("scjgj");
  });

  it("says what to do when the applicant has no cases", async () => {
    const applicant = await applicantFor(await buildSubject());
    const page = await applicant.get("/my/cases").expect(200);
    assert.match(page.text, /data-testid="empty-state"/);
    assert.match(page.text, /您还没有办件/);
    assert.match(page.text, /href="\/catalog"/);
  });

  it("lists the applicant's cases with counts by status and hides other subjects' cases (404)", async () => {
    const mine = await buildSubmittedCase(itemCode);
    const theirs = await buildSubmittedCase(itemCode);
    const applicant = await loginAs(mine.applicantAccount);
    const list = await applicant.get("/my/cases").expect(200);
    assert.ok(list.text.includes(mine.code));
    assert.ok(!list.text.includes(theirs.code));
    assert.match(list.text, /data-status="审查中"[^>]*>审查中 <span class="badge text-bg-light" data-testid="count">1<\/span>/);
    const filtered = await applicant.get(`/my/cases?status=${encodeURIComponent("监管中")}`).expect(200);
    assert.match(filtered.text, /没有“监管中”的办件/);
    await applicant.get(`/my/cases/${theirs.code}`).expect(404);
    await applicant.get(`/my/cases/${theirs.code}/letter`).expect(404);
    await applicant.get(`/my/cases/${theirs.code}/form.json`).expect(404);
    // Another department's reviewer does not see the case either.
    const otherReviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "zjj" }));
    await otherReviewer.get(`/my/cases/${mine.code}`).expect(404);
  });

  it("shows the timeline, the reviewer's comment on a return, and lets the applicant correct and resubmit", async () => {
    const ctx = testApp().app.locals.context;
    const c = await buildSubmittedCase(itemCode);
    const applicant = await loginAs(c.applicantAccount);
    const page = await applicant.get(`/my/cases/${c.code}`).expect(200);
    assert.match(page.text, /data-kind="submitted"/);
    assert.match(page.text, /已受理，进入受理审查/);
    assert.doesNotMatch(page.text, /data-testid="correct-button"/);

    const reviewer = await currentUserOf((await buildUser({ roles: ["reviewer"], department: "scjgj" })).id);
    await decideCommitmentReview(
      { db: ctx.db, engine: ctx.engine, clock: ctx.clock },
      { actor: reviewer, code: c.code, data: { decision: "return", comment: "请补充经营场所门牌号" } },
    );
    const returned = await applicant.get(`/my/cases/${c.code}`).expect(200);
    assert.match(returned.text, /data-testid="return-comment">请补充经营场所门牌号</);
    assert.match(returned.text, /data-kind="returned"/);
    assert.match(returned.text, /data-testid="correct-button"/);

    const edit = await applicant.get(`/my/cases/${c.code}/correct`).expect(200);
    assert.match(edit.text, /请补充经营场所门牌号/);
    const check = await json(applicant, `/my/cases/${c.code}/correct/check`, {
      data: { ...GOOD_DATA, premises: "荥阳市索河路1号101室" },
    }).expect(200);
    const preview = await applicant.get(check.body.redirect as string).expect(200);
    assert.ok(preview.text.includes("荥阳市索河路1号101室"));
    assert.ok(preview.text.includes(c.code));
    await form(applicant, `/my/cases/${c.code}/resubmit`, { signerName: "张三" }).expect(400);
    await form(applicant, `/my/cases/${c.code}/resubmit`, { signerName: "张三", agreed: "on" }).expect(303);
    const after = (await Commitment.findOne({ where: { code: c.code } }))!;
    assert.equal(after.status, "审查中");
    assert.equal(after.revision, 2);
    const shown = await applicant.get(`/my/cases/${c.code}`).expect(200);
    assert.match(shown.text, /补正材料已重新提交/);
    assert.match(shown.text, /data-kind="resubmitted"/);
  });

  it("prints the signed letter exactly as archived", async () => {
    const c = await buildSubmittedCase(itemCode);
    const applicant = await loginAs(c.applicantAccount);
    const page = await applicant.get(`/my/cases/${c.code}/letter`).expect(200);
    const commitment = (await Commitment.findOne({ where: { code: c.code } }))!;
    assert.ok(page.text.includes(commitment.letterHtml));
    assert.match(page.text, /data-action="print"/);
    assert.match(page.text, /portal\.css/);
  });
});
