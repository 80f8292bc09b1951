import assert from "node:assert/strict";
import { Form, FormRevision, SubmissionRevision } from "../../server/db/models/formModels.js";
import { NotFoundError } from "../../server/errors.js";
import {
  diffSubmissions,
  getFormRevision,
  listSubmissionVersions,
  publishFormRevision,
  recordSubmissionVersion,
  saveFormRevision,
  seedShippedForms,
  validateSubmission,
} from "../../server/forms/index.js";
import { testApp } from "../helpers/testApp.js";
import { ensureShippedForms, randomFormKey, text } from "./helpers.js";

const SHIPPED = ["commitment-review", "commitment-verification", "construction-permit-commitment", "food-business-commitment"];

describe("forms: revisions, publishing and the shipped forms", () => {
  it("seeds forms/*.json as published revision 1, once", async () => {
    await ensureShippedForms();
    const { db } = testApp();
    assert.deepEqual(await seedShippedForms(db), [], "a second run changes nothing");
    for (const key of SHIPPED) {
      const form = await Form.findOne({ where: { key } });
      assert.equal(form?.publishedRevision, 1, key);
      assert.equal(await FormRevision.count({ where: { formId: form.id } }), 1);
    }
    const food = await getFormRevision(db, "food-business-commitment");
    assert.equal(food.title, "食品经营许可告知承诺申请表");
    const owner = await Form.findOne({ where: { key: "food-business-commitment" } });
    assert.ok(owner?.departmentId, "owned by 市场监管局");
    assert.equal((await Form.findOne({ where: { key: "commitment-review" } }))?.departmentId, null, "the review form is global");
  });

  it("saves each change as a new revision and serves the published one until another is published", async () => {
    const { db } = testApp();
    const formKey = randomFormKey();
    const r1 = await saveFormRevision(db, { formKey, title: "初版", definition: { components: [text("a", "甲")] }, actor: "t" });
    assert.equal(r1.revision, 1);
    await assert.rejects(getFormRevision(db, formKey), NotFoundError, "nothing published yet");
    await publishFormRevision(db, formKey, 1, "t");
    const r2 = await saveFormRevision(db, {
      formKey,
      title: "第二版",
      definition: { components: [text("a", "甲"), text("b", "乙")] },
      actor: "t",
    });
    assert.equal(r2.revision, 2);
    assert.equal((await getFormRevision(db, formKey)).revision, 1);
    assert.equal((await getFormRevision(db, formKey, 2)).definition.components.length, 2);
    await publishFormRevision(db, formKey, 2, "t");
    assert.equal((await getFormRevision(db, formKey)).revision, 2);
    await assert.rejects(publishFormRevision(db, formKey, 7, "t"), NotFoundError);
    await assert.rejects(getFormRevision(db, "no-such-form"), NotFoundError);
  });

  it("saves a form laid out in tabs (the builder offers them) and validates the fields inside the tabs", async () => {
    const { db } = testApp();
    const formKey = randomFormKey();
    const tabs = {
      type: "tabs",
      key: "steps",
      input: false,
      components: [
        { label: "基本信息", key: "basic", components: [{ ...text("name", "名称"), validate: { required: true } }] },
        { label: "联系方式", key: "contact", components: [text("phone", "电话")] },
      ],
    };
    await saveFormRevision(db, { formKey, title: "分页表单", definition: { components: [tabs] }, actor: "t" });
    await publishFormRevision(db, formKey, 1, "t");
    const ok = await validateSubmission(db, { formKey }, { name: "荥阳示范", phone: "0371" });
    assert.deepEqual(ok.data, { name: "荥阳示范", phone: "0371" });
    await assert.rejects(validateSubmission(db, { formKey }, { phone: "0371" }), (err: Error & { details?: { path: string }[] }) => {
      assert.ok(
        err.details?.some((d) => d.path === "name"),
        JSON.stringify(err.details),
      );
      return true;
    });
  });

  it("validates the shipped review form: a comment is required to reject or return, not to approve", async () => {
    await ensureShippedForms();
    const { db } = testApp();
    const ref = { formKey: "commitment-review" };
    assert.deepEqual((await validateSubmission(db, ref, { decision: "approve" })).data, { decision: "approve" });
    for (const decision of ["reject", "return"]) {
      const err = await validateSubmission(db, ref, { decision }).catch((e: { details?: { path: string; message: string }[] }) => e);
      assert.deepEqual((err as { details: unknown[] }).details, [{ path: "comment", message: "审核意见为必填项" }]);
    }
    assert.equal((await validateSubmission(db, ref, { decision: "return", comment: "请补正营业执照" })).data.comment, "请补正营业执照");
  });

  it("validates the shipped verification form: both texts are required unless everything was fulfilled", async () => {
    await ensureShippedForms();
    const { db } = testApp();
    const ref = { formKey: "commitment-verification" };
    assert.ok(await validateSubmission(db, ref, { fulfilment: "full" }));
    const err = (await validateSubmission(db, ref, { fulfilment: "partial" }).catch((e: unknown) => e)) as { details: { path: string }[] };
    assert.deepEqual(err.details.map((d) => d.path).sort(), ["accountability", "unfulfilledContent"]);
  });
});

describe("forms: submission versions", () => {
  it("lists what changed between two versions, leaf by leaf", () => {
    assert.deepEqual(
      diffSubmissions({ name: "甲", staff: [{ n: "a" }, { n: "b" }], same: 1 }, { name: "乙", staff: [{ n: "a" }], same: 1, added: true }),
      [
        { path: "added", before: null, after: true },
        { path: "name", before: "甲", after: "乙" },
        { path: "staff[1]", before: { n: "b" }, after: null },
      ],
    );
  });

  it("keeps every version of a corrected submission", async () => {
    const { db } = testApp();
    const id = randomFormKey("sub");
    const first = await db.transaction((t) =>
      recordSubmissionVersion(db, t, {
        submissionType: "commitment",
        submissionId: id,
        formKey: "f",
        formRevision: 1,
        data: { a: 1 },
        actor: "u",
      }),
    );
    const second = await db.transaction((t) =>
      recordSubmissionVersion(db, t, {
        submissionType: "commitment",
        submissionId: id,
        formKey: "f",
        formRevision: 1,
        data: { a: 2 },
        actor: "u",
        note: "补正",
      }),
    );
    assert.deepEqual(first, { version: 1, changes: [] });
    assert.deepEqual(second, { version: 2, changes: [{ path: "a", before: 1, after: 2 }] });
    const versions = await listSubmissionVersions(db, "commitment", id);
    assert.deepEqual(
      versions.map((v) => v.data),
      [{ a: 1 }, { a: 2 }],
    );
    assert.equal(await SubmissionRevision.count({ where: { submissionId: id } }), 2);
  });
});
