import type { Page } from "../domain/search.js";

export interface Pagination {
  total: number;
  page: number;
  pages: number;
  from: number;
  to: number;
  prev: string | null;
  next: string | null;
  links: Array<{ n: number; href: string; active: boolean }>;
}

/** Links for a list page that keep the page's filters; shows at most 7 page numbers around the current one. */
export function presentPagination(page: Page<unknown>, path: string, filters: Record<string, string | number | undefined>): Pagination {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const href = (n: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== "") params.set(k, String(v));
    if (n > 1) params.set("page", String(n));
    const qs = params.toString();
    return qs ? `${path}?${qs}` : path;
  };
  const start = Math.max(1, Math.min(page.page - 3, pages - 6));
  const links = [];
  for (let n = start; n <= Math.min(pages, start + 6); n++) links.push({ n, href: href(n), active: n === page.page });
  return {
    total: page.total,
    page: page.page,
    pages,
    from: page.total === 0 ? 0 : (page.page - 1) * page.pageSize + 1,
    to: Math.min(page.total, page.page * page.pageSize),
    prev: page.page > 1 ? href(page.page - 1) : null,
    next: page.page < pages ? href(page.page + 1) : null,
    links,
  };
}
