// The engine's only expression evaluator. bpmn-elements' default resolver walks any property path and calls
// functions on the way (`${environment.constructor.constructor(...)}` built a Function); this one reads
// variable paths through own properties of plain data and nothing else. The deploy checks and the runtime use
// the same parser, so what deploys is exactly what can run.

/** A `${...}` placeholder as this platform accepts it. */
export type ParsedExpression =
  { kind: "literal"; value: boolean | number | null } | { kind: "path"; scope: "variables" | "message"; segments: (string | number)[] };

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpressionError";
  }
}

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const IDENTIFIER = /^[A-Za-z_$\u4e00-\u9fff][\w$\u4e00-\u9fff]*$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
/** Names that lead from data to code in JavaScript; refused even where an own property could carry them. */
const FORBIDDEN = new Set(["constructor", "__proto__", "prototype", "__defineGetter__", "__defineSetter__", "__lookupGetter__"]);
/** Roots that name the engine's message rather than process variables (bpmn-elements' own scope). */
const MESSAGE_ROOTS = new Set(["content", "properties", "fields"]);
const MAX_SEGMENTS = 32;

export const EXPRESSION_HINT = "只能引用变量路径，例如 ${approved}、${applicant.name} 或 ${items[0]}；判断和计算请用 FEEL 条件";

/** Splits `a.b[0].c` into segments; null when it is not a plain path. */
function pathSegments(text: string): (string | number)[] | null {
  const segments: (string | number)[] = [];
  let rest = text;
  let first = true;
  while (rest.length) {
    if (!first && rest.startsWith("[")) {
      const m = /^\[(\d{1,9})\]/.exec(rest);
      if (!m) return null;
      segments.push(Number(m[1]));
      rest = rest.slice(m[0].length);
      continue;
    }
    if (!first) {
      if (!rest.startsWith(".")) return null;
      rest = rest.slice(1);
    }
    const m = /^[^.[\]]+/.exec(rest);
    if (!m || !IDENTIFIER.test(m[0])) return null;
    segments.push(m[0]);
    rest = rest.slice(m[0].length);
    first = false;
  }
  return segments.length ? segments : null;
}

/** Parses the text between `${` and `}`; throws ExpressionError (Chinese) for anything but a literal or a variable path. */
export function parseExpression(inner: string): ParsedExpression {
  const text = inner.trim();
  if (text === "true" || text === "false") return { kind: "literal", value: text === "true" };
  if (text === "null") return { kind: "literal", value: null };
  if (NUMBER.test(text)) return { kind: "literal", value: Number(text) };
  const segments = pathSegments(text);
  if (!segments) throw new ExpressionError(`表达式 \${${inner.slice(0, 60)}} 不允许：${EXPRESSION_HINT}`);
  if (segments.length > MAX_SEGMENTS) throw new ExpressionError(`表达式 \${${inner.slice(0, 60)}} 的路径过长（最多 ${MAX_SEGMENTS} 段）`);
  const bad = segments.find((s) => typeof s === "string" && FORBIDDEN.has(s));
  if (bad !== undefined) throw new ExpressionError(`表达式 \${${inner.slice(0, 60)}} 不允许：不能访问 ${String(bad)}`);
  // bpmn-elements' own spelling of process variables.
  if (segments[0] === "environment" && segments[1] === "variables" && segments.length > 2) {
    return { kind: "path", scope: "variables", segments: segments.slice(2) };
  }
  if (segments[0] === "environment") {
    throw new ExpressionError(`表达式 \${${inner.slice(0, 60)}} 不允许：只能读取 environment.variables 下的流程变量`);
  }
  if (typeof segments[0] === "string" && MESSAGE_ROOTS.has(segments[0]) && segments.length > 1) {
    return { kind: "path", scope: "message", segments };
  }
  return { kind: "path", scope: "variables", segments };
}

/** Every `${...}` in a text that would be refused, as Chinese messages (deploy checks; no evaluation). */
export function expressionProblems(text: string): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    try {
      parseExpression(m[1]!);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length === 0 && /\$\{[^}]*$/.test(text.replace(PLACEHOLDER, ""))) {
    problems.push(`表达式缺少右花括号 }：${text.slice(0, 60)}`);
  }
  return problems;
}

function isData(value: unknown): value is object {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Follows segments through own properties of plain objects and arrays; anything else is undefined. */
export function readPath(root: unknown, segments: readonly (string | number)[]): unknown {
  let value: unknown = root;
  for (const segment of segments) {
    if (!isData(value)) return undefined;
    if (Array.isArray(value) && typeof segment === "string") return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return typeof value === "function" || typeof value === "symbol" ? undefined : value;
}

function evaluate(parsed: ParsedExpression, variables: unknown, message: unknown): unknown {
  if (parsed.kind === "literal") return parsed.value;
  return readPath(parsed.scope === "variables" ? variables : message, parsed.segments);
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value) ?? "";
}

/**
 * Resolves a template: a lone `${x}` gives x's value as it is; placeholders inside text are replaced by their
 * text. `variables` are the process variables; `message` is the engine message for content/properties paths.
 */
export function resolveWith(template: unknown, variables: unknown, message?: unknown): unknown {
  if (typeof template !== "string" || !template.includes("${")) return template;
  const whole = /^\s*\$\{([^}]*)\}\s*$/.exec(template);
  if (whole) return evaluate(parseExpression(whole[1]!), variables, message);
  return template.replace(PLACEHOLDER, (_m, inner: string) => asText(evaluate(parseExpression(inner), variables, message)));
}

/** Resolves `${path}` placeholders against variables outside the engine (task attributes such as assignee, due date). */
export function resolveTemplate(template: string | undefined | null, variables: Record<string, unknown>): unknown {
  if (template === undefined || template === null) return undefined;
  return resolveWith(template, variables);
}

/**
 * An expression the runtime prepared at parse time (a multi-instance collection or completion condition): the
 * resolver calls its evaluate with the engine message instead of reading a `${...}` template.
 */
export abstract class ComputedExpression {
  abstract evaluate(context: { environment?: { variables?: unknown }; content?: Record<string, unknown> }): unknown;
}

/** The `expressions` option of bpmn-engine: bpmn-elements' default resolver is never reached. */
export function safeExpressions() {
  return {
    resolveExpression(expression: unknown, context: unknown): unknown {
      if (expression instanceof ComputedExpression) return expression.evaluate(context ?? {});
      const ctx = (context ?? {}) as { environment?: { variables?: unknown } };
      return resolveWith(expression, ctx.environment?.variables, context);
    },
    isExpression(text: unknown): boolean {
      return typeof text === "string" && /^\$\{(.+?)\}$/.test(text);
    },
    hasExpression(text: unknown): boolean {
      return typeof text === "string" && /\$\{(.+?)\}/.test(text);
    },
  };
}
