import { Router, type Request } from "express";
import { z } from "zod";
import { currentUser, type CurrentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { Department } from "../../db/models/Department.js";
import { NotFoundError, nullWhenNotFound, ValidationError } from "../../errors.js";
import {
  deleteDraft,
  exportForm,
  findForm,
  wasPublished,
  getFormRevision,
  listForms,
  listRevisions,
  loadDraft,
  publishFormRevision,
  saveDraft,
  saveFormRevision,
  validateSubmission,
} from "../../forms/index.js";
import { requireUser } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { authorize } from "../../policies/authorize.js";
import { formPolicy } from "../../policies/form.js";
import { presentFormForBuilder, presentFormForRenderer } from "../../presenters/form.js";

const Page = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  size: z.coerce.number().int().min(1).max(100).default(20),
});
const RevisionQuery = z.object({ revision: z.coerce.number().int().min(1).optional() });
/** view=render: the sanitized copy the renderer shows applicants (the preview page asks for it). */
const ReadQuery = RevisionQuery.extend({ view: z.enum(["render"]).optional().catch(undefined) });
const NewForm = z
  .object({
    key: z.string({ error: "请填写表单键名" }).min(2).max(100),
    title: z.string({ error: "请填写表单名称" }).trim().min(1, { error: "请填写表单名称" }).max(200),
    department: z.string().max(32).nullable().optional(),
    components: z.array(z.unknown(), { error: "表单定义缺少组件列表（components）" }),
  })
  .loose();
const UpdateForm = z.object({ title: z.string().trim().min(1).max(200).optional(), components: z.array(z.unknown()) }).loose();
const Publish = z.object({ revision: z.coerce.number().int().min(1) });
const ValidateBody = z.object({ data: z.unknown() });
const DraftBody = z.object({ data: z.unknown(), revision: z.coerce.number().int().min(1).optional() });

/** The department that will own a new form: a dept_admin's own; an admin's choice (none: global). */
async function owningDepartment(user: CurrentUser, code: string | null | undefined): Promise<number | null> {
  if (!user.isAdmin) return user.departmentId;
  if (!code) return null;
  const department = await Department.findOne({ where: { code } });
  if (!department) throw new ValidationError("部门不存在", [{ path: "department", message: `没有代码为“${code}”的部门` }]);
  return department.id;
}

function definitionOf(body: Record<string, unknown>): Record<string, unknown> {
  const { key: _k, department: _d, revision: _r, ...definition } = body;
  void _k;
  void _d;
  void _r;
  return definition;
}

/**
 * Revisions that are or were published for everyone (running cases stay pinned to the revision they
 * started on); never-published revisions only for those who may edit the form.
 */
async function readableRevision(req: Request, ctx: AppContext, revision?: number) {
  const user = currentUser(req);
  const form = await findForm(String(req.params.key));
  const wanted = revision ?? form.publishedRevision ?? undefined;
  const isPublic = wanted !== undefined && (await wasPublished(form, wanted));
  if (!isPublic && !formPolicy.readDrafts(user, form)) throw new NotFoundError(`找不到表单“${form.key}”的这个版本`);
  return getFormRevision(ctx.db, form.key, wanted);
}

