import assert from "node:assert/strict";
import request from "supertest";
import { CatalogItem } from "../../../server/db/models/CatalogItem.js";
import { buildUser, loginAs } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { buildPublishedForm, ensureShippedForms, itemFields, randomItemCode } from "../../domain/commitments/fixtures.js";

describe("catalog admin pages /admin/catalog", () => {
  before(ensureShippedForms);

  it("lets a dept_admin create, publish and withdraw an item through forms, with field errors in Chinese", async () => {
    const formKey = await buildPublishedForm();
    const admin = await loginAs(await buildUser({ roles: ["dept_admin"], department: "scjgj" }));
    const list = await admin.get("/admin/catalog").expect(200);
    assert.match(list.text, /新建告知承诺事项[\s\S]*新建通用事项/);
    const newPage = await admin.get("/admin/catalog/new").expect(200);
    assert.ok(newPage.text.includes(`value="${formKey}"`), "published forms are offered");

    const itemCode = randomItemCode();
    const fields = itemFields(formKey);
    const body = { ...fields, commitmentTypeOther: "", verificationDays: "30", validityMonths: "12", reviewDays: "5", itemCode };
    await admin.post("/admin/catalog").type("form").send(body).expect(403);
    const bad = await admin
      .post("/admin/catalog")
      .type("form")
      .send({ ...body, _csrf: admin.csrf, name: "", letterTemplate: "<script>x</script>" })
      .expect(400);
    assert.match(bad.text, /请填写事项名称/);
    assert.equal(await CatalogItem.count({ where: { itemCode } }), 0);

    const created = await admin
      .post("/admin/catalog")
      .type("form")
      .send({ ...body, _csrf: admin.csrf })
      .expect(303);
    assert.equal(created.headers.location, `/admin/catalog/${itemCode}`);
    const edit = await admin.get(created.headers.location).expect(200);
    assert.match(edit.text, /data-testid="publish"/);
    await request(testApp().app).get(`/catalog/${itemCode}`).expect(404);

    await admin.post(`/admin/catalog/${itemCode}/publish`).type("form").send({ _csrf: admin.csrf }).expect(303);
    const published = await admin.get(`/admin/catalog/${itemCode}`).expect(200);
    assert.match(published.text, /已发布第 1 版/);
    const guide = await request(testApp().app).get(`/catalog/${itemCode}`).expect(200);
    assert.ok(guide.text.includes(fields.name));

    await admin.post(`/admin/catalog/${itemCode}/withdraw`).type("form").send({ _csrf: admin.csrf }).expect(303);
    await request(testApp().app).get(`/catalog/${itemCode}`).expect(404);
  });

  it("hides another department's items (404) and refuses reviewers and applicants", async () => {
    const formKey = await buildPublishedForm();
    const own = await loginAs(await buildUser({ roles: ["dept_admin"], department: "zjj" }));
    const itemCode = randomItemCode();
    await own
      .post("/admin/catalog")
      .type("form")
      .send({
        ...itemFields(formKey),
        commitmentTypeOther: "",
        verificationDays: "30",
        validityMonths: "12",
        reviewDays: "5",
        itemCode,
        _csrf: own.csrf,
      })
      .expect(303);
    const other = await loginAs(await buildUser({ roles: ["dept_admin"], department: "scjgj" }));
    await other.get(`/admin/catalog/${itemCode}`).expect(404);
    await other.post(`/admin/catalog/${itemCode}/publish`).type("form").send({ _csrf: other.csrf }).expect(404);
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "zjj" }));
    await reviewer.get("/admin/catalog").expect(403);
  });
});
