import sanitizeHtml from "sanitize-html";

/**
 * The one place that decides which designer-written HTML reaches a browser: letter templates (信用承诺书)
 * after Handlebars has run, Form.io content and labels. It parses with sanitize-html (htmlparser2) and keeps
 * only what an allowlist names, so entity tricks, comments that split tags and odd spellings reach the
 * allowlist decoded. Lists and reasons: docs/forms.md, "Designer HTML".
 */

/** Inline formatting: what a label, a description or a tooltip may carry. */
export const INLINE_TAGS = ["b", "strong", "em", "i", "u", "s", "span", "sub", "sup", "small", "br"] as const;

/** A printed official letter and a form's content blocks: inline formatting, blocks, lists, tables, links. */
export const RICH_TAGS = [
  ...INLINE_TAGS,
  "p",
  "div",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "ul",
  "ol",
  "li",
  "table",
  "caption",
  "thead",
  "tbody",
  "tfoot",
  "tr",
  "th",
  "td",
  "blockquote",
  "hr",
  "a",
  // renderLetter wraps the body in these (commitment-letter, letter-body, letter-signature).
  "article",
  "section",
  "header",
  "footer",
] as const;

/**
 * Classes that only format: the letter's own (commitment-letter, letter-*), Bootstrap text, spacing, table
 * and alert utilities. Positioning, display and visibility utilities (position-fixed, d-none, stretched-link,
 * visually-hidden, modal ...) are left out so designer text cannot cover or hide the page around it.
 */
export const ALLOWED_CLASSES = [
  "commitment-letter",
  "letter-*",
  "text-*",
  "fw-*",
  "fst-*",
  "lh-*",
  "lead",
  "small",
  "m-*",
  "mt-*",
  "mb-*",
  "ms-*",
  "me-*",
  "mx-*",
  "my-*",
  "p-*",
  "pt-*",
  "pb-*",
  "ps-*",
  "pe-*",
  "px-*",
  "py-*",
  "table",
  "table-bordered",
  "table-sm",
  "table-striped",
  "alert",
  "alert-*",
];

const LENGTH = String.raw`(?:0|\d{1,3}(?:\.\d{1,3})?(?:px|pt|em|rem|%|cm|mm))`;
const LENGTHS = new RegExp(String.raw`^(?:${LENGTH}|auto)(?:\s+(?:${LENGTH}|auto)){0,3}$`);

