// 抽查事项清单: per department, what may be inspected, on which legal basis and how. Items are deactivated, never
// deleted: plans and published draws keep naming them.
import type { Transaction } from "sequelize";
import type { Database } from "../../db/database.js";
import { Department } from "../../db/models/Department.js";
import { SupervisionItem } from "../../db/models/supervisionModels.js";
import { ConflictError, NotFoundError } from "../../errors.js";
import type { Actor } from "../accounts/actor.js";
import { audit } from "../audit.js";
import { inTransaction } from "./tx.js";

export interface ItemInput {
  code: string;
  name: string;
  legalBasis: string;
  method: string;
}

export interface ItemRow {
  id: number;
  departmentId: number;
  code: string;
  name: string;
  legalBasis: string;
  method: string;
  active: boolean;
}

const row = (i: SupervisionItem): ItemRow => ({
  id: i.id,
  departmentId: i.departmentId,
  code: i.code,
  name: i.name,
  legalBasis: i.legalBasis,
  method: i.method,
  active: Boolean(i.active),
});

/** A department's items, active ones first, by code. */
export async function listItems(departmentId: number, opts: { activeOnly?: boolean; t?: Transaction } = {}): Promise<ItemRow[]> {
  const items = await SupervisionItem.findAll({
    where: opts.activeOnly ? { departmentId, active: true } : { departmentId },
    order: [
      ["active", "DESC"],
      ["code", "ASC"],
    ],
    transaction: opts.t,
  });
  return items.map(row);
}

export async function findItem(id: number, t?: Transaction): Promise<ItemRow | undefined> {
  const item = await SupervisionItem.findByPk(id, { transaction: t });
  return item ? row(item) : undefined;
}

async function assertCodeFree(departmentId: number, code: string, exceptId: number | null, t: Transaction) {
  const clash = await SupervisionItem.findOne({ where: { departmentId, code }, transaction: t });
  if (clash && clash.id !== exceptId)
    throw new ConflictError("该事项编码已在本部门清单中使用", "item_code_taken", [{ path: "code", message: "事项编码已被使用，请换一个" }]);
}

/** Adds an item to a department's 清单. */
export async function createItem(db: Database, actor: Actor, departmentId: number, input: ItemInput, t?: Transaction): Promise<ItemRow> {
  return inTransaction(db, t, async (t) => {
    if (!(await Department.findByPk(departmentId, { transaction: t }))) throw new NotFoundError("找不到该部门");
    await assertCodeFree(departmentId, input.code, null, t);
    const item = await SupervisionItem.create({ departmentId, ...input, active: true }, { transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: "supervision_item.created",
      entityType: "supervision_item",
      entityId: item.id,
      detail: { departmentId, ...input },
      ip: actor.ip ?? null,
    });
    return row(item);
  });
}

/** Changes an item's code, name, basis or method. */
export async function updateItem(db: Database, actor: Actor, id: number, input: ItemInput, t?: Transaction): Promise<ItemRow> {
  return inTransaction(db, t, async (t) => {
    const item = await SupervisionItem.findByPk(id, { transaction: t });
    if (!item) throw new NotFoundError("找不到该抽查事项");
    await assertCodeFree(item.departmentId, input.code, item.id, t);
    const before = row(item);
    item.set(input);
    await item.save({ transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: "supervision_item.updated",
      entityType: "supervision_item",
      entityId: item.id,
      detail: { before: { code: before.code, name: before.name, legalBasis: before.legalBasis, method: before.method }, after: input },
      ip: actor.ip ?? null,
    });
    return row(item);
  });
}

/** Deactivates (or reactivates) an item: a deactivated item cannot be put in new plans. */
export async function setItemActive(db: Database, actor: Actor, id: number, active: boolean, t?: Transaction): Promise<ItemRow> {
  return inTransaction(db, t, async (t) => {
    const item = await SupervisionItem.findByPk(id, { transaction: t });
    if (!item) throw new NotFoundError("找不到该抽查事项");
    if (Boolean(item.active) === active) return row(item);
    item.active = active;
    await item.save({ transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: active ? "supervision_item.activated" : "supervision_item.deactivated",
      entityType: "supervision_item",
      entityId: item.id,
      detail: { code: item.code, name: item.name },
      ip: actor.ip ?? null,
    });
    return row(item);
  });
}
