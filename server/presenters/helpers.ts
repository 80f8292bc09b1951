import type { HelperOptions } from "handlebars";

const pad = (n: number) => String(n).padStart(2, "0");

/** 2026-11-27 (China time, the office's time zone). */
export function formatDate(value: unknown): string {
  if (value === null || value === undefined || value === "") return "";
  const d = new Date(value as string);
  if (Number.isNaN(d.getTime())) return "";
  const cn = new Date(d.getTime() + 8 * 3600_000);
  return `${cn.getUTCFullYear()}-${pad(cn.getUTCMonth() + 1)}-${pad(cn.getUTCDate())}`;
}

/** 2026-11-27 14:05 (China time). */
export function formatDateTime(value: unknown): string {
  if (value === null || value === undefined || value === "") return "";
  const d = new Date(value as string);
  if (Number.isNaN(d.getTime())) return "";
  const cn = new Date(d.getTime() + 8 * 3600_000);
  return `${formatDate(d)} ${pad(cn.getUTCHours())}:${pad(cn.getUTCMinutes())}`;
}

/** Handlebars helpers available in every template. */
export const helpers = {
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  not: (a: unknown) => !a,
  includes: (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item),
  formatDate,
  formatDateTime,
  json: (value: unknown) => JSON.stringify(value ?? null),
  add: (a: number, b: number) => Number(a) + Number(b),
  join: (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === "string" ? sep : "、") : ""),
  /** {{#block "name"}}...{{/block}} fills a named region of the layout (e.g. page scripts). */
  block(this: { _blocks?: Record<string, string> }, name: string, options: HelperOptions) {
    const root = (options.data as { root: { _blocks?: Record<string, string> } }).root;
    root._blocks ??= {};
    root._blocks[name] = (root._blocks[name] ?? "") + options.fn(this);
    return "";
  },
  yieldBlock(name: string, options: HelperOptions) {
    const root = (options.data as { root: { _blocks?: Record<string, string> } }).root;
    return root._blocks?.[name] ?? "";
  },
};
