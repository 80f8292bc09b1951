// Benchmark: bare @formio/core (processSync and process) versus validateSubmission on a realistic
// 30-field form with a data grid. Run: npx tsx bench/forms/validate.ts [seconds per case, default 3]
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Processors, process as formioProcess, processSync, rules, serverRules } from "@formio/core";
import { openDatabase } from "../../server/db/database.js";
import { migrateUp } from "../../server/db/migrator.js";
import { initModels } from "../../server/db/models/index.js";
import { publishFormRevision, saveFormRevision, validateSubmission, type FormDefinition } from "../../server/forms/index.js";

const seconds = Number(process.argv[2] ?? 3);
const text = (key: string, label: string, validate: Record<string, unknown> = {}) => ({
  type: "textfield",
  key,
  label,
  input: true,
  validate,
});
const choice = (key: string, label: string) => ({
  type: "select",
  key,
  label,
  input: true,
  dataSrc: "values",
  data: { values: [1, 2, 3, 4, 5].map((i) => ({ label: `选项${i}`, value: `v${i}` })) },
  validate: { required: true },
});

// 30 inputs: 25 at the top level, a 4-column data grid, and a calculated total.
const components = [
  text("subjectName", "经营者名称", { required: true, maxLength: 100 }),
  text("uscc", "统一社会信用代码", { required: true, pattern: "^[0-9A-Z]{18}$" }),
  text("premises", "经营场所", { required: true }),
  text("principal", "负责人", { required: true }),
  text("phone", "联系电话", { required: true, pattern: "^1\\d{10}$" }),
  { type: "email", key: "email", label: "电子邮箱", input: true, validate: { required: true } },
  text("postcode", "邮政编码", { pattern: "^\\d{6}$" }),
  text("address1", "地址一"),
  text("address2", "地址二"),
  text("legalPerson", "法定代表人", { required: true }),
  text("idNumber", "身份证号", { pattern: "^\\d{17}[0-9X]$" }),
  choice("businessType", "经营类型"),
  choice("district", "所在区域"),
  {
    type: "radio",
    key: "chain",
    label: "是否连锁",
    input: true,
    values: [
      { label: "是", value: "yes" },
      { label: "否", value: "no" },
    ],
    validate: { required: true },
  },
  {
    ...text("chainName", "连锁品牌", { required: true }),
    conditional: { show: true, conjunction: "all", conditions: [{ component: "chain", operator: "isEqual", value: "yes" }] },
  },
  { type: "number", key: "area", label: "经营面积", input: true, validate: { required: true, min: 1, max: 100000 } },
  { type: "number", key: "staffCount", label: "从业人数", input: true, validate: { min: 0 } },
  { type: "number", key: "capital", label: "注册资本", input: true },
  { type: "checkbox", key: "safetySystem", label: "已建立食品安全管理制度", input: true, validate: { required: true } },
  { type: "checkbox", key: "agree", label: "我承诺", input: true, validate: { required: true } },
  { type: "textarea", key: "scope", label: "经营范围", input: true, validate: { maxLength: 2000 } },
  { type: "textarea", key: "remark", label: "备注", input: true },
  { type: "datetime", key: "startDate", label: "开业日期", input: true },
  {
    type: "selectboxes",
    key: "items",
    label: "经营项目",
    input: true,
    values: [1, 2, 3, 4].map((i) => ({ label: `项目${i}`, value: `i${i}` })),
  },
  text("website", "网站"),
  {
    type: "datagrid",
    key: "staff",
    label: "从业人员",
    input: true,
    validate: { minLength: 1, maxLength: 50 },
    components: [
      text("name", "姓名", { required: true }),
      text("healthCertNo", "健康证编号", { required: true, pattern: "^[A-Za-z0-9-]{6,30}$" }),
      { type: "number", key: "age", label: "年龄", input: true, validate: { min: 16, max: 80 } },
      choice("post", "岗位"),
    ],
  },
  { type: "number", key: "staffTotal", label: "人员合计", input: true, calculateValue: { _size: [{ var: "data.staff" }] } },
  { type: "button", key: "submit", label: "提交", action: "submit", input: true },
];

