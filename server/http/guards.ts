import type { NextFunction, Request, Response } from "express";
import { hasRole, type CurrentUser } from "../auth/currentUser.js";
import type { Role } from "../db/models/UserRole.js";
import { AuthenticationError, ForbiddenError } from "../errors.js";
import { wantsJson } from "./negotiate.js";

/** Lets only logged-in users through; a browser without a session goes to login and comes back afterwards. */
export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  if (!wantsJson(req) && req.method === "GET") {
    res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  next(new AuthenticationError());
}

/** Lets through users holding one of the roles (admin always). */
export function requireRole(...roles: Role[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    requireUser(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (!hasRole(req.user as CurrentUser, ...roles)) return next(new ForbiddenError());
      next();
    });
  };
}

/** An account whose only role is worker: a program fetching external tasks, not a person. */
export function isWorkerOnly(user: CurrentUser): boolean {
  return !user.isAdmin && user.roles.length > 0 && user.roles.every((r) => r === "worker");
}

// What a worker account may reach: the external-task API, the engine's version and API description (clients read
// them to check the server), and logging out. Matched exactly as written (case and all): anything else is refused.
const WORKER_PATHS: ReadonlyArray<{ methods?: ReadonlySet<string>; path: RegExp }> = [
  { path: /^\/engine-rest\/external-task(\/|$)/ },
  { methods: new Set(["GET", "HEAD"]), path: /^\/engine-rest\/(version|openapi\.json)$/ },
  { methods: new Set(["POST"]), path: /^\/logout$/ },
];

export const WORKER_REFUSED = "您没有执行此操作的权限：对接程序账号（worker）只能调用外部任务接口 /engine-rest/external-task";

/**
 * Confines worker-only accounts to the external-task API, for every route at once (uploads, drafts, /api, pages and
 * the rest of /engine-rest answer 403), however the account signed in (HTTP Basic or the login form). Mounted once,
 * after authentication and before any route, so that a new route cannot forget it.
 */
export function confineWorkers(req: Request, _res: Response, next: NextFunction): void {
  const user = req.user as CurrentUser | undefined;
  if (!user || !isWorkerOnly(user)) return next();
  const allowed = WORKER_PATHS.some((p) => (!p.methods || p.methods.has(req.method)) && p.path.test(req.path));
  next(allowed ? undefined : new ForbiddenError(WORKER_REFUSED));
}
