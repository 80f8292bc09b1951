import type { Request } from "express";

/** API callers (/api, /engine-rest, or clients that ask for JSON) get JSON; browsers get pages. */
export function wantsJson(req: Request): boolean {
  if (req.path.startsWith("/api/") || req.path === "/api" || req.path.startsWith("/engine-rest")) return true;
  if (req.path === "/healthz") return true;
  const accept = req.headers.accept ?? "";
  return req.xhr || (accept.includes("application/json") && !accept.includes("text/html"));
}

/** A same-site path to return to after login; anything else (absolute URLs, //host) becomes "/". */
export function safeNextPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next.length > 2000 ? "/" : next;
}
