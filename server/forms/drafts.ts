import type { Database } from "../db/database.js";
import { FormDraft } from "../db/models/formModels.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { validateSubmission } from "./validate.js";

export const CLIENT_REF_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface DraftView {
  formKey: string;
  clientRef: string;
  revision: number;
  data: Record<string, unknown>;
  updatedAt: Date;
}

function present(d: FormDraft): DraftView {
  return {
    formKey: d.formKey,
    clientRef: d.clientRef,
    revision: d.formRevision,
    data: JSON.parse(d.data) as Record<string, unknown>,
    updatedAt: d.updatedAt,
  };
}

function assertRef(clientRef: string): void {
  if (!CLIENT_REF_PATTERN.test(clientRef)) {
    throw new ValidationError("草稿编号无效", [
      { path: "clientRef", message: "草稿编号只能使用字母、数字、下划线和连字符（最多 64 个字符）" },
    ]);
  }
}

/** Saves a partly filled form for its user (type checks only; the final submit validates fully). */
export async function saveDraft(
  db: Database,
  input: { userId: number; formKey: string; revision?: number; clientRef: string; data: unknown },
): Promise<DraftView> {
  assertRef(input.clientRef);
  const { data, revision } = await validateSubmission(db, { formKey: input.formKey, revision: input.revision }, input.data, {
    draft: true,
  });
  return db.transaction(async (t) => {
    const where = { userId: input.userId, formKey: input.formKey, clientRef: input.clientRef };
    const existing = await FormDraft.findOne({ where, transaction: t });
    const row = existing
      ? await existing.update({ data: JSON.stringify(data), formRevision: revision }, { transaction: t })
      : await FormDraft.create({ ...where, formRevision: revision, data: JSON.stringify(data) }, { transaction: t });
    return present(row);
  });
}

/** The user's draft, or NotFoundError (also when it belongs to someone else). */
export async function loadDraft(db: Database, userId: number, formKey: string, clientRef: string): Promise<DraftView> {
  void db;
  assertRef(clientRef);
  const row = await FormDraft.findOne({ where: { userId, formKey, clientRef } });
  if (!row) throw new NotFoundError("找不到草稿");
  return present(row);
}

export async function listDrafts(db: Database, userId: number): Promise<DraftView[]> {
  void db;
  const rows = await FormDraft.findAll({ where: { userId }, order: [["updatedAt", "DESC"]], limit: 100 });
  return rows.map(present);
}

/** Removes a draft (after the final submit, or when the user discards it). */
export async function deleteDraft(db: Database, userId: number, formKey: string, clientRef: string): Promise<boolean> {
  assertRef(clientRef);
  return db.transaction(async (t) => (await FormDraft.destroy({ where: { userId, formKey, clientRef }, transaction: t })) > 0);
}
