import { Router } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { COMMITMENT_STATUSES } from "../../db/models/Commitment.js";
import { decideCommitmentReview, recordCommitmentVerification } from "../../domain/commitments/decisions.js";
import { listInbox } from "../../domain/inbox/listInbox.js";
import { departmentUsccs } from "../../domain/commitments/departmentUsccs.js";
import { archiveRows, findVisibleCommitment, listCommitments, loadCommitmentDetail } from "../../domain/commitments/queries.js";
import { resubmitCommitment } from "../../domain/commitments/resubmitCommitment.js";
import { submitCommitment, type CommitmentDeps } from "../../domain/commitments/submitCommitment.js";
import { ForbiddenError } from "../../errors.js";
import { requireRole, requireUser } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { commitmentPolicy } from "../../policies/commitment.js";
import {
  archiveCsv,
  presentArchiveRecord,
  presentCommitment,
  presentCommitmentPage,
  presentInboxPage,
  presentLetterDocument,
  type ArchiveRecord,
} from "../../presenters/commitment.js";

const SignatureBody = z.object(
  { name: z.string({ error: "请填写签署人姓名" }), agreed: z.boolean({ error: "请勾选同意承诺" }) },
  { error: "请签署承诺书（signature.name 与 signature.agreed）" },
);
const SubmitBody = z.object({
  itemCode: z.string({ error: "请指定事项编码" }).min(1).max(64),
  subject: z.string({ error: "请指定承诺主体的统一社会信用代码" }).min(1).max(18),
  data: z.record(z.string(), z.unknown(), { error: "data 应为表单数据对象" }),
  signature: SignatureBody,
});
const ResubmitBody = z.object({ data: z.record(z.string(), z.unknown(), { error: "data 应为表单数据对象" }), signature: SignatureBody });
const DecisionBody = z.object({
  data: z.record(z.string(), z.unknown(), { error: "data 应为表单数据对象" }),
  taskId: z.string().max(64).optional(),
});
export const CommitmentListQuery = z.object({
  subject: z.string().max(18).optional(),
  status: z.enum(COMMITMENT_STATUSES, { error: `状态应为：${COMMITMENT_STATUSES.join("、")}` }).optional(),
  item: z.string().max(64).optional(),
  department: z.string().max(32).optional(),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "日期格式应为 YYYY-MM-DD" })
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "日期格式应为 YYYY-MM-DD" })
    .optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).optional(),
});
const InboxQuery = z.object({
  processKey: z.string().max(255).optional(),
  kind: z.string().max(32).optional(),
  item: z.string().max(64).optional(),
  department: z.string().max(32).optional(),
  status: z.string().max(64).optional(),
  activity: z.string().max(255).optional(),
  scope: z.enum(["mine", "unassigned", "all"]).optional(),
  overdue: z.enum(["1", "true", "0", "false"]).optional(),
  sort: z.enum(["due", "created"]).optional(),
  order: z.enum(["asc", "desc"]).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
  counts: z.enum(["0", "1"]).optional(),
});
const ArchiveQuery = CommitmentListQuery.omit({ page: true, pageSize: true }).extend({ format: z.enum(["csv", "json"]).default("json") });

/**
 * Commitments API (same commands as the pages): submit, read, list, correct after a return, the review
 * and verification decisions, and the 信用承诺档案 export. Records one may not see answer 404.
 */
