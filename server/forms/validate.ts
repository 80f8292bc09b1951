import { createHash } from "node:crypto";
import { Op, UniqueConstraintError, type Transaction } from "sequelize";
import type { Database } from "../db/database.js";
import { SubmissionUniqueValue, UploadedFile } from "../db/models/formModels.js";
import { ValidationError, type ErrorDetail } from "../errors.js";
import { formioProcess, formioProcessSync, Processors, SERVER_RULES } from "./core.js";
import { childComponents, isInput, PROTO_KEYS, type FormComponent, type FormDefinition } from "./definition.js";
import { fillTemplate, ZH_ERRORS } from "./messages.js";
import { getFormRevision } from "./store.js";

export const MAX_SUBMISSION_BYTES = 1024 * 1024;
export const MAX_DEPTH = 32;
export const MAX_NODES = 50_000;
export const MAX_ROWS = 500;
export const UPLOAD_URL = /^(?:https?:\/\/[^/]+)?\/api\/uploads\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export interface ValidateOptions {
  /** Type checks only (a draft); the final submit validates fully. */
  draft?: boolean;
  t?: Transaction;
  /** The submitting user: file references must be theirs. */
  userId?: number;
  /** With t: record this submission's unique values under this reference (replacing earlier ones). */
  uniqueOwner?: string;
}

export interface Validated {
  data: Record<string, unknown>;
  revision: number;
}

type Json = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Refuses what must never reach the form engine: a non-object, keys that pollute prototypes, nesting deeper
 * than MAX_DEPTH, more than MAX_NODES values or more than MAX_SUBMISSION_BYTES. Iterative, so 10,000 levels
 * of nesting cannot exhaust the stack.
 */
export function assertSafeSubmission(data: unknown): asserts data is Json {
  if (!isPlainObject(data))
    throw new ValidationError("提交的数据必须是 JSON 对象", [{ path: "data", message: "提交的数据必须是 JSON 对象" }]);
  const stack: [unknown, string, number][] = [[data, "", 0]];
  let nodes = 0;
  while (stack.length) {
    const [value, path, depth] = stack.pop()!;
    if (++nodes > MAX_NODES)
      throw new ValidationError("提交的数据项过多", [{ path: path || "data", message: `提交的数据项不能超过 ${MAX_NODES} 个` }]);
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_DEPTH) {
      throw new ValidationError("提交的数据嵌套过深", [{ path: path || "data", message: `数据嵌套不能超过 ${MAX_DEPTH} 层` }]);
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push([v, `${path}[${i}]`, depth + 1]));
      continue;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
      throw new ValidationError("提交的数据格式无效", [{ path: path || "data", message: "只接受 JSON 数据" }]);
    }
    for (const key of Object.keys(value)) {
      const child = path ? `${path}.${key}` : key;
      if (PROTO_KEYS.has(key))
        throw new ValidationError("提交的数据包含不允许的键名", [{ path: child, message: `不允许使用键名“${key}”` }]);
      stack.push([(value as Json)[key], child, depth + 1]);
    }
  }
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_SUBMISSION_BYTES) {
    throw new ValidationError("提交的数据过大", [{ path: "data", message: `提交的数据不能超过 ${MAX_SUBMISSION_BYTES / 1024 / 1024} MB` }]);
  }
}

function labelOf(component: FormComponent): string {
  return typeof component.label === "string" && component.label.trim() ? component.label.trim() : String(component.key);
}

const isFiniteNumber = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);
const isScalar = (v: unknown): boolean => typeof v === "string" || isFiniteNumber(v) || typeof v === "boolean";

function choiceValues(component: FormComponent): string[] {
  const list = component.type === "select" ? (component.data?.values as { value?: unknown }[] | undefined) : component.values;
  return (Array.isArray(list) ? list : []).map((o) => String(o?.value));
}

