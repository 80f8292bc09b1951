import type { ErrorRequestHandler, Request, Response } from "express";
import { UniqueConstraintError, ValidationError as SequelizeValidationError, ForeignKeyConstraintError } from "sequelize";
import { AppError } from "../errors.js";
import { wantsJson } from "./negotiate.js";

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  code?: string;
}

/** A multipart body the parser (busboy, under multer) could not read: cut off, no boundary, a broken part header. */
const MALFORMED_MULTIPART =
  /^(Multipart: Boundary not found|Unexpected end of (form|multipart data)|Malformed part header|Malformed urlencoded form)/;

/**
 * Maps body-parser, multer, csrf and other library errors to a user-facing AppError; undefined for unknown errors.
 * Shared by the page/API handler below and the /engine-rest handler (which only changes the answer's shape).
 */
export function translateError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof UniqueConstraintError) return new AppError(409, "duplicate", "该记录已存在，请勿重复提交");
  if (err instanceof ForeignKeyConstraintError) return new AppError(409, "in_use", "该记录仍被其他数据引用，无法执行此操作");
  if (err instanceof SequelizeValidationError) {
    return new AppError(
      400,
      "validation_failed",
      "提交的内容有误",
      err.errors.map((e) => ({ path: e.path ?? "", message: e.message })),
    );
  }
  const e = err as HttpLikeError;
  const status = e?.status ?? e?.statusCode;
  if (e?.type === "entity.parse.failed") return new AppError(400, "malformed_json", "请求体不是有效的 JSON，请检查格式");
  if (e?.type === "entity.too.large" || status === 413 || e?.code === "LIMIT_FILE_SIZE") {
    return new AppError(413, "payload_too_large", "提交的内容超过大小限制，请缩小后重试");
  }
  if (e?.code === "EBADCSRFTOKEN" || e?.code === "ERR_BAD_CSRF_TOKEN" || (status === 403 && /csrf/i.test(String((err as Error).message)))) {
    return new AppError(403, "invalid_csrf_token", "页面已过期或请求来源无效，请刷新页面后重试");
  }
  if (e?.type === "charset.unsupported" || e?.type === "encoding.unsupported") {
    return new AppError(415, "unsupported_encoding", "不支持的字符编码，请使用 UTF-8");
  }
  if (typeof e?.code === "string" && e.code.startsWith("LIMIT_")) return new AppError(400, "upload_invalid", "上传的文件不符合要求");
  if (err instanceof Error && MALFORMED_MULTIPART.test(err.message)) {
    return new AppError(400, "malformed_multipart", "上传的表单数据不完整或格式错误，请重新选择文件后提交");
  }
  if (status && status >= 400 && status < 500) return new AppError(status, "bad_request", "请求无效，请检查后重试");
  return undefined;
}

export function sendError(req: Request, res: Response, error: AppError): void {
  res.status(error.status);
  if (wantsJson(req)) {
    res.json({ error: { code: error.code, message: error.message, details: error.details } });
    return;
  }
  if (error.status === 401) {
    res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  const template = [403, 404].includes(error.status) ? `errors/${error.status}` : "errors/generic";
  res.render(template, { title: error.message, error: { status: error.status, message: error.message, details: error.details } });
}

/** The last middleware: known errors get their status and a Chinese message; anything else is logged and answered 500. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  void _next;
  if (res.headersSent) {
    req.log?.error({ err }, "error after headers were sent");
    res.end();
    return;
  }
  const known = translateError(err);
  if (known) {
    if (known.status >= 500) req.log?.error({ err }, known.message);
    sendError(req, res, known);
    return;
  }
  req.log?.error({ err }, "unhandled error");
  res.status(500);
  if (wantsJson(req)) {
    res.json({ error: { code: "internal_error", message: "服务器内部错误，请稍后重试；如果问题持续，请联系管理员", details: [] } });
    return;
  }
  res.render("errors/500", { title: "服务器内部错误" });
};
