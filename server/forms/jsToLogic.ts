// Imported Form.io forms often carry one-line JavaScript where JSONLogic says the same: `show = data.kind === 'a'`,
// `valid = input >= data.min`, `value = 'bar'`. This module reads such a line with a small grammar of its own and
// writes the JSONLogic (or the plain setting) instead; nothing is ever evaluated as JavaScript. Whatever the grammar
// does not cover exactly stays JavaScript and is refused as before. The JSONLogic it writes is checked by the save like
// any other (operators from the allowlist, no prototype paths).
//
// The grammar: literals (numbers, '…' or "…" strings, true, false), data paths (data.x, row.x, input; .name or
// ['name'] or [0]), parentheses, ! and unary -, * / % -, < <= > >=, == != === !==, && ||, and cond ? a : b. Not `+`
// (JavaScript adds or concatenates depending on the values), not null or undefined (a missing path reads as null in
// JSONLogic and as undefined in JavaScript), no calls, no template strings, no other names.

type Logic = unknown;
const PROTO = new Set(["__proto__", "constructor", "prototype"]);
const ROOTS = new Set(["data", "row", "input"]);

interface Token {
  kind: "num" | "str" | "id" | "op";
  value: string | number;
}

class Unsupported extends Error {}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const ops = [
    "===",
    "!==",
    "==",
    "!=",
    "<=",
    ">=",
    "&&",
    "||",
    "<",
    ">",
    "!",
    "?",
    ":",
    "(",
    ")",
    "[",
    "]",
    ".",
    "*",
    "/",
    "%",
    "-",
    ",",
    ";",
    "=",
    "{",
    "}",
  ];
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(source[i + 1] ?? ""))) {
      const m = /^(?:\d+(?:\.\d+)?|\.\d+)/.exec(source.slice(i))!;
      tokens.push({ kind: "num", value: Number(m[0]) });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let text = "";
      while (j < source.length && source[j] !== c) {
        if (source[j] === "\\") {
          const next = source[j + 1];
          if (next !== "\\" && next !== "'" && next !== '"') throw new Unsupported();
          text += next;
          j += 2;
          continue;
        }
        if (source[j] === "\n") throw new Unsupported();
        text += source[j];
        j++;
      }
      if (j >= source.length) throw new Unsupported();
      tokens.push({ kind: "str", value: text });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][\w$]*/.exec(source.slice(i))!;
      tokens.push({ kind: "id", value: m[0] });
      i += m[0].length;
      continue;
    }
    const op = ops.find((o) => source.startsWith(o, i));
    if (!op) throw new Unsupported();
    tokens.push({ kind: "op", value: op });
    i += op.length;
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }
  private isOp(op: string): boolean {
    const t = this.peek();
    return t?.kind === "op" && t.value === op;
  }
  private take(op: string): void {
    if (!this.isOp(op)) throw new Unsupported();
    this.at++;
  }
  done(): boolean {
    while (this.isOp(";")) this.at++;
    return this.at === this.tokens.length;
  }
  /** `target = …` (or `return …` when allowed). */
  statement(targets: string[], allowReturn: boolean): { expr: Logic; literal: boolean; value: unknown } {
    const t = this.peek();
    if (t?.kind === "id" && t.value === "return" && allowReturn) this.at++;
    else if (t?.kind === "id" && targets.includes(String(t.value))) {
      this.at++;
      this.take("=");
    } else throw new Unsupported();
    if (this.isOp("[") || this.isOp("{")) {
      const value = this.literalData(0);
      return { expr: null, literal: true, value };
    }
    const start = this.at;
    const expr = this.expression();
    const literal = this.at - start === 1 && this.tokens[start]!.kind !== "id" ? true : isBooleanLiteral(this.tokens, start, this.at);
    return { expr, literal, value: literal ? expr : undefined };
  }
  expression(): Logic {
    const cond = this.or();
    if (!this.isOp("?")) return cond;
    this.at++;
    const yes = this.expression();
    this.take(":");
    const no = this.expression();
    return { if: [cond, yes, no] };
  }
  private or(): Logic {
    const parts = [this.and()];
    while (this.isOp("||")) {
      this.at++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0] : { or: parts };
  }
  private and(): Logic {
    const parts = [this.equality()];
    while (this.isOp("&&")) {
      this.at++;
      parts.push(this.equality());
    }
    return parts.length === 1 ? parts[0] : { and: parts };
  }
  private binary(next: () => Logic, ops: string[]): Logic {
    let left = next();
    for (;;) {
      const t = this.peek();
      if (t?.kind !== "op" || !ops.includes(String(t.value))) return left;
      this.at++;
      left = { [String(t.value)]: [left, next()] };
    }
  }
  private equality(): Logic {
    return this.binary(() => this.relation(), ["===", "!==", "==", "!="]);
  }
  private relation(): Logic {
    return this.binary(() => this.difference(), ["<", "<=", ">", ">="]);
  }
  private difference(): Logic {
    return this.binary(() => this.product(), ["-"]);
  }
  private product(): Logic {
    return this.binary(() => this.unary(), ["*", "/", "%"]);
  }
  private unary(): Logic {
    if (this.isOp("!")) {
      this.at++;
      return { "!": [this.unary()] };
    }
    if (this.isOp("-")) {
      this.at++;
      const t = this.peek();
      if (t?.kind === "num") {
        this.at++;
        return -(t.value as number);
      }
      return { "-": [this.unary()] };
    }
    return this.primary();
  }
  private primary(): Logic {
    const t = this.peek();
    if (!t) throw new Unsupported();
    if (this.isOp("(")) {
      this.at++;
      const inner = this.expression();
      this.take(")");
      return inner;
    }
    this.at++;
    if (t.kind === "num" || t.kind === "str") return t.value;
    if (t.kind === "id") {
      if (t.value === "true") return true;
      if (t.value === "false") return false;
      if (!ROOTS.has(String(t.value))) throw new Unsupported();
      const segments = [String(t.value)];
      for (;;) {
        if (this.isOp(".")) {
          this.at++;
          const name = this.peek();
          if (name?.kind !== "id") throw new Unsupported();
          this.at++;
          segments.push(String(name.value));
        } else if (this.isOp("[")) {
          this.at++;
          const key = this.peek();
          if (key?.kind === "str" && /^[\w$-]+$/.test(String(key.value))) segments.push(String(key.value));
          else if (key?.kind === "num" && Number.isInteger(key.value)) segments.push(String(key.value));
          else throw new Unsupported();
          this.at++;
          this.take("]");
        } else break;
      }
      if (segments.some((s) => PROTO.has(s))) throw new Unsupported();
      return { var: segments.join(".") };
    }
    throw new Unsupported();
  }
  /** A literal array or object of literals (for `values = [...]`, `value = {...}`). */
  private literalData(depth: number): unknown {
    if (depth > 8) throw new Unsupported();
    if (this.isOp("[")) {
      this.at++;
      const out: unknown[] = [];
      while (!this.isOp("]")) {
        out.push(this.literalValue(depth + 1));
        if (this.isOp(",")) this.at++;
        else break;
      }
      this.take("]");
      return out;
    }
    this.take("{");
    const out: Record<string, unknown> = {};
    while (!this.isOp("}")) {
      const key = this.peek();
      if (key?.kind !== "id" && key?.kind !== "str") throw new Unsupported();
      if (PROTO.has(String(key.value))) throw new Unsupported();
      this.at++;
      this.take(":");
      out[String(key.value)] = this.literalValue(depth + 1);
      if (this.isOp(",")) this.at++;
      else break;
    }
    this.take("}");
    return out;
  }
  private literalValue(depth: number): unknown {
    if (this.isOp("[") || this.isOp("{")) return this.literalData(depth);
    const t = this.peek();
    if (this.isOp("-") && this.tokens[this.at + 1]?.kind === "num") {
      this.at += 2;
      return -(this.tokens[this.at - 1]!.value as number);
    }
    if (!t) throw new Unsupported();
    this.at++;
    if (t.kind === "num" || t.kind === "str") return t.value;
    if (t.kind === "id" && (t.value === "true" || t.value === "false")) return t.value === "true";
    throw new Unsupported();
  }
}

