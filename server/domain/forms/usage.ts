// Where a form is used: catalog item versions pinning its revisions, deployed processes naming it, cases and tasks.
import type { Transaction } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { CatalogItem } from "../../db/models/CatalogItem.js";
import { CatalogItemVersion, type CatalogVersionStatus } from "../../db/models/CatalogItemVersion.js";
import { Commitment } from "../../db/models/Commitment.js";
import { Department } from "../../db/models/Department.js";
import { EngineTask } from "../../db/models/engineModels.js";
import { formReferencesOf, type EngineRuntime, type FormReference } from "../../engine/index.js";
import { deleteForm, type DeletionBlocker } from "../../forms/formAdmin.js";
import { catalogItemPolicy } from "../../policies/catalogItem.js";

export interface ItemVersionUsage {
  version: number;
  status: CatalogVersionStatus;
  /** The form revision the version pins (set when published; a draft uses the form's published revision then). */
  formRevision: number | null;
  publishedAt: Date | null;
}

export interface ItemUsage {
  itemCode: string;
  departmentId: number;
  departmentName: string;
  /** The newest version's name (what the item's editors call it now). */
  name: string;
  /** The item is on the catalog now. */
  onCatalog: boolean;
  /** Its versions that use this form, newest first. */
  versions: ItemVersionUsage[];
}

export interface ProcessUsage {
  definitionId: string;
  key: string;
  name: string | null;
  version: number;
  deployedAt: Date;
  elements: Omit<FormReference, "processId" | "formKey">[];
}

export interface FormUsage {
  formKey: string;
  items: ItemUsage[];
  /** Catalog item versions of other departments the viewer may not read (counted, not named). */
  hiddenItems: number;
  processes: ProcessUsage[];
  records: { commitments: number; openTasks: number };
}

type DefinitionSource = Pick<EngineRuntime, "findDefinitions" | "getDefinitionXml">;

// A definition version never changes once deployed, so its references are read once per node.
const referencesByDefinition = new Map<string, FormReference[]>();
const CACHE_LIMIT = 1000;

async function referencesOf(engine: DefinitionSource, definitionId: string): Promise<FormReference[]> {
  const cached = referencesByDefinition.get(definitionId);
  if (cached) return cached;
  const definition = await engine.getDefinitionXml({ id: definitionId });
  const refs = await formReferencesOf(definition.xml);
  if (referencesByDefinition.size >= CACHE_LIMIT) referencesByDefinition.delete(referencesByDefinition.keys().next().value!);
  referencesByDefinition.set(definitionId, refs);
  return refs;
}

/**
 * The deployed processes whose latest version names the form on a start event or user task (camunda:formKey, or
 * camunda:formRef). Reads the engine outside any transaction (on SQLite a second connection would wait for it).
 */
export async function findProcessUsage(engine: DefinitionSource, formKey: string): Promise<ProcessUsage[]> {
  const out: ProcessUsage[] = [];
  for (const definition of await engine.findDefinitions({ latestVersion: true })) {
    const refs = (await referencesOf(engine, definition.id)).filter((r) => r.formKey === formKey && r.processId === definition.key);
    if (!refs.length) continue;
    out.push({
      definitionId: definition.id,
      key: definition.key,
      name: definition.name,
      version: definition.version,
      deployedAt: definition.deployedAt,
      elements: refs.map(({ processId: _p, formKey: _f, ...element }) => element),
    });
  }
  return out;
}

