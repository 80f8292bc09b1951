import assert from "node:assert/strict";
import request from "supertest";
import { createApp } from "../../server/app.js";
import { AuditEntry } from "../../server/db/models/AuditEntry.js";
import { CreditDocument } from "../../server/db/models/CreditDocument.js";
import { createCreditRecord } from "../../server/domain/credit/creditRecords.js";
import { canonicalJson, sha256Hex } from "../../server/domain/reports/canonical.js";
import { createLogger } from "../../server/logger.js";
import { goodRow } from "../domain/credit/importFixture.js";
import { buildSubject, buildUser, csrfFrom, departmentId, loginAs, type Agent } from "../helpers/factories.js";
import { testApp, testConfig } from "../helpers/testApp.js";
import { buildPenalty, buildWorld, inboxTask, post, publicQuery, uploadProof } from "./repair/fixtures.js";

const application = (proof: unknown) => ({
  correction: "已缴清全部罚款并完成整改。",
  proof,
  contactName: "李四",
  contactPhone: "13800000000",
  commitmentAgreed: true,
  signerName: "王五",
});

/** Runs a repair case of the record to its 审核 decision and answers the case number. */
async function repairTo(
  world: Awaited<ReturnType<typeof buildWorld>>,
  recordId: number,
  decision: { decision: string; decisionReason: string },
): Promise<string> {
  const proof = await uploadProof(world.applicant);
  const code: string = (await post(world.applicant, `/repair/records/${recordId}/apply`, { data: application(proof.value) }).expect(201))
    .body.data.code;
  const accept = await inboxTask(world.reviewer, "credit-repair", code);
  await post(world.reviewer, `/api/tasks/${accept!.taskId}/complete`, { data: { acceptance: "accept" } }).expect(200);
  const review = await inboxTask(world.reviewer, "credit-repair", code);
  await post(world.reviewer, `/api/tasks/${review!.taskId}/complete`, { data: decision }).expect(200);
  return code;
}