function isBooleanLiteral(tokens: Token[], start: number, end: number): boolean {
  return end - start === 1 && tokens[start]!.kind === "id" && (tokens[start]!.value === "true" || tokens[start]!.value === "false");
}

/** The JSONLogic of one line of Form.io JavaScript assigning to one of targets, or null when it is not that simple. */
export function translateJs(
  source: string,
  targets: string[],
  allowReturn = false,
): { logic: Logic; literal: boolean; value: unknown } | null {
  try {
    const parser = new Parser(tokenize(source));
    const { expr, literal, value } = parser.statement(targets, allowReturn);
    if (!parser.done()) return null;
    return { logic: expr, literal, value };
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A component's simple conditional sets nothing (no JSONLogic, no when/eq, no conditions list). */
export function conditionFree(conditional: unknown): boolean {
  if (!isObject(conditional)) return true;
  const json = conditional.json;
  const conditions = conditional.conditions;
  return (
    (json === undefined || json === null || json === "") &&
    (conditional.when === undefined || conditional.when === null || conditional.when === "") &&
    !(Array.isArray(conditions) && conditions.length > 0)
  );
}
/** A literal as JSONLogic that evaluates to it (a bare literal is not an expression core would evaluate). */
const asLogic = (logic: Logic): Logic => (isObject(logic) ? logic : { if: [true, logic, logic] });

/**
 * Replaces a component's simple JavaScript with its JSONLogic or plain equivalent, in place: customConditional,
 * calculateValue, customDefaultValue, validate.custom, validate.row, logic triggers of type javascript, and a select's
 * literal `values = [...]`. Returns the places translated.
 */
export function translateSimpleJavaScript(component: Record<string, unknown>): string[] {
  const done: string[] = [];
  const str = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";
  if (str(component.customConditional) && conditionFree(component.conditional)) {
    // Stored as conditional.json, which core evaluates as JSONLogic (it runs customConditional as a string of code).
    const t = translateJs(component.customConditional, ["show"]);
    const logic = t && !t.literal ? t.logic : t && typeof t.value === "boolean" ? { "!!": [t.value] } : undefined;
    if (logic !== undefined) {
      component.conditional = { ...(isObject(component.conditional) ? component.conditional : {}), json: logic };
      delete component.customConditional;
      done.push("customConditional");
    }
  }
  if (str(component.calculateValue)) {
    const t = translateJs(component.calculateValue, ["value"]);
    if (t && !(t.literal && typeof t.value === "object")) {
      component.calculateValue = asLogic(t.logic);
      done.push("calculateValue");
    }
  }
  if (str(component.customDefaultValue)) {
    const t = translateJs(component.customDefaultValue, ["value"]);
    if (t?.literal) {
      component.defaultValue = t.value;
      delete component.customDefaultValue;
      done.push("customDefaultValue");
    } else if (t) {
      component.customDefaultValue = t.logic;
      done.push("customDefaultValue");
    }
  }
  const validate = isObject(component.validate) ? component.validate : undefined;
  for (const prop of ["custom", "row"] as const) {
    if (!validate || !str(validate[prop])) continue;
    const t = translateJs(validate[prop], ["valid"]);
    if (!t || (t.literal && typeof t.value === "object")) continue;
    if (prop === "custom") {
      if (validate.json !== undefined && validate.json !== "") continue;
      validate.json = asLogic(t.logic);
      delete validate.custom;
    } else validate.row = asLogic(t.logic);
    done.push(`validate.${prop}`);
  }
  if (Array.isArray(component.logic)) {
    for (const logic of component.logic as unknown[]) {
      const trigger = isObject(logic) && isObject(logic.trigger) ? logic.trigger : undefined;
      if (!trigger || trigger.type !== "javascript" || !str(trigger.javascript)) continue;
      const t = translateJs(trigger.javascript, ["result"], true);
      if (!t || (t.literal && typeof t.value === "object")) continue;
      trigger.type = "json";
      trigger.json = asLogic(t.logic);
      delete trigger.javascript;
      done.push("logic");
    }
  }
  const data = isObject(component.data) ? component.data : undefined;
  if (component.type === "select" && component.dataSrc === "custom" && data && str(data.custom)) {
    const t = translateJs(data.custom, ["values"]);
    // A literal list is a JSON list in the form: the save lists its options (valueProperty and template as Form.io).
    if (t?.literal && Array.isArray(t.value)) {
      component.dataSrc = "json";
      data.json = t.value;
      delete data.custom;
      done.push("data.custom");
    }
  }
  return done;
}
