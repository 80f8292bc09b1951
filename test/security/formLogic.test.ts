import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import request from "supertest";
import { Form, FormRevision } from "../../server/db/models/formModels.js";
import { JSONLOGIC_LOCK, jsonLogic } from "../../server/forms/core.js";
import { checkDefinition, publishFormRevision, saveFormRevision, validateSubmission } from "../../server/forms/index.js";
import { JSONLOGIC_OPERATORS, jsonLogicProblems, lockJsonLogic, type JsonLogicInstance } from "../../server/forms/jsonLogic.js";
import { ROOT_DIR } from "../../server/paths.js";
import { buildUser, departmentId, loginAs } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { randomFormKey } from "../forms/helpers.js";

// What a hostile designer would store: JSONLogic that reaches Function through lodash operators and runs a payload
// that writes MARKER. Built on a literal [] so that it works in any data scope (inside map and reduce too).
const MARKER = path.join(os.tmpdir(), `xy-jsonlogic-${process.pid}-${randomBytes(6).toString("hex")}`);
const CODE = `process.getBuiltinModule("fs").writeFileSync(${JSON.stringify(MARKER)}, "pwned"); return "pwned";`;
const fn = (code: string) => ({ _invoke: [[], "constructor.constructor", code] });
const RCE: Record<string, (code: string) => unknown> = {
  _invoke: (code) => ({ _invoke: [fn(code), "call"] }),
  _invokeMap: (code) => ({ _invokeMap: [{ _invokeMap: [[[]], "constructor.constructor", code] }, "call"] }),
  _result: (code) => ({ _result: [fn(code), "call"] }),
};

/** Each way the hostile logic can sit inside ordinary logic. */
const WRAPPERS: [string, (logic: unknown) => unknown][] = [
  ["bare", (l) => l],
  ["if", (l) => ({ if: [true, l, 0] })],
  ["and", (l) => ({ and: [true, l] })],
  ["or", (l) => ({ or: [false, l] })],
  ["map", (l) => ({ map: [[1], l] })],
  ["reduce", (l) => ({ reduce: [[1], l, 0] })],
  ["cat", (l) => ({ cat: ["x", [l]] })],
];

const LABEL = "营业面积";
const NAME = `“${LABEL}”（area）`;
const field = (key: string, extra: Record<string, unknown>) => ({ type: "textfield", key, label: LABEL, input: true, ...extra });
const hide = { name: "a", type: "property", property: { label: "Hidden", value: "hidden", type: "boolean" }, state: true };

/** Every place Form.io evaluates a component's JSONLogic, and the words a refusal names it with. */
const PLACES: [string, (logic: unknown, key?: string) => Record<string, unknown>][] = [
  // calculateServer as a saved form has it (the save forces it): core computes on the server only then.
  ["计算值", (l, key = "area") => field(key, { calculateValue: l, calculateServer: true })],
  ["显示条件", (l, key = "area") => field(key, { conditional: { json: l } })],
  ["校验规则", (l, key = "area") => field(key, { validate: { json: l } })],
  [
    "第 1 条逻辑的触发条件",
    (l, key = "area") => field(key, { logic: [{ name: "x", trigger: { type: "json", json: l }, actions: [hide] }] }),
  ],
  [
    "第 1 条逻辑的第 1 个动作",
    (l, key = "area") =>
      field(key, {
        logic: [{ name: "x", trigger: { type: "json", json: { "==": [1, 1] } }, actions: [{ name: "v", type: "value", value: l }] }],
      }),
  ],
  ["默认值", (l, key = "area") => field(key, { customDefaultValue: l })],
  ["自定义显示条件", (l, key = "area") => field(key, { customConditional: l })],
  ["自定义校验", (l, key = "area") => field(key, { validate: { custom: l } })],
];

/** `var` paths (and path arguments) that reach prototypes: string and array forms, defaults, computed paths. */
const PROTO_PATHS: unknown[] = [
  { var: "constructor" },
  { var: "__proto__" },
  { var: "prototype" },
  { var: "data.constructor" },
  { var: "data.constructor.constructor" },
  { var: "data.__proto__.polluted" },
  { var: "row.prototype" },
  { var: "data.grid.0.constructor" },
  { var: ["data.constructor"] },
  { var: [["constructor", "constructor"]] },
  { var: ["data.a", "data.__proto__"] },
  { var: ["data.a", { var: "data.constructor" }] },
  { var: { cat: ["data.", "constructor"] } },
  { missing: ["data.constructor"] },
  { missing_some: [1, ["data.a", "data.__proto__"]] },
];

