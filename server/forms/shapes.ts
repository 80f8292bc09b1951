// The data shape of every accepted component, checked on the raw submission before @formio/core runs (core coerces
// and stores whatever it is given), and the limits core leaves out, checked on its cleaned data afterwards.
import type { ErrorDetail } from "../errors.js";
import { ROW_TYPES } from "./components.js";
import { childComponents, dataKeyOf, isInput, isRadioCheckbox, plainLabel, type FormComponent } from "./definition.js";
import { fillTemplate, ZH_ERRORS } from "./messages.js";

export const MAX_ROWS = 500;
/** A data map's keys and a tag are short texts. */
export const MAX_MAP_KEY_LENGTH = 200;
export const UPLOAD_URL = /^(?:https?:\/\/[^/]+)?\/api\/uploads\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

type Json = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);
const isScalar = (v: unknown): boolean => typeof v === "string" || isFiniteNumber(v) || typeof v === "boolean";
const asText = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : (JSON.stringify(v) ?? "");
const hasOwn = (o: Json, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** The label a message names a component by (its key when it has none). */
export function labelOf(component: FormComponent): string {
  return plainLabel(component) || String(dataKeyOf(component) ?? component.key ?? "");
}

function listValues(list: unknown): string[] {
  return (Array.isArray(list) ? (list as unknown[]) : []).map((o) => String(isPlainObject(o) ? o.value : undefined));
}

function choiceValues(component: FormComponent): string[] {
  return listValues(component.type === "select" ? component.data?.values : component.values);
}

/** The inputs of one data scope: the components themselves and those inside layout (panels, columns, tables...). */
function scopeInputs(components: FormComponent[], out: FormComponent[] = []): FormComponent[] {
  for (const component of components) {
    if (!component || typeof component !== "object") continue;
    if (isInput(component) && dataKeyOf(component) !== undefined) out.push(component);
    else scopeInputs(childComponents(component), out);
  }
  return out;
}

/** The radio-checkbox groups of a scope: name -> members (see dataKeyOf). */
function radioGroups(inputs: FormComponent[]): Map<string, FormComponent[]> {
  const groups = new Map<string, FormComponent[]>();
  for (const c of inputs) {
    if (!isRadioCheckbox(c)) continue;
    const name = c.name as string;
    groups.set(name, [...(groups.get(name) ?? []), c]);
  }
  return groups;
}

function groupLabel(members: FormComponent[]): string {
  return members.map(labelOf).find(Boolean) ?? String(members[0]?.name);
}

/** Checks one value against its component's data type; returns a Chinese message or null. */
export function typeProblem(component: FormComponent, value: unknown): string | null {
  const label = labelOf(component);
  if (value === null || value === undefined) return null;
  const one = (v: unknown): string | null => {
    switch (component.type) {
      case "textfield":
      case "phoneNumber":
        // With several input masks Form.io stores { value, maskName }.
        if (component.allowMultipleMasks && isPlainObject(v))
          return typeof v.value === "string" && (v.maskName === undefined || typeof v.maskName === "string") ? null : `${label}必须是文本`;
        return typeof v === "string" ? null : `${label}必须是文本`;
      case "textarea":
      case "email":
      case "url":
      case "signature":
        return typeof v === "string" ? null : `${label}必须是文本`;
      case "number":
      case "currency":
        return isFiniteNumber(v) || v === "" ? null : `${label}必须是数字`;
      case "checkbox":
        return typeof v === "boolean" ? null : `${label}必须是“是”或“否”（true / false）`;
      case "select":
      case "radio":
        if (!isScalar(v)) return `${label}必须是单个选项值`;
        return v === "" || choiceValues(component).includes(String(v)) ? null : `${label}的取值不在可选范围内`;
      case "datetime":
        return typeof v === "string" && (v === "" || (/^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v))))
          ? null
          : `${label}不是有效的日期`;
      case "day":
        // MM/DD/YYYY (DD/MM/YYYY with dayFirst; 00 for a part left out), or fewer parts when the form hides some.
        return typeof v === "string" && (v === "" || /^\d{1,4}(?:\/\d{1,4}){0,2}$/.test(v)) ? null : `${label}不是有效的日期`;
      case "time":
        return typeof v === "string" && (v === "" || /^\d{2}:\d{2}(:\d{2})?$/.test(v)) ? null : `${label}不是有效的时间`;
      case "hidden":
        return isScalar(v) ? null : `${label}必须是文本或数字`;
      default:
        return null;
    }
  };
  switch (component.type) {
    case "selectboxes": {
      if (!isPlainObject(value)) return `${label}必须是选项对象`;
      const allowed = choiceValues(component);
      for (const [k, v] of Object.entries(value)) {
        if (!allowed.includes(k)) return `${label}包含不在可选范围内的选项“${k.slice(0, 40)}”`;
        if (typeof v !== "boolean") return `${label}的每个选项必须是 true 或 false`;
      }
      return null;
    }
    case "file": {
      if (!Array.isArray(value)) return `${label}必须是文件列表`;
      for (const f of value) {
        if (!isPlainObject(f) || typeof f.url !== "string" || !UPLOAD_URL.test(f.url)) return `${label}只能引用通过本平台上传的文件`;
      }
      return null;
    }
    case "datagrid":
    case "editgrid":
      if (!Array.isArray(value)) return `${label}必须是表格行的列表`;
      if (value.length > MAX_ROWS) return `${label}不能超过 ${MAX_ROWS} 行`;
      return value.every(isPlainObject) ? null : `${label}的每一行必须是对象`;
    case "container":
      return isPlainObject(value) ? null : `${label}必须是对象`;
    case "form":
      if (!isPlainObject(value)) return `${label}必须是对象（{ data: {...} }）`;
      return value.data === undefined || isPlainObject(value.data) ? null : `${label}的 data 必须是对象`;
    case "survey": {
      if (!isPlainObject(value)) return `${label}必须是“问题 → 选项”的对象`;
      const questions = listValues(component.questions);
      const answers = listValues(component.values);
      for (const [q, a] of Object.entries(value)) {
        if (!questions.includes(q)) return `${label}包含不存在的问题“${q.slice(0, 40)}”`;
        if (a === "" || a === null) continue;
        if (!isScalar(a) || !answers.includes(asText(a))) return `${label}的问题“${q.slice(0, 40)}”的回答不在可选范围内`;
      }
      return null;
    }
    case "tags": {
      const tags = Array.isArray(value) ? value : typeof value === "string" ? null : undefined;
      if (tags === undefined) return `${label}必须是标签文本或标签列表`;
      if (tags) {
        if (tags.length > MAX_ROWS) return `${label}不能超过 ${MAX_ROWS} 个标签`;
        if (!tags.every((t) => typeof t === "string")) return `${label}的每个标签必须是文本`;
        if (tags.some((t) => t.length > MAX_MAP_KEY_LENGTH)) return `${label}的每个标签不能超过 ${MAX_MAP_KEY_LENGTH} 个字符`;
      }
      return null;
    }
    case "datamap": {
      if (!isPlainObject(value)) return `${label}必须是“键 → 值”的对象`;
      const keys = Object.keys(value);
      if (keys.length > MAX_ROWS) return `${label}不能超过 ${MAX_ROWS} 项`;
      const valueComponent = (isPlainObject(component.valueComponent) ? component.valueComponent : { type: "textfield" }) as FormComponent;
      for (const k of keys) {
        if (k === "") return `${label}的键不能为空`;
        if (k.length > MAX_MAP_KEY_LENGTH) return `${label}的键不能超过 ${MAX_MAP_KEY_LENGTH} 个字符`;
        const problem = typeProblem({ ...valueComponent, label: `${label}的“${k.slice(0, 40)}”`, multiple: false }, value[k]);
        if (problem) return problem;
      }
      return null;
    }
    default:
      break;
  }
  if (component.multiple) {
    if (!Array.isArray(value)) return component.type === "select" ? `${label}必须是选项列表` : `${label}必须是列表`;
    if (value.length > MAX_ROWS) return `${label}不能超过 ${MAX_ROWS} 个值`;
    for (const v of value) {
      const p = one(v);
      if (p) return p;
    }
    return null;
  }
  return one(value);
}

