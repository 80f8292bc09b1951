import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { AuditEntry } from "../../server/db/models/AuditEntry.js";
import { Form, FormDraft, FormRevision } from "../../server/db/models/formModels.js";
import { createCatalogItem, publishCatalogItem } from "../../server/domain/catalog/catalogCommands.js";
import { diffDefinitions } from "../../server/forms/formAdmin.js";
import { getFormRevision, publishFormRevision, saveFormRevision } from "../../server/forms/index.js";
import { currentUserOf, itemFields, randomItemCode } from "../domain/commitments/fixtures.js";
import { buildUser, departmentId, loginAs, type Agent } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { ensureShippedForms, randomFormKey, text } from "./helpers.js";

const uniq = () => randomBytes(4).toString("hex");

/** Revision 1 of the known change set. */
const REVISION_1 = {
  display: "form",
  components: [
    text("name", "姓名", { required: true }),
    text("phone", "电话"),
    {
      type: "select",
      key: "kind",
      label: "经营类别",
      input: true,
      dataSrc: "values",
      data: {
        values: [
          { label: "餐饮", value: "food" },
          { label: "零售", value: "retail" },
        ],
      },
    },
    {
      type: "textarea",
      key: "note",
      label: "备注",
      input: true,
      conditional: { show: true, conjunction: "all", conditions: [{ component: "kind", operator: "isEqual", value: "food" }] },
    },
    { type: "number", key: "area", label: "面积", input: true },
    { type: "number", key: "total", label: "合计", input: true, calculateValue: { "+": [{ var: "data.area" }, 1] } },
    { type: "panel", key: "contact", title: "联系方式", input: false, components: [text("addr", "地址")] },
  ],
};

/** Revision 2: a label, required, a rule, options, a conditional, a calculated value and a type change. */
const REVISION_2 = {
  display: "form",
  components: [
    text("name", "姓名（法定代表人）", { required: false, maxLength: 20 }),
    {
      type: "select",
      key: "kind",
      label: "经营类别",
      input: true,
      dataSrc: "values",
      data: {
        values: [
          { label: "餐饮服务", value: "food" },
          { label: "批发", value: "wholesale" },
        ],
      },
    },
    {
      type: "textarea",
      key: "note",
      label: "备注",
      input: true,
      conditional: { show: true, conjunction: "all", conditions: [{ component: "kind", operator: "isEqual", value: "wholesale" }] },
    },
    { type: "textfield", key: "area", label: "面积", input: true },
    { type: "number", key: "total", label: "合计", input: true, calculateValue: { "*": [{ var: "data.area" }, 2] } },
    // What the builder writes into a component it merely touched: empty rules and an empty simple conditional.
    {
      type: "panel",
      key: "contact",
      title: "联系方式",
      input: false,
      components: [text("addr", "地址", { minLength: "", pattern: "" }, { conditional: { show: null, when: null, eq: "" } })],
    },
    { type: "email", key: "email", label: "电子邮箱", input: true },
  ],
};

async function saveForm(opts: { department?: string | null; revisions?: unknown[]; publish?: number; title?: string } = {}) {
  const { db } = testApp();
  const formKey = randomFormKey("fa");
  const deptId = opts.department ? await departmentId(opts.department) : null;
  const revisions = opts.revisions ?? [{ display: "form", components: [text("name", "姓名")] }];
  for (const definition of revisions) {
    await saveFormRevision(db, { formKey, title: opts.title ?? "测试申请表", definition, actor: "test", departmentId: deptId });
  }
  if (opts.publish) await publishFormRevision(db, formKey, opts.publish, "test");
  return formKey;
}

const agents = new Map<string, Agent>();
/** One logged-in agent per kind of account, reused by the tests of this file. */
async function as(kind: "admin" | "scjgjAdmin" | "zjjAdmin" | "reviewer" | "applicant"): Promise<Agent> {
  const cached = agents.get(kind);
  if (cached) return cached;
  const account = {
    admin: () => buildUser({ roles: ["admin"] }),
    scjgjAdmin: () => buildUser({ roles: ["dept_admin", "reviewer"], department: "scjgj" }),
    zjjAdmin: () => buildUser({ roles: ["dept_admin", "reviewer"], department: "zjj" }),
    reviewer: () => buildUser({ roles: ["reviewer"], department: "scjgj" }),
    applicant: () => buildUser({ roles: ["applicant"] }),
  }[kind];
  const agent = await loginAs(await account());
  agents.set(kind, agent);
  return agent;
}