export function commitmentApiRoutes(ctx: AppContext): Router {
  const router = Router();
  const deps: CommitmentDeps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };

  router.post("/api/commitments", requireUser, async (req, res) => {
    const body = parse(SubmitBody, req.body);
    const { commitment, processInstanceId } = await submitCommitment(deps, {
      actor: currentUser(req),
      itemCode: body.itemCode,
      subjectCode: body.subject,
      data: body.data,
      signature: body.signature as { name: string; agreed: true },
      ip: req.ip ?? null,
    });
    res
      .status(201)
      .location(`/api/commitments/${commitment.code}`)
      .json({ code: commitment.code, status: commitment.status, processInstanceId });
  });

  router.get("/api/commitments", requireUser, async (req, res) => {
    const user = currentUser(req);
    const query = parse(CommitmentListQuery, req.query);
    res.json(presentCommitmentPage(await listCommitments(user, query)));
  });

  router.get("/api/commitments/:code", requireUser, async (req, res) => {
    const user = currentUser(req);
    const commitment = await findVisibleCommitment(user, String(req.params.code));
    res.json({ data: presentCommitment(await loadCommitmentDetail(ctx.engine, commitment), user) });
  });

  /** The signed letter as a printable HTML document (print or save as PDF from the browser). */
  router.get("/api/commitments/:code/letter", requireUser, async (req, res) => {
    const user = currentUser(req);
    const commitment = await findVisibleCommitment(user, String(req.params.code));
    const download = req.query.download === "1";
    res.type("html");
    if (download) res.attachment(`信用承诺书-${commitment.code}.html`);
    res.send(presentLetterDocument(commitment));
  });

  router.post("/api/commitments/:code/resubmit", requireUser, async (req, res) => {
    const body = parse(ResubmitBody, req.body);
    const commitment = await resubmitCommitment(deps, {
      actor: currentUser(req),
      code: String(req.params.code),
      data: body.data,
      signature: body.signature as { name: string; agreed: true },
      ip: req.ip ?? null,
    });
    res.json({ code: commitment.code, status: commitment.status, revision: commitment.revision });
  });

  router.post("/api/commitments/:code/review", requireUser, async (req, res) => {
    const body = parse(DecisionBody, req.body);
    const commitment = await decideCommitmentReview(deps, {
      actor: currentUser(req),
      code: String(req.params.code),
      data: body.data,
      taskId: body.taskId,
    });
    res.json({ code: commitment.code, status: commitment.status });
  });

  router.post("/api/commitments/:code/verification", requireUser, async (req, res) => {
    const body = parse(DecisionBody, req.body);
    const commitment = await recordCommitmentVerification(deps, {
      actor: currentUser(req),
      code: String(req.params.code),
      data: body.data,
      taskId: body.taskId,
    });
    res.json({
      code: commitment.code,
      status: commitment.status,
      fulfilmentStatus: commitment.fulfilmentStatus,
      supervisionStatus: commitment.supervisionStatus,
    });
  });

  /** The reviewer inbox over every process: open tasks of my groups and assigned to me, with their cases and counts. */
  router.get("/api/inbox", requireRole("reviewer", "dept_admin"), async (req, res) => {
    const { overdue, counts, ...query } = parse(InboxQuery, req.query);
    const page = await listInbox(
      ctx.db,
      currentUser(req),
      { ...query, overdue: overdue === "1" || overdue === "true", withCounts: counts !== "0" },
      ctx.clock.now(),
    );
    res.json(presentInboxPage(page));
  });

  /** 信用承诺档案 export with the DOMAIN.md record fields: staff only (their department; admin all). */
  router.get("/api/archive", requireRole("reviewer", "dept_admin"), async (req, res) => {
    const user = currentUser(req);
    if (!commitmentPolicy.listDepartment(user)) throw new ForbiddenError();
    const { format, ...filter } = parse(ArchiveQuery, req.query);
    const records: ArchiveRecord[] = [];
    // The letter is read for both formats: 承诺内容 and 违诺责任 are its text; only JSON carries the letter itself.
    for await (const batch of archiveRows(user, { ...filter, withLetter: true })) {
      const usccs = await departmentUsccs(batch.rows);
      for (const row of batch.rows) {
        records.push(presentArchiveRecord(row, { withLetter: format === "json", departmentUscc: usccs.get(row.departmentId) }));
      }
    }
    if (format === "csv") {
      res.type("text/csv; charset=utf-8").attachment("信用承诺档案.csv").send(archiveCsv(records));
      return;
    }
    res.json({ data: records, meta: { total: records.length } });
  });

  return router;
}
