import { QueryTypes } from "sequelize";
import type { Database } from "../../db/database.js";
import type { SubjectType } from "../../db/models/CreditSubject.js";
import type { ClaimStatus } from "../../db/models/SubjectClaim.js";
import { likePattern, PAGE_SIZE, type Page } from "../search.js";

export interface SubjectRow {
  id: number;
  code: string;
  name: string;
  subjectType: SubjectType;
  divisionCode: string;
  legacyPilot: boolean;
  legacyOverrideReason: string | null;
  legacyOverrideBy: string | null;
  createdAt: Date;
}

interface RawSubject {
  id: number;
  code: string;
  name: string;
  subject_type: SubjectType;
  division_code: string;
  legacy_pilot: number | boolean;
  legacy_override_reason: string | null;
  legacy_override_by: string | null;
  created_at: Date | string;
}

const COLUMNS =
  "s.id, s.code, s.name, s.subject_type, s.division_code, s.legacy_pilot, s.legacy_override_reason, s.legacy_override_by, s.created_at";

function toRow(r: RawSubject): SubjectRow {
  return {
    id: Number(r.id),
    code: r.code,
    name: r.name,
    subjectType: r.subject_type,
    divisionCode: r.division_code,
    legacyPilot: Boolean(Number(r.legacy_pilot)),
    legacyOverrideReason: r.legacy_override_reason,
    legacyOverrideBy: r.legacy_override_by,
    createdAt: new Date(r.created_at),
  };
}

/** Subjects whose code starts with, or whose name contains, the search text; newest first, one page. */
export async function searchSubjects(db: Database, filter: { q?: string; page: number }): Promise<Page<SubjectRow>> {
  const q = filter.q?.trim() ?? "";
  const where = q ? "WHERE s.code LIKE :codePrefix ESCAPE '!' OR s.name LIKE :name ESCAPE '!'" : "";
  const replacements = { codePrefix: likePattern(q.toUpperCase(), "prefix"), name: likePattern(q) };
  const [countRow] = await db.sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM credit_subjects s ${where}`, {
    type: QueryTypes.SELECT,
    replacements,
  });
  const rows = await db.sequelize.query<RawSubject>(
    `SELECT ${COLUMNS} FROM credit_subjects s ${where} ORDER BY s.id DESC LIMIT ${PAGE_SIZE} OFFSET ${(filter.page - 1) * PAGE_SIZE}`,
    { type: QueryTypes.SELECT, replacements },
  );
  return { rows: rows.map(toRow), total: Number(countRow?.n ?? 0), page: filter.page, pageSize: PAGE_SIZE };
}

export async function findSubject(db: Database, id: number): Promise<SubjectRow | undefined> {
  const [row] = await db.sequelize.query<RawSubject>(`SELECT ${COLUMNS} FROM credit_subjects s WHERE s.id = :id`, {
    type: QueryTypes.SELECT,
    replacements: { id },
  });
  return row ? toRow(row) : undefined;
}

export interface ClaimRow {
  id: number;
  userId: number;
  username: string;
  displayName: string;
  phone: string | null;
  email: string | null;
  subjectId: number;
  subjectCode: string;
  subjectName: string;
  status: ClaimStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  createdAt: Date;
}

interface RawClaim {
  id: number;
  user_id: number;
  username: string;
  display_name: string;
  phone: string | null;
  email: string | null;
  subject_id: number;
  subject_code: string;
  subject_name: string;
  status: ClaimStatus;
  decided_by: string | null;
  decided_at: Date | string | null;
  decision_reason: string | null;
  created_at: Date | string;
}

/** Claims on subjects with who made them; by subject or by user. */
export async function listClaims(db: Database, by: { subjectId: number } | { userId: number }): Promise<ClaimRow[]> {
  const bySubject = "subjectId" in by;
  const rows = await db.sequelize.query<RawClaim>(
    `SELECT c.id, c.user_id, u.username, u.display_name, u.phone, u.email, c.subject_id, s.code AS subject_code, s.name AS subject_name,
            c.status, c.decided_by, c.decided_at, c.decision_reason, c.created_at
       FROM subject_claims c JOIN users u ON u.id = c.user_id JOIN credit_subjects s ON s.id = c.subject_id
      WHERE ${bySubject ? "c.subject_id = :key" : "c.user_id = :key"}
      ORDER BY c.id DESC`,
    { type: QueryTypes.SELECT, replacements: { key: bySubject ? by.subjectId : by.userId } },
  );
  return rows.map((r) => ({
    id: Number(r.id),
    userId: Number(r.user_id),
    username: r.username,
    displayName: r.display_name,
    phone: r.phone,
    email: r.email,
    subjectId: Number(r.subject_id),
    subjectCode: r.subject_code,
    subjectName: r.subject_name,
    status: r.status,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at ? new Date(r.decided_at) : null,
    decisionReason: r.decision_reason,
    createdAt: new Date(r.created_at),
  }));
}

/** The subjects an applicant acts for (confirmed links only). */
export async function subjectsOfUser(db: Database, userId: number): Promise<SubjectRow[]> {
  const rows = await db.sequelize.query<RawSubject>(
    `SELECT ${COLUMNS} FROM credit_subjects s JOIN user_subjects us ON us.subject_id = s.id WHERE us.user_id = :userId ORDER BY s.name`,
    { type: QueryTypes.SELECT, replacements: { userId } },
  );
  return rows.map(toRow);
}

/** The accounts acting for a subject. */
export async function actorsOfSubject(
  db: Database,
  subjectId: number,
): Promise<Array<{ id: number; username: string; displayName: string }>> {
  const rows = await db.sequelize.query<{ id: number; username: string; display_name: string }>(
    "SELECT u.id, u.username, u.display_name FROM users u JOIN user_subjects us ON us.user_id = u.id WHERE us.subject_id = :subjectId ORDER BY u.username",
    { type: QueryTypes.SELECT, replacements: { subjectId } },
  );
  return rows.map((r) => ({ id: Number(r.id), username: r.username, displayName: r.display_name }));
}
