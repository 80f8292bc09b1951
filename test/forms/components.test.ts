import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { getFormRevision, publishFormRevision, saveFormRevision } from "../../server/forms/index.js";
import { INPUT_TYPES, LAYOUT_TYPES, REFUSED_TYPES } from "../../server/forms/components.js";
import { ROOT_DIR } from "../../server/paths.js";
import { testApp } from "../helpers/testApp.js";
import { acceptedData, publishTestForm, randomFormKey, refusedAt, saveProblems, text } from "./helpers.js";

type Json = Record<string, unknown>;
const PALETTE = JSON.parse(readFileSync(path.join(ROOT_DIR, "test/fixtures/formio-corpus/builder-5.6.0/palette.json"), "utf8")) as Record<
  string,
  Json[]
>;
const SCHEMAS = JSON.parse(readFileSync(path.join(ROOT_DIR, "test/fixtures/formio-corpus/builder-5.6.0/schemas.json"), "utf8")) as Record<
  string,
  Json
>;

/** Every component of a list, at any depth (components, columns, rows, tabs panes). */
function everyComponent(components: unknown[], out: Json[] = []): Json[] {
  for (const c of components as Json[]) {
    if (!c || typeof c !== "object") continue;
    out.push(c);
    for (const k of ["components", "columns", "rows"]) {
      const v = c[k];
      if (Array.isArray(v)) everyComponent((v as unknown[]).flat(), out);
    }
    if (Array.isArray(c.components)) everyComponent(c.components as unknown[], out);
  }
  return out;
}

describe("forms: the builder's components, as @formio/js 5.6 writes them", () => {
  it("saves the exact JSON the builder writes for each palette component it offers, without its empty-string logic", async () => {
    const refused: string[] = [];
    for (const [type, components] of Object.entries(PALETTE)) {
      const problems = await saveProblems({ display: "form", components });
      if (problems.length) {
        refused.push(type);
        continue;
      }
    }
    // Refused by design: the password (never collected in a form) and Form.io's custom (unknown) component.
    assert.deepEqual(refused.sort(), ["custom", "password"]);
    const { db } = testApp();
    const formKey = randomFormKey("palette");
    const all = Object.entries(PALETTE)
      .filter(([type]) => type !== "custom" && type !== "password")
      .flatMap(([, components]) => components);
    const saved = await saveFormRevision(db, {
      formKey,
      title: "全部组件",
      definition: { display: "form", components: all },
      actor: "test",
    });
    const stored = everyComponent((await getFormRevision(db, formKey, saved.revision)).definition.components);
    for (const c of stored) {
      for (const [holder, prop] of [
        [c, "calculateValue"],
        [c, "customDefaultValue"],
        [c, "customConditional"],
        [c.conditional, "json"],
        [c.validate, "json"],
        [c.validate, "custom"],
        [c, "conditionalAddButton"],
        [c, "errors"],
      ] as [Json | undefined, string][])
        assert.ok(!holder || !(prop in holder), `${String(c.type)}: ${prop} "" is removed`);
      assert.equal(c.serverOverride, undefined, `${String(c.type)}: the empty serverOverride is removed`);
      if (c.type === "editgrid") assert.equal(c.templates, undefined, "the edit grid's JavaScript row templates are not kept");
    }
  });

  it("takes the builder's textfield with a Chinese label, then validates its submissions", async () => {
    const field = {
      ...PALETTE.textfield![0]!,
      label: "营业面积",
      key: "area",
      validate: { ...(PALETTE.textfield![0]!.validate as Json), required: true },
    };
    const { formKey } = await publishTestForm([field]);
    assert.equal((await acceptedData(formKey, { area: "120" })).area, "120");
    await refusedAt(formKey, {}, "area", /^营业面积为必填项$/);
  });

  it("serves exactly the accepted types: input, layout, the address preset; refused types with a reason", () => {
    for (const type of ["editgrid", "survey", "tags", "datamap", "day", "form"])
      assert.ok((INPUT_TYPES as readonly string[]).includes(type), type);
    for (const type of ["panel", "columns", "fieldset", "well", "table", "tabs", "htmlelement", "content"])
      assert.ok((LAYOUT_TYPES as readonly string[]).includes(type), type);
    assert.match(REFUSED_TYPES.password!, /密码绝不能通过表单收集/);
  });

  it("accepts layout components without a key", async () => {
    const layouts = [
      { type: "panel", title: "面板", components: [text("a", "甲")] },
      { type: "columns", columns: [{ components: [text("b", "乙")] }, { components: [] }] },
      { type: "fieldset", legend: "字段组", components: [text("c", "丙")] },
      { type: "well", components: [text("d", "丁")] },
      { type: "table", rows: [[{ components: [text("e", "戊")] }, { components: [] }]] },
      { type: "tabs", components: [{ label: "第一页", key: "tab1", components: [text("f", "己")] }] },
      { type: "htmlelement", tag: "p", content: "说明文字" },
      { type: "content", html: "<p>内容</p>" },
    ];
    assert.deepEqual(await saveProblems({ components: layouts }), []);
    const { formKey } = await publishTestForm(layouts);
    assert.deepEqual(await acceptedData(formKey, { a: "1", b: "2", c: "3", d: "4", e: "5", f: "6" }), {
      a: "1",
      b: "2",
      c: "3",
      d: "4",
      e: "5",
      f: "6",
    });
  });

  it("accepts keys of up to 128 characters in Form.io's pattern, and names the field and the 接口 tab for the others", async () => {
    const long = `k${"x".repeat(127)}`;
    assert.deepEqual(await saveProblems({ components: [text(long, "长键名"), text("1st-field_2", "数字开头")] }), []);
    const { formKey } = await publishTestForm([text(long, "长键名", { required: true })]);
    await refusedAt(formKey, {}, long, /长键名为必填项/);
    const cases: [string, RegExp][] = [
      [`${long}y`, /不能超过 128 个字符/],
      ["a.b", /不能包含点号/],
      ["-a", /不能以连字符开头或结尾/],
      ["a-", /不能以连字符开头或结尾/],
      ["营业面积", /只能使用英文字母、数字、下划线和连字符/],
      ["123", /不能全是数字/],
      ["", /缺少键名/],
    ];
    for (const [key, message] of cases) {
      const problems = await saveProblems({ components: [text(key, "字段")] });
      assert.equal(problems.length, 1, `${key}: ${JSON.stringify(problems)}`);
      assert.match(problems[0]!.message, /^组件“字段”(（.*）)?在“接口”页签：/);
      assert.match(problems[0]!.message, message);
      assert.equal(problems[0]!.tab, "接口");
      assert.notEqual(problems[0]!.path, "undefined");
    }
  });
});

