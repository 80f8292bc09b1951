import type { NextFunction, Request, Response } from "express";
import { csrfSync } from "csrf-sync";

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const header = req.headers["x-csrf-token"];
    if (typeof header === "string") return header;
    const body = req.body as { _csrf?: unknown } | undefined;
    return typeof body?._csrf === "string" ? body._csrf : undefined;
  },
});

export { generateToken as csrfToken };

/**
 * CSRF protection on every state-changing browser request. Requests that carry HTTP Basic
 * credentials are API clients authenticated per request, not by a cookie, so they need no token.
 */
export function csrfProtection(req: Request, res: Response, next: NextFunction): void {
  if (req.headers.authorization?.startsWith("Basic ")) return next();
  csrfSynchronisedProtection(req, res, next);
}
