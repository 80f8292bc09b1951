import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileTypeFromBuffer } from "file-type";
import { Op, QueryTypes, type Transaction } from "sequelize";
import type { CurrentUser } from "../auth/currentUser.js";
import type { Database } from "../db/database.js";
import { FormDraft, UploadedFile } from "../db/models/formModels.js";
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

/** Stored submissions that may reference an upload by its id (JSON text columns); a referenced file is never removed. */
const SUBMISSION_COLUMNS: ReadonlyArray<{ table: string; column: string }> = [
  { table: "commitments", column: "data" },
  { table: "commitment_submissions", column: "data" },
  { table: "submission_revisions", column: "data" },
];

async function referencedBySubmission(db: Database, id: string, t: Transaction): Promise<boolean> {
  for (const { table, column } of SUBMISSION_COLUMNS) {
    // A UUID: no LIKE wildcard to escape.
    const rows = await db.sequelize.query(`SELECT 1 AS found FROM ${table} WHERE ${column} LIKE :mentions LIMIT 1`, {
      replacements: { mentions: `%${id}%` },
      type: QueryTypes.SELECT,
      transaction: t,
    });
    if (rows.length) return true;
  }
  return false;
}

const uploadUrlOf = (id: string) => new RegExp(`/api/uploads/${id}$`);

/** A copy of draft data without the file entries pointing at the upload (at any depth). */
function withoutFile(value: unknown, url: RegExp): unknown {
  if (Array.isArray(value)) {
    return value
      .filter(
        (v) => !(v && typeof v === "object" && typeof (v as { url?: unknown }).url === "string" && url.test((v as { url: string }).url)),
      )
      .map((v) => withoutFile(v, url));
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, withoutFile(v, url)]));
  }
  return value;
}

export interface RemovedUpload {
  id: string;
  /** true: a stored submission references the file, so its row and bytes stay (the drafts no longer name it). */
  kept: boolean;
  /** The drafts of the owner the file was taken out of. */
  drafts: number;
}

/**
 * Removes an upload from its owner's forms (the file component's remove button): the file is taken out of the owner's
 * drafts; its row goes unless a stored submission references it, and its bytes go when no other upload shares them.
 * Only the uploader may remove a file (NotFoundError for anyone else, as for a missing one). Audited `file.removed`.
 */
export async function removeUpload(db: Database, input: { uploadDir: string; owner: CurrentUser; id: string }): Promise<RemovedUpload> {
  const result = await db.transaction(async (t) => {
    const file = /^[0-9a-f-]{36}$/.test(input.id) ? await UploadedFile.findByPk(input.id, { transaction: t }) : null;
    if (!file || file.ownerUserId !== input.owner.id) throw new NotFoundError("找不到该文件");
    const url = uploadUrlOf(file.id);
    const drafts = await FormDraft.findAll({
      where: { userId: input.owner.id, data: { [Op.like]: `%${file.id}%` } },
      transaction: t,
    });
    for (const draft of drafts) {
      await draft.update({ data: JSON.stringify(withoutFile(JSON.parse(draft.data), url)) }, { transaction: t });
    }
    const kept = await referencedBySubmission(db, file.id, t);
    if (!kept) await file.destroy({ transaction: t });
    await audit(db, t, {
      actor: input.owner.username,
      action: "file.removed",
      entityType: "file",
      entityId: file.id,
      detail: { kept, drafts: drafts.length },
    });
    return { id: file.id, sha256: file.sha256, kept, drafts: drafts.length };
  });
  // The bytes are shared by every upload of the same content: they go with the last row (after the commit, so a
  // rolled-back removal never loses them; a crash in between leaves only an unreferenced blob).
  if (!result.kept && (await UploadedFile.count({ where: { sha256: result.sha256 } })) === 0) {
    await unlink(blobPath(input.uploadDir, result.sha256)).catch(() => undefined);
  }
  return { id: result.id, kept: result.kept, drafts: result.drafts };
}