/** Checks one value against its component's data type; returns a Chinese message or null. */
function typeProblem(component: FormComponent, value: unknown): string | null {
  const label = labelOf(component);
  if (value === null || value === undefined) return null;
  const one = (v: unknown): string | null => {
    switch (component.type) {
      case "textfield":
      case "textarea":
      case "email":
      case "url":
      case "phoneNumber":
      case "signature":
        return typeof v === "string" ? null : `${label}必须是文本`;
      case "number":
      case "currency":
        return isFiniteNumber(v) ? null : `${label}必须是数字`;
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
        return typeof v === "string" ? null : `${label}不是有效的日期`;
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
        if (!allowed.includes(k)) return `${label}包含不在可选范围内的选项“${k}”`;
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
      if (!Array.isArray(value)) return `${label}必须是表格行的列表`;
      if (value.length > MAX_ROWS) return `${label}不能超过 ${MAX_ROWS} 行`;
      return value.every(isPlainObject) ? null : `${label}的每一行必须是对象`;
    case "container":
      return isPlainObject(value) ? null : `${label}必须是对象`;
    default:
      break;
  }
  if (component.multiple && component.type !== "select") {
    if (!Array.isArray(value)) return `${label}必须是列表`;
    for (const v of value) {
      const p = one(v);
      if (p) return p;
    }
    return null;
  }
  if (component.type === "select" && component.multiple) {
    if (!Array.isArray(value)) return `${label}必须是选项列表`;
    for (const v of value) {
      const p = one(v);
      if (p) return p;
    }
    return null;
  }
  return one(value);
}

/** Walks data beside the components, collecting type errors with their data paths (e.g. staff[0].name). */
function checkTypes(components: FormComponent[], data: Json, prefix: string, errors: ErrorDetail[]): void {
  for (const component of components) {
    if (!component || typeof component !== "object") continue;
    const children = childComponents(component);
    if (!isInput(component) || typeof component.key !== "string") {
      if (children.length) checkTypes(children, data, prefix, errors);
      continue;
    }
    const path = prefix ? `${prefix}.${component.key}` : component.key;
    if (!Object.prototype.hasOwnProperty.call(data, component.key)) continue;
    const value = data[component.key];
    const problem = typeProblem(component, value);
    if (problem) {
      errors.push({ path, message: problem });
      continue;
    }
    if (component.type === "datagrid" && Array.isArray(value)) {
      value.forEach((row, i) => checkTypes(children, row as Json, `${path}[${i}]`, errors));
    } else if (component.type === "container" && isPlainObject(value)) {
      checkTypes(children, value, path, errors);
    }
  }
}

/** The checks core leaves out, on the cleaned data: row limits, required checkboxes, uploaded files that exist. */
function checkAfterCore(
  components: FormComponent[],
  data: Json,
  prefix: string,
  errors: ErrorDetail[],
  files: { path: string; id: string }[],
): void {
  for (const component of components) {
    if (!component || typeof component !== "object") continue;
    const children = childComponents(component);
    if (!isInput(component) || typeof component.key !== "string") {
      if (children.length) checkAfterCore(children, data, prefix, errors, files);
      continue;
    }
    const path = prefix ? `${prefix}.${component.key}` : component.key;
    const value = data[component.key];
    const label = labelOf(component);
    const present = Object.prototype.hasOwnProperty.call(data, component.key);
    if (component.type === "datagrid" && Array.isArray(value)) {
      const min = Number(component.validate?.minLength ?? 0);
      const max = Number(component.validate?.maxLength ?? 0);
      if (min > 0 && value.length < min) errors.push({ path, message: `${label}至少需要 ${min} 行` });
      if (max > 0 && value.length > max) errors.push({ path, message: `${label}最多只能有 ${max} 行` });
      value.forEach((row, i) => isPlainObject(row) && checkAfterCore(children, row, `${path}[${i}]`, errors, files));
    } else if (component.type === "container" && isPlainObject(value)) {
      checkAfterCore(children, value, path, errors, files);
    } else if (component.type === "checkbox" && component.validate?.required && present && value !== true) {
      if (!errors.some((e) => e.path === path)) errors.push({ path, message: fillTemplate(ZH_ERRORS.required!, { field: label }) });
    } else if (component.type === "file" && Array.isArray(value)) {
      value.forEach((f, i) => {
        const id = UPLOAD_URL.exec(String((f as Json).url))?.[1];
        if (!id) return;
        files.push({ path: `${path}[${i}]`, id });
        // Stored as this platform's own path whatever host the browser named: a reviewer never follows a link elsewhere.
        (f as Json).url = `/api/uploads/${id}`;
      });
    }
  }
}

interface CoreError {
  errorKeyOrMessage: string;
  context: { path?: string; component?: FormComponent; [k: string]: unknown };
}

function toDetail(error: CoreError): ErrorDetail {
  const component = error.context.component ?? {};
  const field = labelOf(component);
  const custom = typeof component.validate?.customMessage === "string" ? component.validate.customMessage : "";
  const template = custom || ZH_ERRORS[error.errorKeyOrMessage] || "{{field}}的取值无效";
  const path = String(error.context.path ?? component.key ?? "").replace(/\.(\d+)(?=\.|$)/g, "[$1]");
  return { path, message: fillTemplate(template, { ...error.context, field }) };
}

const uniqueFieldCache = new WeakMap<FormDefinition, boolean>();

/** Whether any component of the form asks for a unique value (cached per stored definition). */
function hasUniqueField(definition: FormDefinition): boolean {
  let known = uniqueFieldCache.get(definition);
  if (known === undefined) {
    known = false;
    const visit = (components: FormComponent[]): void => {
      for (const c of components) {
        if (c && typeof c === "object") {
          if (c.unique) known = true;
          visit(childComponents(c));
        }
      }
    };
    visit(definition.components);
    uniqueFieldCache.set(definition, known);
  }
  return known;
}

function uniqueHash(formKey: string, fieldPath: string, value: unknown): string {
  const normalized = typeof value === "string" ? value.trim().toLowerCase() : JSON.stringify(value);
  return createHash("sha256").update(`${formKey}\u0000${fieldPath}\u0000${normalized}`).digest("hex");
}

function buildContext(definition: FormDefinition, data: Json, rules: unknown[], database?: unknown) {
  return {
    form: definition,
    submission: { data },
    components: structuredClone(definition.components),
    data,
    processors: Processors,
    rules,
    scope: {} as { errors?: CoreError[] },
    config: { server: true, database },
    // No server-side requests, whatever a form says.
    fetch: () => Promise.reject(new Error("fetch is disabled on the server")),
  };
}

/** Runs @formio/core alone (no extra checks) on a copy of data: the benchmark's reference. */
export function coreOnlySync(definition: FormDefinition, data: Json): { data: Json; errors: number } {
  const ctx = buildContext(
    definition,
    structuredClone(data),
    SERVER_RULES.filter((r) => r.name !== "validateUnique"),
  );
  const scope: { errors?: unknown[] } = formioProcessSync(ctx as never);
  return { data: ctx.data, errors: scope.errors?.length ?? 0 };
}

/**
 * Validates a submission against a pinned form revision exactly as the renderer would, plus the checks
 * core alone misses (types, row limits, required checkboxes, file references, unique values through the
 * database). Returns the cleaned data (unknown keys dropped, hidden values cleared, calculated values
 * recomputed) or throws ValidationError with one Chinese detail per field path.
 */
export async function validateSubmission(
  db: Database,
  ref: { formKey: string; revision?: number },
  data: unknown,
  options: ValidateOptions = {},
): Promise<Validated> {
  assertSafeSubmission(data);
  const form = await getFormRevision(db, ref.formKey, ref.revision, options.t);
  const definition = form.definition;
  const input = structuredClone(data);

  const typeErrors: ErrorDetail[] = [];
  checkTypes(definition.components, input, "", typeErrors);
  if (typeErrors.length) throw new ValidationError("提交的内容有误，请按提示修改", typeErrors);

  const uniqueFields: { path: string; value: unknown }[] = [];
  const database = {
    isUnique: async (context: { path?: string }, value: unknown): Promise<boolean> => {
      const fieldPath = String(context.path ?? "");
      uniqueFields.push({ path: fieldPath, value });
      const where: Record<string | symbol, unknown> = {
        formKey: ref.formKey,
        fieldPath,
        valueHash: uniqueHash(ref.formKey, fieldPath, value),
      };
      if (options.uniqueOwner) where.ownerRef = { [Op.ne]: options.uniqueOwner };
      return (await SubmissionUniqueValue.count({ where, transaction: options.t })) === 0;
    },
  };
  const ctx = buildContext(definition, input, options.draft ? [] : SERVER_RULES, database);
  // Only the unique rule needs the asynchronous pipeline (a database lookup); every other rule has the
  // same synchronous twin, which is what the browser runs, and is several times faster.
  const scope: { errors?: CoreError[] } = hasUniqueField(definition) ? await formioProcess(ctx as never) : formioProcessSync(ctx as never);
  const cleaned = ctx.data;
  if (options.draft) return { data: cleaned, revision: form.revision };

  const details = (scope.errors ?? []).map(toDetail);
  const files: { path: string; id: string }[] = [];
  checkAfterCore(definition.components, cleaned, "", details, files);
  if (files.length) {
    const rows = await UploadedFile.findAll({ where: { id: [...new Set(files.map((f) => f.id))] }, transaction: options.t });
    const known = new Map(rows.map((r) => [r.id, r]));
    for (const f of files) {
      const row = known.get(f.id);
      if (!row || (options.userId !== undefined && row.ownerUserId !== options.userId)) {
        details.push({ path: f.path, message: "引用的文件不存在或不是您上传的，请重新上传" });
      }
    }
  }
  if (details.length) throw new ValidationError("提交的内容有误，请按提示修改", dedupe(details));

  if (options.t && options.uniqueOwner && uniqueFields.length) {
    await recordUniqueValues(ref.formKey, options.uniqueOwner, uniqueFields, options.t);
  }
  return { data: cleaned, revision: form.revision };
}

function dedupe(details: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return details.filter((d) => {
    const k = `${d.path}\u0000${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Claims a submission's unique values inside the caller's transaction; the unique index settles races. */
async function recordUniqueValues(
  formKey: string,
  ownerRef: string,
  fields: { path: string; value: unknown }[],
  t: Transaction,
): Promise<void> {
  await SubmissionUniqueValue.destroy({ where: { ownerRef, formKey }, transaction: t });
  for (const f of fields) {
    try {
      await SubmissionUniqueValue.create(
        { formKey, fieldPath: f.path, valueHash: uniqueHash(formKey, f.path, f.value), ownerRef },
        { transaction: t },
      );
    } catch (err) {
      if (err instanceof UniqueConstraintError) {
        throw new ValidationError("提交的内容有误，请按提示修改", [{ path: f.path, message: "该值已被其他申请使用，必须唯一" }]);
      }
      throw err;
    }
  }
}
