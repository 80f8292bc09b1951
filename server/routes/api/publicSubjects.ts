import { Router } from "express";
import type { AppContext } from "../../context.js";
import { loadPublicProfile } from "../../domain/publicQuery.js";
import { presentPublicProfile } from "../../presenters/publicProfile.js";

/**
 * The public query (no login): a subject by USCC (natural persons are not searchable by ID number here), with its commitments whose 公开类型 is 可向社会公开 and
 * its public, unrepaired credit records. A malformed code or a wrong check character is a 400 that says
 * which; a well-formed code of an unknown subject is a 404.
 */
export function publicSubjectApiRoutes(ctx: AppContext): Router {
  void ctx;
  const router = Router();

  router.get("/api/public/subjects/:code", async (req, res) => {
    res.json({ data: presentPublicProfile(await loadPublicProfile(String(req.params.code))) });
  });

  return router;
}
