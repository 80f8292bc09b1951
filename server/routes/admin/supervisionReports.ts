import { Router } from "express";
import { z } from "zod";
import { currentUser, type CurrentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { Department } from "../../db/models/Department.js";
import { chinaDay } from "../../domain/calendar/days.js";
import { reportCsv, supervisionReport, type ReportFilter } from "../../domain/supervision/inspections/queries.js";
import { ForbiddenError } from "../../errors.js";
import { requireUser } from "../../http/guards.js";
import { wantsJson } from "../../http/negotiate.js";

const Query = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  department: z.string().trim().max(32).optional().catch(undefined),
  plan: z.coerce.number().int().positive().optional().catch(undefined),
  format: z.enum(["csv", "json"]).optional().catch(undefined),
});

/** Admins and auditors read every department's figures; a department's staff its own. */
function readableDepartments(user: CurrentUser): number[] | undefined {
  if (user.isAdmin || user.roles.includes("auditor")) return undefined;
  if ((user.roles.includes("dept_admin") || user.roles.includes("reviewer")) && user.departmentId !== null) return [user.departmentId];
  throw new ForbiddenError("只有系统管理员、审计人员和部门工作人员可以查看监管报表");
}

/** 监管报表: coverage by class, overdue inspections and results per plan and department, as charts (ECharts) and CSV. */
export function adminSupervisionReportRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get(["/admin/supervision/reports", "/api/supervision/reports"], requireUser, async (req, res) => {
    const user = currentUser(req);
    const departmentIds = readableDepartments(user);
    const q = Query.parse(req.query);
    const year = q.year ?? Number(chinaDay(ctx.clock.now()).slice(0, 4));
    const departments = await Department.findAll({ where: departmentIds ? { id: departmentIds } : {}, order: [["id", "ASC"]] });
    const picked = q.department ? departments.find((d) => d.code === q.department) : undefined;
    const filter: ReportFilter = { year, departmentIds, departmentId: picked?.id, planId: q.plan };
    const rows = await supervisionReport(ctx.db, filter, ctx.clock.now());
    if (q.format === "csv") {
      res.setHeader("Content-Type", "text/csv; charset=utf-8");
      res.setHeader("Content-Disposition", `attachment; filename*=UTF-8''${encodeURIComponent(`监管报表_${year}.csv`)}`);
      return res.send(reportCsv(rows));
    }
    if (q.format === "json" || wantsJson(req) || req.path.startsWith("/api/")) return res.json({ data: rows, meta: { year } });
    const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0);
    const params = new URLSearchParams({ year: String(year), ...(picked ? { department: picked.code } : {}), format: "csv" });
    res.render("admin/supervision/reports", {
      title: "监管报表",
      year,
      years: [year - 2, year - 1, year, year + 1].map((y) => ({ y, selected: y === year })),
      departments: departments.map((d) => ({ code: d.code, name: d.name, selected: d.id === picked?.id })),
      rows: rows.map((r) => ({
        ...r,
        coverageText: (["A", "B", "C", "D"] as const).map((g) => ({ g, drawn: r.drawn[g], of: r.candidates[g], pct: r.coverage[g] })),
      })),
      totals: {
        inspections: sum((r) => r.inspections),
        open: sum((r) => r.open),
        overdue: sum((r) => r.overdue),
        published: sum((r) => r.published),
        publishedLate: sum((r) => r.publishedLate),
      },
      chartData: JSON.stringify(rows.map((r) => ({ label: `${r.department}·${r.plan}`, ...r }))).replace(/</g, "\\u003c"),
      csvHref: `/admin/supervision/reports?${params.toString()}`,
    });
  });

  return router;
}
