// A public corpus of Form.io forms and the compatibility run over it: each form is saved through the same path the
// API uses (saveFormRevision, which runs checkDefinition and resolves nested forms), and each accepted one validates an
// empty submission, so that a crash (a 5xx) on either side is counted. Used by bench/forms/compat.ts (figures) and
// test/forms/compat.test.ts (a threshold on the fixed corpus).
//
// Sources, all MIT:
// - @formio/core (installed, read at run time): the forms and components of its test fixtures.
// - formiojs 4.21.7: its component fixtures, copied as JSON into test/fixtures/formio-corpus/formiojs-4.21.7
//   (bench/forms/extract-formiojs4-corpus.ts).
// - @formio/js 5.6.0: what its builder writes for every palette component, captured in Chromium
//   (test/fixtures/formio-corpus/builder-5.6.0, bench/forms/capture-builder-palette.ts).
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Database } from "../../server/db/database.js";
import { AppError, ValidationError } from "../../server/errors.js";
import { saveFormRevision, validateSubmission } from "../../server/forms/index.js";
import { publishFormRevision } from "../../server/forms/store.js";
import { ROOT_DIR } from "../../server/paths.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export interface CorpusForm {
  source: string;
  name: string;
  form: Json;
}

/**
 * The component types of @formio/js 5.6's open-source renderer (Formio.Components.components without its internal
 * base classes): a form made of these only is a standard-component form.
 */
export const STANDARD_TYPES = new Set([
  "address",
  "button",
  "checkbox",
  "columns",
  "container",
  "content",
  "currency",
  "datagrid",
  "datamap",
  "datetime",
  "day",
  "editgrid",
  "email",
  "fieldset",
  "file",
  "form",
  "hidden",
  "htmlelement",
  "number",
  "panel",
  "password",
  "phoneNumber",
  "radio",
  "recaptcha",
  "select",
  "selectboxes",
  "signature",
  "survey",
  "table",
  "tabs",
  "tags",
  "textarea",
  "textfield",
  "time",
  "url",
  "well",
]);

/** Every component type of a form, at any depth (components, columns, rows, tab panes, a data map's value). */
export function typesOf(components: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 64 || !Array.isArray(components)) return out;
  for (const c of components as unknown[]) {
    if (!isObject(c)) continue;
    const paneOfTabs = false;
    if (typeof c.type === "string" && !paneOfTabs) out.add(c.type);
    if (c.type === "tabs" && Array.isArray(c.components)) {
      for (const pane of c.components as unknown[]) if (isObject(pane)) typesOf(pane.components, out, depth + 1);
    } else typesOf(c.components, out, depth + 1);
    if (Array.isArray(c.columns)) for (const col of c.columns as unknown[]) if (isObject(col)) typesOf(col.components, out, depth + 1);
    if (Array.isArray(c.rows))
      for (const row of c.rows as unknown[])
        if (Array.isArray(row)) for (const cell of row) if (isObject(cell)) typesOf(cell.components, out, depth + 1);
    if (isObject(c.valueComponent)) typesOf([c.valueComponent], out, depth + 1);
  }
  return out;
}

export function isStandard(form: Json): boolean {
  const types = typesOf(form.components);
  return types.size > 0 && [...types].every((t) => STANDARD_TYPES.has(t));
}

/** A fixture value as a form: a form as it is, a component or a list of components wrapped in one; else null. */
function asForm(value: unknown): Json | null {
  if (Array.isArray(value))
    return value.length && value.every((c) => isObject(c) && typeof c.type === "string") ? { components: value } : null;
  if (!isObject(value)) return null;
  if (Array.isArray(value.components) && (typeof value.type !== "string" || value.type === "form") && typeof value.key !== "string")
    return value;
  if (typeof value.type === "string" && value.type !== "resource") return { components: [value] };
  return null;
}

function fromCore(): CorpusForm[] {
  const require = createRequire(import.meta.url);
  const base = path.join(ROOT_DIR, "node_modules/@formio/core/lib");
  const out: CorpusForm[] = [];
  const processFixtures = path.join(base, "process/__tests__/fixtures");
  for (const file of readdirSync(processFixtures)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const form = asForm(JSON.parse(readFileSync(path.join(processFixtures, file), "utf8")));
    if (form) out.push({ source: "@formio/core", name: `process/${file}`, form });
  }
  for (const file of [
    "process/validation/__tests__/fixtures/forms.js",
    "process/validation/__tests__/fixtures/components.js",
    "process/validation/rules/__tests__/fixtures/forms.js",
    "process/validation/rules/__tests__/fixtures/components.js",
    "utils/formUtil/fixtures/index.js",
  ]) {
    const exported = require(path.join(base, file)) as Json;
    for (const [name, value] of Object.entries(exported)) {
      const form = asForm(value);
      if (form) out.push({ source: "@formio/core", name: `${file.replace(/\/fixtures\/.*$/, "")}/${name}`, form });
    }
  }
  return out;
}

