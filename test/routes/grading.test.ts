import assert from "node:assert/strict";
import request from "supertest";
import { GradingIndicator } from "../../server/db/models/GradingIndicator.js";
import { GradingModel } from "../../server/db/models/GradingModel.js";
import { addDays, chinaDay } from "../../server/domain/calendar/days.js";
import { listModels, modelOn } from "../../server/domain/grading/model.js";
import { regradeSubjects } from "../../server/domain/grading/recompute.js";
import { buildPublishedItem, buildSubmittedCase, ensureShippedForms } from "../domain/commitments/fixtures.js";
import { buildRecord } from "../domain/grading/fixtures.js";
import { buildSubject, buildUser, loginAs } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

/** The form of the page, filled with the figures of the version in force (what the page pre-fills). */
async function versionForm(effectiveFrom: string, overrides: Record<string, string> = {}) {
  const today = chinaDay(testApp().clock.now());
  const model = modelOn(await listModels(), today)!;
  const form: Record<string, string> = {
    effectiveFrom,
    baseScore: String(model.baseScore),
    minA: String(model.minA),
    minB: String(model.minB),
    minC: String(model.minC),
    note: "测试：调整一般失信扣分",
  };
  for (const i of model.indicators) {
    form[`points_${i.code}`] = String(i.points);
    form[`cap_${i.code}`] = i.cap === null ? "" : String(i.cap);
    form[`force_${i.code}`] = i.forceGrade ?? "";
    if (i.enabled) form[`enabled_${i.code}`] = "on";
  }
  return { ...form, ...overrides };
}

async function gradeNow(subjectId: number) {
  const { db, clock } = testApp();
  const day = chinaDay(clock.now());
  const model = modelOn(await listModels(), day)!;
  await db.transaction((t) => regradeSubjects(db, t, [subjectId], { model, day, at: clock.now(), onlyChanged: false }));
}