function bpmn(processKey: string, formKey: string | null, name = "表单使用测试流程") {
  const attr = formKey ? ` camunda:formKey="${formKey}"` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://xinyong.example/test" id="Def_${processKey}">
  <process id="${processKey}" name="${name}" isExecutable="true">
    <startEvent id="start" name="提交申请"${attr} />
    <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <userTask id="review" name="部门审核" camunda:candidateGroups="scjgj"${attr} />
    <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <endEvent id="end" name="办结" />
  </process>
</definitions>`;
}

async function deploy(processKey: string, formKey: string | null) {
  const { engine } = testApp().app.locals.context;
  return engine.deploy({ name: "form-usage", files: [{ name: `${processKey}.bpmn`, xml: bpmn(processKey, formKey) }], actor: "test" });
}

async function draftItemUsing(formKey: string, departmentCode = "scjgj") {
  const ctx = testApp().app.locals.context;
  const admin = await currentUserOf((await buildUser({ roles: ["admin"] })).id);
  const itemCode = randomItemCode();
  const fields = itemFields(formKey);
  await createCatalogItem({ db: ctx.db, engine: ctx.engine, clock: ctx.clock }, { actor: admin, itemCode, departmentCode, fields });
  return { itemCode, name: fields.name, admin };
}

describe("form administration: duplicate, revision diff, usage, delete", () => {
  before(() => ensureShippedForms());

  describe("duplicate", () => {
    it("copies the chosen revision into a new draft form with <key>-copy and <title>（副本） by default, audited", async () => {
      const admin = await as("admin");
      const key = await saveForm({ department: "scjgj", revisions: [REVISION_1, REVISION_2], publish: 1, title: "食品经营申请表" });
      const page = await admin.get(`/admin/forms/${key}/duplicate`).expect(200);
      assert.match(page.text, new RegExp(`value="${key}-copy"`));
      assert.match(page.text, /value="食品经营申请表（副本）"/);

      const res = await admin
        .post(`/admin/forms/${key}/duplicate`)
        .type("form")
        .send({ _csrf: admin.csrf, key: `${key}-copy`, title: "食品经营申请表（副本）", revision: "1" })
        .expect(303);
      assert.equal(res.headers.location, `/admin/forms/${key}-copy/manage`);
      const copy = await Form.findOne({ where: { key: `${key}-copy` } });
      assert.ok(copy);
      assert.equal(copy.publishedRevision, null);
      assert.equal(copy.latestRevision, 1);
      assert.equal(copy.title, "食品经营申请表（副本）");
      assert.equal(copy.departmentId, await departmentId("scjgj"));
      const copied = await getFormRevision(testApp().db, copy.key, 1);
      const source = await getFormRevision(testApp().db, key, 1);
      assert.deepEqual(copied.definition.components, source.definition.components);
      assert.equal(copied.definition.name, copy.key);
      const audited = await AuditEntry.findOne({ where: { action: "form.duplicated", entityId: copy.key } });
      assert.ok(audited);
      assert.deepEqual(JSON.parse(audited.detail!).sourceKey, key);

      // The manage page of the copy says it is a draft and shows the flash once.
      const manage = await admin.get(`/admin/forms/${copy.key}/manage`).expect(200);
      assert.match(manage.text, /已将“食品经营申请表”第 1 版复制为新表单/);
      assert.match(manage.text, /草稿（从未发布）/);

      // The next copy's default key skips the taken one; a taken key is refused in Chinese next to the field.
      const again = await admin.get(`/admin/forms/${key}/duplicate`).expect(200);
      assert.match(again.text, new RegExp(`value="${key}-copy-2"`));
      const taken = await admin
        .post(`/admin/forms/${key}/duplicate`)
        .type("form")
        .send({ _csrf: admin.csrf, key: `${key}-copy`, title: "再复制一份" })
        .expect(400);
      assert.match(taken.text, /已有键名为/);
      const bad = await admin
        .post(`/admin/forms/${key}/duplicate`)
        .type("form")
        .send({ _csrf: admin.csrf, key: "坏键名", title: "x" })
        .expect(400);
      assert.match(bad.text, /键名只能使用小写字母/);
    });

    it("duplicates over the API: the latest revision by default, a chosen one on request", async () => {
      const admin = await as("admin");
      const key = await saveForm({ revisions: [REVISION_1, REVISION_2] });
      const latest = await admin.post(`/api/forms/${key}/duplicate`).set("X-CSRF-Token", admin.csrf).send({}).expect(201);
      assert.equal(latest.body.data.formKey, `${key}-copy`);
      assert.equal(latest.body.data.sourceRevision, 2);
      assert.equal(latest.body.data.revision, 1);
      assert.equal(latest.body.data.title, "测试申请表（副本）");
      const first = await admin
        .post(`/api/forms/${key}/duplicate`)
        .set("X-CSRF-Token", admin.csrf)
        .send({ key: `${key}-first`, title: "第一版副本", revision: 1 })
        .expect(201);
      assert.equal(first.body.data.sourceRevision, 1);
      const view = await getFormRevision(testApp().db, `${key}-first`, 1);
      assert.deepEqual(
        view.definition.components.map((c) => c.key),
        REVISION_1.components.map((c) => c.key),
      );
      await admin
        .post(`/api/forms/${key}/duplicate`)
        .set("X-CSRF-Token", admin.csrf)
        .send({ key: `${key}-x`, revision: 9 })
        .expect(404);
    });
  });

  describe("revision diff", () => {
    it("names every component added, removed and changed with what changed, and the form's settings", async () => {
      const admin = await as("admin");
      const key = await saveForm({ revisions: [REVISION_1, REVISION_2] });
      await saveFormRevision(testApp().db, { formKey: key, title: "测试申请表（修订）", definition: REVISION_2, actor: "test" });
      const res = await admin.get(`/api/forms/${key}/diff?from=1&to=2`).expect(200);
      const diff = res.body.data;
      assert.equal(diff.from.revision, 1);
      assert.equal(diff.to.revision, 2);
      assert.deepEqual(diff.summary, { added: 1, removed: 1, changed: 5, settings: 0 });
      assert.deepEqual(diff.settings, []);
      const byPath = new Map(diff.components.map((c: { path: string }) => [c.path, c]));
      const props = (path: string) => (byPath.get(path) as { changes: { property: string }[] }).changes.map((c) => c.property);
      assert.equal((byPath.get("email") as { change: string }).change, "added");
      assert.equal((byPath.get("phone") as { change: string; label: string }).change, "removed");
      assert.equal((byPath.get("phone") as { label: string }).label, "电话");
      assert.deepEqual(props("name"), ["label", "required", "validate"]);
      const name = byPath.get("name") as {
        label: string;
        changes: { property: string; details: string[]; before: unknown; after: unknown }[];
      };
      assert.equal(name.label, "姓名（法定代表人）");
      assert.deepEqual(name.changes[0]!.details, ["姓名 → 姓名（法定代表人）"]);
      assert.deepEqual([name.changes[1]!.before, name.changes[1]!.after], [true, false]);
      assert.deepEqual(name.changes[2]!.details, ["新增 最多字符数：20"]);
      assert.deepEqual(props("kind"), ["options"]);
      assert.deepEqual((byPath.get("kind") as typeof name).changes[0]!.details, [
        "新增选项：批发（wholesale）",
        "删除选项：零售（retail）",
        "选项“food”的文字：餐饮 → 餐饮服务",
      ]);
      assert.deepEqual(props("note"), ["conditional"]);
      assert.deepEqual((byPath.get("note") as typeof name).changes[0]!.details, [
        "原为：当“经营类别”（kind）等于“food”时显示",
        "现为：当“经营类别”（kind）等于“wholesale”时显示",
      ]);
      assert.deepEqual(props("area"), ["type"]);
      assert.deepEqual((byPath.get("area") as typeof name).changes[0]!.details, ["数字 → 单行文本"]);
      assert.deepEqual(props("total"), ["calculateValue"]);
      // The builder's empty defaults on an untouched field are not a change; neither is its unchanged panel.
      assert.equal(byPath.has("addr"), false);
      assert.equal(byPath.has("contact"), false);
      // Order: the newer revision's components first, the removed ones after.
      assert.deepEqual(
        diff.components.map((c: { path: string }) => c.path),
        ["name", "kind", "note", "area", "total", "email", "phone"],
      );

      // Revision 3 differs from 2 only in its title.
      const three = await admin.get(`/api/forms/${key}/diff?from=2&to=3`).expect(200);
      assert.deepEqual(three.body.data.summary, { added: 0, removed: 0, changed: 0, settings: 1 });
      assert.deepEqual(three.body.data.settings, [
        { property: "title", name: "表单名称", before: "测试申请表", after: "测试申请表（修订）" },
      ]);

      const page = await admin.get(`/admin/forms/${key}/diff?from=1&to=2`).expect(200);
      assert.match(page.text, /<span class="badge text-bg-success">新增<\/span>/);
      assert.match(page.text, /<span class="badge text-bg-danger">删除<\/span>/);
      assert.match(page.text, /<span class="badge text-bg-warning">修改<\/span>/);
      assert.match(page.text, /标签<\/span>：姓名 → 姓名（法定代表人）/);
      assert.match(page.text, /改为非必填/);
      const same = await admin.get(`/admin/forms/${key}/diff?from=2&to=2`).expect(200);
      assert.match(same.text, /这两个版本没有差别/);
    });

    it("reports the display (a wizard) and other form-level settings in Chinese", () => {
      const diff = diffDefinitions(
        { title: "甲", definition: { display: "form", components: [text("a", "甲")] } },
        { title: "甲", definition: { display: "wizard", properties: { topic: "x" }, components: [text("a", "甲")] } },
      );
      assert.deepEqual(diff.settings, [
        { property: "display", name: "显示方式", before: "普通表单", after: "分步向导" },
        { property: "properties", name: "自定义属性", before: null, after: { topic: "x" } },
      ]);
      assert.deepEqual(diff.components, []);
    });

    it("follows a component moved into a panel, and keys in a data grid by their path", () => {
      const grid = (label: string) => ({ type: "datagrid", key: "members", label: "成员", input: true, components: [text("name", label)] });
      const diff = diffDefinitions(
        { title: "t", definition: { components: [text("name", "名称"), text("phone", "电话"), grid("姓名")] } },
        {
          title: "t",
          definition: {
            components: [
              text("name", "名称"),
              { type: "panel", key: "p1", title: "联系", input: false, components: [text("phone", "电话")] },
              grid("成员姓名"),
            ],
          },
        },
      );
      assert.deepEqual(
        diff.components.map((c) => [c.change, c.path, c.changes.map((x) => x.details.join("；")).join("|")]),
        [
          ["added", "p1", ""],
          ["changed", "phone", "表单顶层 → 面板“联系”"],
          ["changed", "members.name", "姓名 → 成员姓名"],
        ],
      );
    });

    it("compares the form title and tells a revision that is not there (404) from a query that is not a number (400)", async () => {
      const admin = await as("admin");
      const key = await saveForm({ revisions: [REVISION_1] });
      await saveFormRevision(testApp().db, { formKey: key, title: "新名称", definition: REVISION_1, actor: "test" });
      const res = await admin.get(`/api/forms/${key}/diff`).expect(200);
      assert.deepEqual([res.body.data.from.revision, res.body.data.to.revision], [1, 2]);
      assert.deepEqual(res.body.data.settings, [{ property: "title", name: "表单名称", before: "测试申请表", after: "新名称" }]);
      assert.match((await admin.get(`/api/forms/${key}/diff?from=1&to=7`).expect(404)).body.error.message, /没有第 7 版/);
      const bad = await admin.get(`/api/forms/${key}/diff?from=abc&to=2`).expect(400);
      assert.match(bad.body.error.details[0].message, /版本号必须是正整数/);
      // The page falls back to the latest two revisions rather than failing on a hand-edited address.
      await admin.get(`/admin/forms/${key}/diff?from=abc`).expect(200);
    });
  });

  describe("usage", () => {
    it("lists the catalog items pinning the form, with each version's status and pinned revision", async () => {
      const admin = await as("admin");
      const key = await saveForm({ department: "scjgj", publish: 1 });
      const ctx = testApp().app.locals.context;
      const { itemCode, name, admin: actor } = await draftItemUsing(key);
      await publishCatalogItem({ db: ctx.db, engine: ctx.engine, clock: ctx.clock }, { actor, itemCode });
      const draft = await draftItemUsing(key);

      const res = await admin.get(`/api/forms/${key}/usage`).expect(200);
      const items = res.body.data.items as { itemCode: string; name: string; onCatalog: boolean; versions: unknown[] }[];
      const published = items.find((i) => i.itemCode === itemCode)!;
      assert.equal(published.name, name);
      assert.equal(published.onCatalog, true);
      assert.deepEqual(
        published.versions.map((v) => ({ ...(v as object), publishedAt: undefined })),
        [{ version: 1, status: "published", formRevision: 1, publishedAt: undefined }],
      );
      const drafted = items.find((i) => i.itemCode === draft.itemCode)!;
      assert.deepEqual(
        drafted.versions.map((v) => (v as { status: string }).status),
        ["draft"],
      );
      assert.equal(res.body.data.deletion.allowed, false);

      const page = await admin.get(`/admin/forms/${key}/usage`).expect(200);
      assert.match(page.text, new RegExp(itemCode));
      assert.match(page.text, /表单：第 1 版/);
      assert.match(page.text, /发布时固定为当时的发布版本/);
      assert.match(page.text, /没有已部署的流程引用这张表单/);

      // A department that may not read the other department's drafts sees the published version only.
      const zjjKey = await saveForm({ department: "zjj", publish: 1 });
      const zjjDraft = await draftItemUsing(zjjKey, "zjj");
      const zjjItem = await draftItemUsing(zjjKey, "scjgj");
      const zjj = await (await as("zjjAdmin")).get(`/api/forms/${zjjKey}/usage`).expect(200);
      assert.deepEqual(
        zjj.body.data.items.map((i: { itemCode: string }) => i.itemCode),
        [zjjDraft.itemCode],
      );
      assert.equal(zjj.body.data.hiddenItems, 1);
      assert.ok(!JSON.stringify(zjj.body).includes(zjjItem.itemCode));
    });

    it("finds deployed processes naming the form on a start event and a user task, in their latest version only", async () => {
      const admin = await as("admin");
      const key = await saveForm({ department: "scjgj" });
      const processKey = `fa-usage-${uniq()}`;
      const deployed = await deploy(processKey, key);
      const res = await admin.get(`/api/forms/${key}/usage`).expect(200);
      assert.equal(res.body.data.processes.length, 1);
      const usage = res.body.data.processes[0];
      assert.equal(usage.key, processKey);
      assert.equal(usage.version, 1);
      assert.equal(usage.definitionId, deployed.deployedProcessDefinitions[0]!.id);
      assert.deepEqual(
        usage.elements.map((e: { elementId: string; elementType: string; attribute: string }) => [e.elementId, e.elementType, e.attribute]),
        [
          ["start", "bpmn:StartEvent", "formKey"],
          ["review", "bpmn:UserTask", "formKey"],
        ],
      );
      assert.match(res.body.data.deletion.reasons.map((r: { message: string }) => r.message).join(), /已被流程 “表单使用测试流程”/);
      const page = await admin.get(`/admin/forms/${key}/usage`).expect(200);
      assert.match(page.text, /用户任务“部门审核”/);
      assert.match(page.text, /开始事件“提交申请”/);

      // Version 2 of the process no longer names the form: nothing uses it any more.
      await deploy(processKey, null);
      const after = await admin.get(`/api/forms/${key}/usage`).expect(200);
      assert.deepEqual(after.body.data.processes, []);
      assert.equal(after.body.data.deletion.allowed, true);
    });
  });

  describe("delete", () => {
    it("deletes an unused draft form with its revisions, audited, from the page after the confirmation", async () => {
      const admin = await as("admin");
      const key = await saveForm({ revisions: [REVISION_1, REVISION_2] });
      const manage = await admin.get(`/admin/forms/${key}/manage`).expect(200);
      assert.match(manage.text, /data-confirm="确定删除表单“测试申请表”（fa-[0-9a-f]+）吗？将一并删除它的全部 2 个版本，删除后不能恢复。"/);
      assert.match(manage.text, /还没有事项或流程使用这张表单/);
      const form = await Form.findOne({ where: { key } });
      const res = await admin.post(`/admin/forms/${key}/delete`).type("form").send({ _csrf: admin.csrf }).expect(303);
      assert.equal(res.headers.location, "/admin/forms");
      assert.equal(await Form.count({ where: { key } }), 0);
      assert.equal(await FormRevision.count({ where: { formId: form!.id } }), 0);
      const audited = await AuditEntry.findOne({ where: { action: "form.deleted", entityId: key } });
      assert.ok(audited);
      assert.deepEqual(JSON.parse(audited.detail!), { title: "测试申请表", revisions: 2, departmentId: null });
      await admin.get(`/admin/forms/${key}/manage`).expect(404);
    });

    it("deletes over the API (204) and refuses with every reason (409), the page showing the reasons by a disabled button", async () => {
      const admin = await as("admin");
      const unused = await saveForm();
      await admin.delete(`/api/forms/${unused}`).set("X-CSRF-Token", admin.csrf).expect(204);
      await admin.delete(`/api/forms/${unused}`).set("X-CSRF-Token", admin.csrf).expect(404);

      const refusal = async (key: string) => {
        const res = await admin.delete(`/api/forms/${key}`).set("X-CSRF-Token", admin.csrf).expect(409);
        assert.equal(res.body.error.code, "form_in_use");
        assert.equal(await Form.count({ where: { key } }), 1);
        return res.body.error.details as { path: string; message: string }[];
      };

      const published = await saveForm({ publish: 1 });
      assert.deepEqual(await refusal(published), [{ path: "published", message: "已发布过的表单不能删除，可停止使用" }]);
      const page = await admin.get(`/admin/forms/${published}/manage`).expect(200);
      assert.match(page.text, /<button class="btn btn-outline-danger" type="button" disabled/);
      assert.match(page.text, /已发布过的表单不能删除，可停止使用/);
      const refused = await admin.post(`/admin/forms/${published}/delete`).type("form").send({ _csrf: admin.csrf }).expect(409);
      assert.match(refused.text, /不能删除：已发布过的表单不能删除/);

      // Published once, then a newer unpublished revision is the latest: still "was published".
      const wasPublished = await saveForm({ revisions: [REVISION_1, REVISION_2], publish: 1 });
      await Form.update({ publishedRevision: null }, { where: { key: wasPublished } });
      assert.deepEqual(
        (await refusal(wasPublished)).map((d) => d.path),
        ["published"],
      );

      const inItem = await saveForm();
      const item = await draftItemUsing(inItem);
      assert.deepEqual(await refusal(inItem), [{ path: "catalog_item", message: `已被事项 “${item.name}”（${item.itemCode}）使用` }]);
      const itemPage = await admin.get(`/admin/forms/${inItem}/manage`).expect(200);
      assert.match(itemPage.text, new RegExp(`已被事项 “${item.name}”`));

      const inProcess = await saveForm();
      const processKey = `fa-del-${uniq()}`;
      await deploy(processKey, inProcess);
      assert.deepEqual(await refusal(inProcess), [
        { path: "process", message: `已被流程 “表单使用测试流程”（${processKey} 第 1 版）引用` },
      ]);

      const withDraft = await saveForm();
      const owner = await buildUser({ roles: ["applicant"] });
      await FormDraft.create({ userId: owner.id, formKey: withDraft, clientRef: "c1", formRevision: 1, data: "{}" });
      assert.deepEqual(await refusal(withDraft), [{ path: "drafts", message: "已有 1 份填报草稿引用此表单" }]);
    });
  });

  describe("authorization", () => {
    const pages = (key: string) => [
      `/admin/forms/${key}/manage`,
      `/admin/forms/${key}/diff`,
      `/admin/forms/${key}/usage`,
      `/admin/forms/${key}/duplicate`,
    ];

    it("answers each role with its exact status: the department's admin and admins 200, other departments 404, others 403", async () => {
      const scjgjForm = await saveForm({ department: "scjgj", revisions: [REVISION_1, REVISION_2] });
      const globalForm = await saveForm({ revisions: [REVISION_1, REVISION_2] });
      const expected: [Parameters<typeof as>[0], number, number][] = [
        ["admin", 200, 200],
        ["scjgjAdmin", 200, 404],
        ["zjjAdmin", 404, 404],
        ["reviewer", 403, 403],
        ["applicant", 403, 403],
      ];
      const wrong: string[] = [];
      for (const [kind, deptStatus, globalStatus] of expected) {
        const agent = await as(kind);
        for (const [key, status] of [
          [scjgjForm, deptStatus],
          [globalForm, globalStatus],
        ] as const) {
          for (const path of [...pages(key), `/api/forms/${key}/diff?from=1&to=2`, `/api/forms/${key}/usage`]) {
            const res = await agent.get(path);
            if (res.status !== status) wrong.push(`${kind} GET ${path} → ${res.status}, expected ${status}`);
          }
        }
      }
      assert.deepEqual(wrong, []);
      // A missing form and a form of another department answer the same.
      const zjj = await as("zjjAdmin");
      const missing = await zjj.get(`/api/forms/no-such-form-${uniq()}/usage`).expect(404);
      const hidden = await zjj.get(`/api/forms/${scjgjForm}/usage`).expect(404);
      assert.equal(missing.body.error.code, hidden.body.error.code);
      // Without a session: the API 401, the page to the login.
      await request(testApp().app).get(`/api/forms/${scjgjForm}/diff`).expect(401);
      const login = await request(testApp().app).get(`/admin/forms/${scjgjForm}/manage`).set("Accept", "text/html").expect(302);
      assert.match(String(login.headers.location), /^\/login\?next=/);
    });

    it("lets only the form's own department (or an admin) duplicate and delete it", async () => {
      const key = await saveForm({ department: "scjgj" });
      const zjj = await as("zjjAdmin");
      const reviewer = await as("reviewer");
      await zjj.post(`/api/forms/${key}/duplicate`).set("X-CSRF-Token", zjj.csrf).send({}).expect(404);
      await zjj.delete(`/api/forms/${key}`).set("X-CSRF-Token", zjj.csrf).expect(404);
      await zjj.post(`/admin/forms/${key}/delete`).type("form").send({ _csrf: zjj.csrf }).expect(404);
      await reviewer.post(`/api/forms/${key}/duplicate`).set("X-CSRF-Token", reviewer.csrf).send({}).expect(403);
      await reviewer.delete(`/api/forms/${key}`).set("X-CSRF-Token", reviewer.csrf).expect(403);
      assert.equal(await Form.count({ where: { key } }), 1);

      const scjgj = await as("scjgjAdmin");
      const copy = await scjgj.post(`/api/forms/${key}/duplicate`).set("X-CSRF-Token", scjgj.csrf).send({}).expect(201);
      assert.equal((await Form.findOne({ where: { key: copy.body.data.formKey } }))!.departmentId, await departmentId("scjgj"));
      await scjgj.delete(`/api/forms/${copy.body.data.formKey}`).set("X-CSRF-Token", scjgj.csrf).expect(204);
      await scjgj.delete(`/api/forms/${key}`).set("X-CSRF-Token", scjgj.csrf).expect(204);
      // A global form is the admins': a dept_admin may not copy it into its department.
      const global = await saveForm();
      await scjgj.post(`/api/forms/${global}/duplicate`).set("X-CSRF-Token", scjgj.csrf).send({}).expect(404);
    });
  });
});

describe("form administration: a deleted key used again", () => {
  // The revision cache once keyed revisions by `${formKey}@${revision}`: after a delete, a new form with the same key
  // read the deleted form's revision 1 on this node. It is keyed by the form's row id now.
  it("reads the new form's revision 1, not the deleted form's cached one", async () => {
    const { db } = testApp();
    const admin = await as("admin");
    const key = await saveForm({ revisions: [{ display: "form", components: [text("old", "旧字段")] }] });
    await getFormRevision(db, key, 1);
    await admin.delete(`/api/forms/${key}`).set("X-CSRF-Token", admin.csrf).expect(204);
    await saveFormRevision(db, {
      formKey: key,
      title: "新表单",
      definition: { display: "form", components: [text("fresh", "新字段")] },
      actor: "test",
    });
    const view = await getFormRevision(db, key, 1);
    assert.deepEqual(
      view.definition.components.map((c) => c.key),
      ["fresh"],
    );
  });
});