/** The JSON API of forms: list, create, read, revise, publish, validate, export/import, drafts. */
export function formApiRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get("/api/forms", requireUser, async (req, res) => {
    const user = currentUser(req);
    const { page, size } = parse(Page, req.query);
    const { rows, total } = await listForms(ctx.db, { offset: (page - 1) * size, limit: size, publishedOnly: !formPolicy.design(user) });
    res.json({ data: rows, meta: { page, size, total } });
  });

  const create = async (req: Request, importing: boolean) => {
    const user = currentUser(req);
    const body = parse(NewForm, req.body);
    const existing = await findForm(body.key).catch(nullWhenNotFound);
    if (existing) {
      if (!importing) throw new ValidationError("表单键名已被使用", [{ path: "key", message: `已有键名为“${body.key}”的表单` }]);
      authorize(formPolicy.edit(user, existing));
      return saveFormRevision(ctx.db, { formKey: body.key, title: body.title, definition: definitionOf(body), actor: user.username });
    }
    const departmentId = await owningDepartment(user, body.department);
    authorize(formPolicy.create(user, departmentId));
    return saveFormRevision(ctx.db, {
      formKey: body.key,
      title: body.title,
      definition: definitionOf(body),
      actor: user.username,
      departmentId,
    });
  };

  router.post("/api/forms", requireUser, async (req, res) => {
    const saved = await create(req, false);
    res.status(201).json({ data: saved });
  });

  router.post("/api/forms/import", requireUser, async (req, res) => {
    const saved = await create(req, true);
    res.status(201).json({ data: saved });
  });

  router.get("/api/forms/:key", requireUser, async (req, res) => {
    const { revision, view } = parse(ReadQuery, req.query);
    const form = await readableRevision(req, ctx, revision);
    // The builder edits the designer's own text; every other reader gets the sanitized copy.
    const editing = view !== "render" && formPolicy.edit(currentUser(req), await findForm(form.formKey));
    res.json({ data: editing ? presentFormForBuilder(form) : presentFormForRenderer(form) });
  });

  router.get("/api/forms/:key/export", requireUser, async (req, res) => {
    const { revision } = parse(RevisionQuery, req.query);
    const view = await readableRevision(req, ctx, revision);
    const json = await exportForm(ctx.db, view.formKey, view.revision);
    res.setHeader("Content-Disposition", `attachment; filename="${view.formKey}-r${view.revision}.json"`);
    res.json(json);
  });

  router.get("/api/forms/:key/revisions", requireUser, async (req, res) => {
    const form = await findForm(String(req.params.key));
    authorize(formPolicy.readDrafts(currentUser(req), form));
    res.json({ data: await listRevisions(form.key), meta: { publishedRevision: form.publishedRevision } });
  });

  router.put("/api/forms/:key", requireUser, async (req, res) => {
    const user = currentUser(req);
    const form = await findForm(String(req.params.key));
    authorize(formPolicy.edit(user, form));
    const body = parse(UpdateForm, req.body);
    const saved = await saveFormRevision(ctx.db, {
      formKey: form.key,
      title: body.title,
      definition: definitionOf(body),
      actor: user.username,
    });
    res.json({ data: saved });
  });

  router.post("/api/forms/:key/publish", requireUser, async (req, res) => {
    const user = currentUser(req);
    const form = await findForm(String(req.params.key));
    authorize(formPolicy.publish(user, form));
    const { revision } = parse(Publish, req.body);
    await publishFormRevision(ctx.db, form.key, revision, user.username);
    res.json({ data: { formKey: form.key, publishedRevision: revision } });
  });

  router.post("/api/forms/:key/validate", requireUser, async (req, res) => {
    const { revision } = parse(RevisionQuery, req.query);
    const view = await readableRevision(req, ctx, revision);
    const { data } = parse(ValidateBody, req.body);
    const result = await validateSubmission(ctx.db, { formKey: view.formKey, revision: view.revision }, data, {
      userId: currentUser(req).id,
    });
    res.json({ data: result.data, meta: { revision: result.revision } });
  });

  router.get("/api/forms/:key/drafts/:ref", requireUser, async (req, res) => {
    res.json({ data: await loadDraft(ctx.db, currentUser(req).id, String(req.params.key), String(req.params.ref)) });
  });

  router.put("/api/forms/:key/drafts/:ref", requireUser, async (req, res) => {
    const body = parse(DraftBody, req.body);
    const view = await readableRevision(req, ctx, body.revision);
    const draft = await saveDraft(ctx.db, {
      userId: currentUser(req).id,
      formKey: view.formKey,
      revision: view.revision,
      clientRef: String(req.params.ref),
      data: body.data,
    });
    res.json({ data: draft });
  });

  router.delete("/api/forms/:key/drafts/:ref", requireUser, async (req, res) => {
    await deleteDraft(ctx.db, currentUser(req).id, String(req.params.key), String(req.params.ref));
    res.status(204).end();
  });
  return router;
}
