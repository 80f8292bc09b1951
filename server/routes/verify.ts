import { Router } from "express";
import { rateLimit } from "express-rate-limit";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { compareHash, verifyReport } from "../domain/reports/creditReport.js";
import { AppError } from "../errors.js";
import { wantsJson } from "../http/negotiate.js";

const Query = z.object({
  number: z.string().max(40).optional().catch(undefined),
  hash: z.string().max(200).optional().catch(undefined),
});

const limiters = new WeakMap<AppContext, ReturnType<typeof rateLimit>>();

/** One per-IP limit for the public verification page (the same figure as the public query, a minute). */
function verifyLimiter(ctx: AppContext) {
  let limiter = limiters.get(ctx);
  if (!limiter) {
    limiter = rateLimit({
      windowMs: 60_000,
      limit: ctx.config.publicQueryRatePerMinute,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      handler: (_req, _res, next) => next(new AppError(429, "rate_limited", "核验过于频繁，请稍候一分钟再试")),
    });
    limiters.set(ctx, limiter);
  }
  return limiter;
}

/**
 * /verify/<number>: anyone holding a 信用报告 confirms its number, subject, date and content hash (sha256 of the
 * report's canonical JSON) and may paste the hash printed on the paper to compare. No login.
 */
export function verifyRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get("/verify", verifyLimiter(ctx), (req, res) => {
    const { number } = Query.parse(req.query);
    if (number?.trim()) return res.redirect(`/verify/${encodeURIComponent(number.trim())}`);
    res.render("public/verify", { title: "信用报告核验" });
  });

  router.get("/verify/:number", verifyLimiter(ctx), async (req, res) => {
    const { hash } = Query.parse(req.query);
    const number = String(req.params.number).slice(0, 40);
    try {
      const report = await verifyReport(number);
      const match = compareHash(report.sha256, hash);
      if (wantsJson(req)) return res.json({ data: { ...report, hashMatches: match } });
      res.render("public/verify", { title: `信用报告核验 ${report.number}`, report, number, hash: hash ?? "", match });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      if (wantsJson(req)) throw err;
      res.status(err.status).render("public/verify", { title: "信用报告核验", number, problem: err.message });
    }
  });

  return router;
}
