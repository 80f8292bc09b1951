import type { NextFunction, Request, RequestHandler, Response } from "express";
import { AuthenticationError } from "../errors.js";
import type { CurrentUser } from "./currentUser.js";
import { TooManyLoginFailuresError } from "./loginThrottle.js";
import { LOGIN_FAILED_MESSAGE, type PassportInstance } from "./passport.js";

const verified = new WeakSet<Request>();

/** Whether this request's caller was authenticated by HTTP Basic credentials checked in this very request. */
export function verifiedByBasic(req: Request): boolean {
  return verified.has(req);
}

/**
 * HTTP Basic for API clients, mounted on the paths that accept it (/api, /engine-rest). A request with Basic
 * credentials is authenticated by them alone (a session cookie beside them is not consulted); wrong credentials are a
 * 401 and count against the login failure limits, a spent limit is a 429 with Retry-After. No WWW-Authenticate
 * challenge is ever sent, so browsers never store Basic credentials to add to requests by themselves.
 */
export function basicAuthentication(passport: PassportInstance): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!req.headers.authorization?.startsWith("Basic ")) return next();
    const authenticate = passport.authenticate("basic", { session: false }, (err: unknown, user: CurrentUser | false) => {
      if (err instanceof TooManyLoginFailuresError) {
        res.setHeader("Retry-After", String(err.retryAfterSeconds));
        req.log?.warn({ path: req.path }, "HTTP Basic refused: too many failed logins");
      }
      if (err) return next(err);
      if (!user) return next(new AuthenticationError(LOGIN_FAILED_MESSAGE));
      req.user = user;
      verified.add(req);
      next();
    }) as RequestHandler;
    void authenticate(req, res, next);
  };
}