/** The catalog items with a version naming the form, and the cases and open tasks made with it. */
export async function findRecordUsage(
  formKey: string,
  t?: Transaction,
): Promise<Pick<FormUsage, "items" | "records"> & { itemRows: CatalogItem[] }> {
  const versions = await CatalogItemVersion.findAll({
    where: { formKey },
    attributes: ["itemId", "version", "status", "formRevision", "publishedAt"],
    order: [["version", "DESC"]],
    transaction: t,
  });
  const itemRows = versions.length
    ? await CatalogItem.findAll({
        where: { id: [...new Set(versions.map((v) => v.itemId))] },
        order: [["itemCode", "ASC"]],
        transaction: t,
      })
    : [];
  const [departments, latest, commitments, openTasks] = await Promise.all([
    itemRows.length ? Department.findAll({ where: { id: [...new Set(itemRows.map((i) => i.departmentId))] }, transaction: t }) : [],
    itemRows.length
      ? CatalogItemVersion.findAll({
          where: { itemId: itemRows.map((i) => i.id) },
          attributes: ["itemId", "version", "name"],
          transaction: t,
        })
      : [],
    Commitment.count({ where: { formKey }, transaction: t }),
    EngineTask.count({ where: { formKey }, transaction: t }),
  ]);
  const departmentName = new Map(departments.map((d) => [d.id, d.name]));
  const nameOf = new Map<number, { version: number; name: string }>();
  for (const v of latest) if ((nameOf.get(v.itemId)?.version ?? 0) < v.version) nameOf.set(v.itemId, { version: v.version, name: v.name });
  const items = itemRows.map((item) => ({
    itemCode: item.itemCode,
    departmentId: item.departmentId,
    departmentName: departmentName.get(item.departmentId) ?? "",
    name: nameOf.get(item.id)?.name ?? item.itemCode,
    onCatalog: item.publishedVersionId !== null,
    versions: versions
      .filter((v) => v.itemId === item.id)
      .map((v) => ({ version: v.version, status: v.status, formRevision: v.formRevision, publishedAt: v.publishedAt })),
  }));
  return { items, records: { commitments, openTasks }, itemRows };
}

/**
 * Everything that uses a form, as the viewer may see it: items of departments whose unpublished versions the
 * viewer may not read show only their published version (it is on the public catalog); the rest is counted.
 */
export async function findFormUsage(engine: DefinitionSource, formKey: string, viewer: CurrentUser): Promise<FormUsage> {
  const processes = await findProcessUsage(engine, formKey);
  const { items, records } = await findRecordUsage(formKey);
  return { formKey, ...visibleItems(items, viewer), processes, records };
}

function visibleItems(items: ItemUsage[], viewer: CurrentUser): Pick<FormUsage, "items" | "hiddenItems"> {
  const visible: ItemUsage[] = [];
  let hiddenItems = 0;
  for (const item of items) {
    if (catalogItemPolicy.readUnpublished(viewer, item)) {
      visible.push(item);
      continue;
    }
    const versions = item.versions.filter((v) => v.status === "published");
    hiddenItems += item.versions.length - versions.length;
    if (versions.length) visible.push({ ...item, versions });
  }
  return { items: visible, hiddenItems };
}

const quoted = (names: string[], max = 3) =>
  names.length > max ? `${names.slice(0, max).join("、")} 等 ${names.length} 个` : names.join("、");

/** The reasons, in Chinese, why the usage keeps a form from being deleted (without naming what the viewer may not see). */
export function usageBlockers(usage: Omit<FormUsage, "formKey">): DeletionBlocker[] {
  const blockers: DeletionBlocker[] = [];
  if (usage.items.length) {
    blockers.push({ code: "catalog_item", message: `已被事项 ${quoted(usage.items.map((i) => `“${i.name}”（${i.itemCode}）`))}使用` });
  }
  if (usage.hiddenItems) blockers.push({ code: "catalog_item", message: `已被其他部门的 ${usage.hiddenItems} 个事项版本使用` });
  if (usage.processes.length) {
    const names = usage.processes.map((p) => `“${p.name ?? p.key}”（${p.key} 第 ${p.version} 版）`);
    blockers.push({ code: "process", message: `已被流程 ${quoted(names)}引用` });
  }
  if (usage.records.commitments) blockers.push({ code: "commitments", message: `已有 ${usage.records.commitments} 件承诺办件使用此表单` });
  if (usage.records.openTasks) blockers.push({ code: "tasks", message: `有 ${usage.records.openTasks} 个待办任务使用此表单` });
  return blockers;
}

export interface UsageDeps {
  db: Database;
  engine: DefinitionSource;
}

/**
 * Deletes a draft form nobody uses (formAdmin.deleteForm), with the catalog, cases and tasks re-read inside the
 * deletion's transaction; the processes are read just before it (deploying names only forms that exist).
 */
export async function deleteUnusedForm(deps: UsageDeps, input: { formKey: string; actor: CurrentUser }) {
  const processes = await findProcessUsage(deps.engine, input.formKey);
  return deleteForm(deps.db, {
    formKey: input.formKey,
    actor: input.actor.username,
    otherBlockers: async (_form, t) => {
      const { items, records } = await findRecordUsage(input.formKey, t);
      return usageBlockers({ ...visibleItems(items, input.actor), processes, records });
    },
  });
}
