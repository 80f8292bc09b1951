import { addDuration } from "../durations.js";

/** A date column as read by a raw query (Date on MySQL, string or number on SQLite). */
export function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  return new Date(v as string | number);
}

/** When a timer falls due, by the injected clock: the engine computes its own deadline from the wall clock. */
export function timerDueAt(
  owner: { timerType?: string; expireAt?: Date | string; timeDuration?: string; timeCycle?: string },
  delay: number,
  now: Date,
): Date {
  try {
    if (owner.timerType === "timeDuration" && owner.timeDuration) return addDuration(now, owner.timeDuration);
    if (owner.timerType === "timeCycle" && owner.timeCycle) {
      const duration = owner.timeCycle.split("/").find((p) => p.startsWith("P"));
      if (duration) return addDuration(now, duration);
    }
  } catch {
    // fall back to the engine's delay
  }
  if (owner.timerType === "timeDate" && owner.expireAt) return new Date(owner.expireAt);
  return new Date(now.getTime() + Math.max(0, delay));
}

/** Parses a stored JSON column; a missing or broken value gives the fallback. */
export function parseJson<T>(s: string | null | undefined, fallback: T): T {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

/** A comma-separated list (or an array) as trimmed, non-empty strings: candidate groups and users. */
export function splitList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter(Boolean);
  if (typeof value !== "string") return [];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
