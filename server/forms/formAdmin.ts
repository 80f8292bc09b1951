// Form administration beside the designer: duplicate a form, compare two revisions, delete a draft form nobody uses.
import { Op, type Transaction } from "sequelize";
import type { Database } from "../db/database.js";
import { Form, FormDraft, FormRevision, SubmissionRevision, SubmissionUniqueValue } from "../db/models/formModels.js";
import { audit } from "../domain/audit.js";
import { ConflictError, NotFoundError, ValidationError, type ErrorDetail } from "../errors.js";
import type { FormComponent, FormDefinition } from "./definition.js";
import { FORM_KEY_PATTERN, getFormRevision, saveFormRevision } from "./store.js";

// ---- Duplicate -------------------------------------------------------------------------------------------------

/** The longest title a form may have (forms.title is 200 characters). */
const TITLE_MAX = 200;
const COPY_SUFFIX = "（副本）";

/** The title a copy gets unless the designer types another: "<title>（副本）". */
export function copyTitle(title: string): string {
  return `${title.slice(0, TITLE_MAX - COPY_SUFFIX.length)}${COPY_SUFFIX}`;
}

/** A free key for a copy: `<key>-copy`, then `<key>-copy-2`, ... (within the 100 characters a key may have). */
export async function suggestCopyKey(formKey: string): Promise<string> {
  const candidates = [`${formKey.slice(0, 95)}-copy`];
  for (let n = 2; n <= 50; n++) candidates.push(`${formKey.slice(0, 95 - String(n).length - 1)}-copy-${n}`);
  const taken = new Set((await Form.findAll({ where: { key: candidates }, attributes: ["key"] })).map((f) => f.key));
  return candidates.find((k) => !taken.has(k)) ?? candidates[0]!;
}

export interface DuplicateForm {
  sourceKey: string;
  /** The revision copied; the latest when omitted. */
  sourceRevision?: number;
  newKey: string;
  title: string;
  actor: string;
  /** The owner of the copy (null: a global form). */
  departmentId: number | null;
}

export interface DuplicatedForm {
  formKey: string;
  title: string;
  revision: number;
  sourceKey: string;
  sourceRevision: number;
}

/**
 * Makes a new draft form whose revision 1 is a copy of another form's revision: the designer starts from a form
 * that works instead of from an empty page. The copy is checked as any save is (a revision stored before a newer
 * rule may be refused) and is unpublished until its designer publishes it.
 */
export async function duplicateForm(db: Database, input: DuplicateForm, t?: Transaction): Promise<DuplicatedForm> {
  if (!FORM_KEY_PATTERN.test(input.newKey)) {
    throw new ValidationError("表单键名无效", [
      { path: "key", message: "键名只能使用小写字母、数字和连字符，以字母开头，2 到 100 个字符" },
    ]);
  }
  const title = input.title.trim();
  if (!title) throw new ValidationError("请填写表单名称", [{ path: "title", message: "新表单的名称为必填项" }]);
  if (title.length > TITLE_MAX) throw new ValidationError("表单名称过长", [{ path: "title", message: `最多 ${TITLE_MAX} 个字符` }]);
  const source = await Form.findOne({ where: { key: input.sourceKey }, transaction: t });
  if (!source) throw new NotFoundError(`找不到表单“${input.sourceKey}”`);
  const view = await getFormRevision(db, source.key, input.sourceRevision ?? source.latestRevision, t);
  const run = async (tx: Transaction): Promise<DuplicatedForm> => {
    if (await Form.findOne({ where: { key: input.newKey }, attributes: ["id"], transaction: tx })) {
      throw new ValidationError("表单键名已被使用", [{ path: "key", message: `已有键名为“${input.newKey}”的表单，请换一个键名` }]);
    }
    const { title: _title, name: _name, ...definition } = structuredClone(view.definition);
    void _title;
    void _name;
    const saved = await saveFormRevision(
      db,
      { formKey: input.newKey, title, definition, actor: input.actor, departmentId: input.departmentId },
      tx,
    );
    await audit(db, tx, {
      actor: input.actor,
      action: "form.duplicated",
      entityType: "form",
      entityId: input.newKey,
      detail: { sourceKey: source.key, sourceRevision: view.revision, departmentId: input.departmentId },
    });
    return { formKey: saved.formKey, title: saved.title, revision: saved.revision, sourceKey: source.key, sourceRevision: view.revision };
  };
  return t ? run(t) : db.transaction(run);
}

