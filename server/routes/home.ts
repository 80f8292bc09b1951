import { Router } from "express";
import { optionalUser, type CurrentUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import { listMyCases } from "../domain/cases/queries.js";
import { listPublishedItems } from "../domain/catalog/catalogQueries.js";
import { homeFor } from "../presenters/home.js";
import { caseBadge, presentCatalogGroups } from "../presenters/portal.js";

/** Entries the portal part of the home page shows itself (search, catalog, 我的办件, login): not repeated as cards. */
const PORTAL_HREFS = new Set(["/catalog", "/public/query", "/login", "/register", "/my/cases"]);

/** Static 通知公告: each points to the page it announces. */
const NOTICES = [
  { date: "2026-11-20", title: "告知承诺事项目录已发布：食品经营许可、建筑工程施工许可等事项可书面承诺办理", href: "/catalog" },
  { date: "2026-11-06", title: "信用修复办理指南：符合条件的失信信息可在线申请修复，修复后停止公示", href: "/repair" },
];

/** 我的办件 on the home page: how many of the applicant's cases are in each status, each a link to that filter. */
async function myCaseCounts(ctx: AppContext, user: CurrentUser) {
  const { counts } = await listMyCases(ctx.db, user, { pageSize: 1 });
  return {
    total: counts.reduce((n, c) => n + c.count, 0),
    counts: counts.map((c) => ({
      ...c,
      badge: caseBadge(c.status),
      href: `/my/cases?status=${encodeURIComponent(c.status)}`,
    })),
  };
}

/**
 * The home page as a government service portal: one search box (事项 or 信用查询), the catalog by department,
 * 信用修复, 我的办件 with counts once an applicant is logged in, notices and the office's contact line; staff also
 * find the entries of their work below.
 */
export function homeRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get("/", async (req, res) => {
    const user = optionalUser(req);
    const home = homeFor(user);
    const isApplicant = !!user?.roles.includes("applicant");
    const [entries, myCases] = await Promise.all([listPublishedItems(), isApplicant && user ? myCaseCounts(ctx, user) : null]);
    res.render("home", {
      title: "首页",
      home: { ...home, cards: home.cards.filter((c) => !PORTAL_HREFS.has(c.href)) },
      loggedIn: !!user,
      isApplicant,
      catalog: presentCatalogGroups(entries),
      itemCount: entries.length,
      myCases,
      notices: NOTICES,
    });
  });
  return router;
}
