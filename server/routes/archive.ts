import { Router } from "express";
import { currentUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import { COMMITMENT_STATUSES } from "../db/models/Commitment.js";
import { listCommitments } from "../domain/commitments/queries.js";
import { ForbiddenError } from "../errors.js";
import { requireRole } from "../http/guards.js";
import { parse } from "../http/parse.js";
import { commitmentPolicy } from "../policies/commitment.js";
import { presentArchiveRecord } from "../presenters/commitment.js";
import { presentPagination } from "../presenters/pagination.js";
import { CommitmentListQuery } from "./api/commitments.js";

const PAGE_SIZE = 20;

/** 信用承诺档案 for staff: every commitment of their department (admin: all) with filters, and CSV / JSON export. */
export function archiveRoutes(ctx: AppContext): Router {
  void ctx;
  const router = Router();
  router.get("/archive", requireRole("reviewer", "dept_admin"), async (req, res) => {
    const user = currentUser(req);
    if (!commitmentPolicy.listDepartment(user)) throw new ForbiddenError();
    const filter = parse(CommitmentListQuery, req.query, "筛选条件有误，请检查后重试");
    const page = await listCommitments(user, { ...filter, pageSize: PAGE_SIZE });
    const filters = { subject: filter.subject, status: filter.status, item: filter.item, from: filter.from, to: filter.to };
    const exportQuery = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => Boolean(e[1]))).toString();
    res.render("archive/index", {
      title: "信用承诺档案",
      filters,
      statuses: COMMITMENT_STATUSES.map((s) => ({ value: s, selected: s === filter.status })),
      records: page.rows.map((row) => presentArchiveRecord(row)),
      filtered: Object.values(filters).some(Boolean),
      exportCsv: `/api/archive?format=csv${exportQuery ? `&${exportQuery}` : ""}`,
      exportJson: `/api/archive?format=json${exportQuery ? `&${exportQuery}` : ""}`,
      pagination: presentPagination({ rows: page.rows, total: page.total, page: page.page, pageSize: page.pageSize }, "/archive", filters),
    });
  });
  return router;
}
