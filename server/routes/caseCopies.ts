import { Router } from "express";
import { z } from "zod";
import { currentUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import { findCopiedCase, listCopiesToMe } from "../domain/cases/copyCase.js";
import { requireRole } from "../http/guards.js";
import { parse } from "../http/parse.js";
import { presentPagination } from "../presenters/pagination.js";
import { caseBadge } from "../presenters/portal.js";
import { caseDiagramJson, caseFormJson, presentCaseBody } from "./cases/caseView.js";

const ListQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined) });
const IdParam = z.object({ id: z.coerce.number().int().min(1) });
const VersionParam = z.object({ id: z.coerce.number().int().min(1), version: z.coerce.number().int().min(1).max(100_000) });

/** 抄送我的: the copies of cases sent to me or my groups, each opened read-only (the case body, no actions). */
export function caseCopyRoutes(ctx: AppContext): Router {
  const router = Router();
  const staff = requireRole("reviewer", "dept_admin", "auditor");

  router.get("/cc", staff, async (req, res) => {
    const user = currentUser(req);
    const { page = 1 } = parse(ListQuery, req.query);
    const { rows, total } = await listCopiesToMe(user, page);
    res.render("cc/list", {
      title: "抄送我的",
      rows: rows.map(({ copy, kase }) => ({
        id: copy.id,
        code: kase?.businessKey ?? copy.instanceId,
        title: kase?.title ?? "（办件已不存在）",
        status: kase?.status ?? "",
        badge: caseBadge(kase?.status ?? ""),
        step: copy.step,
        note: copy.note,
        sentBy: copy.sentBy,
        at: copy.createdAt.toISOString(),
      })),
      pagination: presentPagination({ rows, page, pageSize: 20, total }, "/cc", {}),
    });
  });

  router.get("/cc/:id", staff, async (req, res) => {
    const { id } = parse(IdParam, req.params);
    const { copy, kase } = await findCopiedCase(currentUser(req), id);
    const body = await presentCaseBody(ctx, kase, { form: (v) => `/cc/${id}/forms/${v}.json`, diagram: `/cc/${id}/diagram.json` });
    res.render("cc/show", {
      title: `抄送：${body.header.title}`,
      ...body,
      copy: { step: copy.step, note: copy.note, sentBy: copy.sentBy, at: copy.createdAt.toISOString() },
    });
  });

  router.get("/cc/:id/forms/:version.json", staff, async (req, res) => {
    const { id, version } = parse(VersionParam, req.params);
    const { kase } = await findCopiedCase(currentUser(req), id);
    res.json(await caseFormJson(ctx, kase, version));
  });

  router.get("/cc/:id/diagram.json", staff, async (req, res) => {
    const { id } = parse(IdParam, req.params);
    const { kase } = await findCopiedCase(currentUser(req), id);
    res.json(await caseDiagramJson(ctx, kase));
  });

  return router;
}
