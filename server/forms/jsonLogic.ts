// JSONLogic in forms: the operators a form may use, the check a form must pass when saved, and the lock put on the
// jsonLogic instance that evaluates it. No @formio/core import here: routes serve the list to the browser.

/**
 * The operators a form's JSONLogic may use: the JSONLogic standard set without `log` (it writes to the console) and
 * the Form.io ones that only read data. @formio/core also registers about 240 lodash functions as `_name` operators;
 * `_invoke`, `_invokeMap`, `_method`, `_result`, `_property`... reach functions and prototypes and run code, so none
 * is allowed except two that only compute a number or a string from data: `_size` (the rows of a grid, the length of
 * a text) and `_camelCase`, which Form.io's own builder uses to derive a tab's key from its label.
 */
export const JSONLOGIC_OPERATORS = [
  // reading data
  "var",
  "missing",
  "missing_some",
  // logic and comparison
  "if",
  "?:",
  "==",
  "===",
  "!=",
  "!==",
  "!",
  "!!",
  "or",
  "and",
  ">",
  ">=",
  "<",
  "<=",
  // numbers
  "max",
  "min",
  "+",
  "-",
  "*",
  "/",
  "%",
  // arrays
  "map",
  "reduce",
  "filter",
  "all",
  "none",
  "some",
  "merge",
  "in",
  // strings
  "cat",
  "substr",
  // Form.io: dates relative to the value or to today
  "getDate",
  "relativeMinDate",
  "relativeMaxDate",
  // lodash, reading only
  "_size",
  "_camelCase",
] as const;

const ALLOWED = new Set<string>(JSONLOGIC_OPERATORS);
const PROTO_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);
/** Operators whose arguments are data paths, read like `var`. */
const PATH_OPERATORS = new Set(["var", "missing", "missing_some"]);
export const MAX_LOGIC_DEPTH = 64;
export const MAX_LOGIC_NODES = 10_000;

const shown = (value: unknown): string => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

/** Every string in a value (a path may be written as an array, or computed from strings). */
function stringsIn(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > MAX_LOGIC_DEPTH) return out;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out, depth + 1);
  else if (value && typeof value === "object") for (const v of Object.values(value)) stringsIn(v, out, depth + 1);
  return out;
}

/**
 * Lists what makes a JSONLogic expression unacceptable, as Chinese phrases that follow "组件…的计算值": every operator
 * not on JSONLOGIC_OPERATORS and every data path (in `var`, its default, `missing`, `missing_some`; string or array
 * form) with a segment `constructor`, `__proto__` or `prototype`. Every single-key object counts as an operator, also
 * inside literal objects, as json-logic-js would read it. An empty list means the expression only reads and compares.
 */
export function jsonLogicProblems(logic: unknown): string[] {
  const problems = new Set<string>();
  let nodes = 0;
  const checkPaths = (args: unknown): void => {
    for (const path of stringsIn(args)) {
      const bad = path.split(".").find((segment) => PROTO_SEGMENTS.has(segment));
      if (bad) problems.add(`读取了不允许的数据路径“${shown(path)}”：路径中不能出现 constructor、__proto__ 或 prototype`);
    }
  };
  const walk = (node: unknown, depth: number): void => {
    if (depth > MAX_LOGIC_DEPTH) {
      problems.add(`嵌套过深：JSONLogic 不能超过 ${MAX_LOGIC_DEPTH} 层`);
      return;
    }
    if (++nodes > MAX_LOGIC_NODES) {
      problems.add(`过于复杂：JSONLogic 不能超过 ${MAX_LOGIC_NODES} 个节点`);
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) walk(item, depth + 1);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const op = keys[0]!;
      const args = (node as Record<string, unknown>)[op];
      if (!ALLOWED.has(op)) problems.add(`使用了不允许的 JSONLogic 运算符 ${shown(op)}：只能使用标准的数据读取与比较运算符`);
      if (PATH_OPERATORS.has(op)) checkPaths(args);
      walk(args, depth + 1);
      return;
    }
    for (const key of keys) {
      if (PROTO_SEGMENTS.has(key)) problems.add(`包含不允许的键名“${key}”`);
      walk((node as Record<string, unknown>)[key], depth + 1);
    }
  };
  walk(logic, 0);
  return [...problems];
}

/**
 * `var` that reads own properties only: the same paths as json-logic-js (`data.a.0.b`, a default when missing), but
 * never a prototype's property (`constructor`, `__proto__`, `toString`) and never a function.
 */