/**
 * Removes what Form.io's own renderer sends that means nothing, so that the browser's data passes: unchecked options
 * that are not listed in a selectboxes value (the builder's default `{"": false}`), empty rows of a data map.
 */
function tidy(component: FormComponent, data: Json, key: string): void {
  const value = data[key];
  if (component.type === "selectboxes" && isPlainObject(value)) {
    const allowed = new Set(choiceValues(component));
    for (const [k, v] of Object.entries(value)) if (!allowed.has(k) && v === false) delete value[k];
  } else if (component.type === "datamap" && isPlainObject(value) && hasOwn(value, "")) {
    const v = value[""];
    if (v === "" || v === null || v === undefined) delete value[""];
  }
}

/** Walks data beside the components, collecting type errors with their data paths (e.g. staff[0].name). */
export function checkTypes(components: FormComponent[], data: Json, prefix: string, errors: ErrorDetail[]): void {
  const inputs = scopeInputs(components);
  for (const [name, members] of radioGroups(inputs)) {
    if (!hasOwn(data, name)) continue;
    const value = data[name];
    const path = prefix ? `${prefix}.${name}` : name;
    const allowed = members.map((m) => String(m.value));
    if (value === null || value === "" || value === false) continue;
    if (!isScalar(value) || !allowed.includes(asText(value))) {
      errors.push({ path, message: `${groupLabel(members)}只能选择列出的选项之一` });
    }
  }
  for (const component of inputs) {
    if (isRadioCheckbox(component)) continue;
    const key = dataKeyOf(component)!;
    const path = prefix ? `${prefix}.${key}` : key;
    if (!hasOwn(data, key)) continue;
    tidy(component, data, key);
    const value = data[key];
    const problem = typeProblem(component, value);
    if (problem) {
      errors.push({ path, message: problem });
      continue;
    }
    const children = childComponents(component);
    if (ROW_TYPES.has(String(component.type)) && Array.isArray(value)) {
      value.forEach((row, i) => checkTypes(children, row as Json, `${path}[${i}]`, errors));
    } else if (component.type === "container" && isPlainObject(value)) {
      checkTypes(children, value, path, errors);
    } else if (component.type === "form" && isPlainObject(value) && isPlainObject(value.data)) {
      checkTypes(children, value.data, `${path}.data`, errors);
    }
  }
}

