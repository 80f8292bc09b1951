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
