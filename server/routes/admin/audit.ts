import { Router } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { verifyAuditChain } from "../../domain/audit.js";
import { auditLogBatches, searchAuditLog } from "../../domain/auditLog.js";
import { pageNumber } from "../../domain/search.js";
import { requireRole } from "../../http/guards.js";
import { authorize } from "../../policies/authorize.js";
import { auditPolicy } from "../../policies/audit.js";
import { actionOptions, auditCsvHead, auditCsvLine, entityTypeOptions, presentAuditEntry, presentVerdict } from "../../presenters/audit.js";
import { presentPagination } from "../../presenters/pagination.js";

const text = (max: number) => z.string().trim().max(max).optional().catch(undefined);
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined);
const AuditQuery = z.object({
  actor: text(64),
  action: text(64),
  entityType: text(64),
  entityId: text(64),
  from: date,
  to: date,
  upTo: z.coerce.number().int().positive().optional().catch(undefined),
  page: z.unknown().optional(),
});

/** The filters a page or an export was asked for (page aside). */
function filtersOf(query: z.infer<typeof AuditQuery>) {
  return {
    actor: query.actor,
    action: query.action,
    entityType: query.entityType,
    entityId: query.entityId,
    from: query.from,
    to: query.to,
    upTo: query.upTo,
  };
}

/**
 * The audit log: the chains' verdict (with checkpoint problems and notes) first, then a searchable, paginated list
 * (admins and auditors), and the same search as a CSV export.
 */
export function adminAuditRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;

  router.get("/admin/audit", requireRole("auditor"), async (req, res) => {
    authorize(auditPolicy.read(currentUser(req)));
    const query = AuditQuery.parse(req.query);
    const [verdict, page] = await Promise.all([verifyAuditChain(db), searchAuditLog(db, { ...query, page: pageNumber(query.page) })]);
    const presented = presentVerdict(verdict);
    // A problem with the checkpoints alone (a forged line, a missing file) has no broken entry to name.
    if (!verdict.ok && !verdict.firstBroken) presented.text = `审计链已损坏：${verdict.problems[0]}。`;
    const problems = verdict.firstBroken ? verdict.problems : verdict.problems.slice(1);
    const filters = filtersOf(query);
    const exportQuery = new URLSearchParams(
      Object.entries(filters).flatMap(([k, v]) => (v === undefined || v === "" ? [] : [[k, String(v)]])),
    ).toString();
    res.render("admin/audit/index", {
      title: "审计日志",
      verdict: presented,
      otherBroken: verdict.broken.slice(1).map((b) => ({ id: b.id, reason: b.reason })),
      checkpointProblems: problems,
      chainNotes: verdict.notes,
      filters,
      actionOptions: actionOptions(query.action),
      entityTypes: entityTypeOptions(query.entityType),
      exportHref: `/admin/audit/export.csv${exportQuery ? `?${exportQuery}` : ""}`,
      total: page.total,
      filtered: Object.values(filters).some(Boolean),
      entries: page.rows.map((r) => presentAuditEntry(r, presented.brokenId)),
      pagination: presentPagination(page, "/admin/audit", filters),
    });
  });

  // Streams every matching entry (not only one page): an auditor exports what they searched for, in Chinese.
  router.get("/admin/audit/export.csv", requireRole("auditor"), async (req, res) => {
    authorize(auditPolicy.read(currentUser(req)));
    const filters = filtersOf(AuditQuery.parse(req.query));
    res.type("text/csv; charset=utf-8").attachment("审计日志.csv");
    res.write(auditCsvHead());
    for await (const batch of auditLogBatches(db, filters)) res.write(batch.map(auditCsvLine).join(""));
    res.end();
  });

  return router;
}