/** The builder tab that holds each place (refusals name the label, then the tab, then the place). */
const TAB: Record<string, string> = {
  计算值: "数据",
  显示条件: "条件",
  校验规则: "校验",
  "第 1 条逻辑的触发条件": "逻辑",
  "第 1 条逻辑的第 1 个动作": "逻辑",
  默认值: "数据",
  自定义显示条件: "条件",
  自定义校验: "校验",
};
const at = (place: string) => `组件${NAME}在“${TAB[place]}”页签：${place}`;
const opRefusal = (place: string, op: string) => `${at(place)}使用了不允许的 JSONLogic 运算符 ${op}：只能使用标准的数据读取与比较运算符`;

const refusals = (definition: unknown): string[] => checkDefinition(definition).problems.map((p) => p.message);

/** Stores a definition as the published revision of a new form without the save checks, as a tampered database would. */
async function storeUnchecked(components: unknown[]): Promise<string> {
  const { db } = testApp();
  const formKey = randomFormKey("bypass");
  const saved = await saveFormRevision(db, { formKey, title: "绕过检查", definition: { components: [] }, actor: "test" });
  await publishFormRevision(db, formKey, saved.revision, "test");
  const form = (await Form.findOne({ where: { key: formKey } }))!;
  await FormRevision.create({
    formId: form.id,
    revision: 2,
    title: "绕过检查",
    definition: JSON.stringify({ components }),
    createdBy: "attacker",
  });
  await form.update({ latestRevision: 2, publishedRevision: 2 });
  return formKey;
}

/** Runs fn with console.warn collected (core warns once for every expression it refuses to evaluate). */
async function quietly<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(" "));
  try {
    return { result: await fn(), warnings };
  } finally {
    console.warn = warn;
  }
}