const required = (component: FormComponent): boolean => component.validate?.required === true;

/**
 * The checks core leaves out, on the cleaned data: row limits of grids and data maps, tag limits, a required checkbox
 * is true, a required survey answers every question, a radio-checkbox group holds one of its values, a nested form's
 * value is just its data, uploaded files that exist.
 */
export function checkAfterCore(
  components: FormComponent[],
  data: Json,
  prefix: string,
  errors: ErrorDetail[],
  files: { path: string; id: string }[],
): void {
  const inputs = scopeInputs(components);
  const at = (key: string): string => (prefix ? `${prefix}.${key}` : key);
  const add = (path: string, message: string): void => {
    if (!errors.some((e) => e.path === path)) errors.push({ path, message });
  };
  for (const [name, members] of radioGroups(inputs)) {
    const value = data[name];
    const allowed = members.map((m) => String(m.value));
    const empty = value === undefined || value === null || value === "" || value === false;
    if (empty && members.some(required)) add(at(name), fillTemplate(ZH_ERRORS.required!, { field: groupLabel(members) }));
    if (!empty && !(isScalar(value) && allowed.includes(asText(value)))) add(at(name), `${groupLabel(members)}只能选择列出的选项之一`);
  }
  for (const component of inputs) {
    if (isRadioCheckbox(component)) continue;
    const key = dataKeyOf(component)!;
    const path = at(key);
    const value = data[key];
    const label = labelOf(component);
    const present = hasOwn(data, key);
    const children = childComponents(component);
    const min = Number(component.validate?.minLength ?? 0) || 0;
    const max = Number(component.validate?.maxLength ?? 0) || 0;
    switch (component.type) {
      case "datagrid":
      case "editgrid":
        if (!Array.isArray(value)) break;
        if (min > 0 && value.length < min) add(path, `${label}至少需要 ${min} 行`);
        if (max > 0 && value.length > max) add(path, `${label}最多只能有 ${max} 行`);
        value.forEach((row, i) => isPlainObject(row) && checkAfterCore(children, row, `${path}[${i}]`, errors, files));
        break;
      case "datamap":
        if (!isPlainObject(value)) break;
        if (min > 0 && Object.keys(value).length < min) add(path, `${label}至少需要 ${min} 项`);
        if (max > 0 && Object.keys(value).length > max) add(path, `${label}最多只能有 ${max} 项`);
        if (required(component) && Object.keys(value).length === 0) add(path, fillTemplate(ZH_ERRORS.required!, { field: label }));
        break;
      case "tags": {
        const count = Array.isArray(value)
          ? value.length
          : typeof value === "string" && value !== ""
            ? value.split(typeof component.delimeter === "string" && component.delimeter ? component.delimeter : ",").filter(Boolean).length
            : 0;
        const maxTags = Number(component.maxTags ?? 0) || 0;
        if (maxTags > 0 && count > maxTags) add(path, `${label}最多只能有 ${maxTags} 个标签`);
        break;
      }
      case "survey":
        if (required(component) && present) {
          const answered = isPlainObject(value) ? value : {};
          const missing = listValues(component.questions).filter(
            (q) => answered[q] === undefined || answered[q] === "" || answered[q] === null,
          );
          if (missing.length) add(path, `${label}的每个问题都必须回答`);
        }
        break;
      case "container":
        if (isPlainObject(value)) checkAfterCore(children, value, path, errors, files);
        break;
      case "form":
        if (isPlainObject(value)) {
          // Only the nested data is kept: no _id, form, owner or state from the browser.
          const nested = isPlainObject(value.data) ? value.data : {};
          for (const k of Object.keys(value)) if (k !== "data") delete value[k];
          value.data = nested;
          checkAfterCore(children, nested, `${path}.data`, errors, files);
        }
        break;
      case "checkbox":
        if (required(component) && present && value !== true) add(path, fillTemplate(ZH_ERRORS.required!, { field: label }));
        break;
      case "file":
        if (!Array.isArray(value)) break;
        value.forEach((f, i) => {
          const id = UPLOAD_URL.exec(String((f as Json).url))?.[1];
          if (!id) return;
          files.push({ path: `${path}[${i}]`, id });
          // Stored as this platform's own path whatever host the browser named: a reviewer never follows a link elsewhere.
          (f as Json).url = `/api/uploads/${id}`;
        });
        break;
      default:
        if (component.multiple && Array.isArray(value) && TEXT_TYPES.has(String(component.type)))
          checkEachText(component, value, path, add);
        break;
    }
  }
}

