import assert from "node:assert/strict";
import request from "supertest";
import { Commitment } from "../../../server/db/models/Commitment.js";
import { buildSubject, buildUser, loginAs, type Agent } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, ensureShippedForms, GOOD_DATA, SIGNATURE } from "../../domain/commitments/fixtures.js";

const post = (agent: Agent, url: string, body: unknown) =>
  agent
    .post(url)
    .set("X-CSRF-Token", agent.csrf)
    .send(body as object);

describe("who sees and acts on a commitment", () => {
  let itemCode: string;
  before(async () => {
    await ensureShippedForms();
    itemCode = await buildPublishedItem("scjgj");
  });

  it("hides a case from another department's reviewer (404 to read and to decide) and lets its own reviewer act", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const other = await loginAs(await buildUser({ roles: ["reviewer"], department: "zjj" }));
    const own = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const missing = await other.get(`/api/commitments/${code}`).expect(404);
    const unknown = await other.get(`/api/commitments/41018299999999999999`).expect(404);
    assert.equal(missing.body.error.message, unknown.body.error.message, "forbidden and unknown look the same");
    await post(other, `/api/commitments/${code}/review`, { data: { decision: "approve" } }).expect(404);
    assert.equal((await Commitment.findOne({ where: { code } }))!.status, "审查中");
    const list = await other.get(`/api/commitments?status=审查中&pageSize=200`).expect(200);
    assert.ok(!list.body.data.some((c: { code: string }) => c.code === code));
    await own.get(`/api/commitments/${code}`).expect(200);
    const approved = await post(own, `/api/commitments/${code}/review`, { data: { decision: "approve" } }).expect(200);
    assert.equal(approved.body.status, "监管中");
  });

  it("refuses a reviewer completing the engine task directly when not a candidate (engine-rest path)", async () => {
    const { code } = await buildSubmittedCase(itemCode);
    const { engine } = testApp().app.locals.context;
    const [task] = await engine.findTasks({ businessKey: code });
    const other = await loginAs(await buildUser({ roles: ["reviewer"], department: "zjj" }));
    const res = await other
      .post(`/engine-rest/task/${task!.id}/complete`)
      .set("X-CSRF-Token", other.csrf)
      .send({ variables: { decision: { value: "approve" } } });
    assert.ok([403, 404].includes(res.status), `got ${res.status}`);
    assert.equal((await Commitment.findOne({ where: { code } }))!.status, "审查中");
  });

  it("shows an applicant only its own subjects' cases and refuses submitting for a subject it does not act for (404)", async () => {
    const mine = await buildSubmittedCase(itemCode);
    const theirs = await buildSubmittedCase(itemCode);
    const applicant = await loginAs(mine.applicantAccount);
    await applicant.get(`/api/commitments/${mine.code}`).expect(200);
    await applicant.get(`/api/commitments/${theirs.code}`).expect(404);
    const list = await applicant.get("/api/commitments").expect(200);
    assert.deepEqual(
      list.body.data.map((c: { code: string }) => c.code),
      [mine.code],
    );
    const stranger = await buildSubject();
    await post(applicant, "/api/commitments", { itemCode, subject: stranger.code, data: GOOD_DATA, signature: SIGNATURE }).expect(404);
    await post(applicant, `/api/commitments/${theirs.code}/resubmit`, { data: GOOD_DATA, signature: SIGNATURE }).expect(404);
    // An applicant cannot decide its own case.
    await post(applicant, `/api/commitments/${mine.code}/review`, { data: { decision: "approve" } }).expect(404);
    await request(testApp().app).get(`/api/commitments/${mine.code}`).expect(401);
  });

  it("lists a department's cases for staff with filters and pagination, and exports the archive as CSV and JSON", async () => {
    const item = await buildPublishedItem("sthj");
    const cases = [await buildSubmittedCase(item), await buildSubmittedCase(item), await buildSubmittedCase(item)];
    const staff = await loginAs(await buildUser({ roles: ["reviewer"], department: "sthj" }));
    const page1 = await staff.get(`/api/commitments?item=${item}&pageSize=2`).expect(200);
    assert.equal(page1.body.meta.total, 3);
    assert.equal(page1.body.data.length, 2);
    const page2 = await staff.get(`/api/commitments?item=${item}&pageSize=2&page=2`).expect(200);
    assert.equal(page2.body.data.length, 1);
    const bySubject = await staff.get(`/api/commitments?subject=${cases[1]!.subject.code}`).expect(200);
    assert.deepEqual(
      bySubject.body.data.map((c: { code: string }) => c.code),
      [cases[1]!.code],
    );
    await staff.get(`/api/commitments?status=nonsense`).expect(400);

    const json = await staff.get(`/api/archive?format=json&item=${item}`).expect(200);
    assert.equal(json.body.data.length, 3);
    const rec = json.body.data[0];
    for (const key of [
      "code",
      "subjectName",
      "subjectType",
      "subjectCode",
      "commitmentType",
      "reason",
      "content",
      "liability",
      "madeOn",
      "validUntil",
      "acceptingUnit",
      "publicType",
      "fulfilmentStatus",
      "supervisionStatus",
      "letterHtml",
    ]) {
      assert.ok(key in rec, `archive record has ${key}`);
    }
    assert.match(rec.liability, /违诺责任/);
    const csv = await staff.get(`/api/archive?format=csv&item=${item}`).expect(200);
    assert.match(String(csv.headers["content-type"]), /text\/csv/);
    const lines = csv.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    assert.match(lines[0]!, /^承诺编码,承诺人名称,承诺人类别,承诺人代码,承诺类型,承诺事由/);
    assert.equal(lines.length, 1 + 3);
    const applicant = await loginAs(cases[0]!.applicantAccount);
    await applicant.get("/api/archive?format=json").expect(403);
  });
});
