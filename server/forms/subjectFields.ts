import type { Transaction } from "sequelize";
import type { Database } from "../db/database.js";
import { ValidationError, type ErrorDetail } from "../errors.js";
import { eachInput, type FormComponent, type FormDefinition } from "./definition.js";
import { getFormRevision } from "./store.js";

/** What a form field may be bound to: the acting subject's name, USCC / ID number, or type. */
export const SUBJECT_FIELDS = ["name", "code", "type"] as const;
export type SubjectField = (typeof SUBJECT_FIELDS)[number];

/** The keys bound by convention when a component names no `properties.subjectField`. */
export const SUBJECT_FIELD_KEYS: Readonly<Record<string, SubjectField>> = {
  subjectName: "name",
  subjectCode: "code",
  subjectType: "type",
};

const FIELD_NAMES: Record<SubjectField, string> = { name: "名称", code: "统一社会信用代码（身份证号）", type: "主体类型" };

export interface SubjectValues {
  name: string;
  code: string;
  type: string;
}

export interface BoundField {
  /** The top-level data key. */
  key: string;
  field: SubjectField;
  label: string;
}

function boundFieldOf(component: FormComponent): SubjectField | null {
  const properties = (component as { properties?: unknown }).properties;
  const named = properties && typeof properties === "object" ? (properties as Record<string, unknown>).subjectField : undefined;
  if (typeof named === "string") return (SUBJECT_FIELDS as readonly string[]).includes(named) ? (named as SubjectField) : null;
  const key = typeof component.key === "string" ? component.key : "";
  return Object.prototype.hasOwnProperty.call(SUBJECT_FIELD_KEYS, key) ? SUBJECT_FIELD_KEYS[key]! : null;
}

/**
 * The fields of a form bound to the acting subject: a top-level text input (in no grid, container or nested form)
 * whose `properties.subjectField` is name, code or type, or, without that property, whose key is subjectName,
 * subjectCode or subjectType. (`properties.subjectField: ""` unbinds such a key.)
 */
export function subjectBoundFields(definition: FormDefinition): BoundField[] {
  const out: BoundField[] = [];
  eachInput(definition.components ?? [], (component, path) => {
    if (/[.[]/.test(path)) return;
    if (!["textfield", "hidden", "textarea", "select", "radio"].includes(String(component.type))) return;
    const field = boundFieldOf(component);
    if (!field) return;
    const label = (typeof component.label === "string" && component.label.replace(/<[^>]*>/g, "").trim()) || path;
    out.push({ key: path, field, label });
  });
  return out;
}

/** Names compared as a person reads them: full-width and half-width forms alike, spaces not counted. */
const comparable = (field: SubjectField, value: string) => {
  const text = value.normalize("NFKC").replace(/\s+/g, "");
  return field === "code" ? text.toUpperCase() : text;
};

/**
 * The data with the subject's values in the bound fields left empty, or ValidationError naming every bound field
 * whose value differs from the acting subject (the value must be the subject's own: a person acting for one
 * subject cannot commit in another's name).
 */
export function bindSubjectFields(definition: FormDefinition, data: unknown, subject: SubjectValues): unknown {
  const fields = subjectBoundFields(definition);
  if (!fields.length || !data || typeof data !== "object" || Array.isArray(data)) return data;
  const out: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  const details: ErrorDetail[] = [];
  for (const f of fields) {
    const expected = subject[f.field];
    const value = out[f.key];
    if (value === undefined || value === null || value === "") {
      out[f.key] = expected;
      continue;
    }
    if (typeof value !== "string" || comparable(f.field, value) !== comparable(f.field, expected)) {
      details.push({
        path: f.key,
        message: `${f.label}必须与承诺主体的${FIELD_NAMES[f.field]}一致：应为“${expected}”，请改回或更换主体后再提交`,
      });
    }
  }
  if (details.length) throw new ValidationError("表单中的主体信息与当前承诺主体不一致", details);
  return out;
}

/** bindSubjectFields for the form revision a submission is made against (read from the revision cache). */
export async function bindSubjectFieldsOf(
  db: Database,
  form: { formKey: string; revision?: number },
  data: unknown,
  subject: SubjectValues,
  t?: Transaction,
): Promise<unknown> {
  const { definition } = await getFormRevision(db, form.formKey, form.revision, t);
  return bindSubjectFields(definition, data, subject);
}
