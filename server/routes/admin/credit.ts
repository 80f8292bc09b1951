import { Router } from "express";
import type { AppContext } from "../../context.js";
import { creditImportRoutes } from "./creditImport.js";
import { creditRecordRoutes } from "./creditRecords.js";
import { creditRuleRoutes } from "./creditRules.js";

/** Every staff page of credit records: records and profiles, import, publicity rules and 及时率. */
export function adminCreditRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use(creditImportRoutes(ctx));
  router.use(creditRuleRoutes(ctx));
  router.use(creditRecordRoutes(ctx));
  return router;
}
