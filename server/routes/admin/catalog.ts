import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser, type CurrentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { CATALOG_KINDS, type CatalogKind } from "../../db/models/CatalogItem.js";
import { COMMITMENT_TYPES, PUBLIC_TYPES } from "../../db/models/CatalogItemVersion.js";
import { Department } from "../../db/models/Department.js";
import {
  createCatalogItem,
  publishCatalogItem,
  saveCatalogItemDraft,
  withdrawCatalogItem,
  type CatalogDeps,
} from "../../domain/catalog/catalogCommands.js";
import { findCatalogEntry, listItemVersions, listManagedItems } from "../../domain/catalog/catalogQueries.js";
import { CatalogItemInput, GenericItemInput, type ItemFields } from "../../domain/catalog/itemInput.js";
import { AppError, NotFoundError, type ErrorDetail } from "../../errors.js";
import { listForms } from "../../forms/index.js";
import { requireRole } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { catalogItemPolicy } from "../../policies/catalogItem.js";
import { presentCatalogVersion } from "../../presenters/catalog.js";
import { setFlash, takeFlash } from "./forms.js";

const Withdraw = z.object({ reason: z.string().max(500).optional() });

/** A sensible start for a new item's letter: the five clauses DOMAIN.md lists, with the subject's placeholders. */
const DEFAULT_LETTER = `<p>本单位（本人）{{subject.name}}（{{subject.code}}）申请办理{{commitment.itemName}}，已知晓行政机关告知的全部内容，现郑重承诺如下：</p>
<ol>
<li>所提交的申请材料真实、合法、有效，不存在隐瞒或虚构情况；</li>
<li>已符合告知的条件、标准和要求，严格遵守国家法律法规和政策规定；</li>
<li>自觉接受行政机关及社会的监督检查，积极配合核查；</li>
<li>如违反承诺或承诺内容不实，愿意承担违诺责任，接受将违诺信息记入信用记录并依法依规实施失信惩戒；</li>
<li>同意将本承诺书及承诺履行情况依法公开。</li>
</ol>`;

const text = (v: unknown) => (typeof v === "string" ? v : "");
const num = (v: unknown) => (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v);

/** The editor's HTML form -> the catalog command's fields (numbers from text boxes, empty "other type" as null). */
function fieldsFrom(body: Record<string, unknown>) {
  return {
    name: text(body.name),
    legalBasis: text(body.legalBasis),
    commitmentType: text(body.commitmentType),
    commitmentTypeOther: text(body.commitmentTypeOther).trim() || null,
    noticeContent: text(body.noticeContent),
    letterTemplate: text(body.letterTemplate),
    formKey: text(body.formKey),
    processKey: text(body.processKey) || "commitment",
    verificationMethod: text(body.verificationMethod),
    verificationDays: num(body.verificationDays),
    publicType: text(body.publicType),
    validityMonths: num(body.validityMonths),
    reviewDays: num(body.reviewDays),
  };
}