export interface RevisionRow {
  revision: number;
  title: string;
  createdBy: string;
  createdAt: Date;
  /** Published at some time (pinned items and cases may still use it). */
  everPublished: boolean;
}

/** A page of a form's revisions, newest first, with whether each was ever published. */
export async function listRevisionPage(
  form: Form,
  page: { offset: number; limit: number },
): Promise<{ rows: RevisionRow[]; total: number }> {
  const { rows, count } = await FormRevision.findAndCountAll({
    where: { formId: form.id },
    attributes: ["revision", "title", "createdBy", "createdAt", "publishedAt"],
    order: [["revision", "DESC"]],
    offset: page.offset,
    limit: page.limit,
  });
  return {
    total: count,
    rows: rows.map((r) => ({
      revision: r.revision,
      title: r.title,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      everPublished: Boolean(r.publishedAt),
    })),
  };
}

// ---- Diff ------------------------------------------------------------------------------------------------------

export type ComponentProperty =
  "type" | "label" | "required" | "validate" | "options" | "conditional" | "calculateValue" | "position" | "other";

export interface PropertyChange {
  property: ComponentProperty;
  /** The property in Chinese (标签, 必填, 校验规则, ...). */
  name: string;
  before: unknown;
  after: unknown;
  /** What changed, one Chinese sentence each (最大长度：20 → 50; 新增选项：其他（other）; ...). */
  details: string[];
}

export interface ComponentChange {
  change: "added" | "removed" | "changed";
  key: string;
  /** The data path (a grid's or container's children under its key), unique within a revision. */
  path: string;
  /** The component's label (the newer one when it changed), as stored. */
  label: string;
  type: string;
  /** The component type in Chinese (单行文本, 下拉选择, ...). */
  typeName: string;
  changes: PropertyChange[];
}

export interface FormSettingChange {
  property: string;
  name: string;
  before: unknown;
  after: unknown;
}

export interface RevisionSide {
  revision: number;
  title: string;
  createdBy: string;
  createdAt: Date;
  published: boolean;
}

export interface RevisionDiff {
  formKey: string;
  from: RevisionSide;
  to: RevisionSide;
  /** Form-level settings: 表单名称, 显示方式, others by name. */
  settings: FormSettingChange[];
  /** Added and changed components in the newer revision's order, then the removed ones in the older one's. */
  components: ComponentChange[];
  summary: { added: number; removed: number; changed: number; settings: number };
}

/** Form.io component types in Chinese, as the designer's palette names them (public/js/formio-zh-CN.js). */
export const COMPONENT_TYPE_NAMES: Record<string, string> = {
  textfield: "单行文本",
  textarea: "多行文本",
  number: "数字",
  password: "密码",
  checkbox: "复选框",
  selectboxes: "多选框",
  select: "下拉选择",
  radio: "单选",
  button: "按钮",
  email: "电子邮箱",
  url: "网址",
  phoneNumber: "电话号码",
  tags: "标签",
  address: "地址",
  datetime: "日期 / 时间",
  day: "年月日",
  time: "时间",
  currency: "金额",
  survey: "问卷",
  signature: "签名",
  file: "文件上传",
  hidden: "隐藏字段",
  container: "容器",
  datamap: "键值对",
  datagrid: "数据表格",
  editgrid: "可编辑表格",
  form: "嵌套表单",
  panel: "面板",
  columns: "分栏",
  fieldset: "字段组",
  well: "凹槽面板",
  table: "表格布局",
  tabs: "选项卡",
  tab: "选项卡页",
  content: "内容",
  htmlelement: "HTML 元素",
};

export const typeName = (type: string) => COMPONENT_TYPE_NAMES[type] ?? type;

/** Components whose children keep their data under the component's key (a scope of their own). */
const SCOPE_TYPES = new Set(["datagrid", "editgrid", "container", "datamap", "form", "tree"]);

