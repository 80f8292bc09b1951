import { randomBytes } from "node:crypto";
import { publishFormRevision, saveFormRevision, seedShippedForms } from "../../server/forms/index.js";
import { testApp } from "../helpers/testApp.js";

/** A random form key no other test uses. */
export const randomFormKey = (prefix = "t") => `${prefix}-${randomBytes(5).toString("hex")}`;

/** Saves and publishes a form made of these components; returns its key and revision. */
export async function publishTestForm(components: unknown[], opts: { title?: string; departmentId?: number | null } = {}) {
  const { db } = testApp();
  const formKey = randomFormKey();
  const saved = await saveFormRevision(db, {
    formKey,
    title: opts.title ?? "测试表单",
    definition: { display: "form", components },
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