function assertUnharmed(): void {
  const ran = existsSync(MARKER);
  rmSync(MARKER, { force: true });
  assert.equal(ran, false, "the payload must not have run");
  assert.equal(typeof process.getBuiltinModule, "function");
  assert.match(String(Object.getOwnPropertyDescriptor(Object.prototype, "hasOwnProperty")?.value), /\[native code\]/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
}

describe("security: Form.io JSONLogic cannot run code", () => {
  after(() => rmSync(MARKER, { force: true }));

  describe("the operator allowlist", () => {
    it("finds every operator core registers on its jsonLogic instance and removes all but the allowlist", () => {
      const { registered, removed } = JSONLOGIC_LOCK;
      const lodash = registered.filter((n) => n.startsWith("_"));
      assert.ok(lodash.length > 200, `found ${lodash.length} lodash-backed operators on core's instance`);
      for (const op of [
        "_invoke",
        "_invokeMap",
        "_method",
        "_methodOf",
        "_property",
        "_propertyOf",
        "_result",
        "_get",
        "_flow",
        "_iteratee",
      ])
        assert.ok(removed.includes(op), `${op} is removed`);
      assert.ok(removed.includes("log"), "log (console output) is removed");
      assert.deepEqual(
        removed,
        registered.filter((n) => !(JSONLOGIC_OPERATORS as readonly string[]).includes(n)),
      );
      for (const op of removed) assert.throws(() => jsonLogic.apply({ [op]: [] }, {}), /not allowed/, op);
      // The operators json-logic-js handles inline (if, and, map, ...) are not registered; all others on the list are.
      const inline = ["if", "?:", "and", "or", "map", "reduce", "filter", "all", "none", "some"];
      assert.deepEqual(
        JSONLOGIC_OPERATORS.filter((op) => !inline.includes(op) && !registered.includes(op)),
        [],
      );
    });

    it("refuses operators added later, dotted operator names and a second lock changes nothing", () => {
      assert.throws(() => jsonLogic.add_operation("_evil", () => 1), /not allowed/);
      assert.throws(() => jsonLogic.apply({ "var.constructor": [] }, {}), /not allowed/);
      assert.throws(() => jsonLogic.apply({ "==.prototype.constructor": [1, 1] }, {}), /not allowed/);
      assert.throws(() => jsonLogic.apply({ hasOwnProperty: ["x"] }, {}), /not allowed/);
      assert.equal(lockJsonLogic(jsonLogic as JsonLogicInstance), JSONLOGIC_LOCK);
    });

    it("reads own properties only through var, keeping Form.io's paths", () => {
      const ctx = { data: { a: 1, s: "abc", grid: [{ name: "甲" }], obj: { indexOf: "x" } }, row: { qty: 2 } };
      assert.equal(jsonLogic.apply({ var: "data.grid.0.name" }, ctx), "甲");
      assert.equal(jsonLogic.apply({ var: "data.s.length" }, ctx), 3);
      assert.equal(jsonLogic.apply({ var: ["data.none", "默认"] }, ctx), "默认");
      assert.equal(jsonLogic.apply({ var: "row.qty" }, ctx), 2);
      assert.deepEqual(jsonLogic.apply({ var: "" }, ctx), ctx);
      for (const p of [
        "data.constructor",
        "data.constructor.constructor",
        "data.__proto__",
        "data.toString",
        "data.s.constructor",
        "data.grid.map",
      ])
        assert.equal(jsonLogic.apply({ var: p }, ctx), null, p);
      assert.equal(jsonLogic.apply({ var: { cat: ["data.con", "structor"] } }, ctx), null);
      assert.equal(jsonLogic.apply({ in: ["b", { var: "data.s" }] }, ctx), true);
      assert.equal(jsonLogic.apply({ in: ["x", { var: "data.obj" }] }, ctx), false);
      assert.deepEqual(jsonLogic.apply({ missing: ["data.a", "data.constructor"] }, ctx), ["data.constructor"]);
    });

    it("checks a logic tree: every operator off the list and every path into a prototype, at any depth", () => {
      assert.deepEqual(
        jsonLogicProblems({ if: [{ "==": [{ var: "data.grid.0.name" }, "甲"] }, { cat: ["a", { var: ["data.b", 0] }] }, 1] }),
        [],
      );
      assert.deepEqual(jsonLogicProblems({ and: [{ _get: [{ var: "data" }, "a"] }, { map: [[1], { log: 1 }] }] }), [
        "使用了不允许的 JSONLogic 运算符 _get：只能使用标准的数据读取与比较运算符",
        "使用了不允许的 JSONLogic 运算符 log：只能使用标准的数据读取与比较运算符",
      ]);
      for (const logic of PROTO_PATHS)
        assert.ok(
          jsonLogicProblems({ if: [true, logic] }).some((p) => p.startsWith("读取了不允许的数据路径")),
          JSON.stringify(logic),
        );
      let deep: unknown = { var: "data.a" };
      for (let i = 0; i < 70; i++) deep = { "!": [deep] };
      assert.ok(jsonLogicProblems(deep).some((p) => p.includes("嵌套过深")));
    });
  });

  describe("at save", () => {
    for (const [place, build] of PLACES) {
      it(`refuses every removed operator in the ${place}, bare or nested, naming the component and the operator`, () => {
        const missed: string[] = [];
        for (const op of JSONLOGIC_LOCK.removed) {
          for (const [how, wrap] of WRAPPERS) {
            const messages = refusals({ components: [build(wrap({ [op]: [[], "constructor.constructor", "return 1"] }))] });
            if (!messages.includes(opRefusal(place, op))) missed.push(`${op} (${how}): ${JSON.stringify(messages)}`);
          }
        }
        assert.deepEqual(missed, []);
      });
    }

    it("refuses var paths into prototypes wherever JSONLogic sits", () => {
      const missed: string[] = [];
      for (const [place, build] of PLACES) {
        for (const logic of PROTO_PATHS) {
          for (const [how, wrap] of WRAPPERS) {
            const messages = refusals({ components: [build(wrap(logic))] });
            if (!messages.some((m) => m.startsWith(`${at(place)}读取了不允许的数据路径`)))
              missed.push(`${place} ${how} ${JSON.stringify(logic)}`);
          }
        }
      }
      assert.deepEqual(missed, []);
    });

    it("answers 400 to a dept_admin over the API, in Chinese and naming each component, and stores nothing", async () => {
      const agent = await loginAs(await buildUser({ roles: ["dept_admin"], department: "scjgj" }));
      const formKey = randomFormKey("hostile");
      // One component per removed operator.
      const components = JSONLOGIC_LOCK.removed.map((op, i) => ({
        type: "textfield",
        key: `c${i}`,
        label: `运算${i}`,
        input: true,
        calculateValue: { [op]: [{ var: "data" }, "constructor.constructor", "return 1"] },
      }));
      const res = await agent
        .post("/api/forms")
        .set("X-CSRF-Token", agent.csrf)
        .send({ key: formKey, title: "恶意表单", display: "form", components });
      assert.equal(res.status, 400);
      const messages = (res.body.error.details as { message: string }[]).map((d) => d.message);
      JSONLOGIC_LOCK.removed.forEach((op, i) =>
        assert.ok(
          messages.includes(
            `组件“运算${i}”（c${i}）在“数据”页签：计算值使用了不允许的 JSONLogic 运算符 ${op}：只能使用标准的数据读取与比较运算符`,
          ),
          op,
        ),
      );
      assert.equal(await Form.count({ where: { key: formKey } }), 0);
    });

    it("refuses code-running logic in every place and wrapper when revising a form over the API; the revision stays", async () => {
      const deptAdmin = await buildUser({ roles: ["dept_admin"], department: "scjgj" });
      const agent = await loginAs(deptAdmin);
      const formKey = randomFormKey("revise");
      const ok = { type: "textfield", key: "area", label: LABEL, input: true };
      await agent
        .post("/api/forms")
        .set("X-CSRF-Token", agent.csrf)
        .send({ key: formKey, title: "表单", display: "form", components: [ok] })
        .expect(201);
      const form = (await Form.findOne({ where: { key: formKey } }))!;
      assert.equal(form.departmentId, await departmentId("scjgj"));
      const failures: string[] = [];
      for (const [place, build] of PLACES) {
        for (const [op, payload] of Object.entries(RCE)) {
          for (const [how, wrap] of WRAPPERS) {
            const res = await agent
              .put(`/api/forms/${formKey}`)
              .set("X-CSRF-Token", agent.csrf)
              .send({ components: [build(wrap(payload(CODE)))] });
            const messages = ((res.body as { error?: { details?: { message: string }[] } }).error?.details ?? []).map((d) => d.message);
            if (res.status !== 400 || !messages.includes(opRefusal(place, op)))
              failures.push(`${place} ${op} ${how}: ${res.status} ${JSON.stringify(messages)}`);
          }
        }
        for (const logic of PROTO_PATHS) {
          const res = await agent
            .put(`/api/forms/${formKey}`)
            .set("X-CSRF-Token", agent.csrf)
            .send({ components: [build(logic)] });
          if (res.status !== 400 || !JSON.stringify(res.body).includes(`${at(place)}读取了不允许的数据路径`))
            failures.push(`${place} ${JSON.stringify(logic)}: ${res.status}`);
        }
      }
      assert.deepEqual(failures, []);
      await form.reload();
      assert.equal(form.latestRevision, 1);
      assert.equal(await FormRevision.count({ where: { formId: form.id } }), 1);
      assertUnharmed();
    });

    it("refuses a logic action that merges JSONLogic into the component, and form-level code", () => {
      const merge = field("area", {
        logic: [
          {
            name: "x",
            trigger: { type: "json", json: { "==": [1, 1] } },
            actions: [{ name: "m", type: "mergeComponentSchema", schemaDefinition: { var: "data.schema" } }],
          },
        ],
      });
      assert.ok(
        refusals({ components: [merge] }).some((m) =>
          m.startsWith(`组件${NAME}在“逻辑”页签：第 1 条逻辑的第 1 个动作用 JSONLogic 合并组件设置`),
        ),
      );
      assert.ok(
        refusals({ components: [], controller: { _invoke: [[], "x"] } }).some((m) =>
          m.includes("控制逻辑（controller）使用了不允许的 JSONLogic 运算符 _invoke"),
        ),
      );
      assert.ok(refusals({ components: [], controller: "alert(1)" }).some((m) => m.includes("JavaScript 代码（controller）")));
      assert.ok(refusals({ components: [], module: "{ options: {} }" }).some((m) => m.includes("模块（module）")));
    });

    it("refuses simple conditions whose operator is an inherited name, which core would throw on", () => {
      const when = (operator: string) => ({ show: true, conjunction: "all", conditions: [{ component: "a", operator, value: "x" }] });
      for (const operator of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
        assert.ok(
          refusals({ components: [field("area", { conditional: when(operator) })] }).includes(
            `组件${NAME}在“条件”页签：显示条件使用了未知的比较方式“${operator}”`,
          ),
        );
        const trigger = field("area", { logic: [{ name: "x", trigger: { type: "simple", simple: when(operator) }, actions: [hide] }] });
        assert.ok(
          refusals({ components: [trigger] }).includes(`组件${NAME}在“逻辑”页签：第 1 条逻辑的触发条件使用了未知的比较方式“${operator}”`),
        );
      }
      assert.deepEqual(refusals({ components: [field("a", {}), field("area", { conditional: when("isEqual") })] }), []);
    });
  });

  describe("at evaluation, for a stored form that bypassed the save check", () => {
    for (const [place, build] of PLACES) {
      it(`does not run code from the ${place} through /api/forms/:key/validate`, async () => {
        const components: unknown[] = [];
        for (const payload of Object.values(RCE))
          for (const [, wrap] of WRAPPERS) components.push(build(wrap(payload(CODE)), `area${components.length}`));
        const formKey = await storeUnchecked(components);
        const agent = await loginAs(await buildUser({ roles: ["applicant"] }));
        const { result: res, warnings } = await quietly(() =>
          agent
            .post(`/api/forms/${formKey}/validate`)
            .set("X-CSRF-Token", agent.csrf)
            .send({ data: { area0: "x" } }),
        );
        assert.ok(res.status === 200 || res.status === 400, `answered ${res.status}: ${res.text}`);
        assert.ok(!res.text.includes("pwned"), res.text);
        assert.ok(
          warnings.every((w) => /not allowed/.test(w)),
          warnings.join("\n"),
        );
        assertUnharmed();
      });
    }

    it("evaluates no removed operator: each calculated value stays empty", async () => {
      const components = JSONLOGIC_LOCK.removed.map((op, i) => ({
        type: "textfield",
        key: `c${i}`,
        label: `运算${i}`,
        input: true,
        calculateServer: true,
        calculateValue: { [op]: [{ var: "data" }, "constructor.constructor", "return 1"] },
      }));
      const formKey = await storeUnchecked(components);
      const { result } = await quietly(() => validateSubmission(testApp().db, { formKey }, {}));
      const computed = Object.entries(result.data).filter(([, v]) => v !== undefined && v !== null && v !== "");
      assert.deepEqual(computed, []);
      assertUnharmed();
    });

    it("reads no prototype through var, even with a computed path", async () => {
      const formKey = await storeUnchecked([
        field("a", { calculateServer: true, calculateValue: { var: "data.constructor.constructor" } }),
        field("b", { calculateServer: true, calculateValue: { cat: ["", { var: { cat: ["data.con", "structor"] } }] } }),
        field("c", { calculateServer: true, calculateValue: { var: ["data.__proto__", "空"] } }),
        field("d", { calculateServer: true, calculateValue: { if: [{ in: ["x", { var: "data.s" }] }, "有", "无"] } }),
        field("s", {}),
      ]);
      const { result } = await quietly(() => validateSubmission(testApp().db, { formKey }, { s: "xyz" }));
      assert.equal(result.data.a ?? null, null);
      assert.equal(result.data.b, "");
      assert.equal(result.data.c, "空");
      assert.equal(result.data.d, "有");
      assertUnharmed();
    });
  });

  describe("ordinary JSONLogic", () => {
    it("still calculates, shows and hides, validates and triggers logic, saved and validated over the API", async () => {
      const agent = await loginAs(await buildUser({ roles: ["dept_admin"], department: "scjgj" }));
      const formKey = randomFormKey("logic");
      const components = [
        { type: "number", key: "price", label: "单价", input: true },
        {
          type: "number",
          key: "qty",
          label: "数量",
          input: true,
          validate: { json: { if: [{ ">": [{ var: "data.qty" }, 0] }, true, "数量必须大于 0"] } },
        },
        {
          type: "number",
          key: "total",
          label: "合计",
          input: true,
          calculateValue: { "+": [{ var: "data.price" }, { "*": [{ var: "data.qty" }, 2] }] },
        },
        {
          type: "textfield",
          key: "name",
          label: "名称",
          input: true,
          calculateValue: { cat: [{ var: "data.first" }, "-", { var: ["data.nick", "无"] }] },
        },
        {
          type: "textfield",
          key: "size",
          label: "规模",
          input: true,
          calculateValue: { if: [{ ">=": [{ var: "data.qty" }, 10] }, "大", "小"] },
        },
        { type: "textfield", key: "slug", label: "代码", input: true, calculateValue: { _camelCase: [{ var: "data.first" }] } },
        { type: "textfield", key: "first", label: "名", input: true },
        {
          type: "textfield",
          key: "last",
          label: "姓",
          input: true,
          conditional: { json: { "==": [{ var: "data.first" }, "show"] } },
          clearOnHide: true,
        },
        {
          type: "textfield",
          key: "reason",
          label: "原因",
          input: true,
          logic: [
            {
              name: "必填",
              trigger: { type: "json", json: { in: [{ var: "data.first" }, ["reject", "return"]] } },
              actions: [
                {
                  name: "必填",
                  type: "property",
                  property: { label: "Required", value: "validate.required", type: "boolean" },
                  state: true,
                },
              ],
            },
          ],
        },
        {
          type: "datagrid",
          key: "rows",
          label: "明细",
          input: true,
          components: [
            { type: "number", key: "n", label: "件数", input: true },
            { type: "number", key: "sub", label: "小计", input: true, calculateValue: { "*": [{ var: "row.n" }, 3] } },
          ],
        },
      ];
      await agent
        .post("/api/forms")
        .set("X-CSRF-Token", agent.csrf)
        .send({ key: formKey, title: "正常逻辑", display: "form", components })
        .expect(201);
      await agent.post(`/api/forms/${formKey}/publish`).set("X-CSRF-Token", agent.csrf).send({ revision: 1 }).expect(200);
      const validate = (data: Record<string, unknown>) =>
        agent.post(`/api/forms/${formKey}/validate`).set("X-CSRF-Token", agent.csrf).send({ data });

      const ok = await validate({
        price: 3,
        qty: 4,
        total: 999,
        first: "hello world",
        last: "隐藏的值",
        name: "x",
        rows: [{ n: 2, sub: 0 }],
      }).expect(200);
      assert.equal(ok.body.data.total, 11);
      assert.equal(ok.body.data.name, "hello world-无");
      assert.equal(ok.body.data.size, "小");
      assert.equal(ok.body.data.slug, "helloWorld");
      assert.ok(!ok.body.data.last, "a hidden field's value is cleared");
      assert.equal(ok.body.data.rows[0].sub, 6);

      const shown = await validate({ price: 1, qty: 10, first: "show", last: "张" }).expect(200);
      assert.equal(shown.body.data.last, "张");
      assert.equal(shown.body.data.name, "show-无");
      assert.equal(shown.body.data.size, "大");

      const bad = await validate({ price: 1, qty: 0, first: "reject" }).expect(400);
      const details = JSON.stringify(bad.body.error.details);
      assert.ok(details.includes('"path":"qty"'), details);
      assert.ok(details.includes("原因"), details);
      assertUnharmed();
    });
  });

  describe("in the browser", () => {
    /** The page's scripts in a bare window: the Form.io bundle, then (optionally) /forms/platform.js and formio-setup.js. */
    async function page(withSetup: boolean): Promise<{ run: (code: string) => unknown; errors: string[] }> {
      const errors: string[] = [];
      const noop = () => undefined;
      const element = () => ({ setAttribute: noop, appendChild: noop, addEventListener: noop, style: {}, querySelectorAll: () => [] });
      const document = {
        createElement: element,
        createTextNode: element,
        head: element(),
        body: element(),
        documentElement: element(),
        addEventListener: noop,
        querySelector: () => null,
        querySelectorAll: () => [],
        getElementsByTagName: () => [],
      };
      const win: Record<string, unknown> = {
        document,
        navigator: { userAgent: "node", language: "zh-CN" },
        location: { origin: "http://localhost", href: "http://localhost/", protocol: "http:", hostname: "localhost" },
        addEventListener: noop,
        removeEventListener: noop,
        setTimeout,
        clearTimeout,
        console: { log: noop, info: noop, debug: noop, warn: noop, error: (...a: unknown[]) => void errors.push(a.join(" ")) },
        localStorage: { getItem: () => null, setItem: noop },
        sessionStorage: { getItem: () => null, setItem: noop },
        MutationObserver: class {
          observe() {}
        },
        getComputedStyle: () => ({}),
        matchMedia: () => ({ matches: false, addListener: noop }),
        requestAnimationFrame: noop,
      };
      win.window = win;
      win.self = win;
      const context = vm.createContext(win);
      vm.runInContext(readFileSync(path.join(ROOT_DIR, "node_modules/@formio/js/dist/formio.full.min.js"), "utf8"), context);
      if (withSetup) {
        const app = testApp().app;
        vm.runInContext((await request(app).get("/forms/platform.js").expect(200)).text, context);
        vm.runInContext((await request(app).get("/assets/js/formio-setup.js").expect(200)).text, context);
      }
      return { run: (code) => vm.runInContext(code, context) as unknown, errors };
    }

    const PAGE_PAYLOAD = JSON.stringify(RCE._invoke!("globalThis.pwned = true; return 'pwned';"));
    const conditional = (logic: string) =>
      `Formio.Utils.checkJsonConditional({ key: "k" }, ${logic}, {}, { a: 1, s: "abc" }, {}, "refused")`;
    const evaluated = (logic: string) => `Formio.Utils.Evaluator.evaluate(${logic}, { data: { a: 1 } })`;

    it("runs a hostile form's lodash operators in Form.io's own bundle (why the lock exists)", async function () {
      this.timeout(60_000);
      const bare = await page(false);
      assert.equal(bare.run(conditional(PAGE_PAYLOAD)), "pwned");
      assert.equal(bare.run("globalThis.pwned"), true);
    });

    it("locks Form.io's jsonLogic to the server's allowlist in formio-setup.js, served through /forms/platform.js", async function () {
      this.timeout(60_000);
      const browser = await page(true);
      assert.equal(browser.run("window.xyFormio.jsonLogicLocked"), true);
      assert.deepEqual(browser.errors, []);
      assert.deepEqual(JSON.parse(JSON.stringify(browser.run("window.XY_FORMIO_PLATFORM.jsonLogicOperators"))), [...JSONLOGIC_OPERATORS]);

      assert.equal(browser.run(conditional(PAGE_PAYLOAD)), "refused");
      assert.equal(browser.run(evaluated(PAGE_PAYLOAD)), null);
      assert.equal(browser.run("globalThis.pwned"), undefined);
      const missed = JSONLOGIC_LOCK.removed.filter(
        (op) => browser.run(conditional(JSON.stringify({ [op]: [[], "constructor.constructor", "return 1"] }))) !== "refused",
      );
      assert.deepEqual(missed, []);
      for (const logic of [{ hasOwnProperty: ["x"] }, { "var.constructor": [] }])
        assert.equal(browser.run(conditional(JSON.stringify(logic))), "refused", JSON.stringify(logic));

      // Ordinary logic works; var reads own properties only; the watching hasOwnProperty is gone.
      assert.equal(browser.run(conditional(JSON.stringify({ "==": [{ var: "data.a" }, 1] }))), true);
      assert.equal(browser.run(conditional(JSON.stringify({ in: ["b", { var: "data.s" }] }))), true);
      assert.equal(browser.run(conditional(JSON.stringify({ var: "data.constructor" }))), null);
      assert.equal(browser.run(conditional(JSON.stringify({ var: "_" }))), null);
      assert.equal(browser.run(evaluated(JSON.stringify({ cat: [{ var: "data.a" }, "-", { _camelCase: ["tab one"] }] }))), "1-tabOne");
      assert.match(String(browser.run("Object.getOwnPropertyDescriptor(Object.prototype, 'hasOwnProperty').value")), /\[native code\]/);
    });
  });
});
