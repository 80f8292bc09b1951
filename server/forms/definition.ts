import type { ErrorDetail } from "../errors.js";
import {
  addressContainer,
  INPUT_TYPES,
  LAYOUT_TYPES,
  NESTED_DATA_TYPES,
  REFUSED_TYPES,
  TABS,
  tabOf,
  TYPE_NAMES,
  type TabName,
} from "./components.js";
import { jsonLogicProblems } from "./jsonLogic.js";
import { conditionFree, translateSimpleJavaScript } from "./jsToLogic.js";

export { INPUT_TYPES, LAYOUT_TYPES, NESTED_DATA_TYPES, type InputType } from "./components.js";

/** A Form.io component as stored: only the fields this module reads are typed. */
export interface FormComponent {
  type?: string;
  key?: string;
  label?: string;
  input?: boolean;
  multiple?: boolean;
  components?: FormComponent[];
  columns?: { components?: FormComponent[] }[];
  rows?: { components?: FormComponent[] }[][];
  validate?: Record<string, unknown>;
  data?: Record<string, unknown>;
  values?: { label?: string; value?: unknown }[];
  dataSrc?: string;
  [prop: string]: unknown;
}

export interface FormDefinition {
  display?: string;
  components: FormComponent[];
  [prop: string]: unknown;
}

/** A refusal of a form definition: the message names the component's label and the builder tab to open. */
export interface FormProblem extends ErrorDetail {
  /** The component's key, when it has one. */
  component?: string;
  /** The builder's component id (Form.io writes `id` into every component it creates). */
  componentId?: string;
  /** The builder tab that holds the offending setting (显示, 数据, 校验, 接口, 条件, 逻辑, ...). */
  tab?: TabName;
}

/** A nested form component's reference to another form's published revision. */
export interface NestedFormRef {
  formKey: string;
  revision?: number;
  /** The component, in the normalized definition, whose `revision` and `components` the save fills in. */
  component: FormComponent;
  path: string;
  name: string;
}

export interface CheckedDefinition {
  definition: FormDefinition;
  problems: FormProblem[];
  /** Nested forms to resolve against the database before the definition may be stored (store.ts does it). */
  nestedForms: NestedFormRef[];
}

const KNOWN_TYPES = new Set<string>([...INPUT_TYPES, ...LAYOUT_TYPES]);
const INPUTS = new Set<string>(INPUT_TYPES);
const CHOICE_TYPES = new Set(["select", "radio", "selectboxes"]);
export const PROTO_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** Form.io's key pattern (`\w` or `\w[\w-.]*\w`) without the dot, which Form.io and core read as a nested path. */
export const KEY_PATTERN = /^(?:[A-Za-z0-9_]|[A-Za-z0-9_][A-Za-z0-9_-]*[A-Za-z0-9_])$/;
export const MAX_KEY_LENGTH = 128;
const MAX_DEPTH = 32;

/** Properties whose string value Form.io runs as JavaScript (in the browser and in @formio/core). */
const JS_PROPS = new Set([
  "custom",
  "customConditional",
  "customDefaultValue",
  "customAction",
  "javascript",
  "schemaDefinition",
  "disableFunction",
  "nextPage",
]);
/**
 * `{{ data.x }}` is interpolation of a data path (also i18next's unescaped `{{- maxDate}}`); anything else inside
 * {{ }} or any {% %} is a JavaScript template. @formio/js and core evaluate no template here (noeval), but what a
 * designer cannot see run should not be stored as if it would.
 */