describe("documents (信用修复告知书 / 决定书) and the credit report with /verify", function () {
  this.timeout(60_000);

  it("hashes canonical JSON: the same content in any key order gives the same text and sha256", () => {
    const a = { b: [1, { y: "乙", x: "甲" }], a: null, c: "报告" };
    const b = { c: "报告", a: null, b: [1, { x: "甲", y: "乙" }] };
    assert.equal(canonicalJson(a), '{"a":null,"b":[1,{"x":"甲","y":"乙"}],"c":"报告"}');
    assert.equal(canonicalJson(a), canonicalJson(b));
    assert.equal(sha256Hex(canonicalJson(a)), sha256Hex(canonicalJson(b)));
    assert.notEqual(sha256Hex(canonicalJson(a)), sha256Hex(canonicalJson({ ...a, c: "报告。" })));
  });

  it("serves a 信用修复告知书 with each 行政处罚 and 严重失信 record, numbered, printable by the subject and staff only", async () => {
    const world = await buildWorld();
    const penalty = await buildPenalty(world.subject, { severity: "一般", daysAgo: 20 });
    const { db, clock } = testApp();
    const listed = await createCreditRecord(db, {
      actor: "officer",
      departmentId: await departmentId("scjgj"),
      fields: {
        recordType: "严重失信主体名单",
        severity: "严重",
        partyName: world.subject.name,
        partyType: "法人及非法人组织",
        uscc: world.subject.code,
        decisionNumber: `荥市监列〔2026〕${penalty.id}号`,
        listingReason: "拒不履行法定义务，情节严重",
        basis: "《市场监督管理严重违法失信名单管理办法》第二条",
        decidedOn: penalty.decidedOn!,
        authority: "荥阳市市场监督管理局",
        authorityUscc: "121200004013590816",
      },
      at: clock.now(),
    });
    const licence = await createCreditRecord(db, {
      actor: "officer",
      departmentId: await departmentId("scjgj"),
      fields: goodRow(`P${penalty.id}`, 9, world.subject),
      at: clock.now(),
    });
    const notices = await CreditDocument.findAll({ where: { kind: "repair_notice", recordId: [penalty.id, listed.id, licence.id] } });
    assert.deepEqual(notices.map((n) => n.recordId).sort(), [penalty.id, listed.id].sort(), "a licence has no 告知书");
    const notice = notices.find((n) => n.recordId === penalty.id)!;
    assert.match(notice.number, /^GZ410182\d{8}\d{6}$/);
    assert.equal(notice.contentSha256, sha256Hex(notice.content), "the stored hash is the content's");

    const page = await world.applicant.get(`/documents/${notice.number}`).expect(200);
    assert.match(page.text, /信用修复告知书/);
    assert.ok(page.text.includes(penalty.decisionNumber!));
    assert.match(page.text, new RegExp(`最短公示期至 ${penalty.minUntil} 届满`));
    assert.match(page.text, /\/repair\/apply/);
    assert.match(page.text, /data-testid="signature"/);
    assert.match(page.text, /data-testid="seal"/);
    // Staff read it from the subject's profile; another applicant gets 404; a visitor is sent to log in.
    const profile = await world.reviewer.get(`/admin/credit/subjects/${world.subject.code}`).expect(200);
    assert.ok(profile.text.includes(`/documents/${notice.number}`));
    await world.reviewer.get(`/documents/${notice.number}`).expect(200);
    const stranger = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [(await buildSubject()).id] }));
    await stranger.get(`/documents/${notice.number}`).expect(404);
    await request(testApp().app).get(`/documents/${notice.number}`).expect(302);
    await world.applicant.get("/documents/not-a-number").expect(400);
  });

  it("issues the 信用修复决定书 and the public 信用修复承诺 on approval, the 不予修复决定书 on refusal, reachable from the case", async () => {
    const world = await buildWorld();
    const granted = await buildPenalty(world.subject, { severity: "一般", daysAgo: 150 });
    const refused = await buildPenalty(world.subject, { severity: "一般", daysAgo: 160 });
    const yes = await repairTo(world, granted.id, { decision: "approve", decisionReason: "已履行全部义务" });
    const no = await repairTo(world, refused.id, { decision: "refuse", decisionReason: "整改未通过复查" });

    const yesDocs = await CreditDocument.findAll({ where: { caseKey: yes }, order: [["id", "ASC"]] });
    assert.deepEqual(
      yesDocs.map((d) => d.kind),
      ["repair_decision", "repair_commitment"],
    );
    const [decision, commitment] = yesDocs;
    const casePage = await world.applicant.get(`/my/cases/${yes}`).expect(200);
    assert.ok(casePage.text.includes(`/documents/${decision!.number}`), "the applicant's case links its 决定书");
    const printed = await world.applicant.get(`/documents/${decision!.number}`).expect(200);
    assert.match(printed.text, /信用修复决定书/);
    assert.match(printed.text, /同意信用修复/);
    assert.match(printed.text, /终止公示、停止共享/);
    assert.ok(printed.text.includes(granted.decisionNumber!));
    const signed = await world.applicant.get(`/documents/${commitment!.number}`).expect(200);
    assert.match(signed.text, /承诺人（签字）：王五/);

    const noDocs = await CreditDocument.findAll({ where: { caseKey: no } });
    assert.deepEqual(
      noDocs.map((d) => d.kind),
      ["repair_refusal"],
    );
    const refusal = await world.applicant.get(`/documents/${noDocs[0]!.number}`).expect(200);
    assert.match(refusal.text, /不予信用修复决定书/);
    assert.match(refusal.text, /整改未通过复查/);
    const audits = await AuditEntry.count({ where: { action: "document.issued", entityId: [String(granted.id), String(refused.id)] } });
    assert.equal(audits, 2);

    // The repair commitment of the granted case is public: the query lists it with the other 信用修复 commitments.
    const profile = (await publicQuery(`/api/public/subjects/${world.subject.code}`).expect(200)).body.data;
    assert.ok(profile.repairCommitments.some((c: { code: string }) => c.code === commitment!.number));
    assert.ok(!profile.creditRecords.some((r: { title: string }) => r.title === granted.title));
  });

  it("generates a numbered report of what is public now, prints it, and anyone verifies number, subject, date and hash", async () => {
    const world = await buildWorld();
    const shown = await buildPenalty(world.subject, { severity: "严重", daysAgo: 30 });
    const hidden = await buildPenalty(world.subject, { severity: "轻微", daysAgo: 30 });
    assert.equal(hidden.status, "不予公示");

    const page = await world.applicant.get(`/credit-reports?subject=${world.subject.code}`).expect(200);
    assert.match(page.text, /生成信用报告/);
    assert.match(page.text, /尚未出具过信用报告/);
    const made = await post(world.applicant, "/credit-reports", { subject: world.subject.code }).expect(201);
    const { number, sha256 } = made.body.data as { number: string; sha256: string };
    assert.match(number, /^BG410182\d{8}\d{6}$/);

    const stored = await CreditDocument.findOne({ where: { number } });
    const content = JSON.parse(stored!.content) as {
      subject: { code: string };
      records: { decisionNumber: string }[];
      number: string;
      issuedOn: string;
    };
    assert.equal(canonicalJson(content), stored!.content, "stored as canonical JSON");
    assert.equal(sha256, sha256Hex(stored!.content));
    assert.equal(content.number, number);
    assert.deepEqual(
      content.records.map((r) => r.decisionNumber),
      [shown.decisionNumber],
      "only what is public now",
    );
    assert.ok(!stored!.content.includes("身份证"), "no ID numbers");

    const printed = await world.applicant.get(`/documents/${number}`).expect(200);
    assert.ok(printed.text.includes(shown.decisionNumber!));
    assert.ok(!printed.text.includes(hidden.decisionNumber!));
    assert.ok(printed.text.includes(sha256));
    assert.match(printed.text, new RegExp(`/verify/${number}`));

    // /verify is public: number, subject, date and hash; a pasted hash is compared.
    const anyone = request(testApp().app);
    const verified = await anyone.get(`/verify/${number}`).expect(200);
    assert.ok(verified.text.includes(world.subject.name));
    assert.ok(verified.text.includes(sha256));
    assert.ok(verified.text.includes(content.issuedOn));
    const same = await request(testApp().app).get(`/verify/${number}?hash=${sha256.toUpperCase()}`).expect(200);
    assert.match(same.text, /data-testid="hash-match"/);
    const other = await request(testApp().app)
      .get(`/verify/${number}?hash=${"0".repeat(64)}`)
      .expect(200);
    assert.match(other.text, /data-testid="hash-mismatch"/);
    const json = await request(testApp().app).get(`/verify/${number}`).set("Accept", "application/json").expect(200);
    assert.equal(json.body.data.sha256, sha256);
    assert.equal(json.body.data.subjectCode, world.subject.code);
    const missing = await request(testApp().app).get("/verify/BG41018220260101999999").expect(404);
    assert.match(missing.text, /未找到该编号的信用报告/);
    // A notice number is not a report.
    const notice = await CreditDocument.findOne({ where: { recordId: shown.id, kind: "repair_notice" } });
    await request(testApp().app).get(`/verify/${notice!.number}`).expect(404);

    // Staff issue one from the profile; an applicant cannot for a subject it does not act for.
    const staff = await world.reviewer
      .post("/credit-reports")
      .type("form")
      .send({ _csrf: world.reviewer.csrf, subject: world.subject.code });
    assert.equal(staff.status, 303);
    assert.match(String(staff.headers.location), /^\/documents\/BG/);
    const profile = await world.reviewer.get(`/admin/credit/subjects/${world.subject.code}`).expect(200);
    assert.ok(profile.text.includes(number));
    const otherSubject = await buildSubject();
    await post(world.applicant, "/credit-reports", { subject: otherSubject.code }).expect(404);
    const bad = await post(world.applicant, "/credit-reports", {}).expect(400);
    assert.match(bad.body.error.message, /./);
    assert.equal(
      await AuditEntry.count({ where: { action: "credit_report.generated", entityId: String(world.subject.id) } }),
      2,
      "each report is audited",
    );
  });

  it("limits report generation per account with a Chinese 429", async () => {
    const previous = process.env.CREDIT_REPORT_RATE_LIMIT;
    process.env.CREDIT_REPORT_RATE_LIMIT = "2";
    try {
      const { db, clock } = testApp();
      const app = createApp({ config: testConfig(), db, logger: createLogger("silent"), clock });
      const subject = await buildSubject();
      const user = await buildUser({ roles: ["applicant"], subjectIds: [subject.id] });
      const agent = request.agent(app) as Agent;
      const login = await agent.get("/login").expect(200);
      await agent
        .post("/login")
        .type("form")
        .send({ _csrf: csrfFrom(login.text), username: user.username, password: user.password })
        .expect(302);
      agent.csrf = csrfFrom((await agent.get("/").expect(200)).text);
      await post(agent, "/credit-reports", { subject: subject.code }).expect(201);
      await post(agent, "/credit-reports", { subject: subject.code }).expect(201);
      const refused = await post(agent, "/credit-reports", { subject: subject.code }).expect(429);
      assert.match(refused.body.error.message, /信用报告次数过多/);
      assert.equal(await CreditDocument.count({ where: { subjectId: subject.id, kind: "credit_report" } }), 2);
    } finally {
      if (previous === undefined) delete process.env.CREDIT_REPORT_RATE_LIMIT;
      else process.env.CREDIT_REPORT_RATE_LIMIT = previous;
    }
  });
});