function fromFormiojs4(): CorpusForm[] {
  const dir = path.join(ROOT_DIR, "test/fixtures/formio-corpus/formiojs-4.21.7");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({
      source: "formiojs 4.21.7",
      name: file.replace(/\.json$/, ""),
      form: JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Json,
    }));
}

function fromBuilder(): CorpusForm[] {
  const palette = JSON.parse(readFileSync(path.join(ROOT_DIR, "test/fixtures/formio-corpus/builder-5.6.0/palette.json"), "utf8")) as Record<
    string,
    unknown[]
  >;
  return Object.entries(palette).map(([type, components]) => ({
    source: "@formio/js 5.6.0 builder",
    name: type,
    form: { display: "form", components },
  }));
}

/** The corpus, each form once (the same JSON from two sources counts once, under the first). */
export function loadCorpus(): CorpusForm[] {
  const seen = new Set<string>();
  const out: CorpusForm[] = [];
  for (const entry of [...fromCore(), ...fromFormiojs4(), ...fromBuilder()]) {
    const hash = createHash("sha256").update(JSON.stringify(entry.form)).digest("hex");
    if (seen.has(hash)) continue;
    seen.add(hash);
    out.push(entry);
  }
  return out;
}

export interface CompatResult {
  entry: CorpusForm;
  standard: boolean;
  outcome: "accepted" | "refused" | "5xx";
  reasons: string[];
  /** After an accepted save: what validating an empty submission answered (ok, 400, or 5xx with the error). */
  emptySubmission?: "ok" | "400" | "5xx";
  error?: string;
}

/** A refusal's reason without the component's name and the specifics in quotes, so that like reasons count together. */
export function reasonOf(message: string): string {
  return message
    .replace(/^(?:组件“[^”]*”(?:（[^）]*）)?|未命名的“[^”]*”组件|未命名的组件)(?:在“[^”]*”页签)?：/, "")
    .replace(/“[^”]*”/g, "“…”")
    .replace(/（[^）]*）/g, "（…）")
    .replace(/设置项 \S+ /, "设置项 … ")
    .replace(/第 \d+ /g, "第 n ")
    .replace(/\d+/g, "n");
}

/** Saves one corpus form through saveFormRevision (and publishes it), then validates an empty submission. */
export async function runOne(db: Database, entry: CorpusForm, keyPrefix: string): Promise<CompatResult> {
  const standard = isStandard(entry.form);
  const formKey = `${keyPrefix}-${randomBytes(5).toString("hex")}`;
  const title = typeof entry.form.title === "string" && entry.form.title.trim() ? entry.form.title : entry.name;
  try {
    const saved = await saveFormRevision(db, { formKey, title: title.slice(0, 200), definition: entry.form, actor: "compat" });
    await publishFormRevision(db, formKey, saved.revision, "compat");
  } catch (err) {
    if (err instanceof ValidationError)
      return { entry, standard, outcome: "refused", reasons: [...new Set(err.details.map((d) => reasonOf(d.message)))] };
    return { entry, standard, outcome: "5xx", reasons: [], error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  try {
    await validateSubmission(db, { formKey }, {});
    return { entry, standard, outcome: "accepted", reasons: [], emptySubmission: "ok" };
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return { entry, standard, outcome: "accepted", reasons: [], emptySubmission: "400" };
    return {
      entry,
      standard,
      outcome: "accepted",
      reasons: [],
      emptySubmission: "5xx",
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    };
  }
}

export async function runCompat(db: Database, corpus: CorpusForm[], keyPrefix = "compat"): Promise<CompatResult[]> {
  const results: CompatResult[] = [];
  for (const entry of corpus) results.push(await runOne(db, entry, keyPrefix));
  return results;
}

export interface CompatSummary {
  total: number;
  accepted: number;
  refused: number;
  serverErrors: number;
  emptySubmission5xx: number;
  standard: { total: number; accepted: number; share: number };
  reasons: [string, number][];
  bySource: Record<string, { total: number; accepted: number }>;
}

export function summarize(results: CompatResult[]): CompatSummary {
  const reasons = new Map<string, number>();
  const bySource: Record<string, { total: number; accepted: number }> = {};
  for (const r of results) {
    for (const reason of r.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    const s = (bySource[r.entry.source] ??= { total: 0, accepted: 0 });
    s.total++;
    if (r.outcome === "accepted") s.accepted++;
  }
  const standard = results.filter((r) => r.standard);
  const standardAccepted = standard.filter((r) => r.outcome === "accepted").length;
  return {
    total: results.length,
    accepted: results.filter((r) => r.outcome === "accepted").length,
    refused: results.filter((r) => r.outcome === "refused").length,
    serverErrors: results.filter((r) => r.outcome === "5xx").length,
    emptySubmission5xx: results.filter((r) => r.emptySubmission === "5xx").length,
    standard: { total: standard.length, accepted: standardAccepted, share: standard.length ? standardAccepted / standard.length : 0 },
    reasons: [...reasons.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    bySource,
  };
}
