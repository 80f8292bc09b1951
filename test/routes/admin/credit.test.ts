import assert from "node:assert/strict";
import request from "supertest";
import { CreditRecord } from "../../../server/db/models/CreditRecord.js";
import { buildSubject, buildUser, loginAs, randomUscc, type Agent } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { goodRow, toCsv } from "../../domain/credit/importFixture.js";

const roles = {
  anonymous: null,
  applicant: ["applicant"],
  reviewer: ["reviewer"],
  dept_admin: ["dept_admin"],
  auditor: ["auditor"],
  admin: ["admin"],
} as const;

async function agents(): Promise<Record<keyof typeof roles, Agent | null>> {
  const out = {} as Record<keyof typeof roles, Agent | null>;
  for (const [name, r] of Object.entries(roles) as Array<[keyof typeof roles, (typeof roles)[keyof typeof roles]]>)
    out[name] = r ? await loginAs(await buildUser({ roles: [...r], department: name === "applicant" ? null : "scjgj" })) : null;
  return out;
}

interface ImportView {
  id: number;
  done: boolean;
  badRows: number;
  createdCount: number;
  fileName: string;
}

async function waitFor(agent: Agent, id: number): Promise<ImportView> {
  for (let i = 0; i < 200; i++) {
    const res = await agent.get(`/admin/credit/imports/${id}`).set("Accept", "application/json").expect(200);
    const view = (res.body as { data: ImportView }).data;
    if (view.done) return view;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("import did not finish");
}

describe("credit record pages: who may open what", function () {
  this.timeout(60_000);
  let as: Awaited<ReturnType<typeof agents>>;
  let recordId: number;
  before(async () => {
    as = await agents();
    const tag = `P${Date.now().toString(36)}`;
    const res = await as
      .reviewer!.post("/admin/credit/records")
      .set("Accept", "application/json")
      .set("X-CSRF-Token", as.reviewer!.csrf)
      .type("form")
      .send({
        ...goodRow(tag, 1, { code: randomUscc(), name: `页面测试${tag}有限公司` }),
        decisionNumber: `${tag}-1`,
        decidedOn: "2026-01-05",
      })
      .expect(201);
    recordId = res.body.data.id;
  });

  const pages: Array<[string, Record<keyof typeof roles, number>]> = [
    ["/admin/credit/records", { anonymous: 302, applicant: 403, reviewer: 200, dept_admin: 200, auditor: 200, admin: 200 }],
    ["/admin/credit/records/new", { anonymous: 302, applicant: 403, reviewer: 200, dept_admin: 200, auditor: 403, admin: 200 }],
    ["/admin/credit/import", { anonymous: 302, applicant: 403, reviewer: 200, dept_admin: 200, auditor: 403, admin: 200 }],
    ["/admin/credit/import/template.xlsx", { anonymous: 302, applicant: 403, reviewer: 200, dept_admin: 200, auditor: 403, admin: 200 }],
    ["/admin/credit/import/template.csv", { anonymous: 302, applicant: 403, reviewer: 200, dept_admin: 200, auditor: 403, admin: 200 }],
    ["/admin/credit/rules", { anonymous: 302, applicant: 403, reviewer: 200, dept_admin: 200, auditor: 200, admin: 200 }],
    ["/admin/credit/timeliness", { anonymous: 302, applicant: 403, reviewer: 200, dept_admin: 200, auditor: 200, admin: 200 }],
    ["/admin/credit/timeliness?format=csv", { anonymous: 302, applicant: 403, reviewer: 200, dept_admin: 200, auditor: 200, admin: 200 }],
  ];
  for (const [path, expected] of pages) {
    it(`GET ${path}`, async () => {
      for (const name of Object.keys(roles) as Array<keyof typeof roles>) {
        const agent = as[name] ?? request(testApp().app);
        const res = await agent.get(path);
        assert.equal(res.status, expected[name], `${name} ${path}`);
      }
    });
  }

  it("GET a record and the subject profile: officers 200, applicants 403, anonymous to login", async () => {
    const record = await CreditRecord.findByPk(recordId);
    const detail = JSON.parse(record!.detail!) as Record<string, string>;
    for (const path of [`/admin/credit/records/${recordId}`, `/admin/credit/subjects/${detail.uscc}`]) {
      assert.equal((await request(testApp().app).get(path)).status, 302);
      assert.equal((await as.applicant!.get(path)).status, 403);
      for (const name of ["reviewer", "dept_admin", "auditor", "admin"] as const) {
        const res = await as[name]!.get(path);
        assert.equal(res.status, 200, `${name} ${path}`);
        assert.match(res.text, /公示中/);
      }
    }
    assert.equal((await as.admin!.get("/admin/credit/records/99999999")).status, 404);
    assert.equal((await as.admin!.get("/admin/credit/records/abc")).status, 404);
  });

  it("status changes and overrides: the recording department's admin and admins only; reviewers and auditors 403", async () => {
    const post = (agent: Agent, path: string, body: Record<string, string>) =>
      agent.post(path).set("X-CSRF-Token", agent.csrf).type("form").send(body);
    assert.equal((await post(as.reviewer!, `/admin/credit/records/${recordId}/status`, { to: "已屏蔽", reason: "x" })).status, 403);
    assert.equal((await post(as.auditor!, `/admin/credit/records/${recordId}/status`, { to: "已屏蔽", reason: "x" })).status, 403);
    const other = await loginAs(await buildUser({ roles: ["dept_admin"], department: "swj" }));
    assert.equal((await post(other, `/admin/credit/records/${recordId}/status`, { to: "已屏蔽", reason: "x" })).status, 403);
    const override = await post(as.dept_admin!, `/admin/credit/records/${recordId}/override`, {
      maxMode: "set",
      maxValue: "2",
      maxUnit: "year",
      overrideBasis: "《某法》第三条",
    });
    assert.equal(override.status, 302);
    assert.equal((await CreditRecord.findByPk(recordId))!.publicityUntil, "2028-01-05");
    const shield = await post(as.dept_admin!, `/admin/credit/records/${recordId}/status`, {
      to: "已屏蔽",
      reason: "（2026）豫0182破1号 重整裁定",
    });
    assert.equal(shield.status, 302);
    assert.equal((await CreditRecord.findByPk(recordId))!.status, "已屏蔽");
    const page = await as.auditor!.get(`/admin/credit/records/${recordId}`).expect(200);
    assert.match(page.text, /公示中 → 已屏蔽/);
    assert.match(page.text, /重整裁定/);
  });

  it("rules: dept_admin may preview and save only its department's set; the national set is for admins; reviewers 403", async () => {
    const body = {
      ruleSet: "national",
      recordType: "经营异常名录",
      severity: "*",
      publish: "yes",
      minValue: "",
      minUnit: "",
      maxValue: "",
      maxUnit: "",
      effectiveFrom: "2099-01-01",
      legalBasis: "测试",
      step: "preview",
    };
    const post = (agent: Agent, b: Record<string, string>) =>
      agent.post("/admin/credit/rules").set("X-CSRF-Token", agent.csrf).type("form").send(b);
    assert.equal((await post(as.reviewer!, body)).status, 403);
    assert.equal((await post(as.dept_admin!, body)).status, 403);
    const preview = await post(as.dept_admin!, { ...body, ruleSet: "scjgj" });
    assert.equal(preview.status, 200);
    assert.match(preview.text, /保存后将变化的记录：0 条/);
    const bad = await post(as.admin!, { ...body, maxValue: "3" });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /期限和单位须同时填写/);
    const minMax = await post(as.admin!, { ...body, minValue: "2", minUnit: "year", maxValue: "1", maxUnit: "year" });
    assert.equal(minMax.status, 400);
    assert.match(minMax.text, /最短公示期长于最长公示期/);
  });

  it("the expiry job can be run by admins only", async () => {
    const post = (agent: Agent) =>
      agent.post("/admin/credit/jobs/expiry").set("X-CSRF-Token", agent.csrf).set("Accept", "application/json");
    assert.equal((await post(as.dept_admin!)).status, 403);
    assert.equal((await post(as.auditor!)).status, 403);
  });
});

