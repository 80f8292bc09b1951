import Handlebars from "handlebars";
import type { ErrorDetail } from "../../errors.js";
import { ValidationError } from "../../errors.js";
import { refusedHtml, sanitizeRichHtml } from "../../html/sanitize.js";

/**
 * The 信用承诺书 letter of an item is Handlebars source written by a department admin. It is compiled by an
 * isolated Handlebars instance with no custom helpers or partials, only the built-in block helpers, HTML
 * escaping of every value ({{{ }}} is refused), and placeholders limited to these roots:
 * - subject.*     承诺人: name, code, type
 * - data.*        the applicant's cleaned form submission
 * - commitment.*  code, itemName, acceptingUnit, signerName, signedOn (YYYY-MM-DD)
 * What it renders is sanitized every time (server/html/sanitize.ts): that, not a look at the source, is what
 * keeps scripts, meta refreshes and event handlers out of the letter. The source check only tells the
 * designer, when saving, which of their tags or attributes would be removed.
 */
const hbs = Handlebars.create();
const ALLOWED_ROOTS = new Set(["subject", "data", "commitment"]);
const ALLOWED_BLOCKS = new Set(["if", "unless", "each", "with"]);
const BLOCK_LOCALS = new Set(["this", "@index", "@key", "@first", "@last"]);

export interface LetterContext {
  subject: { name: string; code: string; type: string };
  data: Record<string, unknown>;
  commitment: { code: string | null; itemName: string; acceptingUnit: string; signerName: string; signedOn: string };
}

type HbsNode = { type: string; [key: string]: unknown };

function pathProblem(path: { original: string; data?: boolean; parts: string[]; depth?: number }, insideBlock: number): string | null {
  const original = path.original;
  if (path.data) return insideBlock > 0 && BLOCK_LOCALS.has(`@${path.parts[0] ?? ""}`) ? null : `不允许使用 ${original}`;
  if (original === "this" || original.startsWith("this.") || original.startsWith("../")) {
    return insideBlock > 0 ? null : `占位符 ${original} 只能在 #each 或 #with 块内使用`;
  }
  const root = path.parts[0] ?? "";
  if (insideBlock > 0 && !ALLOWED_ROOTS.has(root)) return null; // a field of the current block item
  if (!ALLOWED_ROOTS.has(root))
    return `占位符 {{${original}}} 不可用：只能引用 subject.（承诺人）、data.（申请表字段）或 commitment.（承诺书信息）`;
  if (path.parts.some((p) => p === "__proto__" || p === "constructor" || p === "prototype")) return `占位符 ${original} 不允许`;
  return null;
}

/** The HTML a template can produce, every branch in a row, with each placeholder as "x" and comments dropped. */
function htmlOf(nodes: HbsNode[]): string {
  let out = "";
  for (const node of nodes) {
    if (node.type === "ContentStatement") out += String(node.value);
    else if (node.type === "MustacheStatement") out += "x";
    else if (node.type === "BlockStatement") {
      out += htmlOf((node.program as { body?: HbsNode[] } | null)?.body ?? []);
      out += htmlOf((node.inverse as { body?: HbsNode[] } | null)?.body ?? []);
    }
  }
  return out;
}

