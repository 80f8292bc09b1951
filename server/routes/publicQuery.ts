import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { loadPublicProfile, searchSubjectsByName } from "../domain/publicQuery.js";
import { AppError } from "../errors.js";
import { presentPublicProfile } from "../presenters/publicProfile.js";

const Query = z.object({ q: z.string().max(200).optional().catch(undefined), code: z.string().max(40).optional().catch(undefined) });
const LOOKS_LIKE_CODE = /^[0-9A-Za-z]{15,20}$/;

/** The public credit query page: one search box for a USCC or a name; no login. */
export function publicQueryRoutes(ctx: AppContext): Router {
  void ctx;
  const router = Router();
  router.get("/public/query", async (req, res) => {
    const { q, code } = Query.parse(req.query);
    const input = (code ?? q ?? "").trim();
    const view: Record<string, unknown> = { title: "信用查询", q: input };
    if (input) {
      try {
        if (code || LOOKS_LIKE_CODE.test(input)) {
          view.profile = presentPublicProfile(await loadPublicProfile(input));
        } else {
          view.matches = await searchSubjectsByName(input);
          view.searched = true;
        }
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        res.status(err.status);
        view.problem = err.message;
      }
    }
    res.render("public/query", view);
  });
  return router;
}
