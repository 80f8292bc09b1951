import { Op, type WhereOptions } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import { CatalogItem } from "../../db/models/CatalogItem.js";
import { CatalogItemVersion } from "../../db/models/CatalogItemVersion.js";
import { Commitment, COMMITMENT_STATUSES, type CommitmentStatus } from "../../db/models/Commitment.js";
import { CommitmentSubmission } from "../../db/models/CommitmentSubmission.js";
import { CreditSubject } from "../../db/models/CreditSubject.js";
import { Department } from "../../db/models/Department.js";
import type { HistoryEvent, TaskView } from "../../engine/index.js";
import { NotFoundError } from "../../errors.js";
import { commitmentPolicy } from "../../policies/commitment.js";
import type { EnginePort } from "./enginePort.js";

/** A commitment the user may see; 404 both when it does not exist and when the user may not see it. */
export async function findVisibleCommitment(user: CurrentUser, code: string): Promise<Commitment> {
  const commitment = /^\d{20}$/.test(code) ? await Commitment.findOne({ where: { code } }) : null;
  if (!commitment || !commitmentPolicy.read(user, commitment)) throw new NotFoundError("找不到该承诺");
  return commitment;
}

export interface CommitmentFilter {
  /** Subject USCC / ID number. */
  subject?: string;
  status?: CommitmentStatus;
  /** itemCode. */
  item?: string;
  /** Department code (admin only; others are held to their own department). */
  department?: string;
  /** Made on or after / before (YYYY-MM-DD). */
  from?: string;
  to?: string;
  page?: number;
  pageSize?: number;
  /** Load the signed letter too (archive JSON export). */
  withLetter?: boolean;
}

export interface CommitmentPage {
  rows: Commitment[];
  total: number;
  page: number;
  pageSize: number;
  /** itemCode and department code by id, for presenters. */
  itemCodes: Map<number, string>;
  departments: Map<number, { code: string; name: string }>;
}

/**
 * Commitments the user may list, newest first: admin all, department staff their department's, applicants
 * their subjects'. Anyone else gets an empty page.
 */
export async function listCommitments(user: CurrentUser, filter: CommitmentFilter = {}): Promise<CommitmentPage> {
  const page = Math.max(1, Math.floor(filter.page ?? 1));
  const pageSize = Math.min(200, Math.max(1, Math.floor(filter.pageSize ?? 20)));
  const where: WhereOptions<Commitment> & Record<string | symbol, unknown> = {};
  const scopes: WhereOptions<Commitment>[] = [];
  if (!user.isAdmin) {
    if (commitmentPolicy.listDepartment(user) && user.departmentId !== null) scopes.push({ departmentId: user.departmentId });
    if (user.subjectIds.length) scopes.push({ subjectId: user.subjectIds });
    if (!scopes.length) return { rows: [], total: 0, page, pageSize, itemCodes: new Map(), departments: new Map() };
    where[Op.or] = scopes;
  }
  if (filter.subject) where.subjectCode = filter.subject.trim().toUpperCase();
  if (filter.status && (COMMITMENT_STATUSES as readonly string[]).includes(filter.status)) where.status = filter.status;
  if (filter.item) {
    const item = await CatalogItem.findOne({ where: { itemCode: filter.item } });
    where.itemId = item?.id ?? -1;
  }
  if (filter.department) {
    const d = await Department.findOne({ where: { code: filter.department } });
    where.departmentId = d?.id ?? -1;
  }
  if (filter.from || filter.to) {
    where.madeOn = { ...(filter.from ? { [Op.gte]: filter.from } : {}), ...(filter.to ? { [Op.lte]: filter.to } : {}) };
  }
  const { rows, count } = await Commitment.findAndCountAll({
    where,
    order: [
      ["createdAt", "DESC"],
      ["id", "DESC"],
    ],
    limit: pageSize,
    offset: (page - 1) * pageSize,
    attributes: { exclude: filter.withLetter ? ["data"] : ["letterHtml", "data"] },
  });
  return { rows, total: count, page, pageSize, ...(await lookups(rows)) };
}

/** itemCode and department of each commitment, for presenters. */
export async function lookups(rows: Commitment[]): Promise<Pick<CommitmentPage, "itemCodes" | "departments">> {
  const [items, depts] = await Promise.all([
    CatalogItem.findAll({ where: { id: [...new Set(rows.map((r) => r.itemId))] }, attributes: ["id", "itemCode"], raw: true }),
    Department.findAll({ where: { id: [...new Set(rows.map((r) => r.departmentId))] }, attributes: ["id", "code", "name"], raw: true }),
  ]);
  return {
    itemCodes: new Map(items.map((i) => [i.id, i.itemCode])),
    departments: new Map(depts.map((d) => [d.id, { code: d.code, name: d.name }])),
  };
}

export interface CommitmentDetail {
  commitment: Commitment;
  itemCode: string;
  itemVersion: CatalogItemVersion;
  department: Department;
  submissions: CommitmentSubmission[];
  history: HistoryEvent[];
  openTasks: TaskView[];
}

/** Everything a case page shows: the case, its item version, every submission revision, process history, open tasks. */
export async function loadCommitmentDetail(engine: EnginePort, commitment: Commitment): Promise<CommitmentDetail> {
  const [item, itemVersion, department, submissions, history, openTasks] = await Promise.all([
    CatalogItem.findByPk(commitment.itemId),
    CatalogItemVersion.findByPk(commitment.itemVersionId),
    Department.findByPk(commitment.departmentId),
    CommitmentSubmission.findAll({ where: { commitmentId: commitment.id }, order: [["revision", "ASC"]] }),
    commitment.processInstanceId ? engine.history(commitment.processInstanceId) : Promise.resolve([]),
    engine.findTasks({ businessKey: commitment.code }),
  ]);
  if (!item || !itemVersion || !department) throw new Error(`commitment ${commitment.code} lost its item or department`);
  return { commitment, itemCode: item.itemCode, itemVersion, department, submissions, history, openTasks };
}

/** A subject's commitments whose 公开类型 is 可向社会公开 and that were accepted (监管中 / 监管完成): the public query. */
export async function listPublicCommitments(subjectId: number): Promise<Commitment[]> {
  return Commitment.findAll({
    where: { subjectId, publicType: "可向社会公开", status: ["监管中", "监管完成"] },
    order: [
      ["madeOn", "DESC"],
      ["id", "DESC"],
    ],
    attributes: { exclude: ["letterHtml", "data"] },
  });
}

/** The subject by USCC or ID number, or null. */
export async function findSubjectByCode(code: string): Promise<CreditSubject | null> {
  return CreditSubject.findOne({ where: { code: code.trim().toUpperCase() } });
}

/** Every commitment matching a filter for the archive export (the same visibility as listCommitments), in pages of 500. */
export async function* archiveRows(user: CurrentUser, filter: Omit<CommitmentFilter, "page" | "pageSize">): AsyncGenerator<CommitmentPage> {
  for (let page = 1; ; page++) {
    const batch = await listCommitments(user, { ...filter, page, pageSize: 200 });
    if (!batch.rows.length) return;
    yield batch;
    if (page * batch.pageSize >= batch.total) return;
  }
}
