import { Router } from "express";
import type { CurrentUser } from "../auth/currentUser.js";
import { currentUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import type { Commitment } from "../db/models/Commitment.js";
import { COMMITMENT_STATUSES } from "../db/models/Commitment.js";
import { departmentUsccs } from "../domain/commitments/departmentUsccs.js";
import { listCommitments } from "../domain/commitments/queries.js";
import { processConsolePolicy } from "../domain/processes/access.js";
import { ForbiddenError } from "../errors.js";
import { requireRole } from "../http/guards.js";
import { parse } from "../http/parse.js";
import { commitmentPolicy } from "../policies/commitment.js";
import { processInstancePolicy } from "../policies/processInstance.js";
import { presentArchiveRecord } from "../presenters/commitment.js";
import { presentPagination } from "../presenters/pagination.js";
import { CommitmentListQuery } from "./api/commitments.js";

const PAGE_SIZE = 20;

/**
 * Where an archive row leads the person reading it: the open task on the case when they may see it (a reviewer
 * works it there), else the process instance page for those who may read the process console (admins and the
 * department's dept_admins), else the subject's credit profile, which lists the commitment among the subject's.
 */
async function caseLink(ctx: AppContext, user: CurrentUser, c: Commitment): Promise<{ href: string; label: string }> {
  if (c.processInstanceId) {
    const [task] = await ctx.engine.findTasks({ processInstanceId: c.processInstanceId, visibleTo: user, maxResults: 1 });
    if (task) return { href: `/tasks/${encodeURIComponent(task.id)}`, label: `待办：${task.name ?? "任务"}` };
    if (processConsolePolicy.read(user) && processInstancePolicy.read(user, { departmentId: c.departmentId, definitionKey: "" })) {
      return { href: `/admin/instances/${encodeURIComponent(c.processInstanceId)}`, label: "办理过程" };
    }
  }
  return { href: `/admin/credit/subjects/${encodeURIComponent(c.subjectCode)}`, label: "主体信用档案" };
}

/** 信用承诺档案 for staff: every commitment of their department (admin: all) with filters, and CSV / JSON export. */
export function archiveRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get("/archive", requireRole("reviewer", "dept_admin"), async (req, res) => {
    const user = currentUser(req);
    if (!commitmentPolicy.listDepartment(user)) throw new ForbiddenError();
    // The filter form sends every field, empty ones as ""; an empty field means "any", not a malformed value.
    const query = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== ""));
    const filter = parse(CommitmentListQuery, query, "筛选条件有误，请检查后重试");
    const page = await listCommitments(user, { ...filter, pageSize: PAGE_SIZE });
    const filters = { subject: filter.subject, status: filter.status, item: filter.item, from: filter.from, to: filter.to };
    const exportQuery = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => Boolean(e[1]))).toString();
    const usccs = await departmentUsccs(page.rows);
    const records = await Promise.all(
      page.rows.map(async (row) => ({
        ...presentArchiveRecord(row, { departmentUscc: usccs.get(row.departmentId) }),
        link: await caseLink(ctx, user, row),
      })),
    );
    res.render("archive/index", {
      title: "信用承诺档案",
      filters,
      statuses: COMMITMENT_STATUSES.map((s) => ({ value: s, selected: s === filter.status })),
      records,
      filtered: Object.values(filters).some(Boolean),
      exportCsv: `/api/archive?format=csv${exportQuery ? `&${exportQuery}` : ""}`,
      exportJson: `/api/archive?format=json${exportQuery ? `&${exportQuery}` : ""}`,
      pagination: presentPagination({ rows: page.rows, total: page.total, page: page.page, pageSize: page.pageSize }, "/archive", filters),
    });
  });
  return router;
}