describe("forms: editgrid", () => {
  const grid = (extra: Json = {}) => ({
    type: "editgrid",
    key: "staff",
    label: "从业人员",
    input: true,
    validate: { minLength: 1, maxLength: 3 },
    components: [
      text("name", "姓名", { required: true }),
      { type: "number", key: "age", label: "年龄", input: true, validate: { min: 16 } },
    ],
    ...extra,
  });

  it("accepts rows of objects within the row limits and validates every row", async () => {
    const { formKey } = await publishTestForm([grid()]);
    const data = await acceptedData(formKey, { staff: [{ name: "张三", age: 30, extra: "丢弃" }, { name: "李四" }] });
    assert.deepEqual(data.staff, [{ name: "张三", age: 30 }, { name: "李四" }]);
    await refusedAt(formKey, { staff: [{ name: "张三" }, { age: 20 }] }, "staff[1].name", /^姓名为必填项$/);
    await refusedAt(formKey, { staff: [{ name: "张三", age: 12 }] }, "staff[0].age", /年龄不能小于 16/);
  });

  it("refuses what is not a list of rows, and rows beyond the limits", async () => {
    const { formKey } = await publishTestForm([grid()]);
    await refusedAt(formKey, { staff: { name: "张三" } }, "staff", /从业人员必须是表格行的列表/);
    await refusedAt(formKey, { staff: ["张三"] }, "staff", /每一行必须是对象/);
    await refusedAt(formKey, { staff: [] }, "staff", /至少需要 1 行/);
    await refusedAt(formKey, { staff: [{ name: "a" }, { name: "b" }, { name: "c" }, { name: "d" }] }, "staff", /最多只能有 3 行/);
    await refusedAt(formKey, { staff: Array.from({ length: 501 }, () => ({ name: "x" })) }, "staff", /不能超过 500 行/);
  });

  it("refuses hostile rows: prototype keys, wrong types inside a row", async () => {
    const { formKey } = await publishTestForm([grid()]);
    await refusedAt(formKey, JSON.parse('{"staff":[{"name":"a","__proto__":{"polluted":1}}]}'), "staff[0].__proto__");
    await refusedAt(formKey, { staff: [{ name: { $gt: "" } }] }, "staff[0].name", /姓名必须是文本/);
    assert.equal(({} as Json).polluted, undefined);
  });

  it("refuses JavaScript in its add-row condition, naming the 数据 tab", async () => {
    const problems = await saveProblems({ components: [grid({ conditionalAddButton: "return true" })] });
    assert.match(problems[0]!.message, /^组件“从业人员”（staff）在“数据”页签：添加行条件是 JavaScript 代码/);
  });
});

