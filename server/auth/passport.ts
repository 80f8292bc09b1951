import { createHash } from "node:crypto";
import type { Request } from "express";
import { Passport } from "passport";
import { BasicStrategy } from "passport-http";
import { Strategy as LocalStrategy } from "passport-local";
import type { Database } from "../db/database.js";
import type { CurrentUser } from "./currentUser.js";
import { loadCurrentUser, loadPasswordHash } from "./loadUser.js";
import type { LoginThrottle } from "./loginThrottle.js";
import { verifyPassword } from "./passwords.js";

export const LOGIN_FAILED_MESSAGE = "用户名或密码错误";
const BASIC_CACHE_TTL_MS = 60_000;

export interface CredentialCheck {
  /** Verified (stored hash, password) pairs of this node, for HTTP Basic clients that call often. */
  cache?: Map<string, number>;
  /** Checks of a (stored hash, password) pair under way: parallel requests with the same credentials share one. */
  inflight?: Map<string, Promise<boolean>>;
  /** Counts failed checks; a spent limit throws TooManyLoginFailuresError before the password is looked at. */
  throttle?: LoginThrottle;
  ip?: string;
}

/**
 * Checks a username and password; the same answer and about the same time whether or not the account exists.
 * With a cache, a verified (stored hash, password) pair is remembered while it keeps being used (a minute after its
 * last use): API clients calling often do not pay argon2 each time, are not slowed by the failure limits (a pair in
 * the cache proves its caller knows the password), and a changed password or a deactivated account takes effect at once.
 */
export async function checkCredentials(
  db: Database,
  username: string,
  password: string,
  check: CredentialCheck = {},
): Promise<CurrentUser | undefined> {
  const { cache, throttle } = check;
  const stored = await loadPasswordHash(db.sequelize, username);
  const key = stored && cache ? createHash("sha256").update(`${stored.hash}\0${password}`).digest("hex") : undefined;
  const cachedUntil = key ? cache?.get(key) : undefined;
  if (stored && key && cache && cachedUntil !== undefined && cachedUntil > Date.now()) {
    cache.set(key, Date.now() + BASIC_CACHE_TTL_MS);
    return loadCurrentUser(db.sequelize, { id: stored.id });
  }
  const shared = key ? check.inflight?.get(key) : undefined;
  let ok: boolean;
  if (shared) ok = await shared;
  else {
    // One throttled check per distinct guess: a burst of the same credentials is one attempt, not N.
    const verify = (async () => {
      const attempt = throttle?.begin(check.ip, username);
      let verified = false;
      try {
        verified = (await verifyPassword(stored?.hash, password)) && Boolean(stored);
      } finally {
        attempt?.settle(verified);
      }
      return verified;
    })();
    if (key) check.inflight?.set(key, verify);
    try {
      ok = await verify;
    } finally {
      if (key) check.inflight?.delete(key);
    }
  }
  if (!stored || !ok) return undefined;
  if (key && cache) {
    if (cache.size > 10_000) cache.clear();
    cache.set(key, Date.now() + BASIC_CACHE_TTL_MS);
  }
  return loadCurrentUser(db.sequelize, { id: stored.id });
}

/** Builds this app's passport: local login for browsers (session), HTTP Basic for API clients. */
export type PassportInstance = InstanceType<typeof Passport>;

export function createPassport(db: Database, throttle?: LoginThrottle): PassportInstance {
  const passport = new Passport();
  const basicCache = new Map<string, number>();
  const basicInflight = new Map<string, Promise<boolean>>();

  passport.use(
    new LocalStrategy({ passReqToCallback: true }, (req: Request, username, password, done) => {
      checkCredentials(db, username, password, { throttle, ip: req.ip }).then(
        (user) => done(null, user ?? false, user ? undefined : { message: LOGIN_FAILED_MESSAGE }),
        done,
      );
    }),
  );
  passport.use(
    new BasicStrategy({ passReqToCallback: true }, (req: Request, username: string, password: string, done) => {
      checkCredentials(db, username, password, { cache: basicCache, inflight: basicInflight, throttle, ip: req.ip }).then(
        (user) => done(null, user ?? false),
        done,
      );
    }),
  );
  passport.serializeUser<number>((user, done) => done(null, (user as CurrentUser).id));
  passport.deserializeUser<number>((id, done) => {
    loadCurrentUser(db.sequelize, { id }).then((user) => done(null, user ?? false), done);
  });
  return passport;
}