const data = {
  subjectName: "荥阳市示范食品有限公司",
  uscc: "91410182MA9XXXXXX1",
  premises: "荥阳市索河路 1 号",
  principal: "张三",
  phone: "13800000000",
  email: "a@example.com",
  postcode: "450100",
  address1: "索河路",
  address2: "1 号",
  legalPerson: "李四",
  idNumber: "41018219800101001X",
  businessType: "v1",
  district: "v2",
  chain: "no",
  area: 120,
  staffCount: 10,
  capital: 100,
  safetySystem: true,
  agree: true,
  scope: "预包装食品销售",
  remark: "无",
  startDate: "2026-12-01T00:00:00+08:00",
  items: { i1: true, i2: false, i3: true, i4: false },
  website: "",
  staff: Array.from({ length: 10 }, (_, i) => ({ name: `员工${i}`, healthCertNo: `JK-2026-${1000 + i}`, age: 20 + i, post: "v1" })),
  staffTotal: 10,
};

function measure(name: string, fn: () => unknown): Promise<number>;
async function measure(name: string, fn: () => unknown): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(); // warm-up
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    await fn();
    n++;
  }
  const perSecond = n / ((performance.now() - start) / 1000);
  console.log(`${name.padEnd(44)} ${perSecond.toFixed(0).padStart(8)} validations/s`);
  return perSecond;
}

const dir = mkdtempSync(path.join(os.tmpdir(), "xy-bench-forms-"));
const db = await openDatabase(`sqlite:${path.join(dir, "bench.sqlite")}`);
initModels(db.sequelize);
await migrateUp(db);
const saved = await saveFormRevision(db, { formKey: "bench-form", title: "基准表单", definition: { components }, actor: "bench" });
await publishFormRevision(db, "bench-form", saved.revision, "bench");
const definition: FormDefinition = saved.definition; // normalized as stored (onlyAvailableItems, calculateServer)

const coreRules = [...rules, ...serverRules].filter((r) => !["validateUrlSelectValue", "validateResourceSelectValue"].includes(r.name));
const context = (d: Record<string, unknown>) => ({
  form: definition,
  submission: { data: d },
  components: structuredClone(definition.components),
  data: d,
  processors: Processors,
  rules: coreRules,
  scope: {} as { errors?: unknown[] },
  config: { server: true, database: { isUnique: () => Promise.resolve(true) } },
});

// Sanity: every variant accepts the data.
const check = context(structuredClone(data));
processSync(check as never);
if (check.scope.errors?.length) throw new Error(`core refused the bench data: ${JSON.stringify(check.scope.errors.length)}`);
await validateSubmission(db, { formKey: "bench-form" }, data);

console.log(`@formio/core bare calls vs validateSubmission, 30 inputs (grid of 10 rows x 4), ${seconds}s each, Node ${process.version}`);
const sync = await measure("core processSync (clone + process)", () => processSync(context(structuredClone(data)) as never));
const async_ = await measure("core process (async, clone + process)", () => formioProcess(context(structuredClone(data)) as never));
const ours = await measure("validateSubmission (pinned revision)", () =>
  validateSubmission(db, { formKey: "bench-form", revision: 1 }, data),
);
const published = await measure("validateSubmission (published, 1 query)", () => validateSubmission(db, { formKey: "bench-form" }, data));
console.log(`ratio validateSubmission / core process:     ${(ours / async_).toFixed(2)}`);
console.log(`ratio validateSubmission / core processSync: ${(ours / sync).toFixed(2)}`);
console.log(`ratio published lookup / core processSync:   ${(published / sync).toFixed(2)}`);
await db.close();
rmSync(dir, { recursive: true, force: true });
