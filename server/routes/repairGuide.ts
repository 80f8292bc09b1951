import { Router } from "express";
import type { AppContext } from "../context.js";

/**
 * 信用修复指南: the conditions, materials and procedure of credit repair (DOMAIN.md), where the refusal of
 * the commitment route points. Applications are made at /repair/apply (server/routes/repair.ts).
 */
export function repairGuideRoutes(ctx: AppContext): Router {
  void ctx;
  const router = Router();
  router.get("/repair", (_req, res) => {
    res.render("repair/guide", { title: "信用修复指南" });
  });
  return router;
}