interface Entry {
  id: string;
  key: string;
  component: FormComponent;
  type: string;
  /** The id of the nearest keyed ancestor (null: the form's top level). */
  parent: string | null;
  order: number;
}

/** A tabs component's panes are plain objects ({ key, label, components }): they count as components of type tab. */
function childrenOf(component: FormComponent): FormComponent[] {
  const out: FormComponent[] = [];
  if (Array.isArray(component.components)) {
    for (const c of component.components as unknown[]) {
      if (c && typeof c === "object") out.push(component.type === "tabs" ? { type: "tab", ...(c as FormComponent) } : (c as FormComponent));
    }
  }
  if (Array.isArray(component.columns)) {
    for (const col of component.columns) if (Array.isArray(col?.components)) out.push(...col.components);
  }
  if (Array.isArray(component.rows)) {
    for (const row of component.rows) {
      if (!Array.isArray(row)) continue;
      for (const cell of row) if (Array.isArray(cell?.components)) out.push(...cell.components);
    }
  }
  return out;
}

/** Every keyed component of a definition by its data path; keyless layout is walked through, not listed. */
function flatten(definition: FormDefinition): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  let order = 0;
  const walk = (components: FormComponent[], scope: string, parent: string | null, depth: number) => {
    if (depth > 64) return;
    for (const component of components) {
      if (!component || typeof component !== "object") continue;
      const key = typeof component.key === "string" && component.key ? component.key : null;
      const type = typeof component.type === "string" ? component.type : "";
      let id: string | null = null;
      let childScope = scope;
      if (key) {
        const path = scope ? `${scope}.${key}` : key;
        id = path;
        // Keys are unique per data scope when saved; a stored duplicate still gets an entry of its own.
        for (let n = 2; entries.has(id); n++) id = `${path}#${n}`;
        entries.set(id, { id, key, component, type, parent, order: order++ });
        if (SCOPE_TYPES.has(type) || component.tree === true) childScope = path;
      }
      walk(childrenOf(component), childScope, id ?? parent, depth + 1);
    }
  };
  walk(Array.isArray(definition.components) ? definition.components : [], "", null, 0);
  return entries;
}

const isBlank = (v: unknown) => v === undefined || v === null || v === "" || v === false;

/**
 * The value with the builder's empty defaults left out ("", null, false, {} and [] mean "not set"), so that a
 * component the builder merely touched compares equal to the one it was.
 */
function normalize(value: unknown, depth = 0): unknown {
  if (depth > 64) return value;
  if (Array.isArray(value)) {
    const items = value.map((v) => normalize(v, depth + 1));
    return items.every((v) => v === undefined) ? undefined : items;
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = normalize((value as Record<string, unknown>)[k], depth + 1);
      if (v !== undefined) out[k] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return isBlank(value) ? undefined : value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));

