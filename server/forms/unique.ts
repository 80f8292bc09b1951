// Fields marked `unique`: a value may be held by one stored submission of a form at a time. The claim is a row of
// submission_unique_values (form key, field path, value hash, owner) whose unique index settles races between
// concurrent submissions; it is written inside the submission's own transaction.
import { createHash } from "node:crypto";
import { Op, UniqueConstraintError, type Transaction } from "sequelize";
import { SubmissionUniqueValue } from "../db/models/formModels.js";
import { ValidationError } from "../errors.js";
import { childComponents, dataKeyOf, isInput, type FormComponent, type FormDefinition } from "./definition.js";
import { labelOf } from "./shapes.js";

/** The field_path column's width: longer paths (keys may have 128 characters, at any depth) are stored as a hash. */
const FIELD_PATH_COLUMN = 200;

type Json = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export interface UniqueValue {
  /** The data path of the value (rows as [n]). */
  path: string;
  /** The path without row numbers: a value is unique across all rows of all submissions. */
  fieldPath: string;
  label: string;
  value: unknown;
}

/** Whether a value counts as given: unique says nothing about empty fields. */
const given = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0) && !(isPlainObject(v) && Object.keys(v).length === 0);

/** The values of a submission's unique fields, at any depth (containers, grid rows, nested forms). */
export function uniqueValues(components: FormComponent[], data: Json, prefix = "", field = ""): UniqueValue[] {
  const out: UniqueValue[] = [];
  for (const component of components) {
    if (!isPlainObject(component)) continue;
    const key = isInput(component) ? dataKeyOf(component) : undefined;
    if (key === undefined) {
      out.push(...uniqueValues(childComponents(component), data, prefix, field));
      continue;
    }
    const path = prefix ? `${prefix}.${key}` : key;
    const fieldPath = field ? `${field}.${key}` : key;
    const value = data[key];
    if ((component.unique === true || component.validate?.unique === true) && given(value))
      out.push({ path, fieldPath, label: labelOf(component), value });
    const children = childComponents(component);
    if (!children.length) continue;
    if ((component.type === "datagrid" || component.type === "editgrid") && Array.isArray(value)) {
      value.forEach((row, i) => isPlainObject(row) && out.push(...uniqueValues(children, row, `${path}[${i}]`, `${fieldPath}[]`)));
    } else if (component.type === "form" && isPlainObject(value) && isPlainObject(value.data)) {
      out.push(...uniqueValues(children, value.data, `${path}.data`, `${fieldPath}.data`));
    } else if (component.type === "container" && isPlainObject(value)) {
      out.push(...uniqueValues(children, value, path, fieldPath));
    }
  }
  return out;
}

/** Whether any component of the form asks for a unique value. */
export function hasUniqueField(definition: FormDefinition): boolean {
  const visit = (components: FormComponent[]): boolean =>
    components.some((c) => isPlainObject(c) && (c.unique === true || c.validate?.unique === true || visit(childComponents(c))));
  return visit(definition.components);
}

/** The value as compared: text trimmed and case-folded (Form.io compares case-insensitively), anything else as JSON. */
export function uniqueHash(formKey: string, fieldPath: string, value: unknown): string {
  const normalized = typeof value === "string" ? value.trim().toLowerCase() : JSON.stringify(value);
  return createHash("sha256").update(`${formKey}\u0000${fieldPath}\u0000${normalized}`).digest("hex");
}

function storedFieldPath(fieldPath: string): string {
  return fieldPath.length <= FIELD_PATH_COLUMN ? fieldPath : `sha256:${createHash("sha256").update(fieldPath).digest("hex")}`;
}

/** Whether a value is free for this owner (nobody else of the form holds it). */
export async function isUniqueValue(
  formKey: string,
  fieldPath: string,
  value: unknown,
  ownerRef?: string,
  t?: Transaction,
): Promise<boolean> {
  const where: Record<string | symbol, unknown> = {
    formKey,
    fieldPath: storedFieldPath(fieldPath),
    valueHash: uniqueHash(formKey, fieldPath, value),
  };
  if (ownerRef) where.ownerRef = { [Op.ne]: ownerRef };
  return (await SubmissionUniqueValue.count({ where, transaction: t })) === 0;
}

/**
 * Claims a submission's unique values for its owner inside the caller's transaction, releasing the owner's earlier
 * claims of the form first (a corrected submission keeps its own values). A value another submission of the form holds
 * is refused with a Chinese message naming the field; the unique index stops two submissions racing for one value.
 */
export async function claimUniqueValues(formKey: string, ownerRef: string, values: UniqueValue[], t: Transaction): Promise<void> {
  await SubmissionUniqueValue.destroy({ where: { ownerRef, formKey }, transaction: t });
  const claimed = new Map<string, UniqueValue>();
  for (const v of values) {
    const hash = uniqueHash(formKey, v.fieldPath, v.value);
    const earlier = claimed.get(`${v.fieldPath}\u0000${hash}`);
    if (earlier) {
      // Two rows of one submission with the same value: as unique as two submissions would be.
      throw new ValidationError("提交的内容有误，请按提示修改", [{ path: v.path, message: `${v.label}在多行中填写了相同的值，必须唯一` }]);
    }
    claimed.set(`${v.fieldPath}\u0000${hash}`, v);
    try {
      await SubmissionUniqueValue.create(
        { formKey, fieldPath: storedFieldPath(v.fieldPath), valueHash: hash, ownerRef },
        { transaction: t },
      );
    } catch (err) {
      if (err instanceof UniqueConstraintError) {
        throw new ValidationError("提交的内容有误，请按提示修改", [{ path: v.path, message: `${v.label}的值已被其他申请使用，必须唯一` }]);
      }
      throw err;
    }
  }
}
