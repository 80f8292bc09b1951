import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser, type CurrentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { Department } from "../../db/models/Department.js";
import type { Form } from "../../db/models/formModels.js";
import { deleteUnusedForm, findFormUsage, usageBlockers } from "../../domain/forms/usage.js";
import { AppError, NotFoundError, nullWhenNotFound, type ErrorDetail } from "../../errors.js";
import { copyTitle, diffRevisions, duplicateForm, formRecordBlockers, listRevisionPage, suggestCopyKey } from "../../forms/formAdmin.js";
import { findForm } from "../../forms/index.js";
import { requireRole } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { authorize } from "../../policies/authorize.js";
import { formAdminActions, formAdminPolicy } from "../../policies/formAdmin.js";
import { presentDiff, presentDiffJson, presentUsage, presentUsageJson } from "../../presenters/formAdmin.js";
import { presentPagination } from "../../presenters/pagination.js";
import { setFlash, takeFlash } from "../admin/forms.js";

const PAGE_SIZE = 20;
const revisionNumber = z.coerce.number({ error: "版本号必须是正整数" }).int({ error: "版本号必须是正整数" }).min(1).max(1_000_000);
const PageQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1) });
/** The pages fall back to the latest two revisions on anything unreadable; the API says what is wrong. */
const DiffPageQuery = z.object({ from: revisionNumber.optional().catch(undefined), to: revisionNumber.optional().catch(undefined) });
const DiffApiQuery = z.object({ from: revisionNumber.optional(), to: revisionNumber.optional() });
const RevisionQuery = z.object({ revision: revisionNumber.optional().catch(undefined) });
const Duplicate = z.object({
  key: z.string().trim().max(100, { error: "键名最多 100 个字符" }).optional(),
  title: z.string().trim().max(200, { error: "表单名称最多 200 个字符" }).optional(),
  revision: z.preprocess((v) => (v === "" ? undefined : v), revisionNumber.optional()),
});

/** The form when the user may manage it; a form one may not manage is "not found", exactly like a missing one. */
async function manageableForm(user: CurrentUser, key: string): Promise<Form> {
  const form = await findForm(key).catch(nullWhenNotFound);
  if (!form || !formAdminPolicy.manage(user, form)) throw new NotFoundError(`找不到表单“${key}”`);
  return form;
}

function assertRevision(form: Form, revision: number): void {
  if (revision > form.latestRevision) throw new NotFoundError(`表单“${form.key}”没有第 ${revision} 版`);
}

/** The two revisions to compare: as asked, else the latest against the one before it. */
function diffRange(form: Form, q: { from?: number; to?: number }) {
  const to = q.to ?? form.latestRevision;
  const from = q.from ?? Math.max(1, to - 1);
  assertRevision(form, from);
  assertRevision(form, to);
  return { from, to };
}

const path = (form: Form, rest = "") => `/admin/forms/${encodeURIComponent(form.key)}${rest}`;

function fieldErrors(details: ErrorDetail[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of details) out[d.path.split(".")[0] ?? d.path] ??= d.message;
  return out;
}

