import assert from "node:assert/strict";
import { AuditEntry } from "../../server/db/models/AuditEntry.js";
import { Form, FormRevision, UploadedFile } from "../../server/db/models/formModels.js";
import { ValidationError } from "../../server/errors.js";
import { getFormRevision, saveFormRevision, validateSubmission } from "../../server/forms/index.js";
import { buildUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { publishTestForm, randomFormKey, text } from "./helpers.js";

async function verdict(formKey: string, data: unknown, opts: Parameters<typeof validateSubmission>[3] = {}) {
  try {
    const result = await validateSubmission(testApp().db, { formKey }, data, opts);
    return { ok: true as const, data: result.data };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { ok: false as const, details: err.details, message: err.message };
  }
}

async function rejected(formKey: string, data: unknown, path?: string) {
  const v = await verdict(formKey, data);
  if (v.ok) assert.fail(`expected a refusal for ${String(JSON.stringify(Object.keys(data as object)))}`);
  if (!v.ok && path !== undefined)
    assert.ok(
      v.details.some((d) => d.path === path),
      `expected a detail at ${path}: ${JSON.stringify(v.details)}`,
    );
  return v.ok ? [] : v.details;
}

const CHOICES = [
  { label: "甲", value: "a" },
  { label: "乙", value: "b" },
];

describe("forms: server validation of submissions (holes core alone leaves open)", () => {
  it("refuses a select value outside the list even when the form did not ask for onlyAvailableItems", async () => {
    const { formKey, definition } = await publishTestForm([
      { type: "select", key: "kind", label: "类别", input: true, dataSrc: "values", data: { values: CHOICES } },
      { type: "radio", key: "pick", label: "选择", input: true, values: CHOICES },
      { type: "selectboxes", key: "boxes", label: "多选", input: true, values: CHOICES },
    ]);
    const kinds = definition.components.filter((c) => ["select", "radio", "selectboxes"].includes(String(c.type)));
    assert.ok(
      kinds.every((c) => c.validate?.onlyAvailableItems === true),
      "normalized at save",
    );
    const details = await rejected(formKey, { kind: "zzz" }, "kind");
    assert.match(details[0]!.message, /类别/);
    await rejected(formKey, { pick: "zzz" }, "pick");
    await rejected(formKey, { boxes: { a: true, zzz: true } }, "boxes");
    assert.equal((await verdict(formKey, { kind: "a", pick: "b", boxes: { a: true, b: false } })).ok, true);
  });

  it("recomputes a calculated value on the server instead of trusting the one sent", async () => {
    const { formKey, definition } = await publishTestForm([
      { type: "number", key: "price", label: "单价", input: true },
      { type: "number", key: "qty", label: "数量", input: true },
      { type: "number", key: "total", label: "合计", input: true, calculateValue: { "*": [{ var: "data.price" }, { var: "data.qty" }] } },
    ]);
    assert.equal(definition.components[2]!.calculateServer, true);
    const v = await verdict(formKey, { price: 3, qty: 4, total: 999999 });
    assert.ok(v.ok);
    assert.equal(v.data.total, 12);
  });

  it("checks unique fields against the database and claims the value through a unique index", async () => {
    const { formKey } = await publishTestForm([text("licence", "许可证号", { required: true }, { unique: true })]);
    const { db } = testApp();
    const value = `XK${Date.now()}`;
    await db.transaction((t) => validateSubmission(db, { formKey }, { licence: value }, { t, uniqueOwner: "sub-1" }));
    const again = await verdict(formKey, { licence: value }, { uniqueOwner: "sub-2" });
    assert.equal(again.ok, false);
    assert.ok(!again.ok && again.details[0]!.message.includes("许可证号"));
    // The same submission corrected keeps its own value.
    assert.equal((await verdict(formKey, { licence: value }, { uniqueOwner: "sub-1" })).ok, true);
    // A race that passes the check is stopped by the index.
    await assert.rejects(
      db.transaction((t) => validateSubmission(db, { formKey }, { licence: ` ${value.toLowerCase()} ` }, { t, uniqueOwner: "sub-3" })),
      ValidationError,
    );
  });

  it('accepts only true for a required checkbox (not false, "false", 1 or "yes")', async () => {
    const { formKey } = await publishTestForm([
      { type: "checkbox", key: "agree", label: "我已阅读并承诺", input: true, validate: { required: true } },
    ]);
    for (const bad of [false, "false", 1, "yes", "true"]) await rejected(formKey, { agree: bad }, "agree");
    await rejected(formKey, {}, "agree");
    assert.equal((await verdict(formKey, { agree: true })).ok, true);
  });

  it("enforces a datagrid's row limits and refuses a string where rows belong", async () => {
    const { formKey } = await publishTestForm([
      {
        type: "datagrid",
        key: "staff",
        label: "从业人员",
        input: true,
        validate: { minLength: 1, maxLength: 2 },
        components: [text("name", "姓名", { required: true })],
      },
    ]);
    const few = await rejected(formKey, { staff: [] }, "staff");
    assert.match(few[0]!.message, /从业人员至少需要 1 行/);
    await rejected(formKey, { staff: [{ name: "a" }, { name: "b" }, { name: "c" }] }, "staff");
    await rejected(formKey, { staff: "张三" }, "staff");
    await rejected(formKey, { staff: [{ name: "" }] }, "staff[0].name");
    await rejected(formKey, { staff: ["x"] }, "staff");
    const ok = await verdict(formKey, { staff: [{ name: "张三", extra: "dropped" }] });
    assert.ok(ok.ok);
    assert.deepEqual(ok.data.staff, [{ name: "张三" }]);
  });

  it("refuses values of the wrong type for each kind of field, naming the field", async () => {
    const { formKey } = await publishTestForm([
      text("name", "姓名"),
      { type: "number", key: "amount", label: "金额", input: true },
      { type: "email", key: "mail", label: "电子邮箱", input: true },
      { type: "datetime", key: "day", label: "开工日期", input: true },
      { type: "container", key: "addr", label: "地址", input: true, components: [text("city", "城市")] },
    ]);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ name: { $gt: "" } }, "name", /姓名必须是文本/],
      [{ name: ["a"] }, "name", /姓名/],
      [{ amount: "5" }, "amount", /金额必须是数字/],
      [{ amount: Number.NaN }, "amount", /金额/],
      [{ mail: "not-an-email" }, "mail", /电子邮箱/],
      [{ day: "明天" }, "day", /开工日期不是有效的日期/],
      [{ addr: "北京" }, "addr", /地址必须是对象/],
      [{ addr: { city: 5 } }, "addr.city", /城市/],
    ];
    for (const [data, path, message] of cases) {
      const details = await rejected(formKey, data, path);
      assert.ok(
        details.some((d) => message.test(d.message)),
        `${JSON.stringify(data)} -> ${JSON.stringify(details)}`,
      );
    }
    const ok = await verdict(formKey, {
      name: "张三",
      amount: 5.5,
      mail: "a@example.com",
      day: "2026-12-01T00:00:00+08:00",
      addr: { city: "荥阳" },
    });
    assert.ok(ok.ok, JSON.stringify(ok));
  });

  it("drops unknown keys and clears values of conditionally hidden fields", async () => {
    const { formKey } = await publishTestForm([
      {
        type: "radio",
        key: "hasCompany",
        label: "是否有单位",
        input: true,
        values: [
          { label: "是", value: "yes" },
          { label: "否", value: "no" },
        ],
      },
      text(
        "companyName",
        "单位名称",
        { required: true },
        { conditional: { show: true, conjunction: "all", conditions: [{ component: "hasCompany", operator: "isEqual", value: "yes" }] } },
      ),
    ]);
    const v = await verdict(formKey, { hasCompany: "no", companyName: "隐藏的值", isAdmin: true });
    assert.ok(v.ok);
    assert.deepEqual(v.data, { hasCompany: "no" });
    await rejected(formKey, { hasCompany: "yes" }, "companyName");
  });

  it("gives every error in Chinese with the field's path, in one ValidationError", async () => {
    const { formKey } = await publishTestForm([
      text("fullName", "姓名", { required: true, maxLength: 5 }),
      text("postcode", "邮政编码", { pattern: "^[0-9]{6}$" }),
      { type: "number", key: "age", label: "年龄", input: true, validate: { min: 18 } },
    ]);
    const err = await validateSubmission(testApp().db, { formKey }, { fullName: "一二三四五六", postcode: "x", age: 5 }).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof ValidationError);
    assert.equal(err.code, "validation_failed");
    const byPath = Object.fromEntries(err.details.map((d) => [d.path, d.message]));
    assert.match(byPath.fullName!, /姓名不能超过 5 个字符/);
    assert.match(byPath.postcode!, /邮政编码格式不正确/);
    assert.match(byPath.age!, /年龄不能小于 18/);
  });

  it("refuses prototype-pollution keys, deep nesting and oversized data before the form engine sees them", async () => {
    const { formKey } = await publishTestForm([text("name", "姓名")]);
    await rejected(formKey, JSON.parse('{"__proto__": {"polluted": true}, "name": "a"}'), "__proto__");
    await rejected(formKey, { name: "a", x: { constructor: { prototype: { polluted: true } } } }, "x.constructor");
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 10_000; i++) deep = deep.a = {};
    await rejected(formKey, root);
    await rejected(formKey, { name: "x".repeat(1024 * 1024 + 10) }, "data");
    await rejected(formKey, "not an object", "data");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("accepts only files uploaded to this platform, by this user", async () => {
    const { formKey } = await publishTestForm([
      { type: "file", key: "licence", label: "营业执照", input: true, validate: { required: true } },
    ]);
    const owner = await buildUser();
    const other = await buildUser();
    const file = await UploadedFile.create({
      id: crypto.randomUUID(),
      ownerUserId: owner.id,
      sha256: "0".repeat(64),
      originalName: "a.pdf",
      mimeType: "application/pdf",
      size: 1,
    });
    const ref = (id: string) => ({
      licence: [{ storage: "url", name: "a.pdf", url: `http://localhost/api/uploads/${id}`, size: 1, type: "application/pdf" }],
    });
    assert.equal((await verdict(formKey, ref(file.id), { userId: owner.id })).ok, true);
    // Whatever host the browser named, the stored reference is this platform's own path.
    const elsewhere = { licence: [{ ...ref(file.id).licence[0], url: `https://evil.example/api/uploads/${file.id}` }] };
    const stored = await verdict(formKey, elsewhere, { userId: owner.id });
    assert.ok(stored.ok);
    assert.equal((stored.data as { licence: { url: string }[] }).licence[0]!.url, `/api/uploads/${file.id}`);
    await rejected(formKey, { licence: [{ url: "https://evil.example/x.pdf" }] }, "licence");
    const foreign = await verdict(formKey, ref(file.id), { userId: other.id });
    assert.ok(!foreign.ok && foreign.details.some((d) => d.path === "licence[0]"));
    const missing = await verdict(formKey, ref(crypto.randomUUID()), { userId: owner.id });
    assert.equal(missing.ok, false);
    await rejected(formKey, {}, "licence");
  });

  it("validates against the pinned revision, not the newest one", async () => {
    const { db } = testApp();
    const { formKey } = await publishTestForm([text("a", "甲")]);
    await saveFormRevision(db, { formKey, definition: { components: [text("a", "甲", { required: true })] }, actor: "test" });
    assert.equal((await verdict(formKey, {})).ok, true, "published revision 1 has no required field");
    const r2 = await validateSubmission(db, { formKey, revision: 2 }, {}).catch((e: unknown) => e);
    assert.ok(r2 instanceof ValidationError);
  });

  it("checks only types for a draft and validates fully at the final submit", async () => {
    const { formKey } = await publishTestForm([
      text("name", "姓名", { required: true }),
      { type: "number", key: "n", label: "数量", input: true },
    ]);
    const draft = await validateSubmission(testApp().db, { formKey }, { n: 3 }, { draft: true });
    assert.deepEqual(draft.data, { n: 3 });
    await assert.rejects(validateSubmission(testApp().db, { formKey }, { n: "3" }, { draft: true }), ValidationError);
    await rejected(formKey, { n: 3 }, "name");
  });
});

