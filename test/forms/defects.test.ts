import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ValidationError } from "../../server/errors.js";
import { checkDefinition, recordSubmissionVersion, validateSubmission } from "../../server/forms/index.js";
import { createCatalogItem, publishCatalogItem } from "../../server/domain/catalog/catalogCommands.js";
import { submitCommitment } from "../../server/domain/commitments/submitCommitment.js";
import { buildSubject, buildUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { currentUserOf, itemFields, randomItemCode, SIGNATURE } from "../domain/commitments/fixtures.js";
import { acceptedData, publishTestForm, refusedAt, saveProblems, text } from "./helpers.js";

type Json = Record<string, unknown>;
const OPTIONS = [
  { label: "个体工商户", value: "individual" },
  { label: "企业", value: "company" },
];

describe("forms: validation defects found with the builder (each with the test that would have caught it)", () => {
  it("accepts an optional radio with dataType string left out of the data (core made it the string 'undefined')", async () => {
    for (const dataType of ["string", "number", "boolean", "auto", ""]) {
      const { formKey } = await publishTestForm([
        text("name", "名称"),
        { type: "radio", key: "kind", label: "主体类型", input: true, dataType, values: OPTIONS },
      ]);
      const data = await acceptedData(formKey, { name: "甲" });
      assert.deepEqual(data, { name: "甲" }, `dataType ${dataType}: nothing stored for the radio`);
    }
    const { formKey } = await publishTestForm([
      { type: "radio", key: "kind", label: "主体类型", input: true, dataType: "string", values: OPTIONS, validate: { required: true } },
    ]);
    await refusedAt(formKey, {}, "kind", /^主体类型为必填项$/);
    assert.equal((await acceptedData(formKey, { kind: "company" })).kind, "company");
    await refusedAt(formKey, { kind: "undefined" }, "kind", /不在可选范围内/);
  });

  it('accepts empty selectboxes with the builder\'s default {"": false}, stored or sent back by the browser', async () => {
    const boxes = { type: "selectboxes", key: "scope", label: "经营范围", input: true, values: OPTIONS, defaultValue: { "": false } };
    const { formKey, definition } = await publishTestForm([boxes]);
    assert.deepEqual(definition.components[0]!.defaultValue, {}, "normalized at save");
    await acceptedData(formKey, {});
    await acceptedData(formKey, { scope: { "": false, individual: false, company: false } });
    assert.deepEqual((await acceptedData(formKey, { scope: { individual: true } })).scope, { individual: true });
    await refusedAt(formKey, { scope: { "": true } }, "scope", /不在可选范围内/);
    await refusedAt(formKey, { scope: { other: false, individual: "yes" } }, "scope");
  });

  it("accepts only a member's value for a radio-checkbox group sharing a name, never an object", async () => {
    const member = (key: string, label: string, value: string, extra: Json = {}) => ({
      type: "checkbox",
      key,
      label,
      input: true,
      inputType: "radio",
      name: "subjectKind",
      value,
      ...extra,
    });
    const { formKey } = await publishTestForm([member("isIndividual", "个体工商户", "individual"), member("isCompany", "企业", "company")]);
    assert.deepEqual(await acceptedData(formKey, { subjectKind: "company" }), { subjectKind: "company" });
    assert.deepEqual(await acceptedData(formKey, {}), {});
    await acceptedData(formKey, { subjectKind: "" });
    await refusedAt(formKey, { subjectKind: { evil: true } }, "subjectKind", /只能选择列出的选项之一/);
    await refusedAt(formKey, { subjectKind: ["company"] }, "subjectKind", /只能选择列出的选项之一/);
    await refusedAt(formKey, { subjectKind: "anything" }, "subjectKind", /只能选择列出的选项之一/);
    const required = await publishTestForm([
      member("a", "个体工商户", "individual", { validate: { required: true } }),
      member("b", "企业", "company"),
    ]);
    await refusedAt(required.formKey, {}, "subjectKind", /为必填项/);
    // The group's name is the data key: it may not collide with another field's key.
    const collide = await saveProblems({ components: [member("a", "个体工商户", "individual"), text("subjectKind", "主体类型")] });
    assert.match(collide[0]!.message, /键名“subjectKind”与/);
  });

  it("takes i18n text such as {{- maxDate}} in widget settings for text, not JavaScript", () => {
    const dateTime = {
      type: "datetime",
      key: "until",
      label: "有效期至",
      input: true,
      widget: { type: "calendar", i18n: { maxDate: "不能晚于 {{- maxDate}}", minDate: "不能早于 {{-minDate}}" } },
      validate: { customMessage: "{{ field }}不能晚于{{- maxDate }}" },
    };
    assert.deepEqual(checkDefinition({ components: [dateTime] }).problems, []);
    // Code in {{ }} is still refused.
    const code = { ...dateTime, widget: { i18n: { maxDate: "{{- constructor.constructor('x')() }}" } } };
    assert.equal(checkDefinition({ components: [code] }).problems.length, 1);
  });

  it("reports a JavaScript logic trigger and a custom action once each, naming the 逻辑 tab", () => {
    const component = {
      type: "textfield",
      key: "area",
      label: "营业面积",
      input: true,
      logic: [
        {
          name: "js",
          trigger: { type: "javascript", javascript: "result = instance.root.ready" },
          actions: [{ name: "act", type: "customAction", customAction: "value = 1" }],
        },
      ],
    };
    const messages = checkDefinition({ components: [component] }).problems.map((p) => p.message);
    assert.deepEqual(messages, [
      "组件“营业面积”（area）在“逻辑”页签：第 1 条逻辑的触发条件是 JavaScript 代码，不允许保存；条件、计算和校验请使用 JSONLogic 或简单条件",
      "组件“营业面积”（area）在“逻辑”页签：第 1 条逻辑的第 1 个动作是 JavaScript 代码，不允许保存；条件、计算和校验请使用 JSONLogic 或简单条件",
    ]);
  });

  it("names the component's Chinese label and tab in a refusal, never a path such as 'undefined'", () => {
    const { problems } = checkDefinition({
      components: [
        {
          type: "panel",
          title: "基本信息",
          components: [
            { type: "textfield", label: "营业面积", key: "area", input: true, validate: { custom: "valid = instance.isValid()" } },
          ],
        },
        { type: "columns", columns: [{ components: [{ type: "evil" }] }] },
        { type: "htmlelement", content: "{{ instance.root.submit() }}" },
      ],
    });
    assert.deepEqual(
      problems.map((p) => [p.path, p.message]),
      [
        [
          "area",
          "组件“营业面积”（area）在“校验”页签：自定义校验是 JavaScript 代码，不允许保存；条件、计算和校验请使用 JSONLogic 或简单条件",
        ],
        ["components[1].columns[0].components[0]", "未命名的“evil”组件：不支持组件类型“evil”"],
        [
          "components[2]",
          "未命名的“HTML 元素”组件在“显示”页签：设置项 content 含有 JavaScript 模板（{% %} 或 {{ }} 中的表达式）；{{ }} 中只能写数据路径，如 {{ data.name }}，不允许保存；条件、计算和校验请使用 JSONLogic 或简单条件",
        ],
      ],
    );
    assert.ok(problems.every((p) => !/undefined/.test(p.path) && !/undefined/.test(p.message)));
  });
});

describe("forms: unique fields are enforced per form across stored submissions", () => {
  const licence = (value: string) => ({ licence: value, name: "甲" });

  it("refuses a value another stored submission of the form holds, naming the field; a correction keeps its own", async () => {
    const { formKey, revision } = await publishTestForm([
      text("licence", "许可证号", { required: true }, { unique: true }),
      text("name", "名称"),
    ]);
    const { db } = testApp();
    const value = `XK${randomBytes(4).toString("hex")}`;
    const submit = (id: string, data: Json) =>
      db.transaction(async (t) => {
        const validated = await validateSubmission(db, { formKey, revision }, data, { t });
        await recordSubmissionVersion(db, t, {
          submissionType: "test",
          submissionId: id,
          formKey,
          formRevision: validated.revision,
          data: validated.data,
          actor: "t",
        });
      });
    await submit("A", licence(value));
    const err = await submit("B", licence(` ${value.toLowerCase()} `)).catch((e: unknown) => e);
    assert.ok(err instanceof ValidationError, String(err));
    assert.deepEqual(err.details, [{ path: "licence", message: "许可证号的值已被其他申请使用，必须唯一" }]);
    // The refused submission stored nothing: B can take another value, A can resubmit its own.
    await submit("B", licence(`${value}-2`));
    await submit("A", licence(value));
    // A gave its value up in a correction: the value is free again.
    await submit("A", licence(`${value}-3`));
    await submit("C", licence(value));
  });

  it("holds across commitments submitted through the catalog (nothing passed uniqueOwner before)", async () => {
    const ctx = testApp().app.locals.context;
    const deps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };
    const { formKey } = await publishTestForm([
      text("premises", "经营场所", { required: true }),
      text("principal", "负责人", { required: true }),
      text("uscc", "统一社会信用代码", { required: true }, { unique: true }),
    ]);
    const admin = await currentUserOf((await buildUser({ roles: ["admin"], department: "fgw" })).id);
    const itemCode = randomItemCode();
    await createCatalogItem(deps, {
      actor: admin,
      itemCode,
      departmentCode: "scjgj",
      fields: itemFields(formKey, { letterTemplate: "<p>{{subject.name}}承诺所报材料真实有效。</p>" }),
    });
    await publishCatalogItem(deps, { actor: admin, itemCode });
    const apply = async (uscc: string) => {
      const subject = await buildSubject();
      const applicant = await currentUserOf((await buildUser({ roles: ["applicant"], subjectIds: [subject.id] })).id);
      return submitCommitment(deps, {
        actor: applicant,
        itemCode,
        subjectCode: subject.code,
        data: { premises: "荥阳市索河路1号", principal: "张三", uscc },
        signature: SIGNATURE,
      });
    };
    const uscc = `91410182${randomBytes(5).toString("hex").toUpperCase()}`;
    await apply(uscc);
    const err = await apply(uscc).catch((e: unknown) => e);
    assert.ok(err instanceof ValidationError, String(err));
    assert.match(err.details[0]!.message, /^统一社会信用代码的值已被其他申请使用，必须唯一$/);
    await apply(`${uscc}X`);
  });

  it("claims values in grid rows and refuses one value twice in one submission", async () => {
    const { formKey, revision } = await publishTestForm([
      { type: "datagrid", key: "staff", label: "人员", input: true, components: [text("idNo", "身份证号", {}, { unique: true })] },
    ]);
    const { db } = testApp();
    const record = (id: string, rows: Json[]) =>
      db.transaction(async (t) => {
        const v = await validateSubmission(db, { formKey, revision }, { staff: rows }, { t });
        await recordSubmissionVersion(db, t, {
          submissionType: "test",
          submissionId: id,
          formKey,
          formRevision: v.revision,
          data: v.data,
          actor: "t",
        });
      });
    const a = randomBytes(4).toString("hex");
    await record("A", [{ idNo: `${a}1` }, { idNo: `${a}2` }]);
    const twice = await record("B", [{ idNo: `${a}3` }, { idNo: `${a}3` }]).catch((e: unknown) => e);
    assert.ok(twice instanceof ValidationError);
    assert.match(twice.details[0]!.message, /身份证号在多行中填写了相同的值/);
    const taken = await record("B", [{ idNo: `${a}2` }]).catch((e: unknown) => e);
    assert.ok(taken instanceof ValidationError);
    assert.deepEqual(taken.details, [{ path: "staff[0].idNo", message: "身份证号的值已被其他申请使用，必须唯一" }]);
  });
});