const TEMPLATE_JS = /\{%|\{\{(?!-?\s*[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*\s*\}\})/;

/** Where a component holds logic, the words a message names it with, and its builder tab. */
const LOGIC_PLACES: { path: string[]; name: string; tab: TabName }[] = [
  { path: ["calculateValue"], name: "计算值", tab: TABS.data },
  { path: ["customDefaultValue"], name: "默认值", tab: TABS.data },
  { path: ["customConditional"], name: "自定义显示条件", tab: TABS.conditional },
  { path: ["conditional", "json"], name: "显示条件", tab: TABS.conditional },
  { path: ["validate", "json"], name: "校验规则", tab: TABS.validation },
  { path: ["validate", "custom"], name: "自定义校验", tab: TABS.validation },
  { path: ["validate", "row"], name: "行校验", tab: TABS.validation },
  { path: ["data", "custom"], name: "自定义选项", tab: TABS.data },
  { path: ["custom"], name: "按钮动作", tab: TABS.display },
  { path: ["conditionalAddButton"], name: "添加行条件", tab: TABS.data },
  { path: ["onSetItems"], name: "选项处理", tab: TABS.data },
  { path: ["onChange"], name: "值变化处理", tab: TABS.data },
  { path: ["nextPage"], name: "下一页逻辑", tab: TABS.display },
];

/** Button actions the renderer runs: submit, reset and an event stay in the page; url/oauth/delete talk to other servers. */
const BUTTON_ACTIONS = new Set(["submit", "reset", "event", "saveState", "custom"]);
/** Value types a data map may hold (its valueComponent): one scalar each. */
const DATAMAP_VALUE_TYPES = new Set(["textfield", "textarea", "number", "currency", "checkbox", "email", "url", "phoneNumber"]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
/** A setting's value as text for a message. */
const asText = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : (JSON.stringify(v) ?? "");
const blank = (value: unknown): boolean => typeof value === "string" && value.trim() === "";

/** The children of a component, whatever layout holds them (components, columns, table rows, tabs). */
export function childComponents(component: FormComponent): FormComponent[] {
  const out: FormComponent[] = [];
  if (component.type === "tabs" && Array.isArray(component.components)) {
    // A tabs component's entries are panes ({ label, key, components }), not components: their children are.
    for (const pane of component.components as unknown[]) {
      const inner = (pane as FormComponent | null)?.components;
      if (Array.isArray(inner)) out.push(...inner);
    }
    return out;
  }
  if (Array.isArray(component.components)) out.push(...component.components);
  if (Array.isArray(component.columns))
    for (const col of component.columns) if (Array.isArray(col?.components)) out.push(...col.components);
  if (Array.isArray(component.rows)) {
    for (const row of component.rows) {
      if (!Array.isArray(row)) continue;
      for (const cell of row) if (Array.isArray(cell?.components)) out.push(...cell.components);
    }
  }
  return out;
}

/** The children with their positional paths (components[2], columns[1].components[0], rows[0][1].components[3]). */
function childrenWithPlaces(component: FormComponent): [FormComponent, string][] {
  const out: [FormComponent, string][] = [];
  if (component.type === "tabs" && Array.isArray(component.components)) {
    (component.components as unknown[]).forEach((pane, p) => {
      const inner = (pane as FormComponent | null)?.components;
      if (Array.isArray(inner)) inner.forEach((c, i) => out.push([c, `components[${p}].components[${i}]`]));
    });
    return out;
  }
  if (Array.isArray(component.components)) component.components.forEach((c, i) => out.push([c, `components[${i}]`]));
  if (Array.isArray(component.columns))
    component.columns.forEach((col, j) => {
      if (Array.isArray(col?.components)) col.components.forEach((c, i) => out.push([c, `columns[${j}].components[${i}]`]));
    });
  if (Array.isArray(component.rows))
    component.rows.forEach((row, r) => {
      if (!Array.isArray(row)) return;
      row.forEach((cell, k) => {
        if (Array.isArray(cell?.components)) cell.components.forEach((c, i) => out.push([c, `rows[${r}][${k}].components[${i}]`]));
      });
    });
  return out;
}

export function isInput(component: FormComponent): boolean {
  return typeof component.type === "string" && INPUTS.has(component.type) && component.input !== false;
}

/**
 * The key a component's value has in its data scope. A checkbox shown as a radio button (`inputType: "radio"`) with a
 * `name` writes to `name`, as Form.io does: the checkboxes sharing it form one radio group whose value is the checked
 * one's `value`.
 */
export function dataKeyOf(component: FormComponent): string | undefined {
  if (isRadioCheckbox(component)) return component.name as string;
  return typeof component.key === "string" ? component.key : undefined;
}

/** A checkbox with inputType radio and a name: one member of a radio group (see dataKeyOf). */
export function isRadioCheckbox(component: FormComponent): boolean {
  return component.type === "checkbox" && component.inputType === "radio" && typeof component.name === "string" && component.name !== "";
}

/** Label text for a message: tags removed, whitespace collapsed, at most 40 characters. */
export function plainLabel(component: FormComponent): string {
  const raw = [component.label, component.legend, component.title].find((v) => typeof v === "string" && v.trim() !== "") as
    string | undefined;
  if (!raw) return "";
  const text = raw
    .replace(/<[^>]*>/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** How a message names a component: 组件“营业面积”（area）, 组件“area”, or 未命名的“面板”组件. */
export function describeComponent(component: FormComponent): string {
  const label = plainLabel(component);
  const key = typeof component.key === "string" && component.key.trim() ? component.key : "";
  if (label && key) return `组件“${label}”（${key}）`;
  if (label || key) return `组件“${label || key}”`;
  const type =
    typeof component.type === "string" ? (Object.hasOwn(TYPE_NAMES, component.type) ? TYPE_NAMES[component.type] : component.type) : "";
  return type ? `未命名的“${type}”组件` : "未命名的组件";
}

interface Finding {
  tab?: TabName;
  text: string;
}

/** Finds every place in a component (not its children) where Form.io would run JavaScript, once per place. */
function javascriptIn(component: FormComponent): Finding[] {
  const found = new Map<string, Finding>();
  const type = component.type;
  const add = (place: string, text: string, tab = tabOf(type, place)): void => {
    if (!found.has(place)) found.set(place, { tab, text });
  };
  // Logic first, so that a trigger or an action is reported once, by its number, and not again by the walk below.
  if (Array.isArray(component.logic)) {
    (component.logic as unknown[]).forEach((logic, i) => {
      if (!isObject(logic)) return;
      const trigger = isObject(logic.trigger) ? logic.trigger : {};
      if (trigger.type === "javascript" || (typeof trigger.javascript === "string" && !blank(trigger.javascript)))
        add(`logic[${i}].trigger`, `第 ${i + 1} 条逻辑的触发条件是 JavaScript 代码`, TABS.logic);
      (Array.isArray(logic.actions) ? (logic.actions as unknown[]) : []).forEach((action, j) => {
        if (!isObject(action)) return;
        const code =
          action.type === "customAction" ||
          (typeof action.customAction === "string" && !blank(action.customAction)) ||
          (action.type === "value" && typeof action.value === "string" && !blank(action.value)) ||
          (typeof action.schemaDefinition === "string" && !blank(action.schemaDefinition));
        if (code) add(`logic[${i}].actions[${j}]`, `第 ${i + 1} 条逻辑的第 ${j + 1} 个动作是 JavaScript 代码`, TABS.logic);
      });
    });
  }
  const names = new Map(LOGIC_PLACES.map((p) => [p.path.join("."), p.name]));
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > 20) return;
    if (path.startsWith("logic[") && [...found.keys()].some((place) => path.startsWith(place))) return;
    if (typeof value === "string") {
      const last = path.split(".").pop() ?? "";
      const named = names.get(path);
      if ((JS_PROPS.has(last) || named) && !blank(value)) add(path, `${named ?? `设置项 ${path}`}是 JavaScript 代码`);
      else if (TEMPLATE_JS.test(value))
        add(path, `设置项 ${path} 含有 JavaScript 模板（{% %} 或 {{ }} 中的表达式）；{{ }} 中只能写数据路径，如 {{ data.name }}`);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}[${i}]`, depth + 1));
      return;
    }
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (depth === 0 && (k === "components" || k === "columns" || k === "rows" || k === "valueComponent")) continue;
        visit(v, path ? `${path}.${k}` : k, depth + 1);
      }
    }
  };
  visit(component, "", 0);
  return [...found.values()];
}

/** Every JSONLogic expression of a component (not its children), with the words that name its place and its tab. */
function jsonLogicIn(component: FormComponent): { place: string; tab: TabName; logic: unknown }[] {
  const found: { place: string; tab: TabName; logic: unknown }[] = [];
  for (const { path, name, tab } of LOGIC_PLACES) {
    let value: unknown = component;
    for (const key of path) value = isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
    if (isObject(value) || Array.isArray(value)) found.push({ place: name, tab, logic: value });
  }
  if (Array.isArray(component.logic)) {
    (component.logic as unknown[]).forEach((logic, i) => {
      if (!isObject(logic)) return;
      const trigger = logic.trigger;
      if (isObject(trigger) && (isObject(trigger.json) || Array.isArray(trigger.json)))
        found.push({ place: `第 ${i + 1} 条逻辑的触发条件`, tab: TABS.logic, logic: trigger.json });
      (Array.isArray(logic.actions) ? (logic.actions as unknown[]) : []).forEach((action, j) => {
        if (!isObject(action)) return;
        for (const prop of ["value", "customAction"])
          if (isObject(action[prop]) || Array.isArray(action[prop]))
            found.push({ place: `第 ${i + 1} 条逻辑的第 ${j + 1} 个动作`, tab: TABS.logic, logic: action[prop] });
      });
    });
  }
  return found;
}

/**
 * Simple conditions whose operator names a property every object inherits (`constructor`, `toString`, ...): core
 * looks the name up in a plain object and would throw on every submission of the form.
 */
function inheritedConditionOperatorsIn(component: FormComponent): Finding[] {
  const found: Finding[] = [];
  const check = (conditional: unknown, place: string, tab: TabName): void => {
    const conditions = isObject(conditional) && Array.isArray(conditional.conditions) ? (conditional.conditions as unknown[]) : [];
    for (const condition of conditions) {
      const operator = isObject(condition) ? condition.operator : undefined;
      if (typeof operator === "string" && operator in Object.prototype)
        found.push({ tab, text: `${place}使用了未知的比较方式“${operator}”` });
    }
  };
  check(component.conditional, "显示条件", TABS.conditional);
  if (Array.isArray(component.logic))
    (component.logic as unknown[]).forEach((logic, i) => {
      if (isObject(logic) && isObject(logic.trigger)) check(logic.trigger.simple, `第 ${i + 1} 条逻辑的触发条件`, TABS.logic);
    });
  return found;
}

/** Logic actions that merge a JSONLogic result into the component: the submitted data could rewrite its settings. */
function schemaMergesIn(component: FormComponent): Finding[] {
  if (!Array.isArray(component.logic)) return [];
  const found: Finding[] = [];
  (component.logic as unknown[]).forEach((logic, i) => {
    const actions = isObject(logic) && Array.isArray(logic.actions) ? (logic.actions as unknown[]) : [];
    actions.forEach((action, j) => {
      if (isObject(action) && isObject(action.schemaDefinition))
        found.push({
          tab: TABS.logic,
          text: `第 ${i + 1} 条逻辑的第 ${j + 1} 个动作用 JSONLogic 合并组件设置（mergeComponentSchema），不允许保存：提交的数据可能借此改写组件的校验规则`,
        });
    });
  });
  return found;
}

/** Empty strings Form.io's builder writes into every component it touches: no logic at all, so they are removed. */
const EMPTY_LOGIC: string[][] = [
  ["calculateValue"],
  ["customDefaultValue"],
  ["customConditional"],
  ["conditional", "json"],
  ["validate", "json"],
  ["validate", "custom"],
  ["validate", "row"],
  ["data", "custom"],
  ["custom"],
  ["conditionalAddButton"],
  ["onSetItems"],
  ["onChange"],
  ["nextPage"],
  ["datePicker", "disableFunction"],
  ["widget", "disableFunction"],
  ["errors"],
];

/**
 * Normalizes the builder's defaults that mean nothing: empty-string logic (see EMPTY_LOGIC), empty server overrides,
 * the modelType core would otherwise trust, and `tree` on layout (core would nest their children's data).
 */
function stripEmptySettings(component: FormComponent): void {
  for (const path of EMPTY_LOGIC) {
    let holder: unknown = component;
    for (const key of path.slice(0, -1)) holder = isObject(holder) ? holder[key] : undefined;
    const last = path[path.length - 1]!;
    if (isObject(holder) && (holder[last] === "" || holder[last] === null || blank(holder[last]))) delete holder[last];
  }
  if (Array.isArray(component.logic)) {
    for (const logic of component.logic as unknown[]) {
      if (!isObject(logic)) continue;
      if (isObject(logic.trigger) && blank(logic.trigger.javascript)) delete logic.trigger.javascript;
      for (const action of Array.isArray(logic.actions) ? (logic.actions as unknown[]) : [])
        if (isObject(action)) {
          if (blank(action.customAction)) delete action.customAction;
          if (blank(action.schemaDefinition)) delete action.schemaDefinition;
        }
    }
  }
  if (isObject(component.serverOverride) && Object.keys(component.serverOverride).length === 0) delete component.serverOverride;
  delete component.modelType;
  // Edit grid row templates are JavaScript (lodash templates); the renderer runs with noeval and uses its own compiled
  // ones, and the server renders none: they would never run, so they are not kept.
  if (component.type === "editgrid") delete component.templates;
  if (typeof component.type === "string" && !NESTED_DATA_TYPES.has(component.type) && component.type !== "datamap") delete component.tree;
}

function keyProblem(key: unknown, input: boolean): string | null {
  if (key === undefined || key === null || key === "") return input ? "缺少键名（在“接口”页签填写属性名）" : null;
  if (typeof key !== "string") return "键名必须是文本";
  if (key.length > MAX_KEY_LENGTH) return `键名不能超过 ${MAX_KEY_LENGTH} 个字符`;
  if (PROTO_KEYS.has(key)) return `键名不能是“${key}”`;
  if (!input) return null;
  if (key.includes(".")) return "键名不能包含点号（.）：点号会被当作嵌套的数据路径";
  if (!KEY_PATTERN.test(key)) return "键名只能使用英文字母、数字、下划线和连字符，不能以连字符开头或结尾";
  if (/^\d+$/.test(key)) return "键名不能全是数字";
  return null;
}

/** The list values of a choice component (select: data.values; radio, selectboxes: values), as text. */
function listedValues(component: FormComponent): string[] {
  const list = component.type === "select" ? component.data?.values : component.values;
  return (Array.isArray(list) ? (list as unknown[]) : []).map((o) => String(isObject(o) ? o.value : undefined));
}

/**
 * Normalizes a Form.io definition for storage and lists what makes it unacceptable: JavaScript anywhere, unknown or
 * refused component types, bad or colliding keys, choices loaded from elsewhere, nested forms by URL. Normalizing
 * forces the server to check choices (onlyAvailableItems) and to recompute calculated values (calculateServer), maps
 * an address to its container and removes the builder's empty-string logic. Each problem names the component's label
 * and the builder tab to open. Nested forms are listed for the caller to resolve against the database.
 */
export function checkDefinition(input: unknown): CheckedDefinition {
  const problems: FormProblem[] = [];
  const nestedForms: NestedFormRef[] = [];
  if (!isObject(input)) {
    return { definition: { components: [] }, problems: [{ path: "definition", message: "表单定义必须是 JSON 对象" }], nestedForms };
  }
  const definition = structuredClone(input) as FormDefinition;
  if (!Array.isArray(definition.components)) {
    return {
      definition: { components: [] },
      problems: [{ path: "components", message: "表单定义缺少组件列表（components）" }],
      nestedForms,
    };
  }
  if (definition.display !== undefined && definition.display !== "form" && definition.display !== "wizard") {
    problems.push({
      path: "display",
      message: `表单设置：不支持显示方式“${String(definition.display)}”，只能是普通表单（form）或向导（wizard）`,
    });
  }
  for (const key of Object.keys(definition)) {
    if (PROTO_KEYS.has(key)) problems.push({ path: key, message: `表单定义中不允许出现键名“${key}”` });
  }
  // Form-level code the browser would run: a controller (JavaScript, or JSONLogic when an object) and a module.
  const controller = definition.controller;
  if (blank(controller)) delete definition.controller;
  else if (typeof controller === "string") {
    problems.push({ path: "controller", message: "表单设置：表单包含 JavaScript 代码（controller），不允许保存" });
  } else if (isObject(controller)) {
    for (const problem of jsonLogicProblems(controller))
      problems.push({ path: "controller", message: `表单的控制逻辑（controller）${problem}` });
  }
  if (blank(definition.module)) delete definition.module;
  else if (typeof definition.module === "string" || isObject(definition.module)) {
    problems.push({ path: "module", message: "表单设置：表单不能带有模块（module）：模块会在浏览器中运行代码" });
  }

  const report = (component: FormComponent, path: string, finding: Finding): void => {
    const where = describeComponent(component);
    const problem: FormProblem = {
      path,
      message: finding.tab ? `${where}在“${finding.tab}”页签：${finding.text}` : `${where}：${finding.text}`,
    };
    if (typeof component.key === "string" && component.key) problem.component = component.key;
    if (typeof component.id === "string" && component.id) problem.componentId = component.id;
    if (finding.tab) problem.tab = finding.tab;
    problems.push(problem);
  };

  /** Walks one list of components; scopeKeys holds the data keys of the current data scope (radio groups share one). */
  const walk = (
    components: FormComponent[],
    scopePath: string,
    position: string,
    scopeKeys: Map<string, { name: string; group: boolean }>,
    depth: number,
  ): void => {
    if (depth > MAX_DEPTH) {
      problems.push({ path: scopePath || "components", message: `表单组件嵌套过深（超过 ${MAX_DEPTH} 层）` });
      return;
    }
    components.forEach((component, index) => {
      const place = `${position}${position ? "." : ""}components[${index}]`;
      walkOne(component, place, scopePath, scopeKeys, depth);
    });
  };

  const walkOne = (
    component: FormComponent,
    place: string,
    scopePath: string,
    scopeKeys: Map<string, { name: string; group: boolean }>,
    depth: number,
  ): void => {
    if (!isObject(component)) {
      problems.push({ path: place, message: `${place}：组件必须是 JSON 对象` });
      return;
    }
    const validKey = typeof component.key === "string" && component.key !== "" && !PROTO_KEYS.has(component.key);
    const where = validKey ? (scopePath ? `${scopePath}.${component.key}` : component.key!) : place;
    let type = component.type;
    if (typeof type !== "string" || type === "") {
      report(component, where, { text: "缺少组件类型（type）" });
      return;
    }
    if (type === "address") {
      if (!normalizeAddress(component, (finding) => report(component, where, finding))) return;
      type = component.type!;
    } else if (Object.hasOwn(REFUSED_TYPES, type)) {
      report(component, where, { text: REFUSED_TYPES[type]! });
      return;
    } else if (!KNOWN_TYPES.has(type)) {
      report(component, where, { text: `不支持组件类型“${type}”` });
      return;
    }
    const input = isInput(component);
    const keyIssue = keyProblem(component.key, input);
    if (keyIssue) report(component, where, { tab: TABS.api, text: keyIssue });

    stripEmptySettings(component);
    // One-line JavaScript that JSONLogic says exactly (show = data.kind === 'a') is stored as that JSONLogic.
    translateSimpleJavaScript(component);
    for (const finding of javascriptIn(component)) {
      report(component, where, { tab: finding.tab, text: `${finding.text}，不允许保存；条件、计算和校验请使用 JSONLogic 或简单条件` });
    }
    for (const { place: logicPlace, tab, logic } of jsonLogicIn(component)) {
      for (const problem of jsonLogicProblems(logic)) report(component, where, { tab, text: `${logicPlace}${problem}` });
    }
    for (const finding of inheritedConditionOperatorsIn(component)) report(component, where, finding);
    for (const finding of schemaMergesIn(component)) report(component, where, finding);
    if (isObject(component.serverOverride)) {
      report(component, where, {
        tab: TABS.data,
        text: "不能使用服务器端覆盖设置（serverOverride）：服务器必须按表单本身的设置校验",
      });
    }
    if (isObject(component.trigger)) report(component, where, { tab: TABS.data, text: "不允许在服务器端发起请求（trigger）" });

    // Data keys and radio-checkbox groups, per data scope.
    const dataKey = input ? dataKeyOf(component) : undefined;
    if (input && isRadioCheckbox(component)) {
      const nameIssue = keyProblem(component.name, true);
      if (nameIssue) report(component, where, { tab: TABS.api, text: `单选组名称（name）无效：${nameIssue.replace(/^键名/, "")}` });
    }
    if (dataKey && !keyIssue) {
      const group = isRadioCheckbox(component);
      const seen = scopeKeys.get(dataKey);
      if (seen && !(seen.group && group)) {
        report(component, where, { tab: TABS.api, text: `键名“${dataKey}”与${seen.name}重复` });
      } else if (!seen) scopeKeys.set(dataKey, { name: describeComponent(component), group });
    }

    normalizeType(component, (finding) => report(component, where, finding));

    if (type === "form") {
      const ref = nestedFormRef(component, (finding) => report(component, where, finding));
      if (ref === null) return;
      if (ref !== "inline") {
        nestedForms.push({ ...ref, component, path: where, name: describeComponent(component) });
        // The nested form's components come from the referenced revision, never from what was sent.
        delete component.components;
        return;
      }
    }
    if (type === "datamap" && isObject(component.valueComponent)) {
      const value = component.valueComponent as FormComponent;
      if (!DATAMAP_VALUE_TYPES.has(String(value.type))) {
        report(component, where, {
          tab: TABS.data,
          text: `键值表的取值只能是单行文本、多行文本、数字、金额、复选框、电子邮箱、网址或电话号码，不能是“${String(value.type)}”`,
        });
      } else {
        walkOne(value, `${place}.valueComponent`, where, new Map(), depth + 1);
      }
    }
    const children = childrenWithPlaces(component);
    if (!children.length) return;
    const nested = NESTED_DATA_TYPES.has(type) && input;
    const childScope = nested ? new Map<string, { name: string; group: boolean }>() : scopeKeys;
    if (depth + 1 > MAX_DEPTH) {
      problems.push({ path: where, message: `表单组件嵌套过深（超过 ${MAX_DEPTH} 层）` });
      return;
    }
    for (const [child, childPlace] of children) walkOne(child, `${place}.${childPlace}`, nested ? where : scopePath, childScope, depth + 1);
  };

  walk(definition.components, "", "", new Map(), 0);
  return { definition, problems, nestedForms };
}

/**
 * A Form.io address becomes the platform's address container (省/市/区县/详细地址). A geocoding provider is refused:
 * the applicant's address would be sent to a third party while typing. Returns false when refused.
 */
function normalizeAddress(component: FormComponent, report: (finding: Finding) => void): boolean {
  const provider = component.provider;
  const hasProvider =
    (typeof provider === "string" && provider.trim() !== "") ||
    isObject(component.providerOptions) ||
    (isObject(component.map) && Object.keys(component.map).length > 0);
  if (hasProvider) {
    report({
      tab: TABS.data,
      text: `地址不能使用地图或地址查询服务（${typeof provider === "string" && provider ? provider : "provider"}）：申请人的地址会在填写时发送给第三方；请使用平台的地址组件（省/市/区县/详细地址）`,
    });
    return false;
  }
  if (component.multiple === true) {
    report({ tab: TABS.data, text: "地址不能设为允许多个值；需要多个地址请放在数据表格中" });
    return false;
  }
  const key = typeof component.key === "string" ? component.key : "address";
  const label = typeof component.label === "string" ? component.label : "地址";
  const required = component.validate?.required === true;
  const container = addressContainer(key, label, required);
  const keep = ["id", "conditional", "hidden", "description", "tooltip", "customClass", "clearOnHide", "logic"];
  const kept = Object.fromEntries(keep.filter((k) => k in component).map((k) => [k, component[k]]));
  for (const k of Object.keys(component)) delete component[k];
  Object.assign(component, container, kept);
  return true;
}

/** Per-type normalization and checks that are not JavaScript: choices, calculated values, files, grids, tags, survey. */
function normalizeType(component: FormComponent, report: (finding: Finding) => void): void {
  const type = component.type!;
  // Core runs customConditional as a string of code only, so JSONLogic there would never hide the field on the server
  // (the browser would): it is moved to conditional.json, which both evaluate.
  if (isObject(component.customConditional) || Array.isArray(component.customConditional)) {
    if (conditionFree(component.conditional)) {
      component.conditional = { ...(isObject(component.conditional) ? component.conditional : {}), json: component.customConditional };
      delete component.customConditional;
    } else {
      report({ tab: TABS.conditional, text: "同时设置了简单条件和自定义显示条件，请只保留一种" });
    }
  }
  if (CHOICE_TYPES.has(type)) {
    component.validate = { ...(isObject(component.validate) ? component.validate : {}), onlyAvailableItems: true };
    if (type === "select") {
      if (component.dataSrc === "json") jsonToValues(component);
      const src = component.dataSrc ?? "values";
      if (src !== "values")
        report({
          tab: TABS.data,
          text: `下拉选择的选项只能直接列出（数据来源为“值”），不能从网址、资源、JSON 或代码加载（${String(src)}）`,
        });
      component.dataSrc = "values";
    } else if (component.dataSrc !== undefined && component.dataSrc !== "values") {
      report({ tab: TABS.data, text: `选项只能直接列出，不能从网址加载（${String(component.dataSrc)}）` });
    }
    // The builder's selectboxes default {"": false}: options that are not listed mean nothing.
    if (type === "selectboxes" && isObject(component.defaultValue)) {
      const listed = new Set(listedValues(component));
      component.defaultValue = Object.fromEntries(Object.entries(component.defaultValue).filter(([k]) => listed.has(k)));
    }
  }
  if (component.calculateValue !== undefined && component.calculateValue !== "" && component.calculateValue !== null) {
    component.calculateServer = true;
    component.allowCalculateOverride = false;
  }
  switch (type) {
    case "checkbox":
      if (component.inputType === "radio" && typeof component.name === "string" && component.name !== "") {
        if (!(typeof component.value === "string" || typeof component.value === "number") || component.value === "")
          report({ tab: TABS.display, text: "单选按钮（同一 name 的复选框）必须填写取值（value）" });
      } else if ("name" in component) {
        // Form.io's renderer would write a named checkbox to data[name] while core reads data[key]: one place only.
        delete component.name;
      }
      break;
    case "datetime":
    case "day":
      for (const [holder, prefix, tab] of [
        [component, "", type === "day" ? TABS.validation : TABS.date],
        [component.widget, "widget.", TABS.date],
        [component.datePicker, "datePicker.", TABS.date],
      ] as [unknown, string, TabName][]) {
        if (!isObject(holder)) continue;
        for (const prop of ["minDate", "maxDate"]) {
          const value = holder[prop];
          // Form.io evaluates a limit that is not a date as JavaScript (moment.js expressions).
          if (typeof value === "string" && value.trim() !== "" && (/[()]/.test(value) || Number.isNaN(Date.parse(value))))
            report({
              tab,
              text: `${prop === "minDate" ? "最早" : "最晚"}日期（${prefix}${prop}）是 JavaScript 表达式，不允许保存；请填写固定日期，如 2024-01-01`,
            });
        }
      }
      break;
    case "file":
      component.storage = "url";
      component.url = "/api/uploads";
      delete component.options;
      break;
    case "button": {
      const action = component.action ?? "submit";
      if (typeof action !== "string" || !BUTTON_ACTIONS.has(action))
        report({ tab: TABS.display, text: `按钮动作“${asText(action)}”不能使用：只能是提交、重置或触发事件` });
      break;
    }
    case "tags":
      if (component.storeas !== undefined && component.storeas !== "string" && component.storeas !== "array")
        report({ tab: TABS.data, text: `标签的保存方式只能是文本（string）或列表（array），不能是“${asText(component.storeas)}”` });
      if (component.delimeter !== undefined && (typeof component.delimeter !== "string" || component.delimeter.length > 5))
        report({ tab: TABS.data, text: "标签的分隔符必须是不超过 5 个字符的文本" });
      break;
    case "survey":
      for (const list of ["questions", "values"] as const) {
        const items = component[list];
        if (items !== undefined && (!Array.isArray(items) || !items.every((q) => isObject(q) && isScalarValue(q.value))))
          report({ tab: TABS.data, text: `问卷的${list === "questions" ? "问题" : "选项"}必须是 { label, value } 列表` });
      }
      break;
    default:
      break;
  }
}

/**
 * A select whose options are a JSON list in the form itself (dataSrc json) becomes a listed select: each item's value
 * is its valueProperty (or `value`), its label what the item template shows ({{ item.label }}). Left as it is (and
 * refused) when an item has no scalar value.
 */
function jsonToValues(component: FormComponent): void {
  let items: unknown = component.data?.json;
  if (typeof items === "string") {
    try {
      items = JSON.parse(items);
    } catch {
      return;
    }
  }
  if (!Array.isArray(items) || items.length > 5000) return;
  const named = typeof component.valueProperty === "string" && component.valueProperty ? component.valueProperty : "";
  const valueProperty = named || "value";
  const template = typeof component.template === "string" ? component.template : "";
  const labelPath = /\{\{\s*item\.([\w.]+)\s*\}\}/.exec(template)?.[1] ?? "label";
  const read = (item: unknown, dotted: string): unknown =>
    dotted.split(".").reduce<unknown>((v, k) => (isObject(v) && !PROTO_KEYS.has(k) && Object.hasOwn(v, k) ? v[k] : undefined), item);
  const values: { label: string; value: string | number | boolean }[] = [];
  for (const item of items as unknown[]) {
    const scalar = typeof item === "string" || typeof item === "number";
    // Without a valueProperty Form.io's value is the item itself: a list of texts lists those texts.
    const value = scalar && !named ? item : read(item, valueProperty);
    if (!(typeof value === "string" || typeof value === "number" || typeof value === "boolean")) return;
    const label = scalar ? item : read(item, labelPath);
    values.push({ label: typeof label === "string" || typeof label === "number" ? String(label) : String(value), value });
  }
  component.dataSrc = "values";
  component.data = { ...(isObject(component.data) ? component.data : {}), values };
  delete component.data.json;
  delete component.valueProperty;
  component.template = "<span>{{ item.label }}</span>";
}

const isScalarValue = (v: unknown): boolean => v === undefined || typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/**
 * The form key and revision a nested form component names (only a platform form, never a URL), or "inline" for a
 * nested form that carries its own components and names no form (Form.io renders those; they are checked like any).
 */
function nestedFormRef(
  component: FormComponent,
  report: (finding: Finding) => void,
): { formKey: string; revision?: number } | "inline" | null {
  if (typeof component.src === "string" && component.src.trim() !== "") {
    report({ tab: TABS.form, text: "嵌套表单不能从网址加载（src）；请选择本平台已发布的表单" });
    return null;
  }
  const formKey = typeof component.form === "string" ? component.form.trim() : "";
  if (!formKey) {
    if (Array.isArray(component.components) && component.components.length > 0 && (component.revision ?? "") === "") {
      for (const k of ["src", "path", "project", "form", "revision"]) delete component[k];
      component.reference = false;
      return "inline";
    }
    report({ tab: TABS.form, text: "嵌套表单没有选择要嵌入的表单" });
    return null;
  }
  let revision: number | undefined;
  const raw = component.revision;
  if (raw !== undefined && raw !== null && raw !== "") {
    revision = typeof raw === "number" ? raw : /^\d+$/.test(asText(raw)) ? Number(raw) : NaN;
    if (!Number.isInteger(revision) || revision < 1) {
      report({ tab: TABS.form, text: `嵌套表单的版本“${asText(raw)}”无效，应是版本号` });
      return null;
    }
  }
  for (const k of ["src", "path", "project", "formRevision", "useOriginalRevision"]) delete component[k];
  // The nested data stays inside this submission ({ data: {...} }); nothing is submitted to another form.
  component.reference = false;
  return { formKey, revision };
}

/** Calls fn for every input component with its data path (rows of a grid are marked with []). */
export function eachInput(components: FormComponent[], fn: (component: FormComponent, path: string) => void, prefix = ""): void {
  for (const component of components) {
    if (!component || typeof component !== "object") continue;
    const key = dataKeyOf(component);
    const input = isInput(component) && key !== undefined;
    const path = input ? (prefix ? `${prefix}.${key}` : key) : prefix;
    if (input) fn(component, path);
    const children = childComponents(component);
    if (!children.length) continue;
    if (input && (component.type === "datagrid" || component.type === "editgrid")) eachInput(children, fn, `${path}[]`);
    else if (input && component.type === "form") eachInput(children, fn, `${path}.data`);
    else eachInput(children, fn, path);
  }
}
