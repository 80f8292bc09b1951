import { z } from "zod";

/** The most rows one query answers (the runtime's own cap); a larger maxResults is refused, as Camunda's queryMaxResultsLimit does. */
export const MAX_RESULTS_LIMIT = 10_000;
/** Camunda's paging parameters are Java ints: the largest firstResult. */
export const MAX_FIRST_RESULT = 2_147_483_647;

/**
 * A paging parameter (firstResult / maxResults) from a query string or a JSON body: a non-negative integer
 * given as a number or as decimal digits, at most max; absent or null means "not given". Anything else is a 400.
 */
function pagingInt(name: string, max: number) {
  const parsed = z.unknown().transform((v, ctx): number | undefined => {
    if (v === null) return undefined;
    const n = typeof v === "number" ? v : typeof v === "string" && /^\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 0) {
      ctx.addIssue({ code: "custom", message: `${name} 必须是不小于 0 的整数 (${name} must be a non-negative integer)` });
      return z.NEVER;
    }
    if (n > max) {
      ctx.addIssue({ code: "custom", message: `${name} 不能大于 ${max} (${name} must not exceed ${max})` });
      return z.NEVER;
    }
    return n;
  });
  return parsed.optional();
}

export const qFirstResult = pagingInt("firstResult", MAX_FIRST_RESULT);
export const qMaxResults = pagingInt("maxResults", MAX_RESULTS_LIMIT);

/** The paging fields to merge into a list endpoint's query schema (`Query.extend(pagingFields)` or spread into z.object). */
export const pagingFields = { firstResult: qFirstResult, maxResults: qMaxResults };

/** Only the paging parameters of a request part (other fields pass through unchecked); bad paging is a 400. */
export const Paging = z.object(pagingFields).loose();

/**
 * Camunda's slice of a list built in memory (historic activity instances paired from one instance's history; process
 * definitions): skip firstResult rows, answer at most maxResults (all when not given). Table-backed lists page in SQL.
 */
export function pageOf<T>(rows: T[], p: { firstResult?: number; maxResults?: number }): T[] {
  const first = p.firstResult ?? 0;
  return p.maxResults === undefined ? rows.slice(first) : rows.slice(first, first + p.maxResults);
}
