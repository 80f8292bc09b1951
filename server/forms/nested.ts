// Nested forms (`type: "form"`): a component that embeds another form's published revision, by key and revision.
// At save the reference is checked and pinned and the revision's components are copied in (so the browser renders
// them without loading anything); at validation the components are taken from the pinned revision again.
import type { Transaction } from "sequelize";
import type { Database } from "../db/database.js";
import { Form, FormRevision } from "../db/models/formModels.js";
import { AppError } from "../errors.js";
import { TABS } from "./components.js";
import { childComponents, type FormComponent, type FormDefinition, type FormProblem, type NestedFormRef } from "./definition.js";
import { conditionFree } from "./jsToLogic.js";
import { getFormRevision } from "./store.js";

/** A form may embed a form that embeds a form, and no deeper. */
export const MAX_FORM_NESTING = 3;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** How many nested forms deep a list of components goes (0: none). */
export function nestingDepth(components: FormComponent[], depth = 0): number {
  if (depth > 64) return depth;
  let deepest = 0;
  for (const c of components) {
    if (!isObject(c)) continue;
    const own = c.type === "form" ? 1 : 0;
    deepest = Math.max(deepest, own + nestingDepth(childComponents(c), depth + 1));
  }
  return deepest;
}

/**
 * Checks every nested form of a definition being saved: the form exists, is not the form itself, and the revision
 * (the published one when none is named) is or was published. Pins the revision and copies its components into the
 * component. Returns the refusals, in the same shape as checkDefinition's.
 */
export async function resolveNestedForms(refs: NestedFormRef[], selfKey: string, t?: Transaction): Promise<FormProblem[]> {
  const problems: FormProblem[] = [];
  for (const ref of refs) {
    const refuse = (text: string): void => {
      const problem: FormProblem = { path: ref.path, message: `${ref.name}在“${TABS.form}”页签：${text}`, tab: TABS.form };
      if (typeof ref.component.key === "string") problem.component = ref.component.key;
      if (typeof ref.component.id === "string") problem.componentId = ref.component.id;
      problems.push(problem);
    };
    if (ref.formKey === selfKey) {
      refuse("嵌套表单不能嵌入表单自身");
      continue;
    }
    const form = await Form.findOne({ where: { key: ref.formKey }, attributes: ["id", "key", "publishedRevision"], transaction: t });
    if (!form) {
      refuse(`要嵌入的表单“${ref.formKey}”不存在；只能嵌入本平台已发布的表单`);
      continue;
    }
    const revision = ref.revision ?? form.publishedRevision ?? undefined;
    if (revision === undefined) {
      refuse(`要嵌入的表单“${ref.formKey}”还没有发布；请先发布它，再嵌入`);
      continue;
    }
    const row = await FormRevision.findOne({
      where: { formId: form.id, revision },
      attributes: ["revision", "definition", "publishedAt"],
      transaction: t,
    });
    if (!row) {
      refuse(`要嵌入的表单“${ref.formKey}”没有第 ${revision} 版`);
      continue;
    }
    if (form.publishedRevision !== revision && !row.publishedAt) {
      refuse(`表单“${ref.formKey}”的第 ${revision} 版没有发布过；只能嵌入已发布的版本`);
      continue;
    }
    const nested = JSON.parse(row.definition) as FormDefinition;
    const components = Array.isArray(nested.components) ? nested.components : [];
    if (nestingDepth(components) + 1 > MAX_FORM_NESTING) {
      refuse(`表单“${ref.formKey}”本身已嵌套了其他表单，嵌套不能超过 ${MAX_FORM_NESTING} 层`);
      continue;
    }
    ref.component.form = ref.formKey;
    ref.component.revision = revision;
    ref.component.components = components;
  }
  return problems;
}

const prepared = new WeakMap<FormDefinition, Promise<FormDefinition>>();

/**
 * The definition submissions are validated against: every nested form's components taken from its pinned revision
 * (at any depth), and the settings a revision stored before today's save checks may still hold and that would loosen
 * the server's checks removed (serverOverride, modelType) or break them (the builder's selectboxes default
 * `{"": false}`). Cached per stored definition (revisions never change).
 */
export function preparedDefinition(db: Database, definition: FormDefinition, t?: Transaction): Promise<FormDefinition> {
  let known = prepared.get(definition);
  if (!known) {
    known = prepare(db, definition, t, 0);
    prepared.set(definition, known);
    known.catch(() => prepared.delete(definition));
  }
  return known;
}

async function prepare(db: Database, definition: FormDefinition, t: Transaction | undefined, depth: number): Promise<FormDefinition> {
  const copy = structuredClone(definition);
  const visit = async (components: FormComponent[]): Promise<void> => {
    for (const c of components) {
      if (!isObject(c)) continue;
      delete c.serverOverride;
      delete c.modelType;
      // As the save does now: core evaluates JSONLogic in conditional.json, not in customConditional.
      if ((isObject(c.customConditional) || Array.isArray(c.customConditional)) && conditionFree(c.conditional)) {
        c.conditional = { ...(isObject(c.conditional) ? c.conditional : {}), json: c.customConditional };
        delete c.customConditional;
      }
      if (c.type === "selectboxes" && isObject(c.defaultValue)) {
        const listed = new Set((Array.isArray(c.values) ? c.values : []).map((v) => String(isObject(v) ? v.value : undefined)));
        c.defaultValue = Object.fromEntries(Object.entries(c.defaultValue).filter(([k]) => listed.has(k)));
      }
      if (c.type === "form" && (c.form === undefined || c.form === "") && Array.isArray(c.components)) {
        // A nested form with its own components (imported from Form.io): checked at save like any other.
        await visit(c.components);
        continue;
      }
      if (c.type === "form") {
        const formKey = typeof c.form === "string" ? c.form : "";
        const revision = typeof c.revision === "number" ? c.revision : Number(c.revision);
        if (!formKey || !Number.isInteger(revision) || depth >= MAX_FORM_NESTING) {
          throw new AppError(500, "nested_form_missing", `表单配置有误：嵌套表单“${String(c.label ?? c.key)}”没有指定已发布的表单版本`);
        }
        const view = await getFormRevision(db, formKey, revision, t).catch(() => {
          throw new AppError(500, "nested_form_missing", `表单配置有误：嵌套的表单“${formKey}”第 ${revision} 版不存在`);
        });
        c.components = (await prepare(db, view.definition, t, depth + 1)).components;
        continue;
      }
      await visit(childComponents(c));
    }
  };
  await visit(copy.components);
  return copy;
}

/** The forms a definition embeds (key and pinned revision), at any depth: a form so used is in use. */
export function embeddedForms(definition: FormDefinition): { formKey: string; revision: number }[] {
  const out: { formKey: string; revision: number }[] = [];
  const visit = (components: FormComponent[], depth: number): void => {
    if (depth > 64) return;
    for (const c of components) {
      if (!isObject(c)) continue;
      if (c.type === "form" && typeof c.form === "string" && Number.isInteger(Number(c.revision)))
        out.push({ formKey: c.form, revision: Number(c.revision) });
      visit(childComponents(c), depth + 1);
    }
  };
  visit(Array.isArray(definition.components) ? definition.components : [], 0);
  return out;
}