describe("forms: the server never runs form JavaScript", () => {
  const HOSTILE: [string, Record<string, unknown>][] = [
    ["custom validation", text("a", "甲", { custom: "valid = process.exit(1)" })],
    ["calculateValue string", text("a", "甲", {}, { calculateValue: "value = process.version" })],
    ["customConditional", text("a", "甲", {}, { customConditional: "show = instance.visible" })],
    ["customDefaultValue", text("a", "甲", {}, { customDefaultValue: "value = require('fs')" })],
    [
      "logic javascript trigger",
      text("a", "甲", {}, { logic: [{ trigger: { type: "javascript", javascript: "result = instance.ready" }, actions: [] }] }),
    ],
    [
      "logic value action",
      text("a", "甲", {}, { logic: [{ trigger: { type: "simple" }, actions: [{ type: "value", value: "value = 1" }] }] }),
    ],
    [
      "logic customAction",
      text("a", "甲", {}, { logic: [{ trigger: { type: "simple" }, actions: [{ type: "customAction", customAction: "x()" }] }] }),
    ],
    ["template expression", text("a", "甲", {}, { description: "{{ (function(){ return process.version })() }}" })],
    ["button custom action", { type: "button", key: "b", label: "按钮", action: "custom", custom: "alert(1)" }],
    ["date disableFunction", { type: "datetime", key: "d", label: "日期", input: true, datePicker: { disableFunction: "return true" } }],
  ];

  for (const [place, component] of HOSTILE) {
    it(`refuses a form with JavaScript in ${place}, naming the component, and stores nothing`, async () => {
      const { db } = testApp();
      const formKey = randomFormKey("hostile");
      const audits = await AuditEntry.count();
      const err = await saveFormRevision(db, { formKey, title: "恶意表单", definition: { components: [component] }, actor: "test" }).catch(
        (e: unknown) => e,
      );
      assert.ok(err instanceof ValidationError, `${place} must be refused`);
      assert.ok(
        err.details.some((d) => /JavaScript/.test(d.message) && d.message.includes(String(component.label))),
        JSON.stringify(err.details),
      );
      assert.equal(await Form.count({ where: { key: formKey } }), 0);
      assert.equal(await AuditEntry.count(), audits);
    });
  }

  it("allows JSONLogic conditions, validation and calculations", async () => {
    const { formKey } = await publishTestForm([
      {
        type: "number",
        key: "n",
        label: "数量",
        input: true,
        validate: { json: { if: [{ ">": [{ var: "data.n" }, 0] }, true, "数量必须大于 0"] } },
      },
      text("t", "说明", {}, { conditional: { json: { "===": [{ var: "data.n" }, 1] } } }),
    ]);
    assert.equal((await verdict(formKey, { n: 1, t: "x" })).ok, true);
  });

  it("does not evaluate JavaScript even in a definition that bypassed the save checks", async () => {
    const { db } = testApp();
    const { formKey } = await publishTestForm([text("a", "甲")]);
    const form = await Form.findOne({ where: { key: formKey } });
    const hostile = {
      components: [
        {
          type: "textfield",
          key: "leak",
          label: "泄露",
          input: true,
          calculateServer: true,
          calculateValue: "value = 'node ' + process.version",
        },
        { type: "number", key: "n", label: "数量", input: true, validate: { custom: "valid = input > 10 ? true : 'N must be > 10'" } },
        { type: "textfield", key: "shown", label: "显示", input: true, customConditional: "show = (globalThis.pwned = true)" },
      ],
    };
    await FormRevision.create({
      formId: form!.id,
      revision: 99,
      title: "绕过",
      definition: JSON.stringify(hostile),
      createdBy: "attacker",
    });
    const result = await validateSubmission(db, { formKey, revision: 99 }, { n: 5, leak: "x", shown: "y" });
    assert.ok(!JSON.stringify(result.data).includes(process.version));
    assert.equal((globalThis as Record<string, unknown>).pwned, undefined);
    assert.equal((await getFormRevision(db, formKey, 99)).revision, 99);
  });

  it("refuses unknown component types, select options from URLs and colliding keys", async () => {
    const { db } = testApp();
    const err = await saveFormRevision(db, {
      formKey: randomFormKey(),
      title: "x",
      definition: {
        components: [
          { type: "evilwidget", key: "w", label: "部件", input: true },
          { type: "select", key: "s", label: "远程下拉", input: true, dataSrc: "url", data: { url: "http://169.254.169.254/" } },
          text("dup", "重复一"),
          { type: "panel", key: "p", components: [text("dup", "重复二")] },
          { type: "datagrid", key: "g", label: "表格", input: true, components: [text("dup", "表格内同名")] },
          text("__proto__", "原型"),
        ],
      },
      actor: "test",
    }).catch((e: unknown) => e);
    assert.ok(err instanceof ValidationError);
    const messages = err.details.map((d) => d.message).join("\n");
    assert.match(messages, /组件“部件”（w）：不支持组件类型“evilwidget”/);
    assert.match(messages, /远程下拉/);
    assert.match(messages, /组件“重复二”（dup）在“接口”页签：键名“dup”与组件“重复一”（dup）重复/);
    assert.doesNotMatch(messages, /表格内同名/, "a grid's rows are a scope of their own");
    assert.match(messages, /原型/);
  });
});
