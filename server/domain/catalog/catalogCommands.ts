import { Op, type Transaction } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { CATALOG_KIND_LABELS, CatalogItem, type CatalogKind } from "../../db/models/CatalogItem.js";
import { CatalogItemVersion } from "../../db/models/CatalogItemVersion.js";
import { Department } from "../../db/models/Department.js";
import { AppError, ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import { getFormRevision } from "../../forms/index.js";
import { authorize } from "../../policies/authorize.js";
import { catalogItemPolicy } from "../../policies/catalogItem.js";
import { audit } from "../audit.js";
import type { EnginePort } from "../commitments/enginePort.js";
import { genericVersionFields, ITEM_CODE_PATTERN, type ItemFields } from "./itemInput.js";
import { assertLetterTemplate } from "./letter.js";
import { resolveProcessDefinition } from "./processDefinitions.js";

export interface CatalogDeps {
  db: Database;
  engine: EnginePort;
  clock: { now(): Date };
}

export interface ItemWithVersion {
  item: CatalogItem;
  version: CatalogItemVersion;
}

/** The version columns of either kind (a commitment's letter is checked to render). */
function versionFields(item: ItemFields) {
  if (item.kind !== "generic") assertLetterTemplate(item.fields.letterTemplate);
  const input = item.kind === "generic" ? genericVersionFields(item.fields) : item.fields;
  return {
    name: input.name,
    legalBasis: input.legalBasis,
    commitmentType: input.commitmentType,
    commitmentTypeOther: input.commitmentType === "其他" ? (input.commitmentTypeOther ?? null) : null,
    noticeContent: input.noticeContent,
    letterTemplate: input.letterTemplate,
    formKey: input.formKey,
    processKey: input.processKey,
    verificationMethod: input.verificationMethod,
    verificationDays: input.verificationDays,
    publicType: input.publicType,
    validityMonths: input.validityMonths,
    reviewDays: input.reviewDays,
  };
}

async function loadItemForUpdate(itemCode: string, t: Transaction): Promise<CatalogItem> {
  const item = await CatalogItem.findOne({ where: { itemCode }, transaction: t, lock: t.LOCK.UPDATE });
  if (!item) throw new NotFoundError(`找不到事项“${itemCode}”`);
  return item;
}

/** The managing user must be allowed; a user who may not even read drafts of the item gets 404, not 403. */
function authorizeManage(actor: CurrentUser, item: CatalogItem): void {
  if (!catalogItemPolicy.readUnpublished(actor, item) && !catalogItemPolicy.manage(actor, item)) {
    throw new NotFoundError(`找不到事项“${item.itemCode}”`);
  }
  authorize(catalogItemPolicy.manage(actor, item), "只有本部门的部门管理员或系统管理员可以管理该事项");
}

/**
 * Creates a 告知承诺事项 with version 1 as a draft. A dept_admin creates items of its own department; an
 * admin names the department. Nothing is visible to applicants until publishCatalogItem.
 */
export async function createCatalogItem(
  deps: CatalogDeps,
  input: { actor: CurrentUser; itemCode: string; departmentCode?: string } & ItemFields,
  t?: Transaction,
): Promise<ItemWithVersion> {
  if (!ITEM_CODE_PATTERN.test(input.itemCode)) {
    throw new ValidationError("事项编码无效", [{ path: "itemCode", message: "事项编码应为2-64位字母、数字、下划线或连字符" }]);
  }
  const fields = versionFields(input);
  const run = async (tx: Transaction) => {
    const department = input.departmentCode
      ? await Department.findOne({ where: { code: input.departmentCode }, transaction: tx })
      : input.actor.departmentId
        ? await Department.findByPk(input.actor.departmentId, { transaction: tx })
        : null;
    if (!department) throw new ValidationError("请选择实施机关", [{ path: "departmentCode", message: "找不到该部门" }]);
    authorize(catalogItemPolicy.create(input.actor, department.id), "部门管理员只能为本部门创建事项");
    if (await CatalogItem.findOne({ where: { itemCode: input.itemCode }, transaction: tx })) {
      throw new ConflictError(`事项编码“${input.itemCode}”已被使用`, "duplicate_item_code");
    }
    const item = await CatalogItem.create(
      { itemCode: input.itemCode, kind: input.kind ?? "commitment", departmentId: department.id, publishedVersionId: null },
      { transaction: tx },
    );
    const version = await CatalogItemVersion.create(
      {
        itemId: item.id,
        version: 1,
        status: "draft",
        ...fields,
        formRevision: null,
        processDefinitionId: null,
        publishedAt: null,
        publishedBy: null,
        withdrawnAt: null,
        createdBy: input.actor.username,
      },
      { transaction: tx },
    );
    await audit(deps.db, tx, {
      actor: input.actor.username,
      action: "catalog_item.created",
      entityType: "catalog_item",
      entityId: item.itemCode,
      detail: { department: department.code, kind: item.kind, name: version.name, version: 1 },
      at: deps.clock.now(),
    });
    return { item, version };
  };
  return t ? run(t) : deps.db.transaction(run);
}

/**
 * Saves new content for an item: edits the open draft, or starts a new draft version when the latest is
 * published or withdrawn. Published versions never change, so running cases keep what they were made under.
 */
export async function saveCatalogItemDraft(
  deps: CatalogDeps,
  input: { actor: CurrentUser; itemCode: string } & ItemFields,
): Promise<ItemWithVersion> {
  return deps.db.transaction(async (t) => {
    const item = await loadItemForUpdate(input.itemCode, t);
    authorizeManage(input.actor, item);
    const kind = input.kind ?? "commitment";
    if (item.kind !== kind) {
      throw new ConflictError(
        `事项“${item.itemCode}”是${CATALOG_KIND_LABELS[item.kind as CatalogKind]}，不能按${CATALOG_KIND_LABELS[kind]}保存`,
        "wrong_item_kind",
      );
    }
    const fields = versionFields(input);
    const draft = await CatalogItemVersion.findOne({ where: { itemId: item.id, status: "draft" }, transaction: t });
    let version: CatalogItemVersion;
    if (draft) {
      version = await draft.update(fields, { transaction: t });
    } else {
      const latest =
        (await CatalogItemVersion.max<number, CatalogItemVersion>("version", { where: { itemId: item.id }, transaction: t })) ?? 0;
      version = await CatalogItemVersion.create(
        {
          itemId: item.id,
          version: latest + 1,
          status: "draft",
          ...fields,
          formRevision: null,
          processDefinitionId: null,
          publishedAt: null,
          publishedBy: null,
          withdrawnAt: null,
          createdBy: input.actor.username,
        },
        { transaction: t },
      );
    }
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "catalog_item.draft_saved",
      entityType: "catalog_item",
      entityId: item.itemCode,
      detail: { version: version.version },
      at: deps.clock.now(),
    });
    return { item, version };
  });
}

