import { createHash } from "node:crypto";
import { Passport } from "passport";
import { BasicStrategy } from "passport-http";
import { Strategy as LocalStrategy } from "passport-local";
import type { Database } from "../db/database.js";
import type { CurrentUser } from "./currentUser.js";
import { loadCurrentUser, loadPasswordHash } from "./loadUser.js";
import { verifyPassword } from "./passwords.js";

export const LOGIN_FAILED_MESSAGE = "用户名或密码错误";
const BASIC_CACHE_TTL_MS = 60_000;

/**
 * Checks a username and password; the same answer and about the same time whether or not the account exists.
 * With a cache, a verified (stored hash, password) pair is remembered briefly: API clients calling often do
 * not pay argon2 each time, and a changed password or a deactivated account takes effect at once.
 */
export async function checkCredentials(
  db: Database,
  username: string,
  password: string,
  cache?: Map<string, number>,
): Promise<CurrentUser | undefined> {
  const stored = await loadPasswordHash(db.sequelize, username);
  const key = stored && cache ? createHash("sha256").update(`${stored.hash}\0${password}`).digest("hex") : undefined;
  const cachedUntil = key ? cache?.get(key) : undefined;
  const ok = cachedUntil !== undefined && cachedUntil > Date.now() ? true : await verifyPassword(stored?.hash, password);
  if (!stored || !ok) return undefined;
  if (key && cache) {
    if (cache.size > 10_000) cache.clear();
    cache.set(key, Date.now() + BASIC_CACHE_TTL_MS);
  }
  return loadCurrentUser(db.sequelize, { id: stored.id });
}

/** Builds this app's passport: local login for browsers (session), HTTP Basic for API clients. */
export type PassportInstance = InstanceType<typeof Passport>;

export function createPassport(db: Database): PassportInstance {
  const passport = new Passport();
  const basicCache = new Map<string, number>();

  passport.use(
    new LocalStrategy((username, password, done) => {
      checkCredentials(db, username, password).then(
        (user) => done(null, user ?? false, user ? undefined : { message: LOGIN_FAILED_MESSAGE }),
        done,
      );
    }),
  );
  passport.use(
    new BasicStrategy((username, password, done) => {
      checkCredentials(db, username, password, basicCache).then((user) => done(null, user ?? false), done);
    }),
  );
  passport.serializeUser<number>((user, done) => done(null, (user as CurrentUser).id));
  passport.deserializeUser<number>((id, done) => {
    loadCurrentUser(db.sequelize, { id }).then((user) => done(null, user ?? false), done);
  });
  return passport;
}