/** Inline styles a letter needs, each with the only values it may take (no url(), no positioning, no colour). */
export const ALLOWED_STYLES: Record<string, RegExp[]> = {
  "text-align": [/^(?:left|right|center|justify|start|end)$/],
  "text-indent": [new RegExp(`^${LENGTH}$`)],
  "font-weight": [/^(?:normal|bold|bolder|lighter|[1-9]00)$/],
  "font-style": [/^(?:normal|italic)$/],
  "text-decoration": [/^(?:none|underline|line-through)$/],
  // Not below 9px / 0.75em: a clause of a signed letter must stay readable.
  "font-size": [
    /^(?:(?:9|[1-3]\d|4[0-8])(?:\.\d{1,2})?(?:px|pt)|(?:0\.(?:7[5-9]|[89]\d?)|[12](?:\.\d{1,2})?|3)(?:em|rem)|small|medium|large|x-large)$/,
  ],
  "line-height": [/^(?:normal|\d(?:\.\d{1,2})?|\d{1,3}(?:\.\d{1,2})?(?:px|pt|em|rem|%))$/],
  "vertical-align": [/^(?:top|middle|bottom|baseline)$/],
  width: [/^\d{1,4}(?:\.\d{1,2})?(?:px|pt|em|rem|%|cm|mm)$/],
  "border-collapse": [/^(?:collapse|separate)$/],
  border: [/^(?:none|0|[1-3]px\s+(?:solid|dashed|dotted|double)(?:\s+(?:#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|black|gray|grey|silver))?)$/],
  margin: [LENGTHS],
  "margin-top": [LENGTHS],
  "margin-bottom": [LENGTHS],
  "margin-left": [LENGTHS],
  "margin-right": [LENGTHS],
  padding: [LENGTHS],
  "padding-top": [LENGTHS],
  "padding-bottom": [LENGTHS],
  "padding-left": [LENGTHS],
  "padding-right": [LENGTHS],
};

/**
 * Link schemes (a href only; relative links to this site are kept, protocol-relative //host ones are not).
 * No target attribute: a link opens in the same tab, so window.opener is never handed to another site.
 */
export const ALLOWED_SCHEMES = ["http", "https", "mailto"];

/** Drops attributes that interpolate data ({{ }} / {% %}): Form.io fills them in the browser, after this check. */
function dropTemplatedAttributes(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const kept: sanitizeHtml.Attributes = {};
  for (const [name, value] of Object.entries(attribs)) if (!/\{\{|\{%/.test(value)) kept[name] = value;
  return { tagName, attribs: kept };
}

/** Text is escaped with its double quotes too: Form.io also writes labels into attribute values. */
const quoteText = (text: string) => text.replace(/"/g, "&quot;");

const COMMON: sanitizeHtml.IOptions = {
  disallowedTagsMode: "discard",
  allowedSchemes: ALLOWED_SCHEMES,
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  allowedClasses: { "*": ALLOWED_CLASSES },
  allowVulnerableTags: false,
  enforceHtmlBoundary: false,
  parseStyleAttributes: true,
  transformTags: { "*": dropTemplatedAttributes },
  // The contents of these are code or data, never text to show.
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "template", "title", "xmp", "iframe", "noembed", "noframes"],
};

const RICH_OPTIONS: sanitizeHtml.IOptions = {
  ...COMMON,
  allowedTags: [...RICH_TAGS],
  allowedAttributes: {
    "*": ["class", "style", "title", "lang", "dir"],
    a: ["href"],
    ol: ["start", "type"],
    th: ["colspan", "rowspan", "scope"],
    td: ["colspan", "rowspan"],
  },
  allowedStyles: { "*": ALLOWED_STYLES },
  selfClosing: ["br", "hr"],
};

const INLINE_OPTIONS: sanitizeHtml.IOptions = {
  ...COMMON,
  allowedTags: [...INLINE_TAGS],
  allowedAttributes: { "*": ["class"] },
  selfClosing: ["br"],
  textFilter: quoteText,
};

const TEXT_OPTIONS: sanitizeHtml.IOptions = {
  ...COMMON,
  allowedTags: [],
  allowedAttributes: {},
  textFilter: quoteText,
};

/** Nothing to parse: no tag, entity or quote can hide in a string without these characters. */
const PLAIN = /^[^<>&"]*$/;

/** Rich HTML (a rendered letter, a Form.io content block) reduced to RICH_TAGS, their attributes and styles. */
export function sanitizeRichHtml(html: string): string {
  return sanitizeHtml(html, RICH_OPTIONS);
}

/** Inline label text (labels, descriptions, tooltips): INLINE_TAGS only, quotes escaped; plain text unchanged. */
export function sanitizeInlineHtml(text: string): string {
  return PLAIN.test(text) ? text : sanitizeHtml(text, INLINE_OPTIONS);
}

/** Text only: every tag removed (their text kept), as HTML-escaped text; plain text unchanged. */
export function sanitizeText(text: string): string {
  return PLAIN.test(text) ? text : sanitizeHtml(text, TEXT_OPTIONS);
}

/**
 * The value an attribute may keep on an allowed tag, HTML-escaped for writing between double quotes, or null
 * when sanitizeRichHtml would drop it. `raw` is taken as attribute source (entities decoded), the way a
 * browser reads it when Form.io writes it into its template unescaped.
 */
export function sanitizeAttribute(tag: string, name: string, raw: string): string | null {
  if (!(RICH_TAGS as readonly string[]).includes(tag) || !/^[a-z][a-z0-9-]*$/.test(name) || /["<>`]/.test(raw)) return null;
  const out = sanitizeHtml(`<${tag} ${name}="${raw}"></${tag}>`, RICH_OPTIONS);
  const kept = new RegExp(`^<${tag} ${name}="([^"]*)"`).exec(out);
  return kept ? kept[1]! : null;
}

/** A decoded attribute value written back as attribute source. */
const attributeSource = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/`/g, "&#96;");
const shorten = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/**
 * What sanitizeRichHtml would remove from a piece of HTML, for a designer's message: tags, attributes, class
 * names, style declarations and links, in Chinese. Empty when it would remove nothing.
 */
export function refusedHtml(html: string): string[] {
  const seen: { tag: string; attribs: Record<string, string> }[] = [];
  // The same markup with every tag and attribute allowed and serialized the same way: what differs is refused.
  const everything = sanitizeHtml(html, {
    ...RICH_OPTIONS,
    allowedTags: false,
    allowedAttributes: false,
    allowedClasses: undefined,
    allowedStyles: undefined,
    allowedSchemesAppliedToAttributes: [],
    allowVulnerableTags: true,
    nonTextTags: [],
    onOpenTag: (tag, attribs) => seen.push({ tag, attribs: { ...attribs } }),
  });
  if (sanitizeRichHtml(html) === everything) return [];
  const attributes = RICH_OPTIONS.allowedAttributes as Record<string, string[]>;
  const refused = new Set<string>();
  for (const { tag, attribs } of seen) {
    if (!(RICH_TAGS as readonly string[]).includes(tag)) {
      refused.add(`<${tag}>`);
      continue;
    }
    const allowed = new Set([...(attributes["*"] ?? []), ...(attributes[tag] ?? [])]);
    for (const [name, value] of Object.entries(attribs)) {
      if (!allowed.has(name)) refused.add(`${name} 属性`);
      else if (name === "class") {
        const kept = new Set((sanitizeAttribute(tag, "class", attributeSource(value)) ?? "").split(" "));
        for (const c of value.split(/\s+/)) if (c && !kept.has(c)) refused.add(`类名 ${shorten(c)}`);
      } else if (name === "style") {
        for (const d of value.split(";"))
          if (d.trim() && sanitizeAttribute(tag, "style", attributeSource(d)) === null) refused.add(`样式 ${shorten(d.trim())}`);
      } else if (name === "href" && sanitizeAttribute(tag, "href", attributeSource(value)) === null) {
        refused.add(`链接 ${shorten(value.trim())}`);
      }
    }
  }
  if (!refused.size) refused.add("样式、类名或链接地址");
  return [...refused];
}