export function ownVar(this: unknown, path?: unknown, fallback?: unknown): unknown {
  return readOwn(this, path, fallback);
}

function readOwn(data: unknown, path: unknown, fallback: unknown): unknown {
  const notFound = fallback === undefined ? null : fallback;
  if (path === undefined || path === null || path === "") return data;
  let value = data;
  // As json-logic-js reads a path: the text of whatever the path evaluated to (an array joins with commas).
  const text = typeof path === "string" ? path : typeof path === "number" ? String(path) : Array.isArray(path) ? path.join(",") : undefined;
  if (text === undefined) return notFound;
  for (const key of text.split(".")) {
    if (value === null || value === undefined) return notFound;
    if (typeof value !== "object" && typeof value !== "string") return notFound;
    // Object.hasOwn boxes a string: its indexes and length are its own.
    if (PROTO_SEGMENTS.has(key) || !Object.hasOwn(value as object, key)) return notFound;
    value = (value as Record<string, unknown>)[key];
    if (value === undefined) return notFound;
  }
  return typeof value === "function" ? notFound : value;
}

/** `in` for what JSONLogic means by it (a string or an array), instead of calling any object's indexOf. */
export function safeIn(needle: unknown, haystack: unknown): boolean {
  if (typeof haystack === "string") return haystack.indexOf(String(needle)) !== -1;
  if (Array.isArray(haystack)) return haystack.indexOf(needle) !== -1;
  return false;
}

/** The parts of a json-logic-js instance the lock uses. */
export interface JsonLogicInstance {
  apply(logic: unknown, data?: unknown): unknown;
  add_operation(name: string, code: (...args: never[]) => unknown): void;
  rm_operation(name: string): void;
}

export interface LockedJsonLogic {
  /** The operators the instance had when locked, as found on it. */
  registered: string[];
  /** The registered operators not on the allowlist, removed from it. */
  removed: string[];
}

const LOCKED = Symbol.for("xinyong.jsonLogic.locked");

/**
 * json-logic-js keeps its operations in a closure and cannot list them, but its dispatch asks
 * `operations.hasOwnProperty(op)`: one evaluation with a watching hasOwnProperty (put back at once) shows the object.
 */
function operationsOf(instance: JsonLogicInstance): Record<string, unknown> | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(Object.prototype, "hasOwnProperty")!;
  let found: Record<string, unknown> | undefined;
  const watching = function (this: object, key: PropertyKey): boolean {
    if (!found && Object.hasOwn(this, "missing_some") && Object.hasOwn(this, "==")) found = this as Record<string, unknown>;
    return Object.hasOwn(this, key);
  };
  Object.defineProperty(Object.prototype, "hasOwnProperty", { ...descriptor, value: watching });
  try {
    instance.apply({ var: "" }, {});
  } finally {
    Object.defineProperty(Object.prototype, "hasOwnProperty", descriptor);
  }
  return found;
}

/**
 * Locks a jsonLogic instance to JSONLOGIC_OPERATORS, whatever a stored form says: removes every other operator
 * registered on it, replaces `var` and `in` with own-property versions, refuses any other operator at every level of
 * an evaluation (dotted names such as `var.constructor` included) and refuses operators added later. Idempotent.
 */
export function lockJsonLogic(instance: JsonLogicInstance): LockedJsonLogic {
  const target = instance as JsonLogicInstance & { [LOCKED]?: LockedJsonLogic };
  if (target[LOCKED]) return target[LOCKED];
  const registered = Object.keys(operationsOf(instance) ?? {});
  const removed = registered.filter((name) => !ALLOWED.has(name));
  for (const name of removed) instance.rm_operation(name);
  instance.add_operation("var", ownVar);
  instance.add_operation("in", safeIn);

  // json-logic-js recurses through instance.apply, so this guard sees every level of an expression.
  const apply = instance.apply.bind(instance);
  instance.apply = (logic: unknown, data?: unknown): unknown => {
    if (logic !== null && typeof logic === "object" && !Array.isArray(logic)) {
      const keys = Object.keys(logic);
      if (keys.length === 1 && !ALLOWED.has(keys[0]!)) throw new Error(`JSONLogic operator not allowed: ${shown(keys[0])}`);
    }
    return apply(logic, data);
  };
  const add = instance.add_operation.bind(instance);
  instance.add_operation = (name, code) => {
    if (!ALLOWED.has(name)) throw new Error(`JSONLogic operator not allowed: ${shown(name)}`);
    add(name, code);
  };
  const locked = { registered, removed };
  Object.defineProperty(target, LOCKED, { value: locked });
  return locked;
}
