import { Router } from "express";
import { z } from "zod";
import { currentUser, optionalUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import {
  createCatalogItem,
  publishCatalogItem,
  saveCatalogItemDraft,
  withdrawCatalogItem,
  type CatalogDeps,
} from "../../domain/catalog/catalogCommands.js";
import { findCatalogEntry, listItemVersions, listManagedItems, listPublishedItems } from "../../domain/catalog/catalogQueries.js";
import { CatalogItemInput, GenericItemInput, type ItemFields } from "../../domain/catalog/itemInput.js";
import { CATALOG_KINDS, type CatalogKind } from "../../db/models/CatalogItem.js";
import { NotFoundError } from "../../errors.js";
import { getFormRevision } from "../../forms/index.js";
import { requireRole } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { catalogItemPolicy } from "../../policies/catalogItem.js";
import { presentCatalogItem, presentCatalogSummary, presentCatalogVersion } from "../../presenters/catalog.js";

const ListQuery = z.object({ q: z.string().max(100).optional(), department: z.string().max(32).optional() });
const CreateItem = z
  .object({
    itemCode: z.string().min(1).max(64),
    departmentCode: z.string().max(32).optional(),
    kind: z.enum(CATALOG_KINDS, { error: "kind 应为 commitment（告知承诺事项）或 generic（通用事项）" }).optional(),
  })
  .passthrough();

/** The fields of an item of this kind, parsed with its kind's schema. */
const itemFields = (kind: CatalogKind, raw: unknown): ItemFields =>
  kind === "generic" ? { kind, fields: parse(GenericItemInput, raw) } : { kind, fields: parse(CatalogItemInput, raw) };
const Withdraw = z.object({ reason: z.string().max(500).optional() });

/**
 * Catalog API (告知承诺事项 and 通用事项). Reading published items is public; dept_admin manages its department's items,
 * admin all: create (draft), save a new draft, publish (pins form revision and process definition), withdraw.
 */
export function catalogApiRoutes(ctx: AppContext): Router {
  const router = Router();
  const deps: CatalogDeps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };

  router.get("/api/catalog", async (req, res) => {
    const query = parse(ListQuery, req.query);
    const entries = await listPublishedItems({ q: query.q, departmentCode: query.department });
    res.json({ data: entries.map(presentCatalogSummary) });
  });

  /** Items the caller manages (every version status): admin all, dept_admin its department. */
  router.get("/api/catalog-admin/items", requireRole("dept_admin"), async (req, res) => {
    const user = currentUser(req);
    const entries = await listManagedItems(user.isAdmin ? undefined : user.departmentId ? [user.departmentId] : []);
    res.json({ data: entries.map((e) => presentCatalogVersion(e, e.latest, user)) });
  });

  router.get("/api/catalog/:itemCode", async (req, res) => {
    const entry = await findCatalogEntry(String(req.params.itemCode));
    if (!entry?.published) throw new NotFoundError("找不到该告知承诺事项或该事项未发布");
    const form = await getFormRevision(ctx.db, entry.published.formKey, entry.published.formRevision ?? undefined);
    res.json({ data: presentCatalogItem(entry, form) });
  });

  router.get("/api/catalog/:itemCode/versions", requireRole("dept_admin", "reviewer"), async (req, res) => {
    const user = currentUser(req);
    const entry = await findCatalogEntry(String(req.params.itemCode));
    if (!entry || !catalogItemPolicy.readUnpublished(user, entry.item)) throw new NotFoundError("找不到该告知承诺事项");
    const versions = await listItemVersions(entry.item.id);
    res.json({ data: versions.map((v) => presentCatalogVersion(entry, v, user)) });
  });

  router.post("/api/catalog", requireRole("dept_admin"), async (req, res) => {
    const { itemCode, departmentCode, kind, ...rest } = parse(CreateItem, req.body);
    const user = currentUser(req);
    const { item } = await createCatalogItem(deps, { actor: user, itemCode, departmentCode, ...itemFields(kind ?? "commitment", rest) });
    const entry = (await findCatalogEntry(item.itemCode))!;
    res.status(201).json({ data: presentCatalogVersion(entry, entry.latest, user) });
  });

  router.put("/api/catalog/:itemCode", requireRole("dept_admin"), async (req, res) => {
    const user = currentUser(req);
    const existing = await findCatalogEntry(String(req.params.itemCode));
    if (!existing || !catalogItemPolicy.readUnpublished(user, existing.item)) throw new NotFoundError("找不到该事项");
    const fields = itemFields(existing.item.kind, req.body);
    const { version } = await saveCatalogItemDraft(deps, { actor: user, itemCode: existing.item.itemCode, ...fields });
    const entry = (await findCatalogEntry(String(req.params.itemCode)))!;
    res.json({ data: presentCatalogVersion(entry, version, user) });
  });

  router.post("/api/catalog/:itemCode/publish", requireRole("dept_admin"), async (req, res) => {
    const user = currentUser(req);
    const { version } = await publishCatalogItem(deps, { actor: user, itemCode: String(req.params.itemCode) });
    const entry = (await findCatalogEntry(String(req.params.itemCode)))!;
    res.json({ data: presentCatalogVersion(entry, version, user) });
  });

  router.post("/api/catalog/:itemCode/withdraw", requireRole("dept_admin"), async (req, res) => {
    const { reason } = parse(Withdraw, req.body ?? {});
    const user = currentUser(req);
    const { version } = await withdrawCatalogItem(deps, { actor: user, itemCode: String(req.params.itemCode), reason });
    const entry = (await findCatalogEntry(String(req.params.itemCode)))!;
    res.json({ data: presentCatalogVersion(entry, version, optionalUser(req)) });
  });

  return router;
}
