import { Router } from "express";
import type { AppContext } from "../../context.js";
import { formApiRoutes } from "./api.js";
import { formPageRoutes } from "./pages.js";
import { formPlatformScriptRoutes } from "./platformScript.js";

/** Forms: the JSON API under /api/forms and the designer's pages under /admin/forms. */
export function formRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use(formApiRoutes(ctx));
  router.use(formPageRoutes(ctx));
  router.use(formPlatformScriptRoutes());
  return router;
}
