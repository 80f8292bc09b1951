import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ValidationError } from "../../server/errors.js";
import { publishFormRevision, saveFormRevision, seedShippedForms, validateSubmission } from "../../server/forms/index.js";
import { testApp } from "../helpers/testApp.js";

/** A random form key no other test uses. */
export const randomFormKey = (prefix = "t") => `${prefix}-${randomBytes(5).toString("hex")}`;

/** Saves and publishes a form made of these components; returns its key and revision. */
export async function publishTestForm(
  components: unknown[],
  opts: { title?: string; departmentId?: number | null; display?: string } = {},
) {
  const { db } = testApp();
  const formKey = randomFormKey();
  const saved = await saveFormRevision(db, {
    formKey,
    title: opts.title ?? "测试表单",
    definition: { display: opts.display ?? "form", components },
    actor: "test",
    departmentId: opts.departmentId ?? null,
  });
  await publishFormRevision(db, formKey, saved.revision, "test");
  return { formKey, revision: saved.revision, definition: saved.definition };
}

let seeded: Promise<string[]> | undefined;
/** The shipped forms (forms/*.json), seeded once per run. */
export function ensureShippedForms(): Promise<string[]> {
  seeded ??= seedShippedForms(testApp().db);
  return seeded;
}

export const text = (key: string, label: string, validate: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  type: "textfield",
  key,
  label,
  input: true,
  validate,
  ...extra,
});

/** What validateSubmission answers: the cleaned data, or the Chinese details of a refusal. */
export async function verdictOf(
  formKey: string,
  data: unknown,
  opts: Parameters<typeof validateSubmission>[3] = {},
): Promise<{ ok: true; data: Record<string, unknown> } | { ok: false; details: { path: string; message: string }[] }> {
  try {
    const result = await validateSubmission(testApp().db, { formKey }, data, opts);
    return { ok: true, data: result.data };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { ok: false, details: err.details };
  }
}

/** Asserts a refusal with a detail at path (when given) whose message matches; returns the details. */
export async function refusedAt(formKey: string, data: unknown, path?: string, message?: RegExp) {
  const v = await verdictOf(formKey, data);
  assert.ok(!v.ok, `expected a refusal of ${JSON.stringify(data).slice(0, 200)}`);
  if (path !== undefined) {
    const at = v.details.filter((d) => d.path === path);
    assert.ok(at.length, `expected a detail at ${path}: ${JSON.stringify(v.details)}`);
    if (message)
      assert.ok(
        at.some((d) => message.test(d.message)),
        `expected ${String(message)} at ${path}: ${JSON.stringify(at)}`,
      );
  }
  return v.details;
}

/** Asserts acceptance; returns the cleaned data. */
export async function acceptedData(formKey: string, data: unknown): Promise<Record<string, unknown>> {
  const v = await verdictOf(formKey, data);
  assert.ok(v.ok, `expected acceptance: ${v.ok ? "" : JSON.stringify(v.details)}`);
  return v.data;
}

/** The refusal details of saving a definition (none: saved). */
export async function saveProblems(
  definition: unknown,
  formKey = randomFormKey(),
): Promise<{ path: string; message: string; tab?: string }[]> {
  try {
    await saveFormRevision(testApp().db, { formKey, title: "测试表单", definition, actor: "test" });
    return [];
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return err.details;
  }
}