describe("forms: survey", () => {
  const survey = (extra: Json = {}) => ({
    type: "survey",
    key: "satisfaction",
    label: "满意度调查",
    input: true,
    questions: [
      { label: "办事效率", value: "speed" },
      { label: "服务态度", value: "attitude" },
    ],
    values: [
      { label: "满意", value: "good" },
      { label: "一般", value: "fair" },
      { label: "不满意", value: 3 },
    ],
    ...extra,
  });

  it("accepts an object of question -> one of the values", async () => {
    const { formKey } = await publishTestForm([survey()]);
    assert.deepEqual((await acceptedData(formKey, { satisfaction: { speed: "good", attitude: 3 } })).satisfaction, {
      speed: "good",
      attitude: 3,
    });
    assert.deepEqual(await acceptedData(formKey, {}), {});
  });

  it("refuses unknown questions, unlisted answers, non-objects and hostile values", async () => {
    const { formKey } = await publishTestForm([survey()]);
    await refusedAt(formKey, { satisfaction: { price: "good" } }, "satisfaction", /不存在的问题“price”/);
    await refusedAt(formKey, { satisfaction: { speed: "excellent" } }, "satisfaction", /回答不在可选范围内/);
    await refusedAt(formKey, { satisfaction: { speed: { $ne: null } } }, "satisfaction", /回答不在可选范围内/);
    await refusedAt(formKey, { satisfaction: "good" }, "satisfaction", /必须是“问题 → 选项”的对象/);
    await refusedAt(formKey, { satisfaction: ["good"] }, "satisfaction");
  });

  it("requires every question when required", async () => {
    const { formKey } = await publishTestForm([survey({ validate: { required: true } })]);
    await refusedAt(formKey, { satisfaction: { speed: "good" } }, "satisfaction", /每个问题都必须回答/);
    await refusedAt(formKey, {}, "satisfaction", /满意度调查/);
    await acceptedData(formKey, { satisfaction: { speed: "good", attitude: "fair" } });
  });
});

describe("forms: tags", () => {
  const tags = (extra: Json = {}) => ({ type: "tags", key: "scope", label: "经营范围", input: true, ...extra });

  it("stores a delimited string by default and a list with storeas array, whichever the browser sent", async () => {
    const asString = await publishTestForm([tags({ storeas: "string", delimeter: "，" })]);
    assert.equal((await acceptedData(asString.formKey, { scope: ["餐饮", "零售"] })).scope, "餐饮，零售");
    assert.equal((await acceptedData(asString.formKey, { scope: "餐饮，零售" })).scope, "餐饮，零售");
    const asArray = await publishTestForm([tags({ storeas: "array" })]);
    assert.deepEqual((await acceptedData(asArray.formKey, { scope: "餐饮,零售" })).scope, ["餐饮", "零售"]);
    assert.deepEqual((await acceptedData(asArray.formKey, { scope: ["餐饮"] })).scope, ["餐饮"]);
  });

  it("limits the number of tags and refuses hostile values", async () => {
    const { formKey } = await publishTestForm([tags({ storeas: "array", maxTags: 2, validate: { required: true } })]);
    await refusedAt(formKey, { scope: ["a", "b", "c"] }, "scope", /最多只能有 2 个标签/);
    await refusedAt(formKey, { scope: ["a", { b: 1 }] }, "scope", /每个标签必须是文本/);
    await refusedAt(formKey, { scope: { a: 1 } }, "scope", /必须是标签文本或标签列表/);
    await refusedAt(formKey, { scope: ["x".repeat(201)] }, "scope", /不能超过 200 个字符/);
    await refusedAt(formKey, {}, "scope", /经营范围为必填项/);
    const asString = await publishTestForm([tags({ maxTags: 1 })]);
    await refusedAt(asString.formKey, { scope: "a,b" }, "scope", /最多只能有 1 个标签/);
  });

  it("refuses an unknown storeas at save", async () => {
    const problems = await saveProblems({ components: [tags({ storeas: "object" })] });
    assert.match(problems[0]!.message, /^组件“经营范围”（scope）在“数据”页签：标签的保存方式只能是/);
  });
});

