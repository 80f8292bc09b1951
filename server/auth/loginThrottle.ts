import { ipKeyGenerator } from "express-rate-limit";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const TOO_MANY_LOGIN_FAILURES = "登录失败次数过多，请 15 分钟后再试";

/** Failed password checks allowed per window before that key is refused (HTTP 429) until the window ends. */
export interface LoginLimits {
  windowMs: number;
  /** One address trying one account: a person mistyping, or a script guessing one password after another. */
  perAddressAndAccount: number;
  /** One address trying many accounts (one common password against every username). */
  perAddress: number;
  /** Many addresses trying one account (a botnet); also locks the account's password logins for the window. */
  perAccount: number;
}

/** The limits of this node: read once at start from the environment, like LOGIN_RATE_LIMIT always was. */
export function loginLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): LoginLimits {
  const read = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return {
    windowMs: LOGIN_WINDOW_MS,
    perAddressAndAccount: read("LOGIN_RATE_LIMIT", 10),
    perAddress: read("LOGIN_IP_RATE_LIMIT", 50),
    perAccount: read("LOGIN_ACCOUNT_RATE_LIMIT", 50),
  };
}

export class TooManyLoginFailuresError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, "too_many_login_failures", TOO_MANY_LOGIN_FAILURES);
  }
}

/** One password check in progress: settle it once with whether the password was right. */
export interface LoginAttempt {
  settle(succeeded: boolean): void;
}

interface Counter {
  failures: number;
  /** Checks begun and not yet settled: they count against the limit, so a burst of parallel guesses cannot overrun it. */
  pending: number;
  resetAt: number;
}

/**
 * Counts failed password checks of both doors (the login form and HTTP Basic share the counters) per address and
 * account, per address, and per account, in fixed windows. Successful checks are not counted. Once a key is spent,
 * every check on it is refused without looking at the password, the right one included, until its window ends:
 * otherwise the answer would tell a guesser when it had found the password.
 *
 * The counters live in this node's memory, as express-rate-limit's MemoryStore did for the login form: with several
 * nodes behind a load balancer each node counts on its own (N nodes allow N times the limits).
 */
export class LoginThrottle {
  private readonly counters = new Map<string, Counter>();
  private nextSweep = 0;

  constructor(
    readonly limits: LoginLimits,
    private readonly clock: Clock,
  ) {}

  /** Starts a password check for a username from an address; throws TooManyLoginFailuresError when a limit is spent. */
  begin(ip: string | undefined, username: string): LoginAttempt {
    const now = this.clock.now().getTime();
    this.sweep(now);
    const account = username.trim().toLowerCase().slice(0, 64);
    const address = ipKeyGenerator(ip ?? "");
    const keys: Array<[string, number]> = [
      [`a|${address}|${account}`, this.limits.perAddressAndAccount],
      [`i|${address}`, this.limits.perAddress],
      [`u|${account}`, this.limits.perAccount],
    ];
    const counters = keys.map(([key]) => this.counter(key, now));
    const spent = counters.filter((c, i) => c.failures + c.pending >= keys[i]![1]);
    if (spent.length) {
      for (const [key] of keys) this.forgetIfIdle(key);
      const resetAt = Math.max(...spent.map((c) => c.resetAt));
      throw new TooManyLoginFailuresError(Math.max(1, Math.ceil((resetAt - now) / 1000)));
    }
    for (const c of counters) c.pending++;
    let settled = false;
    return {
      settle: (succeeded: boolean) => {
        if (settled) return;
        settled = true;
        const at = this.clock.now().getTime();
        for (const [key] of keys) {
          const c = this.counter(key, at);
          c.pending = Math.max(0, c.pending - 1);
          if (!succeeded) c.failures++;
          this.forgetIfIdle(key);
        }
      },
    };
  }

  private counter(key: string, now: number): Counter {
    let c = this.counters.get(key);
    if (!c) {
      c = { failures: 0, pending: 0, resetAt: now + this.limits.windowMs };
      this.counters.set(key, c);
    } else if (c.resetAt <= now) {
      c.failures = 0;
      c.resetAt = now + this.limits.windowMs;
    }
    return c;
  }

  private forgetIfIdle(key: string): void {
    const c = this.counters.get(key);
    if (c && c.failures === 0 && c.pending === 0) this.counters.delete(key);
  }

  /** Drops ended windows now and then, so addresses and usernames seen once do not stay in memory. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + (this.counters.size > 100_000 ? 1_000 : 60_000);
    for (const [key, c] of this.counters) if (c.resetAt <= now && c.pending === 0) this.counters.delete(key);
  }
}
