import { Router, type RequestHandler } from "express";
import multer from "multer";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { CreditImport } from "../../db/models/CreditImport.js";
import { Department } from "../../db/models/Department.js";
import { createImport, liveProgress, runImport, templateCsv, templateXlsx, type ImportInput } from "../../domain/credit/importFile.js";
import { RECORD_FIELDS } from "../../domain/credit/fields.js";
import { NotFoundError, PayloadTooLargeError, ValidationError } from "../../errors.js";
import { requireRole } from "../../http/guards.js";
import { wantsJson } from "../../http/negotiate.js";
import { authorize } from "../../policies/authorize.js";
import { creditRecordPolicy } from "../../policies/creditRecord.js";
import { presentImport } from "../../presenters/credit.js";
import { idParam } from "./forms.js";

const Mode = z.object({
  mode: z.enum(["dry-run", "import"], { error: "请选择“预检”或“导入”" }).catch("dry-run"),
  departmentId: z.string().optional(),
});

/** Import of 双公示 files (CSV, .xlsx): the page, templates, upload (a background job) and its progress. */
export function creditImportRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;
  const recorders = requireRole("reviewer", "dept_admin");
  const limitMb = Math.round((ctx.config.uploadLimitBytes / 1024 / 1024) * 10) / 10;
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: ctx.config.uploadLimitBytes, files: 1, fields: 10 } });
  // Multer's own errors (too large, too many files) become Chinese 4xx answers.
  const receive: RequestHandler = (req, res, next) =>
    upload.single("file")(req, res, (err: unknown) => {
      if (!err) return next();
      const code = (err as { code?: string }).code;
      if (code === "LIMIT_FILE_SIZE") return next(new PayloadTooLargeError(`文件超过 ${limitMb} MB 上限，请拆分后分批导入`));
      if (code === "LIMIT_FILE_COUNT" || code === "LIMIT_UNEXPECTED_FILE")
        return next(new ValidationError("一次只能上传一个文件（字段名 file）", [{ path: "file", message: "只能上传一个文件" }]));
      next(new ValidationError("上传失败，请重新选择文件", [{ path: "file", message: "上传失败" }]));
    });

  router.get("/admin/credit/import", recorders, async (req, res) => {
    const user = currentUser(req);
    authorize(creditRecordPolicy.create(user), "只有所属部门的工作人员可以导入信用记录");
    const recent = await CreditImport.findAll({ where: user.isAdmin ? {} : { actor: user.username }, order: [["id", "DESC"]], limit: 10 });
    res.render("admin/credit/import", {
      title: "导入信用记录",
      limitMb,
      columns: RECORD_FIELDS.map((f) => ({
        label: f.label,
        required: f.requiredFor?.join("、") ?? "",
        types: f.types?.join("、") ?? "全部",
        hint: [f.choices ? `可选：${f.choices.join("、")}` : "", f.hint ?? ""].filter(Boolean).join("；"),
      })),
      recent: recent.map((j) => presentImport(j)),
      departments: user.isAdmin ? await Department.findAll({ attributes: ["id", "name"], order: [["id", "ASC"]], raw: true }) : null,
    });
  });

  router.get("/admin/credit/import/template.csv", recorders, (_req, res) => {
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename*=UTF-8''${encodeURIComponent("信用记录导入模板.csv")}`);
    res.send(templateCsv());
  });

  router.get("/admin/credit/import/template.xlsx", recorders, async (_req, res) => {
    res.setHeader("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    res.setHeader("Content-Disposition", `attachment; filename*=UTF-8''${encodeURIComponent("信用记录导入模板.xlsx")}`);
    res.send(await templateXlsx());
  });

  router.post("/admin/credit/imports", recorders, receive, async (req, res) => {
    const user = currentUser(req);
    authorize(creditRecordPolicy.create(user), "只有所属部门的工作人员可以导入信用记录");
    if (!req.file || !req.file.size)
      throw new ValidationError("请选择要导入的文件", [{ path: "file", message: "请选择 CSV 或 .xlsx 文件" }]);
    const { mode, departmentId } = Mode.parse(req.body ?? {});
    let department = user.departmentId;
    if (user.isAdmin && departmentId && /^\d{1,9}$/.test(departmentId)) {
      if (!(await Department.findByPk(Number(departmentId))))
        throw new ValidationError("所选部门不存在", [{ path: "departmentId", message: "请选择部门" }]);
      department = Number(departmentId);
    }
    const input: ImportInput = {
      actor: user.username,
      ip: req.ip ?? null,
      departmentId: department,
      // Browsers send multipart file names as latin1 bytes of UTF-8.
      fileName: Buffer.from(req.file.originalname, "latin1").toString("utf8"),
      buffer: req.file.buffer,
      dryRun: mode === "dry-run",
      at: () => ctx.clock.now(),
    };
    const job = await createImport(input);
    // The job runs after the answer: the page polls its progress (large files take a while).
    void runImport(db, job, input, ctx.logger);
    if (!wantsJson(req)) return res.redirect(303, `/admin/credit/imports/${job.id}`);
    res
      .status(202)
      .location(`/admin/credit/imports/${job.id}`)
      .json({ data: presentImport(job, liveProgress(job.id)) });
  });

  router.get("/admin/credit/imports/:id", recorders, async (req, res) => {
    const user = currentUser(req);
    const job = await CreditImport.findByPk(idParam(req.params.id));
    // Someone else's import is "not found", not "forbidden": its existence says nothing.
    if (!job || (!user.isAdmin && job.actor !== user.username)) throw new NotFoundError("找不到该导入任务");
    const view = presentImport(job, liveProgress(job.id));
    if (wantsJson(req)) return res.json({ data: view });
    res.render("admin/credit/importJob", { title: `导入：${job.fileName}`, job: view });
  });

  return router;
}
