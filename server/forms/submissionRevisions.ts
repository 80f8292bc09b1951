import type { Transaction } from "sequelize";
import type { Database } from "../db/database.js";
import { SubmissionRevision } from "../db/models/formModels.js";
import { claimSubmissionUniqueValues } from "./validate.js";

export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What changed between two versions of a submission's data, leaf by leaf (paths like staff[1].name). */
export function diffSubmissions(before: unknown, after: unknown, path = ""): Change[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffSubmissions(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: Change[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) out.push(...diffSubmissions(before[i], after[i], `${path}[${i}]`));
    return out;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, before: before === undefined ? null : before, after: after === undefined ? null : after }];
}

export interface SubmissionVersion {
  version: number;
  formKey: string;
  formRevision: number;
  data: Record<string, unknown>;
  note: string | null;
  createdBy: string;
  createdAt: Date;
}

/**
 * Keeps a new version of a submission's (already validated) data inside the caller's transaction;
 * earlier versions stay untouched. Claims the values of the form's unique fields for this submission (refused with
 * a ValidationError naming the field when another submission of the form holds one). Returns the version number and
 * what changed since the previous one.
 */
export async function recordSubmissionVersion(
  db: Database,
  t: Transaction,
  input: {
    submissionType: string;
    submissionId: string;
    formKey: string;
    formRevision: number;
    data: Record<string, unknown>;
    actor: string;
    note?: string;
  },
): Promise<{ version: number; changes: Change[] }> {
  const lock = db.dialect === "mysql" ? t.LOCK.UPDATE : undefined;
  const last = await SubmissionRevision.findOne({
    where: { submissionType: input.submissionType, submissionId: input.submissionId },
    order: [["version", "DESC"]],
    transaction: t,
    lock,
  });
  const version = (last?.version ?? 0) + 1;
  await claimSubmissionUniqueValues(db, t, {
    formKey: input.formKey,
    formRevision: input.formRevision,
    ownerRef: `${input.submissionType}:${input.submissionId}`,
    data: input.data,
  });
  await SubmissionRevision.create(
    {
      submissionType: input.submissionType,
      submissionId: input.submissionId,
      version,
      formKey: input.formKey,
      formRevision: input.formRevision,
      data: JSON.stringify(input.data),
      note: input.note ?? null,
      createdBy: input.actor,
    },
    { transaction: t },
  );
  const changes = last ? diffSubmissions(JSON.parse(last.data), input.data) : [];
  return { version, changes };
}

/** Every kept version of a submission, oldest first. */
export async function listSubmissionVersions(db: Database, submissionType: string, submissionId: string): Promise<SubmissionVersion[]> {
  void db;
  const rows = await SubmissionRevision.findAll({ where: { submissionType, submissionId }, order: [["version", "ASC"]] });
  return rows.map((r) => ({
    version: r.version,
    formKey: r.formKey,
    formRevision: r.formRevision,
    data: JSON.parse(r.data) as Record<string, unknown>,
    note: r.note,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
  }));
}