/** Problems of the Handlebars side (placeholders, helpers, partials); the HTML is not looked at here. */
function templateProblems(source: string): { problems: ErrorDetail[]; ast: { body: HbsNode[] } | null } {
  const problems: ErrorDetail[] = [];
  const add = (message: string) => problems.push({ path: "letterTemplate", message });
  if (!source.trim()) {
    add("承诺书模板不能为空");
    return { problems, ast: null };
  }
  if (source.length > 100_000) add("承诺书模板过长（最多 100000 字）");
  let ast: { body: HbsNode[] };
  try {
    ast = hbs.parse(source) as unknown as { body: HbsNode[] };
  } catch (err) {
    add(`承诺书模板语法错误：${(err as Error).message.split("\n")[0]}`);
    return { problems, ast: null };
  }
  const visitExpr = (node: HbsNode | undefined, depth: number) => {
    if (!node) return;
    if (node.type === "PathExpression") {
      const problem = pathProblem(node as unknown as { original: string; data?: boolean; parts: string[] }, depth);
      if (problem) add(problem);
    } else if (node.type === "SubExpression") {
      add("承诺书模板不能使用子表达式");
    }
  };
  const visit = (nodes: HbsNode[], depth: number) => {
    for (const node of nodes) {
      switch (node.type) {
        case "MustacheStatement": {
          if (node.escaped === false) add("承诺书模板不能使用 {{{ }}} 输出未转义的内容");
          const params = node.params as HbsNode[];
          if (params.length || (node.hash as { pairs?: unknown[] } | undefined)?.pairs?.length) add("承诺书模板不能调用辅助函数");
          visitExpr(node.path as HbsNode, depth);
          break;
        }
        case "BlockStatement": {
          const name = (node.path as { original: string }).original;
          if (!ALLOWED_BLOCKS.has(name)) add(`承诺书模板不能使用块 #${name}（只允许 #if、#unless、#each、#with）`);
          for (const p of node.params as HbsNode[]) visitExpr(p, depth);
          const inner = name === "each" || name === "with" ? depth + 1 : depth;
          visit((node.program as { body?: HbsNode[] } | null)?.body ?? [], inner);
          visit((node.inverse as { body?: HbsNode[] } | null)?.body ?? [], depth);
          break;
        }
        case "PartialStatement":
        case "PartialBlockStatement":
        case "DecoratorBlock":
        case "Decorator":
          add("承诺书模板不能使用片段（partial）或装饰器");
          break;
        default:
          break;
      }
    }
  };
  visit(ast.body, 0);
  return { problems, ast };
}

/**
 * Checks a letter template when it is saved and returns its problems in Chinese (empty when it may be saved):
 * the Handlebars rules, and any tag or attribute the output sanitizer would remove, so the designer sees it.
 */
export function checkLetterTemplate(source: string): ErrorDetail[] {
  const { problems, ast } = templateProblems(source);
  if (ast) {
    const refused = refusedHtml(htmlOf(ast.body));
    if (refused.length) {
      problems.push({
        path: "letterTemplate",
        message: `承诺书模板包含不允许的 HTML：${refused.join("、")}。承诺书只能使用段落、标题、列表、表格、粗体等排版标签；脚本、样式表、表单、图片、嵌入内容、事件属性和非 http(s) 链接都会被移除`,
      });
    }
  }
  return problems;
}

const compiled = new Map<string, HandlebarsTemplateDelegate<LetterContext>>();

/** Throws ValidationError (400, field letterTemplate) when a template may not be saved. */
export function assertLetterTemplate(source: string): void {
  const problems = checkLetterTemplate(source);
  if (problems.length) throw new ValidationError("承诺书模板未通过检查", problems);
}

