import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Op, type Transaction } from "sequelize";
import type { Database } from "../db/database.js";
import { Department } from "../db/models/Department.js";
import { Form, FormRevision } from "../db/models/formModels.js";
import { audit } from "../domain/audit.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { ROOT_DIR } from "../paths.js";
import { checkDefinition, type CheckedDefinition, type FormDefinition } from "./definition.js";
import { resolveNestedForms } from "./nested.js";

export interface FormRevisionView {
  formKey: string;
  title: string;
  revision: number;
  definition: FormDefinition;
}

export interface SaveFormRevision {
  formKey: string;
  title?: string;
  definition: unknown;
  actor: string;
  /** The owning department on creation (null/undefined: a global form); ignored for an existing form. */
  departmentId?: number | null;
}

export const FORM_KEY_PATTERN = /^[a-z][a-z0-9-]{1,99}$/;
const FORMS_DIR = path.join(ROOT_DIR, "forms");

// Revisions never change once written, so their parsed definitions can be kept. The cache is keyed by the form's
// row id, not its key: a deleted draft form's key may be used again by a new form (on this node or another), whose
// revision 1 is another row; ids are never reused (AUTOINCREMENT on SQLite, AUTO_INCREMENT on MariaDB). Ids are only
// unique within one database, so each database has its own cache (one process may open several, as the tests do).
const revisionCaches = new WeakMap<Database, Map<string, FormRevisionView>>();
const CACHE_LIMIT = 500;

function cacheOf(db: Database): Map<string, FormRevisionView> {
  let cache = revisionCaches.get(db);
  if (!cache) revisionCaches.set(db, (cache = new Map<string, FormRevisionView>()));
  return cache;
}

function cacheKey(formId: number, revision: number): string {
  return `${formId}@${revision}`;
}

function remember(db: Database, formId: number, view: FormRevisionView): FormRevisionView {
  const cache = cacheOf(db);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey(formId, view.revision), view);
  return view;
}

/** A form's revision (the published one when revision is omitted); NotFoundError when missing. */
export async function getFormRevision(db: Database, formKey: string, revision?: number, t?: Transaction): Promise<FormRevisionView> {
  const form = await Form.findOne({ where: { key: formKey }, attributes: ["id", "publishedRevision"], transaction: t });
  const wanted = revision ?? form?.publishedRevision ?? undefined;
  if (!form || wanted === undefined) throw new NotFoundError(`找不到表单“${formKey}”${revision === undefined ? "的已发布版本" : ""}`);
  // Inside a transaction the published revision just read may yet roll back: the cache answers for a revision
  // named by the caller, or for the committed published one.
  if (revision !== undefined || !t) {
    const cached = cacheOf(db).get(cacheKey(form.id, wanted));
    if (cached) return cached;
  }
  const row = await FormRevision.findOne({ where: { formId: form.id, revision: wanted }, transaction: t });
  if (!row) throw new NotFoundError(`找不到表单“${formKey}”的第 ${wanted} 版`);
  const view = { formKey, title: row.title, revision: row.revision, definition: JSON.parse(row.definition) as FormDefinition };
  // Inside a transaction the row may yet roll back: only committed revisions are remembered.
  return t ? view : remember(db, form.id, view);
}

/**
 * Throws the save refusal of a definition: one detail per offending component, nothing stored. Nested forms are
 * listed in the result for resolveNestedForms (saveFormRevision resolves them inside its transaction).
 */
export function assertAcceptableDefinition(definition: unknown): CheckedDefinition {
  const checked = checkDefinition(definition);
  if (checked.problems.length) throw new ValidationError("表单定义未通过检查，未保存", checked.problems);
  return checked;
}

/**
 * Saves a definition as the form's next revision (creating the form with revision 1 when new).
 * The definition is normalized and checked first; a refused form stores nothing.
 */
export async function saveFormRevision(db: Database, input: SaveFormRevision, t?: Transaction): Promise<FormRevisionView> {
  if (!FORM_KEY_PATTERN.test(input.formKey)) {
    throw new ValidationError("表单键名无效", [
      { path: "key", message: "键名只能使用小写字母、数字和连字符，以字母开头，2 到 100 个字符" },
    ]);
  }
  const checked = assertAcceptableDefinition(input.definition);
  const definition = checked.definition;
  const title = (input.title ?? (typeof definition.title === "string" ? definition.title : "")).trim();
  const run = async (tx: Transaction): Promise<FormRevisionView> => {
    // A nested form must name a published revision of another form: pinned and copied in here.
    const nested = await resolveNestedForms(checked.nestedForms, input.formKey, tx);
    if (nested.length) throw new ValidationError("表单定义未通过检查，未保存", nested);
    let form = await Form.findOne({
      where: { key: input.formKey },
      transaction: tx,
      lock: db.dialect === "mysql" ? tx.LOCK.UPDATE : undefined,
    });
    let revision: number;
    if (!form) {
      if (!title) throw new ValidationError("请填写表单名称", [{ path: "title", message: "表单名称为必填项" }]);
      revision = 1;
      form = await Form.create(
        {
          key: input.formKey,
          title,
          departmentId: input.departmentId ?? null,
          latestRevision: 1,
          publishedRevision: null,
          createdBy: input.actor,
        },
        { transaction: tx },
      );
    } else {
      revision = form.latestRevision + 1;
      await form.update({ latestRevision: revision, title: title || form.title }, { transaction: tx });
    }
    const stored = { ...definition, title: title || form.title, name: input.formKey };
    await FormRevision.create(
      { formId: form.id, revision, title: title || form.title, definition: JSON.stringify(stored), createdBy: input.actor },
      { transaction: tx },
    );
    await audit(db, tx, {
      actor: input.actor,
      action: "form.revision_saved",
      entityType: "form",
      entityId: input.formKey,
      detail: { revision },
    });
    return { formKey: input.formKey, title: title || form.title, revision, definition: stored };
  };
  return t ? run(t) : db.transaction(run);
}