async function editorOptions(ctx: AppContext, user: CurrentUser) {
  const [{ rows }, departments, definitions] = await Promise.all([
    listForms(ctx.db, { limit: 500, publishedOnly: true }),
    user.isAdmin ? Department.findAll({ order: [["id", "ASC"]] }) : Promise.resolve([]),
    ctx.engine.findDefinitions({ latestVersion: true }),
  ]);
  return {
    // 通用事项 run any deployed process that no flow module owns.
    processes: definitions
      .filter((d) => !ctx.flows.forProcess(d.key))
      .map((d) => ({ key: d.key, name: d.name ?? d.key, version: d.version }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    forms: rows
      .filter((f) => !["commitment-review", "commitment-verification"].includes(f.key))
      .map((f) => ({ key: f.key, title: f.title })),
    departments: departments.map((d) => ({ code: d.code, name: d.name })),
    commitmentTypes: COMMITMENT_TYPES,
    publicTypes: PUBLIC_TYPES,
  };
}

/** The 通用事项 editor's HTML form -> the catalog command's fields. */
function genericFieldsFrom(body: Record<string, unknown>) {
  return {
    name: text(body.name),
    legalBasis: text(body.legalBasis),
    noticeContent: text(body.noticeContent),
    formKey: text(body.formKey),
    processKey: text(body.processKey),
    reviewDays: num(body.reviewDays),
  };
}

const KindQuery = z.object({ kind: z.enum(CATALOG_KINDS).optional().catch(undefined) });

/** The fields of an item of this kind, parsed with its kind's schema (400 with field details). */
function itemFieldsOf(kind: CatalogKind, raw: unknown): ItemFields {
  return kind === "generic" ? { kind, fields: parse(GenericItemInput, raw) } : { kind, fields: parse(CatalogItemInput, raw) };
}

/** Field errors by path, for the template. */
function errorsByPath(details: ErrorDetail[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of details) out[d.path.split(".")[0] ?? d.path] ??= d.message;
  return out;
}

/** Catalog admin pages (告知承诺事项管理): list, create, edit a draft, publish, withdraw, over the catalog commands. */
export function adminCatalogRoutes(ctx: AppContext): Router {
  const router = Router();
  const deps: CatalogDeps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };
  const managers = requireRole("dept_admin");

  router.get("/admin/catalog", managers, async (req, res) => {
    const user = currentUser(req);
    const entries = await listManagedItems(user.isAdmin ? undefined : user.departmentId ? [user.departmentId] : []);
    res.render("admin/catalog/list", {
      title: "事项管理",
      flash: takeFlash(req),
      items: entries.map((e) => ({
        ...presentCatalogVersion(e, e.latest, user),
        publishedVersion: e.published?.status === "published" ? e.published.version : null,
      })),
    });
  });

  const renderEditor = async (req: Request, res: Response, view: Record<string, unknown>, status = 200) => {
    const user = currentUser(req);
    // An existing item's editor follows its kind (presentCatalogVersion's isGeneric).
    const isGeneric = view.isGeneric ?? (view.item as { isGeneric?: boolean } | undefined)?.isGeneric ?? false;
    res.status(status).render("admin/catalog/edit", { ...(await editorOptions(ctx, user)), isAdmin: user.isAdmin, ...view, isGeneric });
  };

  router.get("/admin/catalog/new", managers, async (req, res) => {
    const user = currentUser(req);
    if (parse(KindQuery, req.query).kind === "generic") {
      return renderEditor(req, res, {
        title: "新建通用事项",
        isNew: true,
        isGeneric: true,
        action: "/admin/catalog",
        item: { itemCode: "", departmentCode: user.isAdmin ? "" : null, processKey: "", reviewDays: 5 },
      });
    }
    await renderEditor(req, res, {
      title: "新建告知承诺事项",
      isNew: true,
      action: "/admin/catalog",
      item: {
        itemCode: "",
        departmentCode: user.isAdmin ? "" : null,
        commitmentType: "审批替代型",
        publicType: "可向社会公开",
        processKey: "commitment",
        letterTemplate: DEFAULT_LETTER,
        verificationDays: 30,
        validityMonths: 12,
        reviewDays: 5,
      },
    });
  });

  router.post("/admin/catalog", managers, async (req, res) => {
    const user = currentUser(req);
    const body = req.body as Record<string, unknown>;
    const itemCode = text(body.itemCode).trim();
    const generic = text(body.kind) === "generic";
    const raw = generic ? genericFieldsFrom(body) : fieldsFrom(body);
    try {
      await createCatalogItem(deps, {
        actor: user,
        itemCode,
        departmentCode: text(body.departmentCode) || undefined,
        ...itemFieldsOf(generic ? "generic" : "commitment", raw),
      });
    } catch (err) {
      if (err instanceof AppError && err.status === 400) {
        return renderEditor(
          req,
          res,
          {
            title: generic ? "新建通用事项" : "新建告知承诺事项",
            isNew: true,
            isGeneric: generic,
            action: "/admin/catalog",
            item: { ...raw, itemCode, departmentCode: text(body.departmentCode) },
            problem: err.message,
            errors: errorsByPath(err.details),
          },
          400,
        );
      }
      throw err;
    }
    setFlash(req, "success", `已创建事项“${raw.name}”（草稿）。检查无误后点击“发布”，事项即出现在办事指南中。`);
    res.redirect(303, `/admin/catalog/${encodeURIComponent(itemCode)}`);
  });

  const loadManaged = async (user: CurrentUser, itemCode: string) => {
    const entry = await findCatalogEntry(itemCode);
    if (!entry || !catalogItemPolicy.readUnpublished(user, entry.item)) throw new NotFoundError("找不到该告知承诺事项");
    return entry;
  };

  router.get("/admin/catalog/:itemCode", managers, async (req, res) => {
    const user = currentUser(req);
    const entry = await loadManaged(user, String(req.params.itemCode));
    const versions = await listItemVersions(entry.item.id);
    const latest = presentCatalogVersion(entry, entry.latest, user);
    await renderEditor(req, res, {
      title: `事项：${latest.name}`,
      flash: takeFlash(req),
      isNew: false,
      action: `/admin/catalog/${encodeURIComponent(entry.item.itemCode)}`,
      item: { ...latest, departmentCode: entry.department.code },
      versions: versions.map((v) => presentCatalogVersion(entry, v, user)),
      published: entry.published?.status === "published",
      latestIsDraft: entry.latest.status === "draft",
    });
  });

  router.post("/admin/catalog/:itemCode", managers, async (req, res) => {
    const user = currentUser(req);
    const entry = await loadManaged(user, String(req.params.itemCode));
    const generic = entry.item.kind === "generic";
    const raw = generic ? genericFieldsFrom(req.body as Record<string, unknown>) : fieldsFrom(req.body as Record<string, unknown>);
    try {
      await saveCatalogItemDraft(deps, { actor: user, itemCode: entry.item.itemCode, ...itemFieldsOf(entry.item.kind, raw) });
    } catch (err) {
      if (err instanceof AppError && err.status === 400) {
        const versions = await listItemVersions(entry.item.id);
        return renderEditor(
          req,
          res,
          {
            title: `事项：${entry.latest.name}`,
            isNew: false,
            action: `/admin/catalog/${encodeURIComponent(entry.item.itemCode)}`,
            item: { ...presentCatalogVersion(entry, entry.latest, user), ...raw, departmentCode: entry.department.code },
            versions: versions.map((v) => presentCatalogVersion(entry, v, user)),
            problem: err.message,
            errors: errorsByPath(err.details),
          },
          400,
        );
      }
      throw err;
    }
    setFlash(req, "success", "草稿已保存。发布后新版本才会用于新的办件，已受理的办件不受影响。");
    res.redirect(303, `/admin/catalog/${encodeURIComponent(entry.item.itemCode)}`);
  });

  router.post("/admin/catalog/:itemCode/publish", managers, async (req, res) => {
    const user = currentUser(req);
    const entry = await loadManaged(user, String(req.params.itemCode));
    try {
      const { version } = await publishCatalogItem(deps, { actor: user, itemCode: entry.item.itemCode });
      setFlash(req, "success", `已发布第 ${version.version} 版（表单第 ${version.formRevision ?? "?"} 版），事项已出现在办事指南中。`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 404) throw err;
      setFlash(req, "danger", `未能发布：${err.message}${err.details.length ? "：" + err.details.map((d) => d.message).join("；") : ""}`);
    }
    res.redirect(303, `/admin/catalog/${encodeURIComponent(entry.item.itemCode)}`);
  });

  router.post("/admin/catalog/:itemCode/withdraw", managers, async (req, res) => {
    const user = currentUser(req);
    const entry = await loadManaged(user, String(req.params.itemCode));
    const { reason } = parse(Withdraw, req.body ?? {});
    try {
      await withdrawCatalogItem(deps, { actor: user, itemCode: entry.item.itemCode, reason });
      setFlash(req, "info", "事项已停止办理（已撤回），不再出现在办事指南中；已受理的办件继续办理。");
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 404) throw err;
      setFlash(req, "danger", `未能撤回：${err.message}`);
    }
    res.redirect(303, `/admin/catalog/${encodeURIComponent(entry.item.itemCode)}`);
  });

  return router;
}
