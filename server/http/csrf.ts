import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { csrfSync } from "csrf-sync";
import { verifiedByBasic } from "../auth/basicAuth.js";

/** The token a request submits: header X-CSRF-Token (page scripts) or form field _csrf. */
function submittedToken(req: Request): string | undefined {
  const header = req.headers["x-csrf-token"];
  if (typeof header === "string") return header;
  const body = req.body as { _csrf?: unknown } | undefined;
  return typeof body?._csrf === "string" ? body._csrf : undefined;
}

const { csrfSynchronisedProtection, generateToken, invalidCsrfTokenError } = csrfSync({ getTokenFromRequest: submittedToken });

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const ANONYMOUS_SECRET = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url

export interface CsrfOptions {
  /** The session secret; it keys the HMAC of anonymous visitors' tokens. */
  secret: string;
  secureCookies: boolean;
}

interface RequestCsrf {
  options: CsrfOptions;
  cookieName: string;
  /** A cookie secret issued during this request (the Cookie header does not have it yet). */
  issued?: string;
}

const perRequest = new WeakMap<Request, RequestCsrf>();

function loggedInSession(req: Request): boolean {
  return (req.session as { passport?: { user?: unknown } } | undefined)?.passport?.user !== undefined;
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return ANONYMOUS_SECRET.test(value) ? value : undefined;
    }
  }
  return undefined;
}

function anonymousToken(options: CsrfOptions, cookieSecret: string): string {
  return createHmac("sha256", options.secret).update(`xy-csrf-anonymous\0${cookieSecret}`).digest("base64url");
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * CSRF protection on every state-changing request. Two kinds of token:
 * - a logged-in session: csrf-sync's synchronizer token, stored in the session;
 * - an anonymous visitor (login and registration forms): no session is created for them. The token is an HMAC, keyed
 *   by the session secret, of a random secret kept in an httpOnly cookie (`__Host-xy.csrf` with SECURE_COOKIES, else
 *   `xy.csrf`): another site can neither read the cookie nor compute the token.
 * The one exemption: a request whose HTTP Basic credentials were verified in this request (only /api and /engine-rest
 * check them). Such a client proves who it is on every request, not through a cookie a browser would add by itself;
 * a Basic header that was not verified (a page route, a session cookie beside it) changes nothing.
 */
export function csrfProtection(options: CsrfOptions): RequestHandler {
  const state = { options, cookieName: options.secureCookies ? "__Host-xy.csrf" : "xy.csrf" };
  return (req: Request, res: Response, next: NextFunction): void => {
    perRequest.set(req, { ...state });
    if (SAFE_METHODS.has(req.method) || verifiedByBasic(req)) return next();
    if (loggedInSession(req)) return csrfSynchronisedProtection(req, res, next);
    const cookieSecret = readCookie(req, state.cookieName);
    const token = submittedToken(req);
    if (cookieSecret && token && sameToken(token, anonymousToken(options, cookieSecret))) return next();
    next(invalidCsrfTokenError);
  };
}

/**
 * The CSRF token for a form or page script of this request: the session's token for a logged-in user, else the
 * anonymous one (setting its cookie when the visitor has none). Anonymous visitors never get a session row from it.
 */
export function csrfToken(req: Request, res: Response): string {
  const csrf = perRequest.get(req);
  if (!csrf) throw new Error("csrfToken() called before the csrfProtection middleware");
  if (loggedInSession(req)) return generateToken(req);
  let cookieSecret = csrf.issued ?? readCookie(req, csrf.cookieName);
  if (!cookieSecret) {
    cookieSecret = randomBytes(32).toString("base64url");
    csrf.issued = cookieSecret;
    res.cookie(csrf.cookieName, cookieSecret, { httpOnly: true, sameSite: "lax", secure: csrf.options.secureCookies, path: "/" });
  }
  return anonymousToken(csrf.options, cookieSecret);
}
