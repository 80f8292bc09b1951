import assert from "node:assert/strict";
import { checkDefinition } from "../../server/forms/index.js";
import { translateJs } from "../../server/forms/jsToLogic.js";
import { acceptedData, publishTestForm, refusedAt, text } from "./helpers.js";

describe("forms: one-line Form.io JavaScript stored as its JSONLogic equivalent", () => {
  it("translates conditions, comparisons, arithmetic and ternaries exactly", () => {
    const cases: [string, string[], unknown][] = [
      ["show = data.kind === 'a';", ["show"], { "===": [{ var: "data.kind" }, "a"] }],
      ['show = data.priorities == "p1"', ["show"], { "==": [{ var: "data.priorities" }, "p1"] }],
      ["show = (row.radio1 === 'dgShow');", ["show"], { "===": [{ var: "row.radio1" }, "dgShow"] }],
      [
        "show = !row['fundClass'] && data.a != 3",
        ["show"],
        { and: [{ "!": [{ var: "row.fundClass" }] }, { "!=": [{ var: "data.a" }, 3] }] },
      ],
      [
        "valid = input >= (data.boxB * 0.5) || input < -1;",
        ["valid"],
        { or: [{ ">=": [{ var: "input" }, { "*": [{ var: "data.boxB" }, 0.5] }] }, { "<": [{ var: "input" }, -1] }] },
      ],
      [
        "valid = (input === \"123\") ? true : 'Must be 123.';",
        ["valid"],
        { if: [{ "===": [{ var: "input" }, "123"] }, true, "Must be 123."] },
      ],
      [
        "value = data.subtotal * data.taxRate - data.grid[0].discount % 2",
        ["value"],
        { "-": [{ "*": [{ var: "data.subtotal" }, { var: "data.taxRate" }] }, { "%": [{ var: "data.grid.0.discount" }, 2] }] },
      ],
      [
        "return (row.team === 'x' && row.level === 'urgent')",
        ["result"],
        { and: [{ "===": [{ var: "row.team" }, "x"] }, { "===": [{ var: "row.level" }, "urgent"] }] },
      ],
    ];
    for (const [source, targets, logic] of cases) assert.deepEqual(translateJs(source, targets, true)?.logic, logic, source);
    assert.deepEqual(translateJs("values = [{ label: '甲', value: 'a' }, 'b', -1, true]", ["values"])?.value, [
      { label: "甲", value: "a" },
      "b",
      -1,
      true,
    ]);
  });

  it("leaves everything else JavaScript, and so refused: calls, other names, prototypes, +, null, templates, several statements", () => {
    const hostile = [
      "show = data.constructor.constructor('return process')()",
      "show = data['__proto__'].x",
      "show = data.__proto__",
      "show = this.data.a",
      "show = globalThis.process",
      "show = _.get(instance, 'parent.manualMode', false);",
      "show = data.a; require('fs')",
      "value = data.a + data.b",
      "show = data.a === null",
      "show = data.a === undefined",
      "valid = input === `x${data.a}`",
      "valid = input === '\\u0041'",
      "show = data.a /* c */",
      "show = data.a === 'x' ? data.b : (() => 1)()",
      "var x = 1; show = x",
      "show == data.a",
      "value = instance.root.data.score",
      "values = Promise.resolve([1])",
    ];
    for (const source of hostile) {
      assert.equal(translateJs(source, ["show", "value", "valid", "values"]), null, source);
      const { problems } = checkDefinition({ components: [text("a", "甲", {}, { customConditional: source })] });
      assert.equal(problems.length, 1, source);
      assert.match(problems[0]!.message, /自定义显示条件是 JavaScript 代码/);
    }
  });

  it("stores the translation, which the server evaluates as the browser would", async () => {
    const { formKey, definition } = await publishTestForm([
      {
        type: "radio",
        key: "kind",
        label: "类型",
        input: true,
        values: [
          { label: "甲", value: "a" },
          { label: "乙", value: "b" },
        ],
      },
      text("detail", "说明", { required: true }, { customConditional: "show = data.kind === 'a';" }),
      { type: "number", key: "qty", label: "数量", input: true, validate: { custom: "valid = input >= 2 ? true : '至少 2 件'" } },
      { type: "number", key: "total", label: "合计", input: true, calculateValue: "value = data.qty * 10;" },
      text("note", "备注", {}, { customDefaultValue: "value = '无';" }),
    ]);
    const [, detail, qty, total, note] = definition.components;
    assert.deepEqual(detail!.conditional, { json: { "===": [{ var: "data.kind" }, "a"] } });
    assert.equal(detail!.customConditional, undefined);
    assert.deepEqual(qty!.validate?.json, { if: [{ ">=": [{ var: "input" }, 2] }, true, "至少 2 件"] });
    assert.equal(qty!.validate?.custom, undefined);
    assert.deepEqual(total!.calculateValue, { "*": [{ var: "data.qty" }, 10] });
    assert.equal(note!.defaultValue, "无");
    assert.equal(note!.customDefaultValue, undefined);

    assert.deepEqual(await acceptedData(formKey, { kind: "b", detail: "隐藏时清除", qty: 3 }), {
      kind: "b",
      qty: 3,
      total: 30,
      note: "无",
    });
    await refusedAt(formKey, { kind: "a", qty: 3 }, "detail", /说明为必填项/);
    await refusedAt(formKey, { kind: "b", qty: 1 }, "qty", /^至少 2 件$/);
  });

  it("lists a select's literal custom values and JSON options as its options", async () => {
    const { formKey, definition } = await publishTestForm([
      {
        type: "select",
        key: "fruit",
        label: "水果",
        input: true,
        dataSrc: "custom",
        valueProperty: "id",
        template: "<span>{{ item.name }}</span>",
        data: { custom: "values = [{id: 1, name: '苹果'}, {id: 2, name: '香蕉'}];" },
      },
      {
        type: "select",
        key: "city",
        label: "城市",
        input: true,
        dataSrc: "json",
        data: { json: '[{"value":"zz","label":"郑州"},{"value":"ly","label":"洛阳"}]' },
      },
      { type: "select", key: "size", label: "尺寸", input: true, dataSrc: "custom", data: { custom: "values = ['大', '小']" } },
    ]);
    assert.deepEqual(definition.components[0]!.data?.values, [
      { label: "苹果", value: 1 },
      { label: "香蕉", value: 2 },
    ]);
    assert.deepEqual(definition.components[1]!.data?.values, [
      { label: "郑州", value: "zz" },
      { label: "洛阳", value: "ly" },
    ]);
    assert.ok(definition.components.every((c) => c.dataSrc === "values"));
    await acceptedData(formKey, { fruit: 2, city: "ly", size: "大" });
    await refusedAt(formKey, { city: "bj" }, "city", /不在可选范围内/);
    await refusedAt(formKey, { size: "中" }, "size", /不在可选范围内/);
  });

  it("keeps an imported nested form with its own components, validated against them", async () => {
    const { formKey, definition } = await publishTestForm([
      { type: "form", key: "contact", label: "联系人", input: true, components: [text("phone", "电话", { required: true })] },
    ]);
    assert.equal(definition.components[0]!.reference, false);
    assert.deepEqual(await acceptedData(formKey, { contact: { data: { phone: "123" } } }), { contact: { data: { phone: "123" } } });
    await refusedAt(formKey, { contact: { data: {} } }, "contact.data.phone", /电话为必填项/);
    const js = checkDefinition({
      components: [{ type: "form", key: "c", input: true, components: [text("p", "电话", {}, { calculateValue: "value = eval('1')" })] }],
    });
    assert.match(js.problems[0]!.message, /^组件“电话”（p）在“数据”页签：计算值是 JavaScript 代码/);
  });
});
