import { Router } from "express";
import multer from "multer";
import { currentUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import { blobPath, findReadableFile, removeUpload, storeUpload } from "../forms/uploads.js";
import { ValidationError } from "../errors.js";
import { requireUser } from "../http/guards.js";

/** Evidence uploads for form file components (Form.io storage "url" posts here). */
export function uploadRoutes(ctx: AppContext): Router {
  const router = Router();
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: ctx.config.uploadLimitBytes, files: 1, fields: 10 } });

  router.post("/api/uploads", requireUser, upload.single("file"), async (req, res) => {
    const user = currentUser(req);
    if (!req.file) throw new ValidationError("请选择要上传的文件", [{ path: "file", message: "请选择要上传的文件" }]);
    // Browsers send multipart file names as latin1 bytes of UTF-8.
    const originalName = Buffer.from(req.file.originalname, "latin1").toString("utf8");
    const stored = await storeUpload(ctx.db, { uploadDir: ctx.config.uploadDir, owner: user, originalName, buffer: req.file.buffer });
    const url = `${req.protocol}://${req.get("host")}/api/uploads/${stored.id}`;
    res
      .status(201)
      .json({ data: { id: stored.id, url, name: stored.name, originalName: stored.name, size: stored.size, type: stored.type } });
  });

  router.get("/api/uploads/:id", requireUser, async (req, res) => {
    const file = await findReadableFile(currentUser(req), String(req.params.id));
    res.setHeader("Content-Type", file.mimeType);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Content-Disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.originalName)}`);
    res.setHeader("Cache-Control", "private, no-store");
    res.sendFile(blobPath(ctx.config.uploadDir, file.sha256));
  });
  /** The file component's remove button: the file leaves the uploader's drafts (kept while a submission references it). */
  router.delete("/api/uploads/:id", requireUser, async (req, res) => {
    await removeUpload(ctx.db, { uploadDir: ctx.config.uploadDir, owner: currentUser(req), id: String(req.params.id) });
    res.status(204).end();
  });
  return router;
}
