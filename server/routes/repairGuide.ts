import { Router } from "express";
import type { AppContext } from "../context.js";

/**
 * 信用修复指南: the conditions, materials and procedure of credit repair (DOMAIN.md), where the refusal of
 * the commitment route points. Online repair applications are a later step; the page says where to apply now.
 */
export function repairGuideRoutes(ctx: AppContext): Router {
  void ctx;
  const router = Router();
  router.get("/repair", (_req, res) => {
    res.render("repair/guide", { title: "信用修复指南" });
  });
  return router;
}
