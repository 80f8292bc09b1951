import type { FormDefinition, FormRevisionView } from "../forms/index.js";
import { RICH_TAGS, sanitizeAttribute, sanitizeInlineHtml, sanitizeRichHtml, sanitizeText } from "../html/sanitize.js";

/** Label-like text Form.io writes into its templates as HTML: inline formatting only. */
const INLINE_PROPS = ["label", "description", "tooltip", "prefix", "suffix", "legend", "title"] as const;
/** Text Form.io writes into attributes or plain messages: no tags at all. */
const TEXT_PROPS = ["placeholder", "errorLabel", "addAnother", "removeRow", "saveRow"] as const;
/** Attributes a designer may put on an input (component.attributes); the rest (on*, data-*, style, src ...) is dropped. */
const INPUT_ATTRIBUTES = new Set([
  "autocomplete",
  "inputmode",
  "spellcheck",
  "autocapitalize",
  "title",
  "lang",
  "dir",
  "maxlength",
  "minlength",
  "size",
]);
/** Tags an htmlelement component may be; anything else becomes a div. */
const ELEMENT_TAGS = new Set<string>(RICH_TAGS);
/** Form-level settings through which a definition would loosen @formio/js's own sanitizer (DOMPurify) in the browser. */
const LOOSENING_SETTINGS = ["sanitizeConfig", "components"];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Class names through the same allowlist as the letter's (no positioning or hiding utilities). */
function classes(value: string): string {
  return sanitizeAttribute("div", "class", value.replace(/["<>`]/g, " ")) ?? "";
}

/** A choice's value is data the server checks submissions against: only what would break out of markup goes. */
function choiceValue(value: string): string {
  return value.replace(/["`]/g, "").replace(/<(?=[A-Za-z/!?])/g, "");
}

function sanitizeChoices(list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const option of list) {
    if (!isObject(option)) continue;
    if (typeof option.label === "string") option.label = sanitizeText(option.label);
    if (typeof option.value === "string") option.value = choiceValue(option.value);
  }
}

/** An htmlelement's attrs ([{ attr, value }], written unescaped by Form.io): only what the rich sanitizer keeps. */
function sanitizeElementAttrs(tag: string, attrs: unknown): { attr: string; value: string }[] {
  if (!Array.isArray(attrs)) return [];
  const kept: { attr: string; value: string }[] = [];
  for (const entry of attrs) {
    if (!isObject(entry) || typeof entry.attr !== "string") continue;
    const name = entry.attr.trim().toLowerCase();
    const raw = typeof entry.value === "string" || typeof entry.value === "number" ? String(entry.value) : "";
    const value = sanitizeAttribute(tag, name, raw);
    if (value !== null) kept.push({ attr: name, value });
  }
  return kept;
}

/** An input's own attributes (component.attributes, written unescaped): a short allowlist of harmless names. */
function sanitizeInputAttributes(attributes: Json): Json {
  const kept: Json = {};
  for (const [rawName, raw] of Object.entries(attributes)) {
    const name = rawName.trim().toLowerCase();
    if (!INPUT_ATTRIBUTES.has(name) && !/^aria-[a-z]+$/.test(name)) continue;
    if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") continue;
    const value = String(raw);
    // Plain words only: no markup, no entity, no template, no scheme.
    if (/["<>`&{}:]/.test(value)) continue;
    kept[name] = value;
  }
  return kept;
}

function sanitizeComponent(c: Json, depth: number): void {
  if (depth > 40) {
    c.components = [];
    return;
  }
  for (const prop of INLINE_PROPS) if (typeof c[prop] === "string") c[prop] = sanitizeInlineHtml(c[prop]);
  for (const prop of TEXT_PROPS) if (typeof c[prop] === "string") c[prop] = sanitizeText(c[prop]);
  if (isObject(c.validate) && typeof c.validate.customMessage === "string")
    c.validate.customMessage = sanitizeInlineHtml(c.validate.customMessage);
  if (isObject(c.errors)) for (const [k, v] of Object.entries(c.errors)) if (typeof v === "string") c.errors[k] = sanitizeInlineHtml(v);
  if (Array.isArray(c.header)) c.header = (c.header as unknown[]).map((h) => (typeof h === "string" ? sanitizeInlineHtml(h) : h));
  for (const prop of ["className", "customClass"]) if (typeof c[prop] === "string") c[prop] = classes(c[prop]);
  if (typeof c.theme === "string" && !/^[a-z]{1,20}$/.test(c.theme)) c.theme = "default";
  for (const prop of ["leftIcon", "rightIcon"]) if (typeof c[prop] === "string") c[prop] = c[prop].replace(/[^\w -]/g, "");
  // Tab panes are not checked when a form is saved; a key is written into ids and refs.
  if (typeof c.key === "string" && !/^[\w-]*$/.test(c.key)) c.key = c.key.replace(/[^\w-]/g, "");
  if (isObject(c.attributes)) c.attributes = sanitizeInputAttributes(c.attributes);

  if (c.type === "content" && typeof c.html === "string") c.html = sanitizeRichHtml(c.html);
  if (c.type === "htmlelement") {
    const tag = typeof c.tag === "string" ? c.tag.trim().toLowerCase() : "";
    c.tag = ELEMENT_TAGS.has(tag) ? tag : "div";
    if (typeof c.content === "string") c.content = sanitizeRichHtml(c.content);
    c.attrs = sanitizeElementAttrs(c.tag as string, c.attrs);
  }
  if (c.type === "select" && typeof c.template === "string") c.template = sanitizeInlineHtml(c.template);
  sanitizeChoices(c.values);
  if (isObject(c.data)) sanitizeChoices(c.data.values);

  // Children wherever a layout keeps them: components (panels, tabs' panes, grids, fieldsets, wells), columns, table rows.
  if (Array.isArray(c.components)) sanitizeComponents(c.components, depth + 1);
  if (Array.isArray(c.columns)) {
    for (const col of c.columns) {
      if (!isObject(col)) continue;
      if (typeof col.size === "string" && !/^(?:xs|sm|md|lg|xl|xxl)$/.test(col.size)) col.size = "md";
      if (Array.isArray(col.components)) sanitizeComponents(col.components, depth + 1);
    }
  }
  if (Array.isArray(c.rows)) {
    for (const row of c.rows) {
      if (!Array.isArray(row)) continue;
      for (const cell of row) if (isObject(cell) && Array.isArray(cell.components)) sanitizeComponents(cell.components, depth + 1);
    }
  }
}

function sanitizeComponents(list: unknown[], depth: number): void {
  for (const c of list) if (isObject(c)) sanitizeComponent(c, depth);
}

const sanitized = new WeakMap<object, FormDefinition>();

/**
 * A copy of a form definition that is safe to render in a browser: designer HTML in labels, descriptions,
 * tooltips, content and htmlelement components goes through server/html/sanitize.ts, and the form's own
 * settings can no longer loosen @formio/js's sanitizer. The stored definition is never changed.
 */
export function sanitizeFormDefinition(definition: FormDefinition): FormDefinition {
  const hit = sanitized.get(definition);
  if (hit) return hit;
  const copy = structuredClone(definition);
  if (isObject(copy.settings)) for (const k of LOOSENING_SETTINGS) delete copy.settings[k];
  delete copy.globalSettings;
  if (typeof copy.title === "string") copy.title = sanitizeText(copy.title);
  sanitizeComponents(Array.isArray(copy.components) ? copy.components : [], 0);
  // Revisions are immutable and cached by server/forms, so the sanitized copy can be kept beside them.
  sanitized.set(definition, copy);
  return copy;
}

/** The JSON the form renderer (public/js/form-renderer.js) loads: one revision with its sanitized definition. */
export function presentFormForRenderer(form: FormRevisionView) {
  return { formKey: form.formKey, title: form.title, revision: form.revision, definition: sanitizeFormDefinition(form.definition) };
}

/**
 * The builder's copy: the designer's own text unchanged (sanitizing it would rewrite what they edit), minus
 * the settings that would loosen the browser's sanitizer. The builder and its preview render through
 * @formio/js, which sanitizes with DOMPurify (public/js/formio-setup.js sets sanitize: true).
 */
export function presentFormForBuilder(form: FormRevisionView) {
  const definition: FormDefinition = { ...form.definition };
  if (isObject(definition.settings)) {
    const settings = { ...definition.settings };
    for (const k of LOOSENING_SETTINGS) delete settings[k];
    definition.settings = settings;
  }
  delete definition.globalSettings;
  return { ...form, definition };
}
