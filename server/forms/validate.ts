import type { Transaction } from "sequelize";
import type { Database } from "../db/database.js";
import { UploadedFile } from "../db/models/formModels.js";
import { nullWhenNotFound, ValidationError, type ErrorDetail } from "../errors.js";
import { formioProcess, formioProcessSync, PROCESSORS, SERVER_RULES } from "./core.js";
import { PROTO_KEYS, type FormComponent, type FormDefinition } from "./definition.js";
import { fillTemplate, ZH_ERRORS } from "./messages.js";
import { preparedDefinition } from "./nested.js";
import { checkAfterCore, checkTypes, componentAt, labelOf } from "./shapes.js";
import { getFormRevision } from "./store.js";
import { claimUniqueValues, hasUniqueField, isUniqueValue, uniqueValues } from "./unique.js";

export { MAX_ROWS, UPLOAD_URL } from "./shapes.js";
export const MAX_SUBMISSION_BYTES = 1024 * 1024;
export const MAX_DEPTH = 32;
export const MAX_NODES = 50_000;

export interface ValidateOptions {
  /** Type checks only (a draft); the final submit validates fully. */
  draft?: boolean;
  t?: Transaction;
  /** The submitting user: file references must be theirs. */
  userId?: number;
  /**
   * With t: check unique values against every other owner and claim this submission's under this reference
   * (replacing its earlier ones). Stored submissions claim theirs when recorded (recordSubmissionVersion) instead.
   */
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

interface CoreError {
  errorKeyOrMessage: string;
  ruleName?: string;
  context: { path?: string; component?: FormComponent; [k: string]: unknown };
}

/** Messages a designer wrote into the form, which core passes instead of an error key. */
function designerMessages(component: FormComponent): string[] {
  const out: string[] = [];
  for (const text of [
    component.validate?.customMessage,
    component.validate?.patternMessage,
    component.minSelectedCountMessage,
    component.maxSelectedCountMessage,
  ])
    if (typeof text === "string" && text.trim()) out.push(text);
  return out;
}

/**
 * One core error as a detail in Chinese: the component's own message for that rule when the designer wrote one (the
 * `errors` table, customMessage, patternMessage ...), else the Chinese template of core's key. Core's English never
 * reaches a user: an unknown key gets a Chinese catch-all.
 */
function toDetail(error: CoreError, components: FormComponent[]): ErrorDetail {
  const path = String(error.context.path ?? error.context.component?.key ?? "").replace(/\.(\d+)(?=\.|$)/g, "[$1]");
  const component = componentAt(components, path) ?? error.context.component ?? {};
  const field = labelOf(component) || path;
  const key = error.errorKeyOrMessage;
  const own = isPlainObject(component.errors) ? component.errors : {};
  let template: string;
  const ownMessage = own[key];
  if (typeof ownMessage === "string" && ownMessage.trim()) template = ownMessage;
  else if (Object.hasOwn(ZH_ERRORS, key)) template = ZH_ERRORS[key]!;
  else if (designerMessages(component).includes(key) || error.ruleName === "json") template = key;
  else template = "{{field}}的取值无效";
  const vars: Record<string, unknown> = { ...error.context, field };
  // Core formats a date limit with the component's English format (“11:59 PM UTC”): shown in China time instead.
  if ((key === "maxDate" || key === "minDate") && typeof error.context.setting === "string") {
    const limit = new Date(error.context.setting);
    if (!Number.isNaN(limit.getTime())) vars[key] = chinaTime(limit, component.widget && (component.widget as Json).enableTime === true);
  }
  return { path, message: fillTemplate(template, vars) };
}

const CHINA_DATE = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" });
const CHINA_TIME = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });

/** 2024-05-31, or 2024-05-31 08:00 with the time, in China Standard Time. */
function chinaTime(date: Date, withTime: unknown): string {
  return withTime ? `${CHINA_DATE.format(date)} ${CHINA_TIME.format(date)}` : CHINA_DATE.format(date);
}

function buildContext(definition: FormDefinition, data: Json, rules: unknown[], database?: unknown) {
  return {
    form: definition,
    submission: { data },
    components: structuredClone(definition.components),
    data,
    processors: PROCESSORS,
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

const SYNC_RULES = SERVER_RULES.filter((r) => r.name !== "validateUnique");

/**
 * Validates a submission against a pinned form revision exactly as the renderer would, plus the checks core alone
 * misses (types, row limits, required checkboxes, radio groups, file references). Returns the cleaned data (unknown
 * keys dropped, hidden values cleared, calculated values recomputed) or throws ValidationError with one Chinese detail
 * per field path. Unique fields are checked here only for a caller that names the owner (uniqueOwner); a stored
 * submission claims its unique values when recordSubmissionVersion stores it, in the same transaction.
 */
export async function validateSubmission(
  db: Database,
  ref: { formKey: string; revision?: number },
  data: unknown,
  options: ValidateOptions = {},
): Promise<Validated> {
  assertSafeSubmission(data);
  const form = await getFormRevision(db, ref.formKey, ref.revision, options.t);
  const definition = await preparedDefinition(db, form.definition, options.t);
  const input = structuredClone(data);

  const typeErrors: ErrorDetail[] = [];
  checkTypes(definition.components, input, "", typeErrors);
  if (typeErrors.length) throw new ValidationError("提交的内容有误，请按提示修改", typeErrors);

  const checkUnique = Boolean(options.uniqueOwner) && !options.draft && hasUniqueField(definition);
  const database = {
    isUnique: async (context: { path?: string }, value: unknown): Promise<boolean> => {
      const fieldPath = String(context.path ?? "").replace(/\[\d+\]|\.\d+(?=\.|$)/g, "[]");
      return isUniqueValue(ref.formKey, fieldPath, value, options.uniqueOwner, options.t);
    },
  };
  const ctx = buildContext(definition, input, options.draft ? [] : checkUnique ? SERVER_RULES : SYNC_RULES, database);
  // Only the unique rule needs the asynchronous pipeline (a database lookup); every other rule has the same
  // synchronous twin, which is what the browser runs, and is several times faster.
  const scope: { errors?: CoreError[] } = checkUnique ? await formioProcess(ctx as never) : formioProcessSync(ctx as never);
  const cleaned = ctx.data;
  if (options.draft) return { data: cleaned, revision: form.revision };

  const details = (scope.errors ?? []).map((e) => toDetail(e, definition.components));
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

  if (options.t && options.uniqueOwner && checkUnique) {
    await claimUniqueValues(ref.formKey, options.uniqueOwner, uniqueValues(definition.components, cleaned), options.t);
  }
  return { data: cleaned, revision: form.revision };
}

/**
 * Claims the unique values of a stored submission (called by recordSubmissionVersion inside the submission's
 * transaction): the owner is the submission, so a correction keeps its own values and anyone else's are refused.
 */
export async function claimSubmissionUniqueValues(
  db: Database,
  t: Transaction,
  input: { formKey: string; formRevision: number; ownerRef: string; data: Json },
): Promise<void> {
  const form = await getFormRevision(db, input.formKey, input.formRevision, t).catch(nullWhenNotFound);
  if (!form || !hasUniqueField(form.definition)) return;
  const definition = await preparedDefinition(db, form.definition, t);
  await claimUniqueValues(input.formKey, input.ownerRef, uniqueValues(definition.components, input.data), t);
}

/** One detail per path and message; a path core reports twice (two rules with one message) is shown once. */
function dedupe(details: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return details.filter((d) => {
    const k = `${d.path}\u0000${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