const TEXT_TYPES = new Set(["textfield", "textarea", "email", "url", "phoneNumber"]);

/**
 * Length and pattern of each value of a multiple text field: core 2.8 decides whether to run those rules on the whole
 * list (not a string, so never), and the browser, running the same core, does not check them either.
 */
function checkEachText(component: FormComponent, values: unknown[], path: string, add: (path: string, message: string) => void): void {
  const label = labelOf(component);
  const minLength = Number(component.validate?.minLength ?? 0) || 0;
  const maxLength = Number(component.validate?.maxLength ?? 0) || 0;
  const pattern = typeof component.validate?.pattern === "string" ? component.validate.pattern : "";
  let regex: RegExp | null = null;
  try {
    regex = pattern ? new RegExp(`^${pattern}$`) : null;
  } catch {
    regex = null;
  }
  values.forEach((v, i) => {
    if (typeof v !== "string" || v === "") return;
    const at = `${path}[${i}]`;
    if (minLength && v.length < minLength) add(at, fillTemplate(ZH_ERRORS.minLength!, { field: label, length: minLength }));
    else if (maxLength && v.length > maxLength) add(at, fillTemplate(ZH_ERRORS.maxLength!, { field: label, length: maxLength }));
    else if (regex && !regex.test(v)) {
      const custom = component.validate?.patternMessage;
      add(at, typeof custom === "string" && custom.trim() ? custom : fillTemplate(ZH_ERRORS.pattern!, { field: label }));
    }
  });
}

/** The components with their labels by data path (rows as [n]), for messages about paths core reports. */
export function componentAt(components: FormComponent[], path: string): FormComponent | undefined {
  const parts = path.split(/\.|\[\d+\]/).filter(Boolean);
  let scope = components;
  let found: FormComponent | undefined;
  for (const part of parts) {
    if (found?.type === "form" && part === "data") continue;
    found = scopeInputs(scope).find((c) => dataKeyOf(c) === part);
    if (!found) return undefined;
    scope = childComponents(found);
  }
  return found;
}