describe("/admin/grading and the class on staff pages", function () {
  this.timeout(60_000);
  const created: number[] = [];
  after(async () => {
    const extra = (await GradingModel.findAll({ where: { note: "测试：调整一般失信扣分" }, attributes: ["id"], raw: true })).map(
      (m) => m.id,
    );
    const ids = [...created, ...extra];
    await GradingIndicator.destroy({ where: { modelId: ids } });
    await GradingModel.destroy({ where: { id: ids } });
  });

  it("shows officers the model in force, its indicators and history; applicants may not see it", async () => {
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const page = await reviewer.get("/admin/grading").expect(200);
    assert.match(page.text, /现行模型/);
    assert.match(page.text, /data-testid="current-indicators"/);
    assert.match(page.text, /列入严重失信主体名单（公示中）/);
    assert.match(page.text, /示例，待确认/);
    assert.match(page.text, /data-testid="grading-history"/);
    assert.doesNotMatch(page.text, /预览分级变化/, "only admins set versions");
    const json = await reviewer.get("/admin/grading").set("Accept", "application/json").expect(200);
    assert.ok(json.body.data.current.indicators.length >= 10);
    const applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    await applicant.get("/admin/grading").expect(403);
    await reviewer
      .post("/admin/grading/versions")
      .type("form")
      .send({ _csrf: reviewer.csrf, ...(await versionForm("2099-01-01")) })
      .expect(403);
  });

  it("previews the class counts before and after, refuses bad figures in Chinese, and saves a new version with its date", async () => {
    const admin = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const from = addDays("2091-01-01", Math.floor(Math.random() * 3000));
    const subject = await buildSubject();
    await buildRecord(subject, { severity: "一般", decidedOn: addDays(from, -10) });
    await gradeNow(subject.id);
    const body = await versionForm(from, { points_penalty_general_0_12: "-25" });

    const bad = await admin
      .post("/admin/grading/versions")
      .type("form")
      .send({ _csrf: admin.csrf, ...body, minA: "80", points_penalty_general_0_12: "很多", step: "preview" })
      .expect(400);
    assert.match(bad.text, /评价模型填写有误/);
    assert.match(bad.text, /分值应为数字/);
    const past = await admin
      .post("/admin/grading/versions")
      .type("form")
      .send({ _csrf: admin.csrf, ...body, effectiveFrom: "2020-01-01" })
      .expect(400);
    assert.match(past.text, /生效日期不能早于今天/);

    const preview = await admin
      .post("/admin/grading/versions")
      .type("form")
      .send({ _csrf: admin.csrf, ...body, step: "preview" })
      .expect(200);
    assert.match(preview.text, /data-testid="grading-preview"/);
    assert.match(preview.text, new RegExp(`按新版本于 ${from} 评价`));
    assert.match(preview.text, /确认保存/);
    const jsonPreview = await admin
      .post("/admin/grading/versions")
      .set("Accept", "application/json")
      .type("form")
      .send({ _csrf: admin.csrf, ...body, step: "preview" })
      .expect(200);
    const p = jsonPreview.body.data.preview as {
      before: Record<string, number>;
      after: Record<string, number>;
      changed: number;
      total: number;
    };
    assert.equal(
      Object.values(p.before).reduce((a, b) => a + b, 0),
      p.total,
    );
    assert.equal(
      Object.values(p.after).reduce((a, b) => a + b, 0),
      p.total,
    );
    assert.ok(p.changed >= 1, "the subject with a 一般 record falls from B (90) to C (75)");
    assert.equal(await GradingModel.count({ where: { effectiveFrom: from } }), 0, "a preview writes nothing");

    await admin
      .post("/admin/grading/versions")
      .type("form")
      .send({ _csrf: admin.csrf, ...body, step: "save" })
      .expect(303);
    const saved = await GradingModel.findOne({ where: { effectiveFrom: from } });
    assert.ok(saved);
    created.push(saved.id);
    const page = await admin.get("/admin/grading").expect(200);
    assert.match(page.text, /已保存评价模型第 \d+ 版/);
    assert.match(page.text, /待生效/);
    const v = (await listModels()).find((m) => m.id === saved.id)!;
    assert.equal(v.indicators.find((i) => i.code === "penalty_general_0_12")?.points, -25);
  });

  it("shows staff the class, score and reasons on the subject profile and on the task page; the public query does not", async () => {
    await ensureShippedForms();
    const itemCode = await buildPublishedItem("scjgj");
    const submitted = await buildSubmittedCase(itemCode);
    await buildRecord(submitted.subject, { severity: "严重", decidedOn: addDays(chinaDay(testApp().clock.now()), -30) });
    await gradeNow(submitted.subject.id);
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));

    const profile = await reviewer.get(`/admin/subjects/${submitted.subject.id}`).expect(200);
    assert.match(profile.text, /data-testid="credit-grade"/);
    assert.match(profile.text, /data-testid="grade-class">C 类/);
    assert.match(profile.text, /data-testid="grade-score">75</);
    assert.match(profile.text, /严重失信行为（行政处罚，1年内，公示中）/);
    assert.match(profile.text, /-25/);

    const [task] = await testApp().app.locals.context.engine.findTasks({ businessKey: submitted.code });
    const taskPage = await reviewer.get(`/tasks/${task!.id}`).expect(200);
    assert.match(taskPage.text, /data-testid="credit-grade"/);
    assert.match(taskPage.text, /data-testid="grade-class">C 类/);

    const ungraded = await buildSubject();
    const plain = await reviewer.get(`/admin/subjects/${ungraded.id}`).expect(200);
    assert.match(plain.text, /尚未评价，按一般风险（B 类）对待/);

    const pub = await request(testApp().app).get(`/public/query?q=${submitted.subject.code}`).expect(200);
    assert.doesNotMatch(pub.text, /credit-grade|信用分级|评分/);
    const api = await request(testApp().app).get(`/api/public/subjects/${submitted.subject.code}`);
    assert.doesNotMatch(JSON.stringify(api.body), /"grade"|"score"/);
  });

  it("lets an admin run the regrade of changed subjects by hand", async () => {
    const admin = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const res = await admin
      .post("/admin/grading/jobs/run")
      .set("Accept", "application/json")
      .type("form")
      .send({ _csrf: admin.csrf })
      .expect(200);
    assert.equal(typeof res.body.data.ran, "boolean");
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    await reviewer.post("/admin/grading/jobs/run").type("form").send({ _csrf: reviewer.csrf }).expect(403);
  });
});
