import { Router } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { Department } from "../../db/models/Department.js";
import { checkLetterTemplate, FIXED_PLACEHOLDERS, letterFieldsOf, renderLetter, sampleLetterContext } from "../../domain/catalog/letter.js";
import { AppError, ValidationError } from "../../errors.js";
import { eachInput, getFormRevision, listRevisions, type FormDefinition } from "../../forms/index.js";
import { requireRole } from "../../http/guards.js";
import { parse } from "../../http/parse.js";

// The 信用承诺书 template editor of the item page (public/js/letter-editor.js): the placeholders it offers (the
// 承诺人, the 承诺书 and the fields of the item's form) and the live preview, rendered with sample data by the same
// renderer and sanitizer as a signed letter.

const FieldsQuery = z.object({ formKey: z.string().max(64).optional() });
const PreviewBody = z.object({
  letterTemplate: z.string().max(100_000, { error: "承诺书模板过长（最多 100000 字）" }).default(""),
  formKey: z.string().max(64).optional(),
  itemName: z.string().max(200).optional(),
  departmentCode: z.string().max(32).optional(),
});

/** The input fields of the form's published revision (else its latest), or none when there is no such form. */
async function formInputs(ctx: AppContext, formKey: string | undefined) {
  if (!formKey) return [];
  let definition: FormDefinition;
  try {
    definition = (await getFormRevision(ctx.db, formKey)).definition;
  } catch {
    const revisions = await listRevisions(formKey).catch(() => []);
    const latest = Math.max(0, ...revisions.map((r) => r.revision));
    if (!latest) return [];
    definition = (await getFormRevision(ctx.db, formKey, latest)).definition;
  }
  const inputs: { path: string; label: string; type: string }[] = [];
  eachInput(definition.components ?? [], (c, path) => inputs.push({ path, label: c.label ?? "", type: c.type ?? "" }));
  return inputs;
}

function chinaToday(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function letterEditorRoutes(ctx: AppContext): Router {
  const router = Router();
  const managers = requireRole("dept_admin");

  router.get("/admin/letter-editor/placeholders", managers, async (req, res) => {
    const { formKey } = parse(FieldsQuery, req.query);
    const inputs = await formInputs(ctx, formKey);
    res.json({ data: { groups: [...FIXED_PLACEHOLDERS, letterFieldsOf(inputs)] } });
  });

  router.post("/admin/letter-editor/preview", managers, async (req, res) => {
    const user = currentUser(req);
    const body = parse(PreviewBody, req.body ?? {});
    const problems = checkLetterTemplate(body.letterTemplate);
    const department = body.departmentCode ? await Department.findOne({ where: { code: body.departmentCode } }) : null;
    const unit = department?.name ?? user.departmentName ?? "（承诺受理单位）";
    const context = sampleLetterContext(await formInputs(ctx, body.formKey), body.itemName ?? "", unit, chinaToday(ctx.clock.now()));
    try {
      res.json({ data: { html: renderLetter(body.letterTemplate, context), problems } });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      throw new ValidationError("承诺书模板未通过检查，无法预览", problems.length ? problems : err.details);
    }
  });

  return router;
}