describe("forms: datamap", () => {
  const map = (extra: Json = {}) => ({
    type: "datamap",
    key: "equipment",
    label: "设备清单",
    input: true,
    valueComponent: { type: "number", key: "value", label: "数量", input: true },
    validate: { maxLength: 3 },
    ...extra,
  });

  it("accepts an object of string keys -> values of the value component's type", async () => {
    const { formKey } = await publishTestForm([map()]);
    assert.deepEqual((await acceptedData(formKey, { equipment: { 灭火器: 2, 货架: 10 } })).equipment, { 灭火器: 2, 货架: 10 });
    // The row the renderer adds empty stays out.
    assert.deepEqual((await acceptedData(formKey, { equipment: { 灭火器: 2, "": "" } })).equipment, { 灭火器: 2 });
  });

  it("refuses wrong value types, empty or long keys, too many keys and non-objects", async () => {
    const { formKey } = await publishTestForm([map({ validate: { maxLength: 3, minLength: 1, required: true } })]);
    await refusedAt(formKey, { equipment: { 灭火器: "两个" } }, "equipment", /设备清单的“灭火器”必须是数字/);
    await refusedAt(formKey, { equipment: { "": 3 } }, "equipment", /键不能为空/);
    await refusedAt(formKey, { equipment: { ["键".repeat(201)]: 1 } }, "equipment", /键不能超过 200 个字符/);
    await refusedAt(formKey, { equipment: { a: 1, b: 2, c: 3, d: 4 } }, "equipment", /最多只能有 3 项/);
    await refusedAt(formKey, { equipment: {} }, "equipment", /至少需要 1 项|为必填项/);
    await refusedAt(formKey, { equipment: [1, 2] }, "equipment", /必须是“键 → 值”的对象/);
    await refusedAt(formKey, { equipment: { a: { nested: 1 } } }, "equipment", /必须是数字/);
  });

  it("refuses prototype keys", async () => {
    const { formKey } = await publishTestForm([map()]);
    for (const key of ["__proto__", "constructor", "prototype"])
      await refusedAt(formKey, JSON.parse(`{"equipment":{"${key}":1}}`), `equipment.${key}`, /不允许使用键名/);
    assert.equal(({} as Json).polluted, undefined);
  });

  it("refuses a value component that is not a scalar input, or that carries JavaScript", async () => {
    const grid = await saveProblems({ components: [map({ valueComponent: { type: "datagrid", key: "value", input: true } })] });
    assert.match(grid[0]!.message, /键值表的取值只能是/);
    const js = await saveProblems({
      components: [
        map({
          valueComponent: { type: "textfield", key: "value", label: "取值", input: true, customConditional: "show = instance.visible" },
        }),
      ],
    });
    assert.match(js[0]!.message, /^组件“取值”（value）在“条件”页签：自定义显示条件是 JavaScript 代码/);
  });
});

describe("forms: day", () => {
  const day = (extra: Json = {}) => ({ type: "day", key: "founded", label: "成立日期", input: true, ...extra });

  it("accepts MM/DD/YYYY (DD/MM/YYYY with dayFirst) and refuses invalid days in Chinese", async () => {
    const { formKey } = await publishTestForm([
      day({ fields: { day: { required: true }, month: { required: true }, year: { required: true } } }),
    ]);
    assert.equal((await acceptedData(formKey, { founded: "05/31/2024" })).founded, "05/31/2024");
    await refusedAt(formKey, { founded: "13/45/2024" }, "founded", /^成立日期不是有效的日期$/);
    await refusedAt(formKey, { founded: "00/31/2024" }, "founded", /^成立日期为必填项$/);
    await refusedAt(formKey, { founded: 20240531 }, "founded", /不是有效的日期/);
    await refusedAt(formKey, { founded: "2024-05-31<script>" }, "founded", /不是有效的日期/);
    const dayFirst = await publishTestForm([day({ dayFirst: true })]);
    await acceptedData(dayFirst.formKey, { founded: "31/05/2024" });
  });

  it("names a required day left empty in Chinese (requiredDayEmpty)", async () => {
    const { formKey } = await publishTestForm([day({ validate: { required: true } })]);
    await refusedAt(formKey, { founded: "" }, "founded", /^成立日期为必填项$/);
    await refusedAt(formKey, {}, "founded", /^成立日期为必填项$/);
  });

  it("keeps the year limits in Chinese", async () => {
    const { formKey } = await publishTestForm([day({ maxYear: 2030, minYear: 1949 })]);
    await refusedAt(formKey, { founded: "01/01/1900" }, "founded", /年份不能小于 1949/);
    await refusedAt(formKey, { founded: "01/01/2099" }, "founded", /年份不能大于 2030/);
  });
});