/** Handlebars output of a template (escaping on, built-in blocks only, no prototype access), not yet sanitized. */
function runTemplate(source: string, context: LetterContext): string {
  let template = compiled.get(source);
  if (!template) {
    // Only the Handlebars rules here: a template saved before the HTML check still renders, sanitized.
    const { problems } = templateProblems(source);
    if (problems.length) throw new ValidationError("承诺书模板未通过检查", problems);
    template = hbs.compile<LetterContext>(source, {
      knownHelpersOnly: true,
      knownHelpers: { if: true, unless: true, each: true, with: true },
    });
    if (compiled.size > 200) compiled.clear();
    compiled.set(source, template);
  }
  return template(context, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
}

/** Renders a template's body with the context and sanitizes the result. */
export function renderLetterBody(source: string, context: LetterContext): string {
  return sanitizeRichHtml(runTemplate(source, context));
}

const escape = (s: string) => hbs.Utils.escapeExpression(s);

/** The whole signed letter as a sanitized HTML fragment: title, the item's text, the signature block. */
export function renderLetter(source: string, context: LetterContext): string {
  // The body is sanitized on its own first, so its markup is balanced and cannot close the frame around it.
  const body = renderLetterBody(source, context);
  const c = context.commitment;
  return sanitizeRichHtml(
    [
      `<article class="commitment-letter">`,
      `<h1>信用承诺书</h1>`,
      `<p class="letter-meta">事项：${escape(c.itemName)}${c.code ? `&emsp;承诺编码：${escape(c.code)}` : ""}</p>`,
      `<p class="letter-meta">承诺人：${escape(context.subject.name)}（${escape(context.subject.code)}）</p>`,
      `<section class="letter-body">${body}</section>`,
      `<footer class="letter-signature"><p>承诺人（签字）：${escape(c.signerName)}</p><p>承诺受理单位：${escape(c.acceptingUnit)}</p><p>日期：${escape(c.signedOn)}</p></footer>`,
      `</article>`,
    ].join("\n"),
  );
}

/** A stored letter as it may be shown again (sanitized on the way out too: rows signed before this check). */
export function sanitizeLetterHtml(html: string): string {
  return sanitizeRichHtml(html);
}

/** One placeholder the letter editor offers: what it inserts and what a designer reads. */
export interface LetterPlaceholder {
  token: string;
  label: string;
}

/** The placeholders of the 承诺人 and of the 承诺书 itself (the same for every item). */
export const FIXED_PLACEHOLDERS: { group: string; items: LetterPlaceholder[] }[] = [
  {
    group: "承诺人",
    items: [
      { token: "{{subject.name}}", label: "承诺人名称" },
      { token: "{{subject.code}}", label: "统一社会信用代码 / 身份证号" },
      { token: "{{subject.type}}", label: "主体类型" },
    ],
  },
  {
    group: "承诺书",
    items: [
      { token: "{{commitment.itemName}}", label: "事项名称" },
      { token: "{{commitment.code}}", label: "承诺编码" },
      { token: "{{commitment.acceptingUnit}}", label: "承诺受理单位" },
      { token: "{{commitment.signerName}}", label: "签字人" },
      { token: "{{commitment.signedOn}}", label: "签署日期" },
    ],
  },
];

interface LetterField {
  path: string;
  label: string;
  type: string;
}

/** The input fields of a form a letter can name ({{data.<key>}}); fields inside grid rows are left out (they need #each). */
export function letterFieldsOf(inputs: LetterField[]): { group: string; items: LetterPlaceholder[] } {
  return {
    group: "申请表字段",
    items: inputs
      .filter(
        (f) =>
          !f.path.includes("[]") && /^[\w.]+$/.test(f.path) && !["button", "file", "signature", "htmlelement", "content"].includes(f.type),
      )
      .map((f) => ({ token: `{{data.${f.path}}}`, label: f.label || f.path })),
  };
}

/** Sample values for the live preview: the field's label in 【】 (numbers, dates and checkboxes as such). */
export function sampleLetterContext(inputs: LetterField[], itemName: string, acceptingUnit: string, today: string): LetterContext {
  const data: Record<string, unknown> = {};
  for (const f of inputs) {
    if (f.path.includes("[]") || !/^[\w.]+$/.test(f.path)) continue;
    const parts = f.path.split(".");
    let at = data;
    for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
    const value =
      f.type === "number" || f.type === "currency"
        ? 100
        : f.type === "checkbox"
          ? true
          : f.type === "datetime" || f.type === "day"
            ? today
            : `【${f.label || f.path}】`;
    at[parts[parts.length - 1]!] = value;
  }
  return {
    subject: { name: "荥阳市示范食品有限公司（示例）", code: "91410182MA0000000X", type: "法人" },
    data,
    commitment: {
      code: "410182202612010000001",
      itemName: itemName || "（事项名称）",
      acceptingUnit,
      signerName: "张三（示例）",
      signedOn: today,
    },
  };
}
