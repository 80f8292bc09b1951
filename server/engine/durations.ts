/** ISO 8601 durations (P30D, PT2H, P1Y2M) added to a date: calendar units for years/months/weeks/days, exact for time. */
export function addDuration(date: Date, iso: string): Date {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso.trim());
  if (!m || iso.trim() === "P" || iso.trim().endsWith("T")) throw new Error(`不是有效的 ISO 8601 时长：${iso}`);
  const [, y, mo, w, d, h, mi, s] = m;
  const out = new Date(date.getTime());
  if (y) out.setUTCFullYear(out.getUTCFullYear() + Number(y));
  if (mo) out.setUTCMonth(out.getUTCMonth() + Number(mo));
  if (w) out.setUTCDate(out.getUTCDate() + 7 * Number(w));
  if (d) out.setUTCDate(out.getUTCDate() + Number(d));
  const ms = (Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0)) * 1000;
  return new Date(out.getTime() + ms);
}

/**
 * A task's due or follow-up date from camunda:dueDate after expression resolution: an ISO date/time,
 * a Date, or an ISO duration counted from the task's creation (P5D = five days after it was created).
 */
export function parseDueDate(value: unknown, now: Date): Date | null {
  if (value === undefined || value === null || value === "") return null;
  if (value instanceof Date) return value;
  if (typeof value !== "string" && typeof value !== "number") return null;
  const s = String(value).trim();
  if (/^P/.test(s)) {
    try {
      return addDuration(now, s);
    } catch {
      return null;
    }
  }
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t);
}