describe("forms: password", () => {
  it("is refused at save by design, with the reason in Chinese", async () => {
    const problems = await saveProblems({ components: [SCHEMAS.password, { ...PALETTE.password![0], label: "登录密码", key: "pwd" }] });
    assert.equal(problems.length, 2);
    assert.match(problems[1]!.message, /^组件“登录密码”（pwd）：密码组件不能使用：.*密码绝不能通过表单收集/);
  });
});

describe("forms: address", () => {
  const address = (extra: Json = {}) => ({ ...SCHEMAS.address, key: "premises", label: "经营场所", ...extra });

  it("becomes a container of 省/市/区县/详细地址, required parts when required", async () => {
    const { formKey, definition } = await publishTestForm([address({ validate: { required: true } })]);
    const stored = definition.components[0]!;
    assert.equal(stored.type, "container");
    assert.deepEqual(
      (stored.components as Json[]).map((c) => [c.key, c.label]),
      [
        ["province", "省（自治区、直辖市）"],
        ["city", "市（地区、州）"],
        ["district", "区县"],
        ["street", "详细地址"],
      ],
    );
    const good = { premises: { province: "河南省", city: "郑州市", district: "荥阳市", street: "索河路1号" } };
    assert.deepEqual(await acceptedData(formKey, { ...good, premises: { ...good.premises, lat: 1 } }), good);
    await refusedAt(
      formKey,
      { premises: { province: "河南省", city: "郑州市", district: "荥阳市" } },
      "premises.street",
      /详细地址为必填项/,
    );
    await refusedAt(formKey, { premises: "河南省郑州市" }, "premises", /经营场所必须是对象/);
    await refusedAt(formKey, { premises: { ...good.premises, street: ["x"] } }, "premises.street", /必须是文本/);
  });

  it("refuses geocoding providers and multiple addresses, naming the 数据 tab", async () => {
    for (const provider of [{ provider: "google" }, { provider: "nominatim" }, { provider: "azure" }, { map: { key: "k" } }]) {
      const problems = await saveProblems({ components: [address(provider)] });
      assert.equal(problems.length, 1, JSON.stringify(provider));
      assert.match(problems[0]!.message, /^组件“经营场所”（premises）在“数据”页签：地址不能使用地图或地址查询服务/);
    }
    const many = await saveProblems({ components: [address({ multiple: true })] });
    assert.match(many[0]!.message, /不能设为允许多个值/);
  });
});