describe("credit record entry and import over HTTP: hostile input", function () {
  this.timeout(60_000);

  it("escapes markup in every field and keeps the text as typed", async () => {
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"] }));
    const tag = `H${Date.now().toString(36)}`;
    const evil = `<script>alert(1)</script>' OR 1=1; --`;
    const res = await reviewer
      .post("/admin/credit/records")
      .set("X-CSRF-Token", reviewer.csrf)
      .type("form")
      .send({
        ...goodRow(tag, 1, { code: randomUscc(), name: `恶意输入${tag}` }),
        decisionNumber: `${tag}-1`,
        violationFacts: evil,
        penaltyContent: evil,
      })
      .expect(302);
    const page = await reviewer.get(res.headers.location!).expect(200);
    assert.doesNotMatch(page.text, /<script>alert\(1\)<\/script>/);
    assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it("re-renders the form with Chinese field errors for a bad row, and refuses without a CSRF token", async () => {
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"] }));
    const res = await reviewer
      .post("/admin/credit/records")
      .set("X-CSRF-Token", reviewer.csrf)
      .type("form")
      .send({
        recordType: "行政处罚",
        severity: "特别严重",
        partyName: "x".repeat(300),
        partyType: "法人及非法人组织",
        uscc: "ABC",
        fineAmount: "1e9",
        decidedOn: "2026-13-45",
      });
    assert.equal(res.status, 400);
    assert.match(res.text, /未知的严重程度/);
    assert.match(res.text, /不能超过 200 字/);
    assert.match(res.text, /不是有效日期/);
    assert.match(res.text, /不是数字/);
    const noToken = await reviewer.post("/admin/credit/records").type("form").send({ recordType: "行政处罚" });
    assert.equal(noToken.status, 403);
    const unknown = await reviewer
      .post("/admin/credit/records")
      .set("X-CSRF-Token", reviewer.csrf)
      .type("form")
      .send({ recordType: ["行政处罚", "x"] });
    assert.equal(unknown.status, 400);
  });

  it("imports a small CSV with progress polling: dry run writes nothing, import writes, again writes 0", async () => {
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"] }));
    const tag = `W${Date.now().toString(36)}`;
    const subject = await buildSubject();
    const rows = Array.from({ length: 30 }, (_, i) => ({
      ...goodRow(tag, i, { code: subject.code, name: subject.name }),
      decidedOn: "2026-01-10",
    }));
    const upload = (mode: string) =>
      reviewer
        .post("/admin/credit/imports")
        .set("X-CSRF-Token", reviewer.csrf)
        .set("Accept", "application/json")
        .field("mode", mode)
        .attach("file", toCsv(rows), "记录.csv");
    const dry = await upload("dry-run").expect(202);
    assert.equal((await waitFor(reviewer, dry.body.data.id)).badRows, 0);
    assert.equal(await CreditRecord.count({ where: { subjectId: subject.id } }), 0);
    const real = await waitFor(reviewer, (await upload("import").expect(202)).body.data.id);
    assert.equal(real.createdCount, 30);
    assert.equal(real.fileName, "记录.csv");
    assert.equal((await waitFor(reviewer, (await upload("import").expect(202)).body.data.id)).createdCount, 0);
    assert.equal(await CreditRecord.count({ where: { subjectId: subject.id } }), 30);
    const page = await reviewer.get(`/admin/credit/imports/${real.id}`).expect(200);
    assert.match(page.text, /已导入 30 条记录/);
    // Someone else's import is not found.
    const other = await loginAs(await buildUser({ roles: ["reviewer"] }));
    assert.equal((await other.get(`/admin/credit/imports/${real.id}`)).status, 404);
  });

  it("refuses an oversize file (413), a wrong type (400), no file (400), with Chinese messages", async () => {
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"] }));
    const post = () => reviewer.post("/admin/credit/imports").set("X-CSRF-Token", reviewer.csrf).set("Accept", "application/json");
    const big = await post().attach("file", Buffer.alloc(testApp().config.uploadLimitBytes + 10, 65), "big.csv");
    assert.equal(big.status, 413);
    assert.match(big.body.error.message, /文件超过 .* MB 上限/);
    const exe = await post().attach("file", Buffer.from("MZ\u0000\u0000"), "virus.exe");
    assert.equal(exe.status, 400);
    assert.match(exe.body.error.message, /只能导入 CSV 或 Excel/);
    const fake = await post().attach("file", Buffer.from("not a zip"), "fake.xlsx");
    assert.equal(fake.status, 400);
    assert.match(fake.body.error.message, /不是 Excel 工作簿/);
    const none = await post().field("mode", "import");
    assert.equal(none.status, 400);
    assert.match(none.body.error.message, /请选择要导入的文件/);
  });
});
