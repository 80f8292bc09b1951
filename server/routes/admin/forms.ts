import type { Request } from "express";
import { z } from "zod";
import { AppError, NotFoundError, ValidationError } from "../../errors.js";
import type { Actor } from "../../domain/accounts/actor.js";
import { currentUser } from "../../auth/currentUser.js";

declare module "express-session" {
  interface SessionData {
    flash?: { kind: "success" | "info" | "warning" | "danger"; message: string };
  }
}

/** A message for the next page this session sees (after a redirect). */
export function setFlash(req: Request, kind: "success" | "info" | "warning" | "danger", message: string): void {
  if (req.session) req.session.flash = { kind, message };
}

/** The pending flash message, removed as it is read. */
export function takeFlash(req: Request) {
  const flash = req.session?.flash;
  if (flash) delete req.session.flash;
  return flash;
}

/** The acting user of a request as commands record it. */
export function actorOf(req: Request): Actor {
  const user = currentUser(req);
  return { id: user.id, username: user.username, ip: req.ip ?? null };
}

/** Checkbox groups arrive as a string (one ticked), an array (several) or nothing. */
export const checkboxList = z.preprocess(
  (v): unknown[] => (v === undefined || v === "" ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
  z.array(z.string().max(64)).max(50),
);

/** An optional text field: blank becomes null. */
export const optionalText = (max: number) =>
  z.preprocess(
    (v) => (v === undefined || (typeof v === "string" && v.trim() === "") ? null : typeof v === "string" ? v.trim() : v),
    z.string().max(max).nullable(),
  );

/** A numeric id from the path; anything else is "not found". */
export function idParam(value: unknown): number {
  const n = typeof value === "string" && /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new NotFoundError();
  return n;
}

export interface FormProblem {
  status: number;
  message: string;
  /** field -> Chinese message, for the template to show next to each field. */
  fields: Record<string, string>;
}

/**
 * Runs a form's command; a validation or conflict error becomes a problem the page re-renders with the
 * person's input, anything else propagates to the error middleware.
 */
export async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; problem: FormProblem }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof AppError && (err instanceof ValidationError || err.status === 409 || err.status === 400)) {
      const fields: Record<string, string> = {};
      for (const d of err.details) if (d.path && !fields[d.path]) fields[d.path] = d.message;
      return { ok: false, problem: { status: err.status, message: err.message, fields } };
    }
    throw err;
  }
}