describe("forms: nested form", () => {
  async function publishedChild() {
    return publishTestForm([text("licence", "许可证号", { required: true }), text("issuer", "发证机关")], { title: "许可证信息" });
  }

  it("embeds a published form by key, pins its revision and validates the nested data against it", async () => {
    const child = await publishedChild();
    const { formKey, definition } = await publishTestForm([
      text("name", "名称"),
      { ...SCHEMAS.form, key: "licenceInfo", label: "许可证", form: child.formKey, src: "", reference: true },
    ]);
    const stored = definition.components[1]!;
    assert.equal(stored.revision, child.revision);
    assert.equal(stored.reference, false);
    assert.deepEqual(
      (stored.components as Json[]).map((c) => c.key),
      ["licence", "issuer"],
    );
    const data = await acceptedData(formKey, { name: "甲", licenceInfo: { data: { licence: "XK1", extra: 1 }, _id: "x", owner: "y" } });
    assert.deepEqual(data.licenceInfo, { data: { licence: "XK1" } });
    await refusedAt(formKey, { licenceInfo: { data: {} } }, "licenceInfo.data.licence", /^许可证号为必填项$/);
    await refusedAt(formKey, { licenceInfo: { data: { licence: 5 } } }, "licenceInfo.data.licence", /许可证号必须是文本/);
    await refusedAt(formKey, { licenceInfo: "XK1" }, "licenceInfo", /必须是对象/);
  });

  it("validates against the pinned revision, not against what was copied in or sent", async () => {
    const child = await publishedChild();
    const { db } = testApp();
    const parent = randomFormKey();
    await saveFormRevision(db, {
      formKey: parent,
      title: "父表单",
      definition: {
        components: [{ type: "form", key: "sub", label: "子表单", input: true, form: child.formKey, components: [text("other", "别的")] }],
      },
      actor: "test",
    });
    await publishFormRevision(db, parent, 1, "test");
    const stored = (await getFormRevision(db, parent, 1)).definition.components[0]!;
    assert.deepEqual(
      (stored.components as Json[]).map((c) => c.key),
      ["licence", "issuer"],
    );
    // A newer revision of the child does not change the parent's verdict.
    await saveFormRevision(db, { formKey: child.formKey, definition: { components: [text("licence", "许可证号")] }, actor: "test" });
    await publishFormRevision(db, child.formKey, 2, "test");
    const v = await refusedAt(parent, { sub: { data: {} } }, "sub.data.licence");
    assert.ok(v.length);
  });

  it("refuses missing, unpublished, self and URL references at save, in Chinese with the 表单 tab", async () => {
    const { db } = testApp();
    const draft = randomFormKey();
    await saveFormRevision(db, { formKey: draft, title: "草稿", definition: { components: [text("a", "甲")] }, actor: "test" });
    const child = await publishedChild();
    await saveFormRevision(db, { formKey: child.formKey, definition: { components: [text("licence", "许可证号")] }, actor: "test" });
    const nested = (extra: Json) => ({ type: "form", key: "sub", label: "子表单", input: true, ...extra });
    const self = randomFormKey();
    const cases: [Json, RegExp, string?][] = [
      [{ form: "no-such-form" }, /要嵌入的表单“no-such-form”不存在/],
      [{ form: draft }, /还没有发布/],
      [{ form: child.formKey, revision: 2 }, /第 2 版没有发布过/],
      [{ form: child.formKey, revision: 9 }, /没有第 9 版/],
      [{ form: self }, /不能嵌入表单自身/, self],
      [{ form: child.formKey, src: "https://example.com/form/abc" }, /不能从网址加载/],
      [{ form: "" }, /没有选择要嵌入的表单/],
      [{ form: child.formKey, revision: "v2" }, /版本“v2”无效/],
    ];
    for (const [extra, message, key] of cases) {
      const problems = await saveProblems({ components: [nested(extra)] }, key);
      assert.equal(problems.length, 1, `${JSON.stringify(extra)}: ${JSON.stringify(problems)}`);
      assert.match(problems[0]!.message, /^组件“子表单”（sub）在“表单”页签：/);
      assert.match(problems[0]!.message, message);
    }
  });
});

describe("forms: wizard", () => {
  it("accepts display wizard (panels are pages) and validates the whole submission on the server", async () => {
    const page = (key: string, title: string, components: unknown[]) => ({ type: "panel", key, title, input: false, components });
    const { formKey } = await publishTestForm(
      [
        page("page1", "基本信息", [text("name", "名称", { required: true })]),
        page("page2", "经营信息", [
          text("scope", "经营范围", { required: true }),
          { type: "number", key: "area", label: "面积", input: true },
        ]),
      ],
      { display: "wizard" },
    );
    assert.deepEqual(await acceptedData(formKey, { name: "甲", scope: "餐饮", area: 10 }), { name: "甲", scope: "餐饮", area: 10 });
    // The second page is checked even when the browser only ever showed the first.
    await refusedAt(formKey, { name: "甲" }, "scope", /^经营范围为必填项$/);
    await refusedAt(formKey, { name: "甲", scope: "餐饮", area: "十" }, "area", /面积必须是数字/);
  });

  it("refuses other displays and JavaScript in a page's next-page logic", async () => {
    assert.match((await saveProblems({ display: "pdf", components: [] }))[0]!.message, /不支持显示方式“pdf”/);
    const problems = await saveProblems({
      display: "wizard",
      components: [{ type: "panel", key: "p1", title: "第一页", nextPage: "next = 'p3'", components: [] }],
    });
    assert.match(problems[0]!.message, /^组件“第一页”（p1）在“显示”页签：下一页逻辑是 JavaScript 代码/);
  });
});
