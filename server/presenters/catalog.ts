import type { CurrentUser } from "../auth/currentUser.js";
import { CATALOG_KIND_LABELS, type CatalogKind } from "../db/models/CatalogItem.js";
import type { CatalogItemVersion } from "../db/models/CatalogItemVersion.js";
import type { CatalogEntry } from "../domain/catalog/catalogQueries.js";
import type { FormRevisionView } from "../forms/index.js";
import { commitmentTypeLabel } from "../domain/commitments/submitCommitment.js";
import { catalogItemActions } from "../policies/catalogItem.js";
import { sanitizeFormDefinition } from "./form.js";

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** The item's kind as pages and the API show it. */
function kindOf(entry: CatalogEntry) {
  const kind = entry.item.kind as CatalogKind;
  return { kind, kindLabel: CATALOG_KIND_LABELS[kind] ?? kind, isGeneric: kind === "generic" };
}

/** One catalog row (public list): what an applicant needs to choose an item. */
export function presentCatalogSummary(entry: CatalogEntry) {
  const v = entry.published ?? entry.latest;
  return {
    itemCode: entry.item.itemCode,
    ...kindOf(entry),
    name: v.name,
    department: { code: entry.department.code, name: entry.department.name },
    commitmentType: commitmentTypeLabel(v),
    publicType: v.publicType,
    verificationMethod: v.verificationMethod,
    verificationDays: v.verificationDays,
    reviewDays: v.reviewDays,
    validityMonths: v.validityMonths,
    version: v.version,
    publishedAt: iso(v.publishedAt),
  };
}
export type CatalogSummaryView = ReturnType<typeof presentCatalogSummary>;

/** The item page / GET /api/catalog/{itemCode}: the 告知 content, the letter template and the pinned form revision. */
export function presentCatalogItem(entry: CatalogEntry, form: FormRevisionView | null) {
  const v = entry.published ?? entry.latest;
  return {
    ...presentCatalogSummary(entry),
    legalBasis: v.legalBasis,
    noticeContent: v.noticeContent,
    letterTemplate: v.letterTemplate,
    commitmentTypeBase: v.commitmentType,
    commitmentTypeOther: v.commitmentTypeOther,
    processKey: v.processKey,
    status: v.status,
    form: form
      ? { key: form.formKey, title: form.title, revision: form.revision, definition: sanitizeFormDefinition(form.definition) }
      : { key: v.formKey, revision: v.formRevision },
  };
}

/** An editor's view of one version (draft, published or withdrawn) with what the viewer may do. */
export function presentCatalogVersion(entry: CatalogEntry, v: CatalogItemVersion, viewer?: CurrentUser) {
  return {
    itemCode: entry.item.itemCode,
    ...kindOf(entry),
    department: { code: entry.department.code, name: entry.department.name },
    version: v.version,
    status: v.status,
    name: v.name,
    legalBasis: v.legalBasis,
    commitmentType: v.commitmentType,
    commitmentTypeOther: v.commitmentTypeOther,
    noticeContent: v.noticeContent,
    letterTemplate: v.letterTemplate,
    formKey: v.formKey,
    formRevision: v.formRevision,
    processKey: v.processKey,
    processDefinitionId: v.processDefinitionId,
    verificationMethod: v.verificationMethod,
    verificationDays: v.verificationDays,
    publicType: v.publicType,
    validityMonths: v.validityMonths,
    reviewDays: v.reviewDays,
    publishedAt: iso(v.publishedAt),
    publishedBy: v.publishedBy,
    withdrawnAt: iso(v.withdrawnAt),
    createdBy: v.createdBy,
    updatedAt: iso(v.updatedAt),
    can: catalogItemActions(viewer, entry.item),
  };
}
