import { Router } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { Department } from "../../db/models/Department.js";
import { findForm, getFormRevision, listForms, listRevisions } from "../../forms/index.js";
import { requireRole } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { authorize } from "../../policies/authorize.js";
import { formActions, formPolicy } from "../../policies/form.js";

const PAGE_SIZE = 20;
const ListQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1) });
const RevisionQuery = z.object({ revision: z.coerce.number().int().min(1).optional().catch(undefined) });

/** The form designer's pages: list, builder with revisions and publish, preview with the server's verdict. */
export function formPageRoutes(ctx: AppContext): Router {
  const router = Router();
  const designers = requireRole("admin", "dept_admin");

  router.get("/admin/forms", designers, async (req, res) => {
    const user = currentUser(req);
    const { page } = parse(ListQuery, req.query);
    const { rows, total } = await listForms(ctx.db, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    res.render("forms/list", {
      title: "表单设计",
      forms: rows.map((f) => ({ ...f, scope: f.departmentName ?? "全市通用", actions: formActions(user, f) })),
      total,
      pagination: { page, pages, prev: page > 1 ? page - 1 : null, next: page < pages ? page + 1 : null },
      canCreate: formPolicy.design(user),
    });
  });

  router.get("/admin/forms/new", designers, async (req, res) => {
    const user = currentUser(req);
    const departments = user.isAdmin
      ? (await Department.findAll({ order: [["id", "ASC"]] })).map((d) => ({ code: d.code, name: d.name }))
      : [];
    res.render("forms/builder", {
      title: "新建表单",
      isNew: true,
      departments,
      ownDepartment: user.isAdmin ? null : user.departmentName,
      formJsonUrl: "",
    });
  });

  router.get("/admin/forms/:key", designers, async (req, res) => {
    const user = currentUser(req);
    const form = await findForm(String(req.params.key));
    authorize(formPolicy.readDrafts(user, form), "您只能设计本部门的表单");
    const { revision } = parse(RevisionQuery, req.query);
    const shown = revision ?? form.latestRevision;
    const view = await getFormRevision(ctx.db, form.key, shown);
    const revisions = (await listRevisions(form.key)).map((r) => ({
      ...r,
      published: r.revision === form.publishedRevision,
      shown: r.revision === shown,
    }));
    res.render("forms/builder", {
      title: `表单设计：${view.title}`,
      isNew: false,
      form: {
        key: form.key,
        title: view.title,
        revision: view.revision,
        publishedRevision: form.publishedRevision,
        latestRevision: form.latestRevision,
      },
      revisions,
      formJsonUrl: `/api/forms/${encodeURIComponent(form.key)}?revision=${view.revision}`,
    });
  });

  router.get("/admin/forms/:key/preview", designers, async (req, res) => {
    const user = currentUser(req);
    const form = await findForm(String(req.params.key));
    authorize(formPolicy.readDrafts(user, form), "您只能预览本部门的表单");
    const { revision } = parse(RevisionQuery, req.query);
    const view = await getFormRevision(ctx.db, form.key, revision ?? form.latestRevision);
    res.render("forms/preview", {
      title: `表单预览：${view.title}`,
      form: { key: form.key, title: view.title, revision: view.revision },
      renderer: {
        formUrl: `/api/forms/${encodeURIComponent(form.key)}?revision=${view.revision}&view=render`,
        validateUrl: `/api/forms/${encodeURIComponent(form.key)}/validate?revision=${view.revision}`,
        submission: "{}",
        readOnly: false,
        mode: "preview",
      },
    });
  });
  return router;
}
