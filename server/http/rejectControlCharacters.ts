import type { NextFunction, Request, Response } from "express";
import { ValidationError } from "../errors.js";

const NUL = "\u0000";
const MAX_DEPTH = 64;

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes(NUL);
  if (depth > MAX_DEPTH || value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  return Object.entries(value as Record<string, unknown>).some(([k, v]) => k.includes(NUL) || containsNul(v, depth + 1));
}

function decodedPath(req: Request): string {
  try {
    return decodeURIComponent(req.path);
  } catch {
    return req.path;
  }
}

/**
 * Refuses a NUL character anywhere in the path, the query or a parsed body: no field of this platform may
 * hold one, and SQLite's driver cannot quote it (it would end in a database error instead of a clear answer).
 */
export function rejectControlCharacters(req: Request, _res: Response, next: NextFunction): void {
  if (decodedPath(req).includes(NUL) || containsNul(req.query) || containsNul(req.body)) {
    next(new ValidationError("请求中包含不允许的控制字符（NUL），请删除后重试", [{ path: "", message: "包含 NUL 字符" }]));
    return;
  }
  next();
}
