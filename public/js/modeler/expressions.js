// The server's `${...}` rules (server/engine/expressions.ts), repeated for the browser lint: a placeholder may hold a
// literal (true, false, null, a number) or a variable path such as ${applicant.name} or ${items[0]}; nothing else.

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const IDENTIFIER = /^[A-Za-z_$\u4e00-\u9fff][\w$\u4e00-\u9fff]*$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
const FORBIDDEN = new Set(["constructor", "__proto__", "prototype", "__defineGetter__", "__defineSetter__", "__lookupGetter__"]);
const MAX_SEGMENTS = 32;

export const EXPRESSION_HINT = "只能引用变量路径，例如 ${approved}、${applicant.name} 或 ${items[0]}；判断和计算请用 FEEL 条件";

function pathSegments(text) {
  const segments = [];
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

/** The Chinese reason a `${inner}` would be refused by the server, or null. */
export function expressionProblem(inner) {
  const text = inner.trim();
  if (text === "true" || text === "false" || text === "null" || NUMBER.test(text)) return null;
  const segments = pathSegments(text);
  const shown = "${" + inner.slice(0, 60) + "}";
  if (!segments) return "表达式 " + shown + " 不允许：" + EXPRESSION_HINT;
  if (segments.length > MAX_SEGMENTS) return "表达式 " + shown + " 的路径过长（最多 " + MAX_SEGMENTS + " 段）";
  const bad = segments.find((s) => typeof s === "string" && FORBIDDEN.has(s));
  if (bad !== undefined) return "表达式 " + shown + " 不允许：不能访问 " + bad;
  if (segments[0] === "environment" && !(segments[1] === "variables" && segments.length > 2)) {
    return "表达式 " + shown + " 不允许：只能读取 environment.variables 下的流程变量";
  }
  return null;
}

/** Every refused `${...}` of a text, as Chinese messages. */
export function expressionProblems(text) {
  const problems = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const problem = expressionProblem(m[1]);
    if (problem) problems.push(problem);
  }
  if (!problems.length && /\$\{[^}]*$/.test(text.replace(PLACEHOLDER, ""))) problems.push("表达式缺少右花括号 }：" + text.slice(0, 60));
  return problems;
}

/** The internal service a `${services.name}` (or `${name}`) expression names, or null. */
export function serviceName(expression) {
  if (!expression) return null;
  const m = /^\s*\$\{\s*(?:services\.)?([A-Za-z_$][\w$]*)\s*\}\s*$/.exec(expression);
  return m ? m[1] : null;
}