/** A short readable form of a value for a detail sentence. */
export function shortValue(value: unknown, max = 120): string {
  const v = normalize(value);
  if (v === undefined) return "（未设置）";
  if (v === true) return "是";
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const VALIDATE_NAMES: Record<string, string> = {
  minLength: "最少字符数",
  maxLength: "最多字符数",
  minWords: "最少词数",
  maxWords: "最多词数",
  pattern: "正则表达式",
  patternMessage: "正则不符时的提示",
  min: "最小值",
  max: "最大值",
  step: "步长",
  integer: "只能是整数",
  minSelectedCount: "至少选择项数",
  maxSelectedCount: "最多选择项数",
  minSelectedCountMessage: "少选时的提示",
  maxSelectedCountMessage: "多选时的提示",
  minDate: "最早日期",
  maxDate: "最晚日期",
  minYear: "最早年份",
  maxYear: "最晚年份",
  json: "JSONLogic 校验",
  custom: "自定义校验",
  customMessage: "自定义错误提示",
  onlyAvailableItems: "只能选择列出的选项",
  strictDateValidation: "严格日期校验",
  multiple: "多值校验",
  unique: "唯一",
  errors: "错误提示文字",
};

/** The rules of a component apart from required: validate.*, plus unique and the custom error texts. */
function rulesOf(component: FormComponent): Record<string, unknown> {
  const rules: Record<string, unknown> = { ...(component.validate ?? {}) };
  delete rules.required;
  if (component.unique !== undefined) rules.unique = component.unique;
  if (component.errors !== undefined) rules.errors = component.errors;
  return rules;
}

function ruleDetails(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const details: string[] = [];
  for (const rule of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = normalize(before[rule]);
    const b = normalize(after[rule]);
    if (same(a, b)) continue;
    const name = VALIDATE_NAMES[rule] ?? rule;
    if (a === undefined) details.push(`新增 ${name}：${shortValue(b)}`);
    else if (b === undefined) details.push(`取消 ${name}（原为 ${shortValue(a)}）`);
    else details.push(`${name}：${shortValue(a)} → ${shortValue(b)}`);
  }
  return details;
}

interface Option {
  label: string;
  value: string;
}

/** The listed choices of a component: values (radio, selectboxes, survey), data.values (select), survey questions. */
function optionsOf(component: FormComponent): { values: Option[]; questions: Option[] } {
  const list = (raw: unknown): Option[] =>
    Array.isArray(raw)
      ? raw
          .filter((o): o is Record<string, unknown> => !!o && typeof o === "object")
          .map((o) => ({
            label: typeof o.label === "string" ? o.label : "",
            value: o.value === undefined ? "" : String(o.value as string),
          }))
          .filter((o) => o.label !== "" || o.value !== "")
      : [];
  const data = component.data && typeof component.data === "object" ? component.data : {};
  const values = list(component.values).length ? list(component.values) : list(data.values);
  return { values, questions: list(component.questions) };
}

const optionText = (o: Option) => (o.label && o.label !== o.value ? `${o.label}（${o.value}）` : o.value || o.label);

function optionDetails(before: Option[], after: Option[], noun: string): string[] {
  const details: string[] = [];
  const beforeBy = new Map(before.map((o) => [o.value, o]));
  const afterBy = new Map(after.map((o) => [o.value, o]));
  const added = after.filter((o) => !beforeBy.has(o.value));
  const removed = before.filter((o) => !afterBy.has(o.value));
  if (added.length) details.push(`新增${noun}：${added.map(optionText).join("、")}`);
  if (removed.length) details.push(`删除${noun}：${removed.map(optionText).join("、")}`);
  for (const o of after) {
    const was = beforeBy.get(o.value);
    if (was && was.label !== o.label) details.push(`${noun}“${o.value}”的文字：${was.label || "（空）"} → ${o.label || "（空）"}`);
  }
  const kept = (list: Option[], other: Map<string, Option>) => list.filter((o) => other.has(o.value)).map((o) => o.value);
  if (!details.length && kept(before, afterBy).join("\u0000") !== kept(after, beforeBy).join("\u0000")) details.push(`${noun}顺序调整`);
  return details;
}

const OPERATOR_NAMES: Record<string, string> = {
  isEqual: "等于",
  isNotEqual: "不等于",
  isEmpty: "为空",
  isNotEmpty: "不为空",
  includes: "包含",
  notIncludes: "不包含",
  lessThan: "小于",
  lessThanOrEqual: "小于等于",
  greaterThan: "大于",
  greaterThanOrEqual: "大于等于",
  endsWith: "以…结尾",
  startsWith: "以…开头",
  dateGreaterThan: "晚于",
  dateLessThan: "早于",
};

/** One Chinese sentence for a component's conditional (simple, legacy when/eq, or JSONLogic). */
export function describeConditional(component: FormComponent, labels: Map<string, string>): string {
  const cond = normalize(component.conditional) as Record<string, unknown> | undefined;
  const custom = normalize(component.customConditional);
  if (!cond && custom === undefined) return "无条件（始终显示）";
  const parts: string[] = [];
  const name = (key: unknown) => {
    const k = typeof key === "string" ? key : "";
    const label = labels.get(k) ?? labels.get(k.split(".").pop() ?? "");
    return label ? `“${label}”（${k}）` : `“${k}”`;
  };
  const verb = cond?.show === false || cond?.show === "false" ? "隐藏" : "显示";
  if (cond && Array.isArray(cond.conditions) && cond.conditions.length) {
    const glue = cond.conjunction === "any" ? "或" : "且";
    const clauses = (cond.conditions as Record<string, unknown>[]).map((c) => {
      const op = typeof c.operator === "string" ? (OPERATOR_NAMES[c.operator] ?? c.operator) : "等于";
      const needsValue = !["isEmpty", "isNotEmpty"].includes(String(c.operator));
      return `${name(c.component)}${op}${needsValue ? `“${shortValue(c.value, 40)}”` : ""}`;
    });
    parts.push(`当${clauses.join(` ${glue} `)}时${verb}`);
  } else if (cond && cond.when) {
    parts.push(`当${name(cond.when)}等于“${shortValue(cond.eq, 40)}”时${verb}`);
  }
  if (cond && cond.json !== undefined) parts.push(`JSONLogic 条件：${shortValue(cond.json)}`);
  if (custom !== undefined) parts.push(`自定义条件：${shortValue(custom)}`);
  return parts.length ? parts.join("；") : "无条件（始终显示）";
}

const OTHER_NAMES: Record<string, string> = {
  placeholder: "占位提示",
  description: "说明",
  tooltip: "提示说明",
  defaultValue: "默认值",
  customDefaultValue: "自定义默认值",
  hidden: "隐藏",
  disabled: "禁用",
  multiple: "允许多个值",
  prefix: "前缀",
  suffix: "后缀",
  inputMask: "输入掩码",
  inputFormat: "输入格式",
  case: "大小写",
  persistent: "持久保存",
  protected: "受保护",
  clearOnHide: "隐藏时清除取值",
  tableView: "在列表中显示",
  labelPosition: "标签位置",
  widget: "输入控件",
  format: "显示格式",
  enableDate: "可选日期",
  enableTime: "可选时间",
  datePicker: "日期选择器",
  timePicker: "时间选择器",
  html: "内容",
  content: "内容",
  tag: "HTML 标签",
  attrs: "HTML 属性",
  className: "样式类",
  customClass: "样式类",
  logic: "逻辑",
  properties: "自定义属性",
  storage: "存储方式",
  filePattern: "文件类型",
  fileMaxSize: "文件大小上限",
  fileMinSize: "文件大小下限",
  rows: "行数",
  dataSrc: "选项来源",
  data: "选项数据",
  addAnother: "添加按钮文字",
  collapsible: "可折叠",
  collapsed: "默认折叠",
  theme: "主题",
  allowCalculateOverride: "允许手动修改计算结果",
  calculateServer: "在服务器上计算取值",
  delimiter: "千位分隔符",
  requireDecimal: "必须有小数",
  decimalLimit: "小数位数",
  currency: "币种",
  inline: "横向排列",
  optionsLabelPosition: "选项标签位置",
  refreshOn: "何时刷新",
  redrawOn: "何时重绘",
  action: "按钮动作",
  showValidations: "显示校验结果",
  dataType: "数据类型",
  inputType: "输入类型",
  name: "名称",
  value: "取值",
  spellcheck: "拼写检查",
  autofocus: "自动聚焦",
  minLength: "最少行数",
  maxLength: "最多行数",
};

/** Properties compared on their own (or that hold children): everything else is "其他设置". */
const OWN_PROPS = new Set([
  "type",
  "key",
  "id",
  "label",
  "title",
  "legend",
  "validate",
  "unique",
  "errors",
  "values",
  "questions",
  "conditional",
  "customConditional",
  "calculateValue",
  "components",
]);

function otherDetails(a: FormComponent, b: FormComponent): { props: string[]; details: string[] } {
  const props: string[] = [];
  const details: string[] = [];
  for (const prop of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (OWN_PROPS.has(prop) || prop.startsWith("$")) continue;
    let before: unknown = a[prop];
    let after: unknown = b[prop];
    // A select's listed options are compared as options; the rest of its data settings here.
    if (prop === "data") {
      const { values: _a, ...restA } = (before ?? {}) as Record<string, unknown>;
      const { values: _b, ...restB } = (after ?? {}) as Record<string, unknown>;
      void _a;
      void _b;
      before = restA;
      after = restB;
    }
    // Columns and table rows hold children (compared as components); a text area's rows is a number.
    if ((prop === "columns" || prop === "rows") && (Array.isArray(before) || Array.isArray(after))) continue;
    if (same(before, after)) continue;
    props.push(prop);
    const name = OTHER_NAMES[prop] ?? prop;
    const scalar = (v: unknown) => normalize(v) === undefined || typeof normalize(v) !== "object";
    details.push(scalar(before) && scalar(after) ? `${name}：${shortValue(before)} → ${shortValue(after)}` : `${name} 已修改`);
  }
  return { props, details };
}

const labelOf = (c: FormComponent) =>
  [c.label, c.title, c.legend].find((v): v is string => typeof v === "string" && v.trim() !== "")?.trim() ?? "";

function compareComponents(a: Entry, b: Entry, fromEntries: Map<string, Entry>, toEntries: Map<string, Entry>): PropertyChange[] {
  const changes: PropertyChange[] = [];
  const x = a.component;
  const y = b.component;
  if (a.type !== b.type) {
    changes.push({
      property: "type",
      name: "组件类型",
      before: a.type,
      after: b.type,
      details: [`${typeName(a.type)} → ${typeName(b.type)}`],
    });
  }
  const labelDetails: string[] = [];
  for (const [prop, name] of [
    ["label", "标签"],
    ["title", "标题"],
    ["legend", "图例"],
  ] as const) {
    if (!same(x[prop], y[prop])) labelDetails.push(`${name}：${shortValue(x[prop])} → ${shortValue(y[prop])}`);
  }
  if (labelDetails.length) {
    // Only the label changed: "标签：A → B" reads better than "标签：标签：A → B".
    const details =
      labelDetails.length === 1 && !same(x.label, y.label) ? [`${shortValue(x.label)} → ${shortValue(y.label)}`] : labelDetails;
    changes.push({ property: "label", name: "标签", before: labelOf(x), after: labelOf(y), details });
  }
  const requiredBefore = Boolean(x.validate?.required);
  const requiredAfter = Boolean(y.validate?.required);
  if (requiredBefore !== requiredAfter) {
    changes.push({
      property: "required",
      name: "必填",
      before: requiredBefore,
      after: requiredAfter,
      details: [requiredAfter ? "改为必填" : "改为非必填"],
    });
  }
  const rulesBefore = rulesOf(x);
  const rulesAfter = rulesOf(y);
  const rules = ruleDetails(rulesBefore, rulesAfter);
  if (rules.length)
    changes.push({
      property: "validate",
      name: "校验规则",
      before: normalize(rulesBefore) ?? {},
      after: normalize(rulesAfter) ?? {},
      details: rules,
    });
  const optionsBefore = optionsOf(x);
  const optionsAfter = optionsOf(y);
  const options = [
    ...optionDetails(optionsBefore.values, optionsAfter.values, "选项"),
    ...optionDetails(optionsBefore.questions, optionsAfter.questions, "问题"),
  ];
  if (options.length) changes.push({ property: "options", name: "选项", before: optionsBefore, after: optionsAfter, details: options });
  if (!same(x.conditional, y.conditional) || !same(x.customConditional, y.customConditional)) {
    const labels = (entries: Map<string, Entry>) => new Map([...entries.values()].map((e) => [e.id, labelOf(e.component)]));
    const was = describeConditional(x, labels(fromEntries));
    const now = describeConditional(y, labels(toEntries));
    changes.push({
      property: "conditional",
      name: "显示条件",
      before: normalize(x.conditional) ?? null,
      after: normalize(y.conditional) ?? null,
      details: was === now ? ["条件设置已修改"] : [`原为：${was}`, `现为：${now}`],
    });
  }
  if (!same(x.calculateValue, y.calculateValue)) {
    changes.push({
      property: "calculateValue",
      name: "计算值",
      before: normalize(x.calculateValue) ?? null,
      after: normalize(y.calculateValue) ?? null,
      details: [`原为：${shortValue(x.calculateValue, 200)}`, `现为：${shortValue(y.calculateValue, 200)}`],
    });
  }
  if (a.parent !== b.parent) {
    const where = (entries: Map<string, Entry>, id: string | null) => {
      const parent = id ? entries.get(id) : undefined;
      return parent ? `${typeName(parent.type)}“${labelOf(parent.component) || parent.key}”` : "表单顶层";
    };
    changes.push({
      property: "position",
      name: "位置",
      before: a.parent,
      after: b.parent,
      details: [`${where(fromEntries, a.parent)} → ${where(toEntries, b.parent)}`],
    });
  }
  const other = otherDetails(x, y);
  if (other.props.length) changes.push({ property: "other", name: "其他设置", before: null, after: other.props, details: other.details });
  return changes;
}

const DISPLAY_NAMES: Record<string, string> = { form: "普通表单", wizard: "分步向导", pdf: "PDF 表单" };
const SETTING_NAMES: Record<string, string> = {
  settings: "表单设置",
  properties: "自定义属性",
  tags: "标签",
  type: "表单类型",
  controller: "表单控制器",
};
const FORM_OWN = new Set(["components", "title", "name", "display", "path"]);

function compareSettings(
  from: { title: string; definition: FormDefinition },
  to: { title: string; definition: FormDefinition },
): FormSettingChange[] {
  const out: FormSettingChange[] = [];
  if (from.title !== to.title) out.push({ property: "title", name: "表单名称", before: from.title, after: to.title });
  const displayBefore = typeof from.definition.display === "string" ? from.definition.display : "form";
  const displayAfter = typeof to.definition.display === "string" ? to.definition.display : "form";
  if (displayBefore !== displayAfter) {
    out.push({
      property: "display",
      name: "显示方式",
      before: DISPLAY_NAMES[displayBefore] ?? displayBefore,
      after: DISPLAY_NAMES[displayAfter] ?? displayAfter,
    });
  }
  for (const prop of [...new Set([...Object.keys(from.definition), ...Object.keys(to.definition)])].sort()) {
    if (FORM_OWN.has(prop) || same(from.definition[prop], to.definition[prop])) continue;
    out.push({
      property: prop,
      name: SETTING_NAMES[prop] ?? prop,
      before: normalize(from.definition[prop]) ?? null,
      after: normalize(to.definition[prop]) ?? null,
    });
  }
  return out;
}

/** What changed between two definitions (the pure part of diffRevisions, for callers that hold definitions). */
export function diffDefinitions(
  from: { title: string; definition: FormDefinition },
  to: { title: string; definition: FormDefinition },
): Pick<RevisionDiff, "settings" | "components" | "summary"> {
  const before = flatten(from.definition);
  const after = flatten(to.definition);
  const components: ComponentChange[] = [];
  const entryOf = (e: Entry, change: ComponentChange["change"], changes: PropertyChange[]): ComponentChange => ({
    change,
    key: e.key,
    path: e.id,
    label: labelOf(e.component),
    type: e.type,
    typeName: typeName(e.type),
    changes,
  });
  for (const b of after.values()) {
    const a = before.get(b.id);
    if (!a) components.push(entryOf(b, "added", []));
    else {
      const changes = compareComponents(a, b, before, after);
      if (changes.length) components.push(entryOf(b, "changed", changes));
    }
  }
  for (const a of before.values()) if (!after.has(a.id)) components.push(entryOf(a, "removed", []));
  const settings = compareSettings(from, to);
  const count = (c: ComponentChange["change"]) => components.filter((x) => x.change === c).length;
  return {
    settings,
    components,
    summary: { added: count("added"), removed: count("removed"), changed: count("changed"), settings: settings.length },
  };
}

async function revisionSide(form: Form, revision: number): Promise<RevisionSide> {
  const row = await FormRevision.findOne({
    where: { formId: form.id, revision },
    attributes: ["revision", "title", "createdBy", "createdAt", "publishedAt"],
  });
  if (!row) throw new NotFoundError(`表单“${form.key}”没有第 ${revision} 版`);
  return { revision, title: row.title, createdBy: row.createdBy, createdAt: row.createdAt, published: Boolean(row.publishedAt) };
}

/**
 * What changed from one revision of a form to another: components added, removed and changed (by key, with
 * which of label, type, required, rules, options, conditional, calculated value, position or other settings)
 * and the form-level settings. Either revision may be the older one.
 */
export async function diffRevisions(db: Database, formKey: string, fromRevision: number, toRevision: number): Promise<RevisionDiff> {
  const form = await Form.findOne({ where: { key: formKey } });
  if (!form) throw new NotFoundError(`找不到表单“${formKey}”`);
  const [from, to] = await Promise.all([revisionSide(form, fromRevision), revisionSide(form, toRevision)]);
  const [a, b] = await Promise.all([getFormRevision(db, formKey, fromRevision), getFormRevision(db, formKey, toRevision)]);
  return { formKey, from, to, ...diffDefinitions(a, b) };
}

// ---- Delete ----------------------------------------------------------------------------------------------------

/** Why a form may not be deleted: a code and the Chinese sentence the page shows next to the disabled button. */
export interface DeletionBlocker {
  code: "published" | "catalog_item" | "process" | "commitments" | "submissions" | "drafts" | "tasks" | "unique_values";
  message: string;
}

/**
 * What in server/forms still names the form: a revision ever published, drafts, kept submission versions and
 * claimed unique values. Catalog items and processes are the caller's to add (server/domain/forms/usage.ts).
 */
export async function formRecordBlockers(form: Form, t?: Transaction): Promise<DeletionBlocker[]> {
  const blockers: DeletionBlocker[] = [];
  const published =
    form.publishedRevision !== null ||
    (await FormRevision.count({ where: { formId: form.id, publishedAt: { [Op.ne]: null } }, transaction: t })) > 0;
  if (published) blockers.push({ code: "published", message: "已发布过的表单不能删除，可停止使用" });
  const [drafts, submissions, uniques] = await Promise.all([
    FormDraft.count({ where: { formKey: form.key }, transaction: t }),
    SubmissionRevision.count({ where: { formKey: form.key }, transaction: t }),
    SubmissionUniqueValue.count({ where: { formKey: form.key }, transaction: t }),
  ]);
  if (drafts) blockers.push({ code: "drafts", message: `已有 ${drafts} 份填报草稿引用此表单` });
  if (submissions) blockers.push({ code: "submissions", message: `已有 ${submissions} 份提交记录引用此表单` });
  if (uniques) blockers.push({ code: "unique_values", message: `已有 ${uniques} 个唯一值登记引用此表单` });
  return blockers;
}

export interface DeleteForm {
  formKey: string;
  actor: string;
  /** Other uses of the form (catalog items, processes, cases), asked inside the deletion's transaction. */
  otherBlockers: (form: Form, t: Transaction) => Promise<DeletionBlocker[]>;
}

/**
 * Deletes a draft form and all its revisions, only when nothing could ever need it again: never published, and
 * no draft, submission, catalog item or process naming it. Otherwise 409 with every reason.
 */
export async function deleteForm(db: Database, input: DeleteForm, t?: Transaction): Promise<{ formKey: string; revisions: number }> {
  const run = async (tx: Transaction) => {
    const form = await Form.findOne({
      where: { key: input.formKey },
      transaction: tx,
      lock: db.dialect === "mysql" ? tx.LOCK.UPDATE : undefined,
    });
    if (!form) throw new NotFoundError(`找不到表单“${input.formKey}”`);
    const blockers = [...(await formRecordBlockers(form, tx)), ...(await input.otherBlockers(form, tx))];
    if (blockers.length) {
      const details: ErrorDetail[] = blockers.map((b) => ({ path: b.code, message: b.message }));
      throw new ConflictError(`表单“${form.title}”不能删除：${blockers.map((b) => b.message).join("；")}`, "form_in_use", details);
    }
    const revisions = await FormRevision.destroy({ where: { formId: form.id }, transaction: tx });
    await form.destroy({ transaction: tx });
    await audit(db, tx, {
      actor: input.actor,
      action: "form.deleted",
      entityType: "form",
      entityId: form.key,
      detail: { title: form.title, revisions, departmentId: form.departmentId },
    });
    return { formKey: form.key, revisions };
  };
  return t ? run(t) : db.transaction(run);
}
