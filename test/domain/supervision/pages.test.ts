import assert from "node:assert/strict";
import request from "supertest";
import { SupervisionDraw, SupervisionItem } from "../../../server/db/models/supervisionModels.js";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { buildUser, loginAs } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import type { DrawView } from "../../../server/domain/supervision/draws.js";
import { presentDraw } from "../../../server/presenters/supervisionDraw.js";
import { setup } from "./fixtures.js";

const idFrom = (location: string | undefined, prefix: string) => {
  const m = new RegExp(`${prefix}/(\\d+)`).exec(location ?? "");
  assert.ok(m, `redirect to ${prefix}/:id, got ${location}`);
  return Number(m[1]);
};

describe("双随机 pages: 清单, plan, preview, confirmation and the public portal", () => {
  it("a department admin keeps the 清单, makes a plan, previews and confirms; the portal publishes it", async function () {
    this.timeout(60_000);
    const s = await setup({ grades: ["B", "C", "D", "D"] });
    const agent = await loginAs(s.admin);

    // 清单: a bad item gets the form back with Chinese field messages, a good one is listed.
    const bad = await agent
      .post("/admin/supervision/items")
      .type("form")
      .send({ _csrf: agent.csrf, departmentId: s.department.id, code: "坏 编码", name: "" });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /事项编码为 1-32 位字母/);
    assert.match(bad.text, /请填写事项名称/);
    await agent
      .post("/admin/supervision/items")
      .type("form")
      .send({
        _csrf: agent.csrf,
        departmentId: s.department.id,
        code: "ADV-1",
        name: "广告发布行为检查",
        legalBasis: "《广告法》第四十九条",
        method: "书面检查",
      })
      .expect(303);
    const items = await agent.get(`/admin/supervision/items?departmentId=${s.department.id}`).expect(200);
    assert.match(items.text, /广告发布行为检查/);
    const adv = await SupervisionItem.findOne({ where: { departmentId: s.department.id, code: "ADV-1" } });
    await agent.post(`/admin/supervision/items/${adv!.id}/deactivate`).type("form").send({ _csrf: agent.csrf }).expect(303);
    assert.match((await agent.get(`/admin/supervision/items?departmentId=${s.department.id}`)).text, /已停用/);

    // The plan form: ratios in percent.
    const form = await agent.get(`/admin/supervision/plans/new?departmentId=${s.department.id}`).expect(200);
    assert.match(form.text, /抽查比例/);
    const created = await agent
      .post("/admin/supervision/plans")
      .type("form")
      .send({
        _csrf: agent.csrf,
        departmentId: s.department.id,
        year: 2026,
        name: "2026年度页面测试计划",
        divisionCode: s.division,
        itemIds: String(s.itemId),
        ratioA: "0",
        ratioB: "100",
        ratioC: "100",
        ratioD: "50",
        inspectorsPerTarget: "2",
        periodStart: "2026-03-01",
        periodEnd: "2026-12-31",
      });
    assert.equal(created.status, 303, created.text.slice(0, 500));
    const planId = idFrom(created.headers.location, "/admin/supervision/plans");
    const annual = await agent.get(`/admin/supervision/plans?year=2026&departmentId=${s.department.id}`).expect(200);
    assert.match(annual.text, /2026年度页面测试计划/);
    assert.match(annual.text, /50%/);

    const preview = await agent.post(`/admin/supervision/plans/${planId}/draws`).type("form").send({ _csrf: agent.csrf }).expect(303);
    const drawId = idFrom(preview.headers.location, "/admin/supervision/draws");
    const page = await agent.get(`/admin/supervision/draws/${drawId}`).expect(200);
    assert.match(page.text, /预览（未确认）/);
    assert.match(page.text, /确认抽取结果/);
    const draw = (await SupervisionDraw.findByPk(drawId))!;
    assert.ok(page.text.includes(draw.seed) && page.text.includes(draw.candidatesHash));

    // Not public before confirmation.
    await request(testApp().app).get(`/public/supervision/draws/${drawId}`).expect(404);

    const confirmed = await agent.post(`/admin/supervision/draws/${drawId}/confirm`).type("form").send({ _csrf: agent.csrf });
    assert.equal(confirmed.status, 303);
    const after = await agent.get(`/admin/supervision/draws/${drawId}`).expect(200);
    assert.match(after.text, /已确认并公布/);
    assert.match(after.text, /已启动/, "an inspection case is started per target");
    assert.ok(
      await AuditEntry.findOne({ where: { action: "supervision_draw.confirmed", entityId: String(drawId), actor: s.admin.username } }),
    );

    const list = await request(testApp().app).get("/public/supervision").expect(200);
    assert.match(list.text, /2026年度页面测试计划/);
    const pub = await request(testApp().app).get(`/public/supervision/draws/${drawId}`).expect(200);
    assert.ok(pub.text.includes(draw.seed), "seed published");
    assert.ok(pub.text.includes(draw.candidatesHash), "candidate hash published");
    assert.match(pub.text, new RegExp(s.department.name));
    // 1 B + 1 C + round(50% of 2) = 1 D: three targets, with names and the inspectors' names (not usernames).
    const json = await request(testApp().app).get(`/api/public/supervision/draws/${drawId}`).expect(200);
    const body = json.body as { data: { totalDrawn: number; targets: Array<{ name: string; inspectors: string }> } };
    assert.equal(body.data.totalDrawn, 3);
    for (const t of body.data.targets) {
      assert.ok(pub.text.includes(t.name));
      assert.match(t.inspectors, /^测试用户u_[0-9a-f]+、测试用户u_[0-9a-f]+$/);
    }

    // The 复核数据 download carries what draw:verify needs.
    const verification = await agent.get(`/admin/supervision/draws/${drawId}/verification.json`).expect(200);
    assert.equal((verification.body as { seed: string }).seed, draw.seed);
  });

  it("officers read but only the department's admins change; other departments get 403", async () => {
    const s = await setup({ grades: ["D"] });
    const reviewer = await loginAs(s.inspectors[0]!);
    await reviewer.get(`/admin/supervision/targets?departmentId=${s.department.id}`).expect(200);
    await reviewer.get(`/admin/supervision/inspectors?departmentId=${s.department.id}`).expect(200);
    await reviewer.post("/admin/supervision/items").type("form").send({ _csrf: reviewer.csrf, departmentId: s.department.id }).expect(403);
    const other = await setup({ grades: ["B"] });
    const otherAdmin = await loginAs(other.admin);
    const res = await otherAdmin
      .post("/admin/supervision/items")
      .type("form")
      .send({ _csrf: otherAdmin.csrf, departmentId: s.department.id, code: "X1", name: "越权事项", legalBasis: "无", method: "无" });
    assert.equal(res.status, 403);
    const recusal = await otherAdmin
      .post(`/admin/supervision/inspectors/${s.inspectors[0]!.id}/recusals`)
      .type("form")
      .send({ _csrf: otherAdmin.csrf, subjectCode: s.subjects[0]!.code, reason: "越权" });
    assert.equal(recusal.status, 403);
    const applicant = await loginAs(await buildUser());
    await applicant.get("/admin/supervision/plans").expect(403);
  });

  it("recusals through the page: Chinese errors, confirm-guarded removal with a reason", async () => {
    const s = await setup({ grades: ["C"] });
    const agent = await loginAs(s.admin);
    const inspector = s.inspectors[0]!;
    const missing = await agent
      .post(`/admin/supervision/inspectors/${inspector.id}/recusals`)
      .type("form")
      .send({ _csrf: agent.csrf, subjectCode: "91410182MA00000000", reason: "测试" });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /没有此统一社会信用代码/);
    await agent
      .post(`/admin/supervision/inspectors/${inspector.id}/recusals`)
      .type("form")
      .send({ _csrf: agent.csrf, subjectCode: s.subjects[0]!.code, reason: "配偶为该企业股东" })
      .expect(303);
    const page = await agent.get(`/admin/supervision/inspectors/${inspector.id}`).expect(200);
    assert.match(page.text, /配偶为该企业股东/);
    assert.match(page.text, /data-confirm="确定解除对/);
    const id = /recusals\/(\d+)\/delete/.exec(page.text)![1];
    await agent
      .post(`/admin/supervision/inspectors/${inspector.id}/recusals/${id}/delete`)
      .type("form")
      .send({ _csrf: agent.csrf, reason: "" })
      .expect(303);
    assert.match((await agent.get(`/admin/supervision/inspectors/${inspector.id}`)).text, /未能解除回避/);
    await agent
      .post(`/admin/supervision/inspectors/${inspector.id}/recusals/${id}/delete`)
      .type("form")
      .send({ _csrf: agent.csrf, reason: "股权已转让" })
      .expect(303);
    assert.match((await agent.get(`/admin/supervision/inspectors/${inspector.id}`)).text, /该检查人员没有回避的主体/);
  });

  it("the public view masks a natural person's name and ID number, staff see them", () => {
    const view: DrawView = {
      id: 1,
      planId: 1,
      planName: "计划",
      departmentId: 1,
      departmentName: "市市场监管局",
      year: 2026,
      seed: "0".repeat(64),
      candidatesHash: "1".repeat(64),
      candidateCount: 2,
      status: "confirmed",
      algorithm: "sha256-ctr-v1",
      drawnBy: "deptadmin",
      createdAt: new Date(),
      confirmedBy: "deptadmin",
      confirmedAt: new Date(),
      publishedAt: new Date(),
      perClass: [],
      targets: [
        {
          subjectId: 1,
          code: "410182199001011236",
          name: "张示范",
          subjectType: "自然人",
          grade: "B",
          inspectors: [{ username: "r", name: "王审核" }],
          caseId: 5,
        },
        {
          subjectId: 2,
          code: "91410182MA9XY0001H",
          name: "荥阳市示范食品有限公司",
          subjectType: "法人及非法人组织",
          grade: "C",
          inspectors: [],
          caseId: null,
        },
      ],
    };
    const pub = presentDraw(view, true);
    assert.equal(pub.targets[0]!.name, "张**");
    assert.equal(pub.targets[0]!.code, "410182********1236");
    assert.equal(pub.targets[1]!.name, "荥阳市示范食品有限公司");
    assert.equal(pub.drawnBy, undefined);
    const staff = presentDraw(view);
    assert.equal(staff.targets[0]!.name, "张示范");
    assert.equal(staff.targets[0]!.code, "410182199001011236");
  });
});
