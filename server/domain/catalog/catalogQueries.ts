import { Op, type Transaction, type WhereOptions } from "sequelize";
import { CatalogItem } from "../../db/models/CatalogItem.js";
import { CatalogItemVersion } from "../../db/models/CatalogItemVersion.js";
import { Department } from "../../db/models/Department.js";
import { ConflictError, NotFoundError } from "../../errors.js";

export interface CatalogEntry {
  item: CatalogItem;
  department: Department;
  /** The version on the catalog (null when the item is not published). */
  published: CatalogItemVersion | null;
  /** The newest version of any status: what editors see. */
  latest: CatalogItemVersion;
}

/** Published items, optionally filtered by department code or a search in the item's name, newest first. */
export async function listPublishedItems(filter: { q?: string; departmentCode?: string } = {}): Promise<CatalogEntry[]> {
  const versionWhere: WhereOptions<CatalogItemVersion> = { status: "published" };
  // LIKE wildcards in the search text are dropped rather than escaped: SQLite's LIKE has no default escape character.
  const q = filter.q?.replace(/[%_\\]/g, "").trim();
  if (q) Object.assign(versionWhere, { name: { [Op.like]: `%${q}%` } });
  const versions = await CatalogItemVersion.findAll({ where: versionWhere, order: [["publishedAt", "DESC"]] });
  if (!versions.length) return [];
  const items = await CatalogItem.findAll({ where: { id: versions.map((v) => v.itemId) } });
  const departments = await Department.findAll({ where: { id: [...new Set(items.map((i) => i.departmentId))] } });
  const itemById = new Map(items.map((i) => [i.id, i]));
  const deptById = new Map(departments.map((d) => [d.id, d]));
  const out: CatalogEntry[] = [];
  for (const v of versions) {
    const item = itemById.get(v.itemId);
    const department = item && deptById.get(item.departmentId);
    if (!item || !department || item.publishedVersionId !== v.id) continue;
    if (filter.departmentCode && department.code !== filter.departmentCode) continue;
    out.push({ item, department, published: v, latest: v });
  }
  return out;
}

/** Items of some departments (all when departmentIds is undefined) with their newest version: the editors' list. */
export async function listManagedItems(departmentIds?: number[]): Promise<CatalogEntry[]> {
  const items = await CatalogItem.findAll({ where: departmentIds ? { departmentId: departmentIds } : {}, order: [["itemCode", "ASC"]] });
  const entries: CatalogEntry[] = [];
  for (const item of items) {
    const entry = await findCatalogEntry(item.itemCode);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** One item with its department, its published version and its newest version; null when there is no such item. */
export async function findCatalogEntry(itemCode: string, t?: Transaction): Promise<CatalogEntry | null> {
  const item = await CatalogItem.findOne({ where: { itemCode }, transaction: t });
  if (!item) return null;
  const [department, published, latest] = await Promise.all([
    Department.findByPk(item.departmentId, { transaction: t }),
    item.publishedVersionId ? CatalogItemVersion.findByPk(item.publishedVersionId, { transaction: t }) : Promise.resolve(null),
    CatalogItemVersion.findOne({ where: { itemId: item.id }, order: [["version", "DESC"]], transaction: t }),
  ]);
  if (!department || !latest) return null;
  return { item, department, published, latest };
}

/** Every version of an item, newest first (the editor's history). */
export async function listItemVersions(itemId: number): Promise<CatalogItemVersion[]> {
  return CatalogItemVersion.findAll({ where: { itemId }, order: [["version", "DESC"]] });
}

/** The published version a new commitment is made under; 404 for an unknown item, 409 for one not on the catalog. */
export async function loadPublishedEntry(itemCode: string, t?: Transaction): Promise<CatalogEntry & { published: CatalogItemVersion }> {
  const entry = await findCatalogEntry(itemCode, t);
  if (!entry) throw new NotFoundError(`找不到告知承诺事项“${itemCode}”`);
  if (!entry.published || entry.published.status !== "published") {
    throw new ConflictError(`事项“${entry.latest.name}”当前未发布，不能办理`, "item_not_published");
  }
  return entry as CatalogEntry & { published: CatalogItemVersion };
}