/**
 * Publishes the item's draft: pins the form's published revision and the process's newest definition,
 * retires the previously published version (its running cases are untouched) and lists the item.
 */
export async function publishCatalogItem(
  deps: CatalogDeps,
  input: { actor: CurrentUser; itemCode: string },
  t?: Transaction,
): Promise<ItemWithVersion> {
  const run = async (tx: Transaction) => {
    const item = await loadItemForUpdate(input.itemCode, tx);
    authorizeManage(input.actor, item);
    const draft = await CatalogItemVersion.findOne({
      where: { itemId: item.id, status: "draft" },
      order: [["version", "DESC"]],
      transaction: tx,
    });
    if (!draft) throw new ConflictError("该事项没有待发布的草稿", "no_draft");
    let formRevision: number;
    try {
      formRevision = (await getFormRevision(deps.db, draft.formKey, undefined, tx)).revision;
    } catch (err) {
      if (err instanceof AppError && err.status === 404) {
        throw new ValidationError("表单不可用", [{ path: "formKey", message: `表单“${draft.formKey}”不存在或没有已发布的版本` }]);
      }
      throw err;
    }
    const processDefinitionId = await resolveProcessDefinition(deps.engine, draft.processKey, tx);
    const now = deps.clock.now();
    await CatalogItemVersion.update(
      { status: "withdrawn", withdrawnAt: now },
      { where: { itemId: item.id, status: "published", id: { [Op.ne]: draft.id } }, transaction: tx },
    );
    const version = await draft.update(
      { status: "published", formRevision, processDefinitionId, publishedAt: now, publishedBy: input.actor.username },
      { transaction: tx },
    );
    await item.update({ publishedVersionId: version.id }, { transaction: tx });
    await audit(deps.db, tx, {
      actor: input.actor.username,
      action: "catalog_item.published",
      entityType: "catalog_item",
      entityId: item.itemCode,
      detail: { version: version.version, formKey: version.formKey, formRevision, processDefinitionId },
      at: now,
    });
    return { item, version };
  };
  return t ? run(t) : deps.db.transaction(run);
}

/** Takes the item off the catalog: no new submissions; cases already running continue on their version. */
export async function withdrawCatalogItem(
  deps: CatalogDeps,
  input: { actor: CurrentUser; itemCode: string; reason?: string },
): Promise<ItemWithVersion> {
  return deps.db.transaction(async (t) => {
    const item = await loadItemForUpdate(input.itemCode, t);
    authorizeManage(input.actor, item);
    const published = item.publishedVersionId ? await CatalogItemVersion.findByPk(item.publishedVersionId, { transaction: t }) : null;
    if (!published) throw new ConflictError("该事项当前未发布", "not_published");
    const now = deps.clock.now();
    const version = await published.update({ status: "withdrawn", withdrawnAt: now }, { transaction: t });
    await item.update({ publishedVersionId: null }, { transaction: t });
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "catalog_item.withdrawn",
      entityType: "catalog_item",
      entityId: item.itemCode,
      detail: { version: version.version, reason: input.reason ?? null },
      at: now,
    });
    return { item, version };
  });
}
