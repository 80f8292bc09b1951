import { Router, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { TooManyLoginFailuresError } from "../auth/loginThrottle.js";
import { LOGIN_FAILED_MESSAGE } from "../auth/passport.js";
import { currentUser, type CurrentUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import { audit } from "../domain/audit.js";
import { subjectsOfApplicant } from "../domain/portal/queries.js";
import { csrfToken } from "../http/csrf.js";
import { safeNextPath } from "../http/negotiate.js";
import { requireUser } from "../http/guards.js";
import { presentMe } from "../presenters/me.js";

const LoginForm = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(128),
  next: z.string().optional(),
});

/** Login, logout and the caller's own account (GET /api/me). */
export function authRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db, passport } = ctx;
  router.get("/login", (req, res) => {
    if (req.user) return res.redirect(safeNextPath(req.query.next));
    res.render("auth/login", { title: "登录", layout: "bare", next: safeNextPath(req.query.next), csrfToken: csrfToken(req, res) });
  });

  // Failed logins are limited per address and account, per address and per account, together with HTTP Basic
  // (server/auth/loginThrottle.ts); a spent limit refuses even the right password until its window ends.
  router.post("/login", (req: Request, res: Response, next: NextFunction) => {
    const parsed = LoginForm.safeParse(req.body);
    const nextPath = safeNextPath(parsed.success ? parsed.data.next : undefined);
    const fail = (status: number, error = LOGIN_FAILED_MESSAGE) =>
      res.status(status).render("auth/login", {
        title: "登录",
        layout: "bare",
        error,
        username: parsed.success ? parsed.data.username : "",
        next: nextPath,
        csrfToken: csrfToken(req, res),
      });
    if (!parsed.success) return fail(400);
    const authenticate = passport.authenticate("local", (err: unknown, user: CurrentUser | false) => {
      if (err instanceof TooManyLoginFailuresError) {
        res.setHeader("Retry-After", String(err.retryAfterSeconds));
        return fail(429, err.message);
      }
      if (err) return next(err);
      if (!user) {
        void db
          .transaction((t) => audit(db, t, { actor: parsed.data.username.slice(0, 64), action: "auth.login_failed", ip: req.ip ?? null }))
          .then(() => fail(401), next);
        return;
      }
      // req.logIn regenerates the session id (passport >= 0.6): no session fixation.
      req.logIn(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        db.transaction((t) =>
          audit(db, t, { actor: user.username, action: "auth.login", entityType: "user", entityId: user.id, ip: req.ip ?? null }),
        ).then(() => res.redirect(nextPath), next);
      });
    }) as RequestHandler;
    void authenticate(req, res, next);
  });

  router.post("/logout", requireUser, (req, res, next) => {
    const user = currentUser(req);
    req.logOut((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        res.clearCookie("xy.sid");
        db.transaction((t) =>
          audit(db, t, { actor: user.username, action: "auth.logout", entityType: "user", entityId: user.id, ip: req.ip ?? null }),
        ).then(() => res.redirect("/login"), next);
      });
    });
  });

  router.get("/api/me", requireUser, async (req, res) => {
    const user = currentUser(req);
    res.json({ data: presentMe(user, await subjectsOfApplicant(user)) });
  });

  return router;
}