/** Makes a stored revision the one new submissions and catalog items use. */
export async function publishFormRevision(db: Database, formKey: string, revision: number, actor: string, t?: Transaction): Promise<void> {
  const run = async (tx: Transaction): Promise<void> => {
    const form = await Form.findOne({ where: { key: formKey }, transaction: tx });
    if (!form) throw new NotFoundError(`找不到表单“${formKey}”`);
    const row = await FormRevision.findOne({ where: { formId: form.id, revision }, transaction: tx });
    if (!row) throw new NotFoundError(`表单“${formKey}”没有第 ${revision} 版`);
    if (form.publishedRevision === revision) throw new ConflictError(`第 ${revision} 版已经是发布版本`, "already_published");
    await form.update({ publishedRevision: revision, title: row.title }, { transaction: tx });
    if (!row.publishedAt) await row.update({ publishedAt: new Date() }, { transaction: tx });
    await audit(db, tx, { actor, action: "form.published", entityType: "form", entityId: formKey, detail: { revision } });
  };
  return t ? run(t) : db.transaction(run);
}

export interface FormSummary {
  key: string;
  title: string;
  departmentId: number | null;
  departmentName: string | null;
  latestRevision: number;
  publishedRevision: number | null;
  updatedAt: Date;
}

/** Forms in key order, a page at a time. */
export async function listForms(
  db: Database,
  opts: { offset?: number; limit?: number; publishedOnly?: boolean } = {},
): Promise<{ rows: FormSummary[]; total: number }> {
  void db;
  const where = opts.publishedOnly ? { publishedRevision: { [Op.ne]: null } } : {};
  const { rows, count } = await Form.findAndCountAll({ where, order: [["key", "ASC"]], offset: opts.offset ?? 0, limit: opts.limit ?? 20 });
  const departments = new Map((await Department.findAll()).map((d) => [d.id, d.name]));
  return {
    total: count,
    rows: rows.map((f) => ({
      key: f.key,
      title: f.title,
      departmentId: f.departmentId,
      departmentName: f.departmentId ? (departments.get(f.departmentId) ?? null) : null,
      latestRevision: f.latestRevision,
      publishedRevision: f.publishedRevision,
      updatedAt: f.updatedAt,
    })),
  };
}

/** The form row (key, department, revisions) for policy checks; NotFoundError when missing. */
export async function findForm(formKey: string): Promise<Form> {
  const form = await Form.findOne({ where: { key: formKey } });
  if (!form) throw new NotFoundError(`找不到表单“${formKey}”`);
  return form;
}

/** Whether a revision has ever been published: such a revision may be pinned by catalog items and running cases. */
export async function wasPublished(form: Form, revision: number): Promise<boolean> {
  if (form.publishedRevision === revision) return true;
  const row = await FormRevision.findOne({ where: { formId: form.id, revision }, attributes: ["publishedAt"] });
  return Boolean(row?.publishedAt);
}

export async function listRevisions(formKey: string): Promise<{ revision: number; title: string; createdBy: string; createdAt: Date }[]> {
  const form = await findForm(formKey);
  const rows = await FormRevision.findAll({
    where: { formId: form.id },
    attributes: ["revision", "title", "createdBy", "createdAt"],
    order: [["revision", "DESC"]],
  });
  return rows.map((r) => ({ revision: r.revision, title: r.title, createdBy: r.createdBy, createdAt: r.createdAt }));
}

/** The JSON an export downloads: enough to import the form elsewhere. */
export async function exportForm(db: Database, formKey: string, revision?: number) {
  const form = await findForm(formKey);
  const view = await getFormRevision(db, formKey, revision ?? form.publishedRevision ?? form.latestRevision);
  return { key: view.formKey, title: view.title, revision: view.revision, ...view.definition, name: view.formKey };
}

/**
 * Stores forms/*.json as revision 1 (published) of each form that does not exist yet; running it again
 * changes nothing. The file name is the key; a department code in the file's "department" field owns it.
 */
export async function seedShippedForms(db: Database, dir = FORMS_DIR): Promise<string[]> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  const seeded: string[] = [];
  for (const file of files.sort()) {
    const formKey = file.replace(/\.json$/, "");
    const json = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>;
    const created = await db.transaction(async (t) => {
      if (await Form.findOne({ where: { key: formKey }, transaction: t })) return false;
      const code = typeof json.department === "string" ? json.department : null;
      const department = code ? await Department.findOne({ where: { code }, transaction: t }) : null;
      const { department: _d, ...definition } = json;
      void _d;
      await saveFormRevision(
        db,
        {
          formKey,
          title: typeof json.title === "string" ? json.title : formKey,
          definition,
          actor: "system",
          departmentId: department?.id ?? null,
        },
        t,
      );
      await publishFormRevision(db, formKey, 1, "system", t);
      return true;
    });
    if (created) seeded.push(formKey);
  }
  return seeded;
}
