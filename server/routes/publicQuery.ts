import { Router, type RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { chinaDay } from "../domain/calendar/days.js";
import { loadPublicProfile, searchSubjectsByName } from "../domain/publicQuery.js";
import { AppError } from "../errors.js";
import { presentPublicProfile } from "../presenters/credit.js";

const Query = z.object({ q: z.string().max(200).optional().catch(undefined), code: z.string().max(40).optional().catch(undefined) });
const LOOKS_LIKE_CODE = /^[0-9A-Za-z]{15,20}$/;

const limiters = new WeakMap<AppContext, RequestHandler>();

/** One per-IP limit for the public query page and its API (PUBLIC_QUERY_RATE_LIMIT a minute): scraping the register is refused with a 429. */
export function publicQueryLimiter(ctx: AppContext): RequestHandler {
  let limiter = limiters.get(ctx);
  if (!limiter) {
    limiter = rateLimit({
      windowMs: 60_000,
      limit: ctx.config.publicQueryRatePerMinute,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      handler: (_req, _res, next) => next(new AppError(429, "rate_limited", "查询过于频繁，请稍候一分钟再试")),
    });
    limiters.set(ctx, limiter);
  }
  return limiter;
}

/** The public credit query page: one search box for a USCC or a name; no login. */
export function publicQueryRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get("/public/query", publicQueryLimiter(ctx), async (req, res) => {
    const { q, code } = Query.parse(req.query);
    const input = (code ?? q ?? "").trim();
    const view: Record<string, unknown> = { title: "信用查询", q: input };
    if (input) {
      try {
        if (code || LOOKS_LIKE_CODE.test(input)) {
          view.profile = presentPublicProfile(await loadPublicProfile(input, chinaDay(ctx.clock.now())));
          view.today = chinaDay(ctx.clock.now());
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
