import { Op, type WhereOptions } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { Case } from "../../db/models/Case.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { EngineTask } from "../../db/models/EngineTask.js";
import { User } from "../../db/models/User.js";
import type { HistoryEvent } from "../../engine/index.js";
import { NotFoundError } from "../../errors.js";
import { casePolicy } from "../../policies/case.js";

/** The codes of the subjects the applicant acts for. */
export async function mySubjectCodes(user: CurrentUser): Promise<string[]> {
  if (!user.subjectIds.length) return [];
  const rows = await CreditSubject.findAll({ where: { id: user.subjectIds }, attributes: ["code"] });
  return rows.map((r) => r.code);
}

/** The cases an applicant sees: those it started and those about a subject it acts for. */
function applicantCases(user: CurrentUser, codes: string[]): WhereOptions<Case> {
  return codes.length ? { [Op.or]: [{ startedBy: user.username }, { subjectCode: codes }] } : { startedBy: user.username };
}

export interface MyCasesPage {
  rows: Case[];
  total: number;
  page: number;
  pageSize: number;
  /** Cases by status label, over every case the applicant sees (the filter buttons). */
  counts: { status: string; count: number }[];
  /** The open tasks assigned to the applicant, by process instance: what waits on it. */
  waitingOnMe: Map<string, string[]>;
}

/** 我的办件: every kind of case the applicant sees, newest first, with counts by status and what waits on it. */
export async function listMyCases(
  db: Database,
  user: CurrentUser,
  filter: { status?: string; page?: number; pageSize?: number },
): Promise<MyCasesPage> {
  const codes = await mySubjectCodes(user);
  const visible = applicantCases(user, codes);
  const page = Math.max(1, filter.page ?? 1);
  const pageSize = Math.min(100, Math.max(1, filter.pageSize ?? 20));
  const where: WhereOptions<Case> = filter.status ? { [Op.and]: [visible, { status: filter.status }] } : visible;
  const [{ rows, count }, grouped, mine] = await Promise.all([
    Case.findAndCountAll({
      where,
      order: [
        ["startedAt", "DESC"],
        ["id", "DESC"],
      ],
      limit: pageSize,
      offset: (page - 1) * pageSize,
    }),
    Case.findAll({
      where: visible,
      attributes: ["status", [db.sequelize.fn("COUNT", db.sequelize.col("id")), "n"]],
      group: ["status"],
      raw: true,
    }),
    EngineTask.findAll({ where: { assignee: user.username }, attributes: ["instanceId", "name", "activityId"], limit: 500 }),
  ]);
  const waitingOnMe = new Map<string, string[]>();
  for (const t of mine) waitingOnMe.set(t.instanceId, [...(waitingOnMe.get(t.instanceId) ?? []), t.name ?? t.activityId]);
  const counts = (grouped as unknown as { status: string; n: number | string }[])
    .map((g) => ({ status: g.status, count: Number(g.n) }))
    .sort((a, b) => b.count - a.count || a.status.localeCompare(b.status));
  return { rows, total: count, page, pageSize, counts, waitingOnMe };
}

/** A case by its number (business key) as the applicant may see it; 404 otherwise. */
export async function findApplicantCase(user: CurrentUser, code: string): Promise<Case> {
  const found = code.length <= 255 ? await Case.findOne({ where: { businessKey: code } }) : null;
  if (!found || !casePolicy.readAsApplicant(user, found, await mySubjectCodes(user))) throw new NotFoundError(`找不到办件 ${code}`);
  return found;
}

/** The case of a process instance, or null (every instance started since cases exist has one). */
export function caseOfInstance(instanceId: string): Promise<Case | null> {
  return Case.findOne({ where: { instanceId } });
}

export interface CaseTimelineEntry {
  at: Date;
  title: string;
  actor: string | null;
  detail: string | null;
}

/** The case's timeline from its process history: applied, each step reached and done, ended or terminated. */
export async function caseHistoryTimeline(history: HistoryEvent[]): Promise<CaseTimelineEntry[]> {
  const names = await displayNames([
    ...history.map((e) => e.actor),
    ...history.map((e) => (typeof e.detail?.to === "string" ? e.detail.to : null)),
  ]);
  const who = (a: string | null) => (a ? (names.get(a) ?? a) : null);
  const out: CaseTimelineEntry[] = [];
  for (const e of history) {
    const step = e.activityName ?? e.activityId ?? "";
    const reason = typeof e.detail?.reason === "string" ? e.detail.reason : null;
    const to = typeof e.detail?.to === "string" ? who(e.detail.to) : null;
    const opinion = typeof e.detail?.opinion === "string" ? e.detail.opinion : null;
    if (e.event === "instance.start") out.push({ at: e.at, title: "提交申请", actor: who(e.actor), detail: null });
    else if (e.event === "task.created") out.push({ at: e.at, title: `进入“${step}”`, actor: null, detail: null });
    else if (e.event === "task.completed") out.push({ at: e.at, title: `完成“${step}”`, actor: who(e.actor), detail: null });
    else if (e.event === "task.assigned" && e.detail?.action === "task.transferred")
      out.push({ at: e.at, title: `转办“${step}”给 ${to ?? ""}`, actor: who(e.actor), detail: reason });
    else if (e.event === "task.delegated")
      out.push({ at: e.at, title: `委派 ${to ?? ""} 办理“${step}”`, actor: who(e.actor), detail: reason });
    else if (e.event === "task.resolved")
      out.push({ at: e.at, title: `“${step}”委派办理完毕，交回 ${to ?? ""}`, actor: who(e.actor), detail: opinion });
    else if (e.event === "task.returned")
      out.push({ at: e.at, title: `退回到“${step}”${to ? `（交 ${to} 办理）` : ""}`, actor: who(e.actor), detail: reason });
    else if (e.event === "instance.end") out.push({ at: e.at, title: "办结", actor: null, detail: null });
    else if (e.event === "instance.cancelled")
      out.push({ at: e.at, title: reason?.startsWith("申请人撤回") ? "申请人撤回" : "已终止", actor: who(e.actor), detail: reason });
  }
  return out;
}

/** People's names by username (a username without an account reads as itself). */
export async function displayNames(usernames: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(usernames.filter((u): u is string => !!u))];
  if (!wanted.length) return new Map();
  const rows = await User.findAll({ where: { username: wanted }, attributes: ["username", "displayName"] });
  return new Map(rows.map((r) => [r.username, r.displayName]));
}
