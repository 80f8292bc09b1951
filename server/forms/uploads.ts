import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileTypeFromBuffer } from "file-type";
import type { CurrentUser } from "../auth/currentUser.js";
import type { Database } from "../db/database.js";
import { UploadedFile } from "../db/models/formModels.js";
import { audit } from "../domain/audit.js";
import { NotFoundError, ValidationError } from "../errors.js";

/** Types accepted as evidence, by detected content, with the file name extensions each may carry. */
const ALLOWED: Record<string, string[]> = {
  "application/pdf": [".pdf"],
  "image/jpeg": [".jpg", ".jpeg"],
  "image/png": [".png"],
};

export interface StoredFile {
  id: string;
  name: string;
  size: number;
  type: string;
  sha256: string;
}

/** Where the bytes of a file with this hash live (outside public/, two-level fan-out). */
export function blobPath(uploadDir: string, sha256: string): string {
  return path.join(uploadDir, sha256.slice(0, 2), sha256);
}

/**
 * Stores an uploaded file for its owner after checking its content: only PDF, JPEG and PNG, and the
 * name's extension must match what the bytes are. Identical content is stored once (by sha256).
 */
export async function storeUpload(
  db: Database,
  input: { uploadDir: string; owner: CurrentUser; originalName: string; buffer: Buffer },
): Promise<StoredFile> {
  const detected = await fileTypeFromBuffer(input.buffer);
  const ext = path.extname(input.originalName).toLowerCase();
  const allowedExts = detected ? ALLOWED[detected.mime] : undefined;
  if (!detected || !allowedExts) {
    throw new ValidationError("文件类型不受支持", [{ path: "file", message: "只能上传 PDF、JPG 或 PNG 文件（按文件内容识别）" }]);
  }
  if (!allowedExts.includes(ext)) {
    throw new ValidationError("文件内容与扩展名不符", [
      { path: "file", message: `文件内容是 ${detected.ext.toUpperCase()}，但文件名扩展名是“${ext || "无"}”，请检查后重新上传` },
    ]);
  }
  const sha256 = createHash("sha256").update(input.buffer).digest("hex");
  const target = blobPath(input.uploadDir, sha256);
  if (!existsSync(target)) {
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomUUID()}.tmp`;
    await writeFile(tmp, input.buffer, { mode: 0o640 });
    await rename(tmp, target);
  }
  const name =
    path
      .basename(input.originalName)
      .replace(/[\\/]/g, "_")
      .replace(/\p{Cc}/gu, "_")
      .slice(0, 200) || `file${ext}`;
  const row = await db.transaction(async (t) => {
    const created = await UploadedFile.create(
      { id: randomUUID(), ownerUserId: input.owner.id, sha256, originalName: name, mimeType: detected.mime, size: input.buffer.length },
      { transaction: t },
    );
    await audit(db, t, {
      actor: input.owner.username,
      action: "file.uploaded",
      entityType: "file",
      entityId: created.id,
      detail: { sha256, size: created.size },
    });
    return created;
  });
  return { id: row.id, name: row.originalName, size: row.size, type: row.mimeType, sha256 };
}

/** A check that lets someone other than the uploader read a file (e.g. staff seeing the submission). */
export type FileAccessCheck = (user: CurrentUser, file: UploadedFile) => Promise<boolean> | boolean;
const accessChecks: FileAccessCheck[] = [];

/** Lets other modules widen who may download a file (staff allowed to see the submission referencing it). */
export function registerFileAccessCheck(check: FileAccessCheck): void {
  accessChecks.push(check);
}

/** The uploader and admins may read a file; registered checks may allow others. */
export async function mayReadFile(user: CurrentUser, file: UploadedFile): Promise<boolean> {
  if (user.isAdmin || file.ownerUserId === user.id) return true;
  for (const check of accessChecks) if (await check(user, file)) return true;
  return false;
}

/** The file this user may read; NotFoundError otherwise, so files of others are indistinguishable from missing ones. */
export async function findReadableFile(user: CurrentUser, id: string): Promise<UploadedFile> {
  const file = /^[0-9a-f-]{36}$/.test(id) ? await UploadedFile.findByPk(id) : null;
  if (!file || !(await mayReadFile(user, file))) throw new NotFoundError("找不到该文件");
  return file;
}