/** Form administration beside the designer: the form's page (revisions, usage, actions), diff, usage, duplicate, delete. */
export function formManageRoutes(ctx: AppContext): Router {
  const router = Router();
  const designers = requireRole("admin", "dept_admin");

  const blockersOf = async (user: CurrentUser, form: Form) => {
    const usage = await findFormUsage(ctx.engine, form.key, user);
    return { usage, blockers: [...(await formRecordBlockers(form)), ...usageBlockers(usage)] };
  };

  const renderShow = async (req: Request, res: Response, form: Form, extra: { problem?: string; status?: number } = {}) => {
    const user = currentUser(req);
    const { page } = parse(PageQuery, req.query);
    const [{ rows, total }, department, { usage, blockers }] = await Promise.all([
      listRevisionPage(form, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE }),
      form.departmentId ? Department.findByPk(form.departmentId) : Promise.resolve(null),
      blockersOf(user, form),
    ]);
    const actions = formAdminActions(user, form);
    res.status(extra.status ?? 200).render("forms/show", {
      title: `表单：${form.title}`,
      flash: takeFlash(req),
      problem: extra.problem,
      form: {
        key: form.key,
        title: form.title,
        scope: department?.name ?? "全市通用",
        latestRevision: form.latestRevision,
        publishedRevision: form.publishedRevision,
        createdBy: form.createdBy,
        updatedAt: form.updatedAt,
      },
      revisions: rows.map((r) => ({ ...r, published: r.revision === form.publishedRevision })),
      pagination: presentPagination({ rows, total, page, pageSize: PAGE_SIZE }, path(form, "/manage"), {}),
      revisionNumbers: Array.from({ length: form.latestRevision }, (_, i) => form.latestRevision - i),
      diffDefault: { from: Math.max(1, form.latestRevision - 1), to: form.latestRevision },
      usage: presentUsage(usage),
      actions,
      deletion: {
        allowed: actions.delete && blockers.length === 0,
        reasons: actions.delete ? blockers.map((b) => b.message) : ["只有本部门的部门管理员或系统管理员可以删除该表单"],
        confirm: `确定删除表单“${form.title}”（${form.key}）吗？将一并删除它的全部 ${form.latestRevision} 个版本，删除后不能恢复。`,
      },
    });
  };

  router.get("/admin/forms/:key/manage", designers, async (req, res) => {
    const form = await manageableForm(currentUser(req), String(req.params.key));
    await renderShow(req, res, form);
  });

  router.get("/admin/forms/:key/diff", designers, async (req, res) => {
    const form = await manageableForm(currentUser(req), String(req.params.key));
    const { from, to } = diffRange(form, parse(DiffPageQuery, req.query));
    const diff = await diffRevisions(ctx.db, form.key, from, to);
    res.render("forms/diff", {
      title: `版本比较：${form.title}`,
      form: { key: form.key, title: form.title },
      diff: presentDiff(diff),
      revisionNumbers: Array.from({ length: form.latestRevision }, (_, i) => form.latestRevision - i),
      selected: { from, to },
      jsonUrl: `/api/forms/${encodeURIComponent(form.key)}/diff?from=${from}&to=${to}`,
    });
  });

  router.get("/admin/forms/:key/usage", designers, async (req, res) => {
    const user = currentUser(req);
    const form = await manageableForm(user, String(req.params.key));
    const { page } = parse(PageQuery, req.query);
    const usage = presentUsage(await findFormUsage(ctx.engine, form.key, user));
    const items = usage.items.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    res.render("forms/usage", {
      title: `使用情况：${form.title}`,
      form: { key: form.key, title: form.title },
      usage: { ...usage, items },
      pagination: presentPagination({ rows: items, total: usage.items.length, page, pageSize: PAGE_SIZE }, path(form, "/usage"), {}),
    });
  });

  const renderDuplicate = (
    res: Response,
    form: Form,
    values: { key: string; title: string; revision: number },
    extra: { problem?: string; errors?: Record<string, string>; status?: number } = {},
  ) => {
    res.status(extra.status ?? 200).render("forms/duplicate", {
      title: `复制表单：${form.title}`,
      form: { key: form.key, title: form.title, latestRevision: form.latestRevision, publishedRevision: form.publishedRevision },
      values,
      revisionNumbers: Array.from({ length: form.latestRevision }, (_, i) => form.latestRevision - i),
      problem: extra.problem,
      errors: extra.errors ?? {},
    });
  };

  router.get("/admin/forms/:key/duplicate", designers, async (req, res) => {
    const user = currentUser(req);
    const form = await manageableForm(user, String(req.params.key));
    authorize(formAdminPolicy.duplicate(user, form), "您不能在该部门创建表单");
    const { revision } = parse(RevisionQuery, req.query);
    const chosen = revision && revision <= form.latestRevision ? revision : form.latestRevision;
    renderDuplicate(res, form, { key: await suggestCopyKey(form.key), title: copyTitle(form.title), revision: chosen });
  });

  router.post("/admin/forms/:key/duplicate", designers, async (req, res) => {
    const user = currentUser(req);
    const form = await manageableForm(user, String(req.params.key));
    authorize(formAdminPolicy.duplicate(user, form), "您不能在该部门创建表单");
    const body = req.body as Record<string, unknown>;
    const values = {
      key: typeof body.key === "string" ? body.key.trim() : "",
      title: typeof body.title === "string" ? body.title.trim() : "",
      revision: Number(body.revision) || form.latestRevision,
    };
    try {
      const input = parse(Duplicate, body);
      const copy = await duplicateForm(ctx.db, {
        sourceKey: form.key,
        sourceRevision: input.revision,
        newKey: input.key ?? "",
        title: input.title ?? "",
        actor: user.username,
        departmentId: form.departmentId,
      });
      setFlash(
        req,
        "success",
        `已将“${form.title}”第 ${copy.sourceRevision} 版复制为新表单“${copy.title}”（${copy.formKey}），当前为草稿：设计并发布后，事项和流程才能使用它。`,
      );
      res.redirect(303, `/admin/forms/${encodeURIComponent(copy.formKey)}/manage`);
    } catch (err) {
      // A revision that is not there is a wrong choice on this page, not a missing page.
      if (err instanceof AppError && (err.status === 400 || err.status === 404)) {
        return renderDuplicate(res, form, values, { problem: err.message, errors: fieldErrors(err.details), status: 400 });
      }
      throw err;
    }
  });

  router.post("/admin/forms/:key/delete", designers, async (req, res) => {
    const user = currentUser(req);
    const form = await manageableForm(user, String(req.params.key));
    authorize(formAdminPolicy.delete(user, form), "只有本部门的部门管理员或系统管理员可以删除该表单");
    try {
      await deleteUnusedForm({ db: ctx.db, engine: ctx.engine }, { formKey: form.key, actor: user });
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return renderShow(req, res, form, { problem: err.message, status: 409 });
      throw err;
    }
    res.redirect(303, "/admin/forms");
  });

  // ---- JSON ----

  router.get("/api/forms/:key/diff", designers, async (req, res) => {
    const form = await manageableForm(currentUser(req), String(req.params.key));
    const { from, to } = diffRange(form, parse(DiffApiQuery, req.query));
    res.json({ data: presentDiffJson(await diffRevisions(ctx.db, form.key, from, to)) });
  });

  router.get("/api/forms/:key/usage", designers, async (req, res) => {
    const user = currentUser(req);
    const form = await manageableForm(user, String(req.params.key));
    const { usage, blockers } = await blockersOf(user, form);
    res.json({ data: presentUsageJson(usage, blockers) });
  });

  router.post("/api/forms/:key/duplicate", designers, async (req, res) => {
    const user = currentUser(req);
    const form = await manageableForm(user, String(req.params.key));
    authorize(formAdminPolicy.duplicate(user, form), "您不能在该部门创建表单");
    const input = parse(Duplicate, req.body);
    const copy = await duplicateForm(ctx.db, {
      sourceKey: form.key,
      sourceRevision: input.revision,
      newKey: input.key || (await suggestCopyKey(form.key)),
      title: input.title || copyTitle(form.title),
      actor: user.username,
      departmentId: form.departmentId,
    });
    res.status(201).json({ data: copy });
  });

  router.delete("/api/forms/:key", designers, async (req, res) => {
    const user = currentUser(req);
    const form = await manageableForm(user, String(req.params.key));
    authorize(formAdminPolicy.delete(user, form), "只有本部门的部门管理员或系统管理员可以删除该表单");
    await deleteUnusedForm({ db: ctx.db, engine: ctx.engine }, { formKey: form.key, actor: user });
    res.status(204).end();
  });
  return router;
}
