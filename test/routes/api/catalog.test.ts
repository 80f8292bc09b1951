import assert from "node:assert/strict";
import request from "supertest";
import { CatalogItem } from "../../../server/db/models/CatalogItem.js";
import { CatalogItemVersion } from "../../../server/db/models/CatalogItemVersion.js";
import { Commitment } from "../../../server/db/models/Commitment.js";
import { bootShippedCatalog, SHIPPED_ITEMS } from "../../../server/domain/catalog/seedCatalog.js";
import { checkLetterTemplate, renderLetterBody } from "../../../server/domain/catalog/letter.js";
import { buildUser, loginAs, type Agent } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import {
  buildPublishedForm,
  buildSubmittedCase,
  ensureShippedForms,
  itemFields,
  randomItemCode,
} from "../../domain/commitments/fixtures.js";

const post = (agent: Agent, url: string, body: unknown) =>
  agent
    .post(url)
    .set("X-CSRF-Token", agent.csrf)
    .send(body as object);
const put = (agent: Agent, url: string, body: unknown) =>
  agent
    .put(url)
    .set("X-CSRF-Token", agent.csrf)
    .send(body as object);

describe("catalog of 告知承诺 items", () => {
  before(ensureShippedForms);

  it("keeps a draft off the public catalog until published, and lets only the department's admin (or admin) manage it", async () => {
    const deptAdmin = await loginAs(await buildUser({ roles: ["dept_admin"], department: "scjgj" }));
    const otherAdmin = await loginAs(await buildUser({ roles: ["dept_admin"], department: "zjj" }));
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
    const formKey = await buildPublishedForm();
    const itemCode = randomItemCode();
    // A dept_admin cannot create an item for another department.
    await post(otherAdmin, "/api/catalog", { itemCode, departmentCode: "scjgj", ...itemFields(formKey) }).expect(403);
    await post(reviewer, "/api/catalog", { itemCode, ...itemFields(formKey) }).expect(403);
    const created = await post(deptAdmin, "/api/catalog", { itemCode, ...itemFields(formKey) }).expect(201);
    assert.equal(created.body.data.status, "draft");
    assert.equal(created.body.data.department.code, "scjgj");
    await request(testApp().app).get(`/api/catalog/${itemCode}`).expect(404);
    await post(otherAdmin, `/api/catalog/${itemCode}/publish`, {}).expect(404);
    await post(reviewer, `/api/catalog/${itemCode}/publish`, {}).expect(403);
    await post(deptAdmin, `/api/catalog/${itemCode}/publish`, {}).expect(200);
    const pub = await request(testApp().app).get(`/api/catalog/${itemCode}`).expect(200);
    assert.equal(pub.body.data.status, "published");
    assert.equal(pub.body.data.form.revision, 1);
    const admin = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    await post(admin, `/api/catalog/${itemCode}/withdraw`, { reason: "政策调整" }).expect(200);
    await request(testApp().app).get(`/api/catalog/${itemCode}`).expect(404);
  });

  it("refuses bad item fields and unsafe letter templates with Chinese field details", async () => {
    const deptAdmin = await loginAs(await buildUser({ roles: ["dept_admin"], department: "scjgj" }));
    const formKey = await buildPublishedForm();
    const bad = await post(deptAdmin, "/api/catalog", {
      itemCode: randomItemCode(),
      ...itemFields(formKey),
      publicType: "随便",
      verificationDays: 0,
    }).expect(400);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path);
    assert.ok(paths.includes("publicType"));
    assert.ok(paths.includes("verificationDays"));
    const other = await post(deptAdmin, "/api/catalog", {
      itemCode: randomItemCode(),
      ...itemFields(formKey),
      commitmentType: "其他",
    }).expect(400);
    assert.equal(other.body.error.details[0].path, "commitmentTypeOther");
    assert.match(other.body.error.details[0].message, /其他/);
    for (const template of [
      "{{{data.x}}}",
      "{{process.env}}",
      "{{> partial}}",
      "{{lookup data 'x'}}",
      "<script>alert(1)</script>",
      "{{#each data.rows}}{{@root.x}}{{/each}}",
    ]) {
      const res = await post(deptAdmin, "/api/catalog", {
        itemCode: randomItemCode(),
        ...itemFields(formKey, { letterTemplate: template }),
      }).expect(400);
      assert.equal(res.body.error.details[0].path, "letterTemplate", template);
    }
    // A form that does not exist cannot be published.
    const itemCode = randomItemCode();
    await post(deptAdmin, "/api/catalog", { itemCode, ...itemFields("no-such-form-xyz") }).expect(201);
    const refused = await post(deptAdmin, `/api/catalog/${itemCode}/publish`, {}).expect(400);
    assert.equal(refused.body.error.details[0].path, "formKey");
  });

  it("escapes the applicant's values in the letter", () => {
    assert.deepEqual(checkLetterTemplate("<p>{{subject.name}} {{data.premises}}</p>{{#each data.staff}}{{name}}{{/each}}"), []);
    const html = renderLetterBody("<p>{{data.premises}}</p>", {
      subject: { name: "x", code: "y", type: "z" },
      data: { premises: '<img src=x onerror="alert(1)">' },
      commitment: { code: null, itemName: "i", acceptingUnit: "u", signerName: "s", signedOn: "2026-11-27" },
    });
    assert.ok(!html.includes("<img"));
    assert.match(html, /&lt;img/);
  });

  it("publishes a new version without changing running cases", async () => {
    const admin = await loginAs(await buildUser({ roles: ["admin"], department: "fgw" }));
    const formKey = await buildPublishedForm();
    const itemCode = randomItemCode();
    await post(admin, "/api/catalog", { itemCode, departmentCode: "scjgj", ...itemFields(formKey, { reviewDays: 5 }) }).expect(201);
    await post(admin, `/api/catalog/${itemCode}/publish`, {}).expect(200);
    const running = await buildSubmittedCase(itemCode);
    const before = (await Commitment.findOne({ where: { code: running.code } }))!;

    await put(
      admin,
      `/api/catalog/${itemCode}`,
      itemFields(formKey, { name: "修订后的事项名称", reviewDays: 10, publicType: "不可公开" }),
    ).expect(200);
    const v2 = await post(admin, `/api/catalog/${itemCode}/publish`, {}).expect(200);
    assert.equal(v2.body.data.version, 2);
    const versions = await admin.get(`/api/catalog/${itemCode}/versions`).expect(200);
    assert.deepEqual(
      versions.body.data.map((v: { version: number; status: string }) => [v.version, v.status]),
      [
        [2, "published"],
        [1, "withdrawn"],
      ],
    );
    const after = (await Commitment.findOne({ where: { code: running.code } }))!;
    assert.equal(after.itemVersionId, before.itemVersionId);
    assert.equal(after.publicType, "可向社会公开");
    assert.equal((await CatalogItemVersion.findByPk(after.itemVersionId))!.version, 1);
    const fresh = await buildSubmittedCase(itemCode);
    const freshRow = (await Commitment.findOne({ where: { code: fresh.code } }))!;
    assert.equal((await CatalogItemVersion.findByPk(freshRow.itemVersionId))!.version, 2);
    assert.equal(freshRow.publicType, "不可公开");
    assert.match(freshRow.reason, /修订后的事项名称/);
  });

  it("seeds the two shipped items of two departments on the same process, once", async () => {
    const ctx = testApp().app.locals.context;
    const deps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };
    await bootShippedCatalog(deps);
    const again = await bootShippedCatalog(deps);
    assert.deepEqual(again.seeded, []);
    const items = await CatalogItem.findAll({ where: { itemCode: SHIPPED_ITEMS.map((i) => i.itemCode) } });
    assert.equal(items.length, 2);
    const versions = await CatalogItemVersion.findAll({ where: { id: items.map((i) => i.publishedVersionId!) } });
    assert.equal(new Set(versions.map((v) => v.processKey)).size, 1);
    assert.deepEqual(versions.map((v) => v.formKey).sort(), ["construction-permit-commitment", "food-business-commitment"]);
    const list = await request(ctx.db ? testApp().app : testApp().app)
      .get("/api/catalog")
      .expect(200);
    const shipped = list.body.data.filter((i: { itemCode: string }) => SHIPPED_ITEMS.some((s) => s.itemCode === i.itemCode));
    assert.deepEqual(shipped.map((i: { department: { code: string } }) => i.department.code).sort(), ["scjgj", "zjj"]);
  });
});
