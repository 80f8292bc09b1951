/** Helpers for the list pages' searches, written once so both databases read them the same way. */

export const PAGE_SIZE = 20;

/** A LIKE pattern that matches `text` literally (with `ESCAPE '!'`), anywhere or as a prefix. */
export function likePattern(text: string, mode: "contains" | "prefix" = "contains"): string {
  const escaped = text.replace(/[!%_]/g, (c) => `!${c}`);
  return mode === "prefix" ? `${escaped}%` : `%${escaped}%`;
}

/** A 1-based page number from user input; anything odd becomes page 1. */
export function pageNumber(input: unknown): number {
  const n = typeof input === "string" ? Number(input) : typeof input === "number" ? input : 1;
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  pageSize: number;
}
