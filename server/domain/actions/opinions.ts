import { Op } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { OpinionTemplate } from "../../db/models/actionModels.js";
import { ForbiddenError, NotFoundError, ValidationError } from "../../errors.js";
import { audit } from "../audit.js";

export const MAX_TEMPLATES = 50;

/** 常用意见 the user may pick: its own, then its department's. */
export async function opinionTemplatesFor(user: CurrentUser): Promise<OpinionTemplate[]> {
  const rows = await OpinionTemplate.findAll({
    where: {
      [Op.or]: [
        { scope: "user", ownerUser: user.username },
        ...(user.departmentId !== null ? [{ scope: "department", departmentId: user.departmentId }] : []),
      ],
    },
    order: [
      ["scope", "DESC"],
      ["id", "ASC"],
    ],
    limit: MAX_TEMPLATES * 2,
  });
  return rows;
}

/** May the user manage this template: its own, or its department's when it is that department's dept_admin (or an admin). */
export function mayManageTemplate(user: CurrentUser, row: Pick<OpinionTemplate, "scope" | "ownerUser" | "departmentId">): boolean {
  if (row.scope === "user") return row.ownerUser === user.username;
  return user.isAdmin || (user.roles.includes("dept_admin") && user.departmentId !== null && row.departmentId === user.departmentId);
}

/** Adds a 常用意见: the user's own, or (dept_admin) its department's. Audited. */
export async function addOpinionTemplate(
  db: Database,
  input: { actor: CurrentUser; text: string; scope: "user" | "department" },
  now: Date,
): Promise<OpinionTemplate> {
  const text = input.text.trim();
  if (text.length < 2 || text.length > 500) {
    throw new ValidationError("请填写常用意见", [{ path: "text", message: "常用意见为 2 到 500 字" }]);
  }
  const { actor, scope } = input;
  const row = {
    scope,
    ownerUser: scope === "user" ? actor.username : null,
    departmentId: scope === "department" ? actor.departmentId : null,
    text,
    createdBy: actor.username,
    createdAt: now,
  };
  if (scope === "department" && (actor.departmentId === null || !mayManageTemplate(actor, row))) {
    throw new ForbiddenError("只有本部门的部门管理员可以维护部门常用意见");
  }
  const count = await OpinionTemplate.count({
    where: scope === "user" ? { scope, ownerUser: actor.username } : { scope, departmentId: actor.departmentId },
  });
  if (count >= MAX_TEMPLATES)
    throw new ValidationError("常用意见太多", [{ path: "text", message: `最多 ${MAX_TEMPLATES} 条，请先删除不用的` }]);
  return db.transaction(async (t) => {
    const created = await OpinionTemplate.create(row, { transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: "opinion_template.created",
      entityType: "opinion_template",
      entityId: String(created.id),
      detail: { scope, text, departmentId: row.departmentId },
      at: now,
    });
    return created;
  });
}

/** Deletes a 常用意见 the user may manage (404 for others'). Audited. */
export async function deleteOpinionTemplate(db: Database, actor: CurrentUser, id: number, now: Date): Promise<void> {
  const row = Number.isSafeInteger(id) ? await OpinionTemplate.findByPk(id) : null;
  if (!row || !mayManageTemplate(actor, row)) throw new NotFoundError("找不到该常用意见");
  await db.transaction(async (t) => {
    await row.destroy({ transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: "opinion_template.deleted",
      entityType: "opinion_template",
      entityId: String(id),
      detail: { scope: row.scope, text: row.text },
      at: now,
    });
  });
}

/** The opinion a decision's data carry, by the usual field names (opinion, comment, 意见...), for the timeline and print. */
export function opinionOf(data: Record<string, unknown> | null | undefined): string | null {
  if (!data) return null;
  for (const key of Object.keys(data)) {
    const v = data[key];
    if (typeof v === "string" && v.trim() && /opinion|comment|remark|意见/i.test(key)) return v.trim();
  }
  return null;
}
