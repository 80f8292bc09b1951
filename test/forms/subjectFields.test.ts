import assert from "node:assert/strict";
import { bootShippedCatalog } from "../../server/domain/catalog/seedCatalog.js";
import { Commitment } from "../../server/db/models/Commitment.js";
import { bindSubjectFields, subjectBoundFields } from "../../server/forms/index.js";
import { ensureShippedForms } from "../domain/commitments/fixtures.js";
import { buildSubject, buildUser, loginAs, type Agent } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
const ITEM = "scjgj-food-business-licence";

async function foodData(agent: Agent, overrides: Record<string, unknown>) {
  const file = (await agent.post("/api/uploads").set("X-CSRF-Token", agent.csrf).attach("file", PNG, "license.png").expect(201)).body
    .data as { name: string; url: string; size: number; type: string };
  return {
    premises: "荥阳市京城路88号",
    businessItems: ["prepackaged"],
    principal: "李四",
    phone: "13800000000",
    safetySystem: true,
    staff: [{ name: "王五", healthCertNo: "HC-2026-0001" }],
    businessLicense: [{ storage: "url", name: file.name, originalName: file.name, url: file.url, size: file.size, type: file.type }],
    ...overrides,
  };
}

describe("forms: fields bound to the acting subject", () => {
  before(async () => {
    await ensureShippedForms();
    const ctx = testApp().app.locals.context;
    await bootShippedCatalog({ db: ctx.db, engine: ctx.engine, clock: ctx.clock });
  });

  it("finds bound fields by properties.subjectField or by the conventional keys, outside grids and containers only", () => {
    const fields = subjectBoundFields({
      components: [
        {
          type: "panel",
          key: "p",
          input: false,
          components: [{ type: "textfield", key: "subjectName", label: "<b>名称</b>", input: true }],
        },
        { type: "textfield", key: "uscc", label: "统一社会信用代码", input: true, properties: { subjectField: "code" } },
        { type: "textfield", key: "subjectType", label: "类型", input: true, properties: { subjectField: "" } },
        { type: "datagrid", key: "rows", input: true, components: [{ type: "textfield", key: "subjectCode", input: true }] },
        { type: "container", key: "box", input: true, components: [{ type: "textfield", key: "subjectName", input: true }] },
        { type: "number", key: "subjectCode", label: "数字", input: true },
      ],
    });
    assert.deepEqual(fields, [
      { key: "subjectName", field: "name", label: "名称" },
      { key: "uscc", field: "code", label: "统一社会信用代码" },
    ]);
  });

  it("fills empty bound fields with the subject's values and compares names as a person reads them", () => {
    const definition = {
      components: [
        { type: "textfield", key: "subjectName", label: "经营者名称", input: true },
        { type: "textfield", key: "subjectCode", label: "代码", input: true },
      ],
    };
    const subject = { name: "荥阳市示范食品（集团）有限公司", code: "91410182MA9XY0001H", type: "法人及非法人组织" };
    assert.deepEqual(bindSubjectFields(definition, { other: 1 }, subject), {
      other: 1,
      subjectName: subject.name,
      subjectCode: subject.code,
    });
    assert.deepEqual(
      bindSubjectFields(definition, { subjectName: "荥阳市示范食品(集团)有限公司 ", subjectCode: "91410182ma9xy0001h" }, subject),
      {
        subjectName: "荥阳市示范食品(集团)有限公司 ",
        subjectCode: "91410182ma9xy0001h",
      },
    );
    assert.throws(
      () => bindSubjectFields(definition, { subjectName: "别的公司" }, subject),
      (err: Error & { details?: { path: string; message: string }[] }) =>
        err.message === "表单中的主体信息与当前承诺主体不一致" &&
        err.details?.[0]?.path === "subjectName" &&
        /经营者名称必须与承诺主体的名称一致：应为“荥阳市示范食品（集团）有限公司”/.test(err.details[0].message),
    );
  });

  it("the server refuses a commitment whose 经营者名称 or 统一社会信用代码 is not the subject's, and stores nothing", async () => {
    const subject = await buildSubject();
    const other = await buildSubject();
    const agent = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [subject.id] }));
    const before = await Commitment.count();
    const data = await foodData(agent, { subjectName: other.name, uscc: other.code });
    const res = await agent
      .post("/api/commitments")
      .set("X-CSRF-Token", agent.csrf)
      .send({ itemCode: ITEM, subject: subject.code, data, signature: { name: "李四", agreed: true } })
      .expect(400);
    assert.equal(res.body.error.message, "表单中的主体信息与当前承诺主体不一致");
    assert.deepEqual(
      res.body.error.details.map((d: { path: string }) => d.path),
      ["subjectName", "uscc"],
    );
    assert.match(
      res.body.error.details[1].message,
      new RegExp(`统一社会信用代码必须与承诺主体的统一社会信用代码（身份证号）一致：应为“${subject.code}”`),
    );
    assert.equal(await Commitment.count(), before);
  });

  it("a commitment that leaves the bound fields out gets the subject's values", async () => {
    const subject = await buildSubject();
    const agent = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [subject.id] }));
    const data = await foodData(agent, {});
    const res = await agent
      .post("/api/commitments")
      .set("X-CSRF-Token", agent.csrf)
      .send({ itemCode: ITEM, subject: subject.code, data, signature: { name: "李四", agreed: true } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const stored = JSON.parse((await Commitment.findOne({ where: { code: res.body.code } }))!.data) as Record<string, unknown>;
    assert.equal(stored.subjectName, subject.name);
    assert.equal(stored.uscc, subject.code);
  });

  it("the portal's 下一步 (apply/check) refuses another subject's name with the Chinese reason next to the field", async () => {
    const subject = await buildSubject();
    const agent = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [subject.id] }));
    const data = await foodData(agent, { subjectName: "冒名公司", uscc: subject.code });
    const res = await agent
      .post(`/catalog/${ITEM}/apply/check?subject=${subject.code}`)
      .set("X-CSRF-Token", agent.csrf)
      .set("Accept", "application/json")
      .send({ data })
      .expect(400);
    assert.deepEqual(res.body.error.details, [
      { path: "subjectName", message: `经营者名称必须与承诺主体的名称一致：应为“${subject.name}”，请改回或更换主体后再提交` },
    ]);
  });
});
