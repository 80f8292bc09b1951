import type { CatalogVersionStatus } from "../db/models/CatalogItemVersion.js";
import type { FormUsage } from "../domain/forms/usage.js";
import type { ComponentChange, DeletionBlocker, RevisionDiff } from "../forms/formAdmin.js";
import { shortValue } from "../forms/formAdmin.js";

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** Labels may carry the little inline HTML the designer allows; the pages show them as text. */
const plain = (text: string) => text.replace(/<[^>]*>/g, "").trim();

const CHANGE_BADGES: Record<ComponentChange["change"], { text: string; css: string }> = {
  added: { text: "新增", css: "text-bg-success" },
  removed: { text: "删除", css: "text-bg-danger" },
  changed: { text: "修改", css: "text-bg-warning" },
};

/** The revision diff as the diff page shows it: a row per component with its badge and one line per change. */
export function presentDiff(diff: RevisionDiff) {
  return {
    from: { ...diff.from, createdAt: iso(diff.from.createdAt) },
    to: { ...diff.to, createdAt: iso(diff.to.createdAt) },
    summary: diff.summary,
    empty: !diff.components.length && !diff.settings.length,
    settings: diff.settings.map((s) => ({ name: s.name, property: s.property, before: shortValue(s.before), after: shortValue(s.after) })),
    components: diff.components.map((c) => ({
      change: c.change,
      badge: CHANGE_BADGES[c.change],
      key: c.key,
      path: c.path,
      label: plain(c.label) || "（无标签）",
      typeName: c.typeName,
      changes: c.changes.map((p) => ({ property: p.property, name: p.name, details: p.details.map(plain) })),
    })),
  };
}

/** The diff as JSON: the same structure with dates as ISO strings. */
export function presentDiffJson(diff: RevisionDiff) {
  return { ...diff, from: { ...diff.from, createdAt: iso(diff.from.createdAt) }, to: { ...diff.to, createdAt: iso(diff.to.createdAt) } };
}

const VERSION_STATUS: Record<CatalogVersionStatus, { text: string; css: string }> = {
  draft: { text: "草稿", css: "text-bg-secondary" },
  published: { text: "已发布", css: "text-bg-success" },
  withdrawn: { text: "已撤回", css: "text-bg-dark" },
};

const ELEMENT_TYPES: Record<string, string> = { "bpmn:StartEvent": "开始事件", "bpmn:UserTask": "用户任务" };
const BINDINGS: Record<string, string> = {
  latest: "使用最新发布版本",
  deployment: "使用部署时的发布版本",
  version: "固定版本",
};

/** Where a form is used, for the usage page and the summary on the form's page. */
export function presentUsage(usage: FormUsage) {
  return {
    items: usage.items.map((i) => ({
      itemCode: i.itemCode,
      name: i.name,
      departmentName: i.departmentName,
      onCatalog: i.onCatalog,
      versions: i.versions.map((v) => ({
        version: v.version,
        status: VERSION_STATUS[v.status],
        pin: v.formRevision ? `第 ${v.formRevision} 版` : v.status === "draft" ? "发布时固定为当时的发布版本" : "未固定",
        publishedAt: iso(v.publishedAt),
      })),
    })),
    hiddenItems: usage.hiddenItems,
    processes: usage.processes.map((p) => ({
      definitionId: p.definitionId,
      key: p.key,
      name: p.name ?? p.key,
      version: p.version,
      deployedAt: iso(p.deployedAt),
      elements: p.elements.map((e) => ({
        id: e.elementId,
        name: e.elementName ?? e.elementId,
        typeName: ELEMENT_TYPES[e.elementType] ?? e.elementType,
        binding:
          e.attribute === "formKey"
            ? "camunda:formKey（使用最新发布版本）"
            : `camunda:formRef（${BINDINGS[e.binding ?? "latest"] ?? e.binding}${e.version ? ` 第 ${e.version} 版` : ""}）`,
      })),
    })),
    records: usage.records,
    unused: !usage.items.length && !usage.hiddenItems && !usage.processes.length && !usage.records.commitments && !usage.records.openTasks,
  };
}

/** The usage as JSON (dates as ISO strings). */
export function presentUsageJson(usage: FormUsage, blockers: DeletionBlocker[]) {
  return {
    formKey: usage.formKey,
    items: usage.items.map((i) => ({ ...i, versions: i.versions.map((v) => ({ ...v, publishedAt: iso(v.publishedAt) })) })),
    hiddenItems: usage.hiddenItems,
    processes: usage.processes.map((p) => ({ ...p, deployedAt: iso(p.deployedAt) })),
    records: usage.records,
    deletion: { allowed: blockers.length === 0, reasons: blockers },
  };
}
