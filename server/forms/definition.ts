import type { ErrorDetail } from "../errors.js";
import { jsonLogicProblems } from "./jsonLogic.js";

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

/** Input components and their data shape; anything else is refused when a form is saved. */
export const INPUT_TYPES = [
  "textfield",
  "textarea",
  "number",
  "currency",
  "checkbox",
  "selectboxes",
  "select",
  "radio",
  "email",
  "url",
  "phoneNumber",
  "datetime",
  "day",
  "time",
  "hidden",
  "file",
  "signature",
  "datagrid",
  "container",
] as const;

/** Layout and display components: they hold no data of their own (a container is an input above). */
export const LAYOUT_TYPES = ["panel", "columns", "fieldset", "well", "table", "tabs", "content", "htmlelement", "button"] as const;

export type InputType = (typeof INPUT_TYPES)[number];
const KNOWN_TYPES = new Set<string>([...INPUT_TYPES, ...LAYOUT_TYPES]);
const INPUTS = new Set<string>(INPUT_TYPES);
/** Components whose children live in a data scope of their own (rows or a nested object). */
export const NESTED_DATA_TYPES = new Set(["datagrid", "container"]);
const CHOICE_TYPES = new Set(["select", "radio", "selectboxes"]);
export const PROTO_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** Properties whose string value Form.io runs as JavaScript (in the browser and in @formio/core). */
const JS_PROPS = new Set([
  "custom",
  "customConditional",
  "customDefaultValue",
  "customAction",
  "javascript",
  "schemaDefinition",
  "disableFunction",
]);
/** `{{ data.x }}` is plain interpolation; anything else inside {{ }} or any {% %} is a JavaScript template. */
const TEMPLATE_JS = /\{%|\{\{(?!\s*[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*\s*\}\})/;

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

export function isInput(component: FormComponent): boolean {
  return typeof component.type === "string" && INPUTS.has(component.type) && component.input !== false;
}

function nameOf(component: FormComponent): string {
  const label = typeof component.label === "string" && component.label.trim() ? component.label.trim() : undefined;
  const key = typeof component.key === "string" ? component.key : "（无键名）";
  return label ? `“${label}”（${key}）` : `“${key}”`;
}

/** Finds every place in a component (not its children) where Form.io would run JavaScript. */
function javascriptIn(component: FormComponent): string[] {
  const found: string[] = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > 20) return;
    if (typeof value === "string") {
      const last = path.split(".").pop() ?? "";
      if (JS_PROPS.has(last) && value.trim() !== "") found.push(path);
      else if (TEMPLATE_JS.test(value)) found.push(path);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}[${i}]`, depth + 1));
      return;
    }
    if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (depth === 0 && (k === "components" || k === "columns" || k === "rows")) continue;
        visit(v, path ? `${path}.${k}` : k, depth + 1);
      }
    }
  };
  visit(component, "", 0);
  // calculateValue is JSONLogic when an object and JavaScript when a string.
  if (typeof component.calculateValue === "string" && component.calculateValue.trim() !== "") found.push("calculateValue");
  if (typeof (component.conditional as { json?: unknown } | undefined)?.json === "string") found.push("conditional.json");
  if (typeof component.validate?.json === "string") found.push("validate.json");
  // A logic action of type "value" holds JavaScript in its `value` string.
  if (Array.isArray(component.logic)) {
    (component.logic as { actions?: { type?: string; value?: unknown }[]; trigger?: { type?: string } }[]).forEach((logic, i) => {
      if (logic?.trigger?.type === "javascript") found.push(`logic[${i}].trigger`);
      (logic?.actions ?? []).forEach((action, j) => {
        if (action?.type === "value" && typeof action.value === "string" && action.value.trim() !== "")
          found.push(`logic[${i}].actions[${j}].value`);
        if (action?.type === "customAction") found.push(`logic[${i}].actions[${j}]`);
      });
    });
  }
  return [...new Set(found)];
}

/**
 * Where Form.io evaluates a component's property as JSONLogic when it is an object (as a string it is JavaScript), on
 * the server (@formio/core: calculated and default values, conditions, validation, logic) or in the browser
 * (@formio/js: also select items, button actions, the add-row condition), with the words that name it in a message.
 */
const LOGIC_PROPS: [path: string[], name: string][] = [
  [["calculateValue"], "计算值"],
  [["customDefaultValue"], "默认值"],
  [["customConditional"], "自定义显示条件"],
  [["conditional", "json"], "显示条件"],
  [["validate", "json"], "校验规则"],
  [["validate", "custom"], "自定义校验"],
  [["validate", "row"], "行校验"],
  [["data", "custom"], "自定义选项"],
  [["custom"], "按钮动作"],
  [["conditionalAddButton"], "添加行条件"],
  [["onSetItems"], "选项处理"],
  [["onChange"], "值变化处理"],
];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** Every JSONLogic expression of a component (not its children), with the words that name its place. */
function jsonLogicIn(component: FormComponent): { place: string; logic: unknown }[] {
  const found: { place: string; logic: unknown }[] = [];
  for (const [path, place] of LOGIC_PROPS) {
    let value: unknown = component;
    for (const key of path) value = isObject(value) && Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
    if (isObject(value)) found.push({ place, logic: value });
  }
  if (Array.isArray(component.logic)) {
    (component.logic as unknown[]).forEach((logic, i) => {
      if (!isObject(logic)) return;
      const trigger = logic.trigger;
      if (isObject(trigger) && isObject(trigger.json)) found.push({ place: `第 ${i + 1} 条逻辑的触发条件`, logic: trigger.json });
      (Array.isArray(logic.actions) ? (logic.actions as unknown[]) : []).forEach((action, j) => {
        if (!isObject(action)) return;
        for (const prop of ["value", "customAction"])
          if (isObject(action[prop])) found.push({ place: `第 ${i + 1} 条逻辑的第 ${j + 1} 个动作`, logic: action[prop] });
      });
    });
  }
  return found;
}

/**
 * Simple conditions whose operator names a property every object inherits (`constructor`, `toString`, ...): core
 * looks the name up in a plain object and would throw on every submission of the form.
 */
function inheritedConditionOperatorsIn(component: FormComponent): string[] {
  const found: string[] = [];
  const check = (conditional: unknown, place: string): void => {
    const conditions = isObject(conditional) && Array.isArray(conditional.conditions) ? (conditional.conditions as unknown[]) : [];
    for (const condition of conditions) {
      const operator = isObject(condition) ? condition.operator : undefined;
      if (typeof operator === "string" && operator in Object.prototype) found.push(`${place}使用了未知的比较方式“${operator}”`);
    }
  };
  check(component.conditional, "显示条件");
  if (Array.isArray(component.logic))
    (component.logic as unknown[]).forEach((logic, i) => {
      if (isObject(logic) && isObject(logic.trigger)) check(logic.trigger.simple, `第 ${i + 1} 条逻辑的触发条件`);
    });
  return found;
}

/** Logic actions that merge a JSONLogic result into the component: the submitted data could rewrite its settings. */
function schemaMergesIn(component: FormComponent): string[] {
  if (!Array.isArray(component.logic)) return [];
  const found: string[] = [];
  (component.logic as unknown[]).forEach((logic, i) => {
    const actions = isObject(logic) && Array.isArray(logic.actions) ? (logic.actions as unknown[]) : [];
    actions.forEach((action, j) => {
      if (isObject(action) && isObject(action.schemaDefinition)) found.push(`第 ${i + 1} 条逻辑的第 ${j + 1} 个动作`);
    });
  });
  return found;
}

export interface CheckedDefinition {
  definition: FormDefinition;
  problems: ErrorDetail[];
}

/**
 * Normalizes a Form.io definition for storage and lists what makes it unacceptable: JavaScript anywhere,
 * unknown component types, bad or colliding keys, choices loaded from elsewhere. Normalizing forces the
 * server to check choices (onlyAvailableItems) and to recompute calculated values (calculateServer).
 */
export function checkDefinition(input: unknown): CheckedDefinition {
  const problems: ErrorDetail[] = [];
  if (!input || typeof input !== "object" || Array.isArray(input)) {
    return { definition: { components: [] }, problems: [{ path: "definition", message: "表单定义必须是 JSON 对象" }] };
  }
  const definition = structuredClone(input) as FormDefinition;
  if (!Array.isArray(definition.components)) {
    return { definition: { components: [] }, problems: [{ path: "components", message: "表单定义缺少组件列表（components）" }] };
  }
  if (definition.display !== undefined && definition.display !== "form") {
    problems.push({ path: "display", message: "只支持普通表单（display 为 form），不支持向导或 PDF 表单" });
  }
  for (const key of Object.keys(definition)) {
    if (PROTO_KEYS.has(key)) problems.push({ path: key, message: `表单定义中不允许出现键名“${key}”` });
  }
  // Form-level code the browser would run: a controller (JavaScript, or JSONLogic when an object) and a module.
  const controller = definition.controller;
  if (typeof controller === "string" && controller.trim() !== "") {
    problems.push({ path: "controller", message: "表单包含 JavaScript 代码（controller），不允许保存" });
  } else if (isObject(controller)) {
    for (const problem of jsonLogicProblems(controller))
      problems.push({ path: "controller", message: `表单的控制逻辑（controller）${problem}` });
  }
  if ((typeof definition.module === "string" && definition.module.trim() !== "") || isObject(definition.module)) {
    problems.push({ path: "module", message: "表单不能带有模块（module）：模块会在浏览器中运行代码" });
  }

  const walk = (components: FormComponent[], scopePath: string, scopeKeys: Map<string, string>, depth: number): void => {
    if (depth > 32) {
      problems.push({ path: scopePath || "components", message: "表单组件嵌套过深（超过 32 层）" });
      return;
    }
    for (const component of components) {
      if (!component || typeof component !== "object" || Array.isArray(component)) {
        problems.push({ path: scopePath || "components", message: "组件必须是 JSON 对象" });
        continue;
      }
      const key = component.key;
      const where = scopePath ? `${scopePath}.${String(key)}` : String(key);
      const name = nameOf(component);
      if (typeof key !== "string" || !KEY_PATTERN.test(key) || PROTO_KEYS.has(key)) {
        problems.push({ path: where, message: `组件${name}的键名无效：只能使用字母、数字、下划线和连字符，并以字母或下划线开头` });
      }
      if (typeof component.type !== "string" || !KNOWN_TYPES.has(component.type)) {
        problems.push({ path: where, message: `组件${name}的类型“${String(component.type)}”不受支持` });
        continue;
      }
      for (const place of javascriptIn(component)) {
        problems.push({ path: where, message: `组件${name}包含 JavaScript 代码（${place}），不允许保存；条件和计算请使用 JSONLogic` });
      }
      for (const { place, logic } of jsonLogicIn(component)) {
        for (const problem of jsonLogicProblems(logic)) problems.push({ path: where, message: `组件${name}的${place}${problem}` });
      }
      for (const problem of inheritedConditionOperatorsIn(component)) problems.push({ path: where, message: `组件${name}的${problem}` });
      for (const place of schemaMergesIn(component)) {
        problems.push({
          path: where,
          message: `组件${name}的${place}用 JSONLogic 合并组件设置（mergeComponentSchema），不允许保存：提交的数据可能借此改写组件的校验规则`,
        });
      }
      const dataKey = isInput(component) && typeof key === "string";
      if (dataKey) {
        const seen = scopeKeys.get(key);
        if (seen) problems.push({ path: where, message: `组件${name}的键名与${seen}重复` });
        else scopeKeys.set(key, name);
      }
      if (CHOICE_TYPES.has(component.type)) {
        component.validate = { ...(component.validate ?? {}), onlyAvailableItems: true };
        if (component.type === "select") {
          const src = component.dataSrc ?? "values";
          if (src !== "values")
            problems.push({ path: where, message: `下拉框${name}的选项只能直接列出（dataSrc 为 values），不能从网址、资源或代码加载` });
          component.dataSrc = "values";
        }
      }
      if (component.calculateValue !== undefined && component.calculateValue !== "" && component.calculateValue !== null) {
        component.calculateServer = true;
        component.allowCalculateOverride = false;
      }
      if (component.type === "file") {
        component.storage = "url";
        component.url = "/api/uploads";
        delete component.options;
      }
      if (typeof component.trigger === "object" && component.trigger !== null) {
        problems.push({ path: where, message: `组件${name}不允许在服务器端发起请求（trigger）` });
      }
      const children = childComponents(component);
      if (children.length) {
        const nested = NESTED_DATA_TYPES.has(component.type);
        walk(children, nested ? where : scopePath, nested ? new Map<string, string>() : scopeKeys, depth + 1);
      }
    }
  };
  walk(definition.components, "", new Map(), 0);
  return { definition, problems };
}

/** Calls fn for every input component with its data path (rows of a grid are marked with []). */
export function eachInput(components: FormComponent[], fn: (component: FormComponent, path: string) => void, prefix = ""): void {
  for (const component of components) {
    if (!component || typeof component !== "object") continue;
    const input = isInput(component) && typeof component.key === "string";
    const path = input ? (prefix ? `${prefix}.${component.key}` : component.key!) : prefix;
    if (input) fn(component, path);
    const children = childComponents(component);
    if (!children.length) continue;
    if (input && component.type === "datagrid") eachInput(children, fn, `${path}[]`);
    else eachInput(children, fn, path);
  }
}
