import { Router } from "express";
import type { AppContext } from "../context.js";
import { findDraw, listPublishedDraws, loadDrawView } from "../domain/supervision/draws.js";
import { pageNumber } from "../domain/search.js";
import { NotFoundError } from "../errors.js";
import { wantsJson } from "../http/negotiate.js";
import { formatDate } from "../presenters/helpers.js";
import { presentPagination } from "../presenters/pagination.js";
import { presentDraw } from "../presenters/supervisionDraw.js";
import { idParam } from "./admin/forms.js";

/** 一公开: the confirmed 双随机 draws on the public portal (no login): plan, seed, candidate hash, counts, targets. */
export function publicSupervisionRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;

  router.get(["/public/supervision", "/api/public/supervision/draws"], async (req, res) => {
    const page = pageNumber(req.query.page);
    const list = await listPublishedDraws(db, page);
    if (wantsJson(req)) return res.json({ data: list.rows, meta: { total: list.total, page } });
    res.render("public/supervision/draws", {
      title: "双随机抽查结果公示",
      draws: list.rows.map((r) => ({ ...r, publishedAt: formatDate(r.publishedAt) })),
      pagination: presentPagination(list, "/public/supervision", {}),
    });
  });

  router.get(["/public/supervision/draws/:id", "/api/public/supervision/draws/:id"], async (req, res) => {
    const draw = await findDraw(idParam(req.params.id));
    // A preview is nobody's business until it is confirmed: it answers as if it did not exist.
    if (!draw || draw.status !== "confirmed") throw new NotFoundError("找不到该抽查公示");
    const view = presentDraw(await loadDrawView(db, draw), true);
    if (wantsJson(req)) return res.json({ data: view });
    res.render("public/supervision/draw", { title: `抽查公示 · ${view.planName}`, draw: view });
  });

  return router;
}
