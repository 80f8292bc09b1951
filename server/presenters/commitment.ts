import type { Commitment } from "../db/models/Commitment.js";
import type { CommitmentSubmission } from "../db/models/CommitmentSubmission.js";
import type { CreditRecord } from "../db/models/CreditRecord.js";
import type { HistoryEvent, TaskView } from "../engine/index.js";
import type { InboxPage, InboxRow } from "../domain/inbox/listInbox.js";
import type { CommitmentDetail, CommitmentPage } from "../domain/commitments/queries.js";
import { commitmentActions } from "../policies/commitment.js";
import type { CurrentUser } from "../auth/currentUser.js";
import { sanitizeLetterHtml } from "../domain/catalog/letter.js";

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** One row of a list (我的办件, staff list): no submission data, no letter. */
export function presentCommitmentSummary(c: Commitment, lookups: Pick<CommitmentPage, "itemCodes" | "departments">) {
  const department = lookups.departments.get(c.departmentId);
  return {
    code: c.code,
    itemCode: lookups.itemCodes.get(c.itemId) ?? null,
    reason: c.reason,
    commitmentType: c.commitmentType,
    subject: { name: c.subjectName, code: c.subjectCode, type: c.subjectType },
    department: department ? { code: department.code, name: department.name } : null,
    status: c.status,
    fulfilmentStatus: c.fulfilmentStatus,
    supervisionStatus: c.supervisionStatus,
    publicType: c.publicType,
    madeOn: c.madeOn,
    validUntil: c.validUntil,
    reviewDueAt: iso(c.reviewDueAt),
    verificationDueAt: iso(c.verificationDueAt),
    revision: c.revision,
    submittedAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}
export type CommitmentSummaryView = ReturnType<typeof presentCommitmentSummary>;

export function presentCommitmentPage(page: CommitmentPage) {
  return {
    data: page.rows.map((r) => presentCommitmentSummary(r, page)),
    meta: { total: page.total, page: page.page, pageSize: page.pageSize, pages: Math.ceil(page.total / page.pageSize) },
  };
}

function presentHistoryEvent(h: HistoryEvent) {
  return { at: iso(h.at), event: h.event, activityId: h.activityId, activityName: h.activityName, actor: h.actor, taskId: h.taskId };
}

function presentTask(t: TaskView) {
  return {
    id: t.id,
    name: t.name,
    activityId: t.taskDefinitionKey,
    formKey: t.formKey,
    assignee: t.assignee,
    candidateGroups: t.candidateGroups,
    created: iso(t.created),
    due: iso(t.due),
  };
}

function presentSubmission(s: CommitmentSubmission, withData: boolean) {
  return {
    revision: s.revision,
    formRevision: s.formRevision,
    signerName: s.signerName,
    agreedAt: iso(s.agreedAt),
    submittedBy: s.submittedBy,
    submittedAt: iso(s.createdAt),
    ...(withData ? { data: JSON.parse(s.data) as Record<string, unknown>, letterHtml: sanitizeLetterHtml(s.letterHtml) } : {}),
  };
}

/**
 * The case page / GET /api/commitments/{code}: the archive fields, the current submission and signed letter,
 * every submission revision, the status timeline (process history), open tasks and what the viewer may do.
 */
export function presentCommitment(detail: CommitmentDetail, viewer?: CurrentUser) {
  const c = detail.commitment;
  return {
    ...presentCommitmentSummary(c, {
      itemCodes: new Map([[c.itemId, detail.itemCode]]),
      departments: new Map([[c.departmentId, { code: detail.department.code, name: detail.department.name }]]),
    }),
    item: {
      code: detail.itemCode,
      name: detail.itemVersion.name,
      version: detail.itemVersion.version,
      verificationMethod: detail.itemVersion.verificationMethod,
    },
    acceptingUnit: { name: c.acceptingUnit, uscc: c.acceptingUnitUscc },
    fulfilment: {
      status: c.fulfilmentStatus,
      date: c.fulfilmentDate,
      unit: c.fulfilmentUnit,
      unfulfilledContent: c.unfulfilledContent,
      liabilityContent: c.liabilityContent,
    },
    decision: { comment: c.decisionComment, by: c.decidedBy, at: iso(c.decidedAt) },
    form: { key: c.formKey, revision: c.formRevision },
    data: JSON.parse(c.data) as Record<string, unknown>,
    letter: { html: sanitizeLetterHtml(c.letterHtml), signerName: c.signerName, agreedAt: iso(c.agreedAt) },
    processInstanceId: c.processInstanceId,
    submissions: detail.submissions.map((s) => presentSubmission(s, true)),
    history: detail.history.map(presentHistoryEvent),
    openTasks: detail.openTasks.map(presentTask),
    can: commitmentActions(viewer, c),
  };
}
export type CommitmentView = ReturnType<typeof presentCommitment>;

/** The signed letter as a printable HTML document (GET /api/commitments/{code}/letter), sanitized like every page's copy. */
export function presentLetterDocument(c: Pick<Commitment, "code" | "letterHtml">): string {
  const code = c.code.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return (
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>信用承诺书 ${code}</title>` +
    `<style>body{font-family:serif;max-width:46em;margin:2em auto;line-height:1.8}h1{text-align:center}.letter-signature{margin-top:3em;text-align:right}</style>` +
    `</head><body>${sanitizeLetterHtml(c.letterHtml)}</body></html>`
  );
}

/** The 信用承诺档案 record fields of DOMAIN.md, in order, with their Chinese column names (CSV header). */
export const ARCHIVE_COLUMNS = [
  ["code", "承诺编码"],
  ["subjectName", "承诺人名称"],
  ["subjectType", "承诺人类别"],
  ["subjectCode", "承诺人代码"],
  ["commitmentType", "承诺类型"],
  ["reason", "承诺事由"],
  ["content", "承诺内容"],
  ["liability", "违诺责任"],
  ["madeOn", "承诺作出日期"],
  ["validUntil", "承诺有效期"],
  ["acceptingUnit", "承诺受理单位"],
  ["acceptingUnitUscc", "承诺受理单位统一社会信用代码"],
  ["publicType", "公开类型"],
  ["fulfilmentStatus", "承诺履行状态"],
  ["fulfilmentDate", "履行状态认定日期"],
  ["fulfilmentUnit", "履行状态认定单位"],
  ["unfulfilledContent", "未履行的承诺内容"],
  ["liabilityContent", "违诺责任追究内容"],
  ["supervisionStatus", "监管状态"],
  ["status", "办理状态"],
] as const;
export type ArchiveRecord = Record<(typeof ARCHIVE_COLUMNS)[number][0], string | null> & {
  letterHtml?: string | null;
  signerName?: string;
  agreedAt?: string | null;
};

/**
 * One 信用承诺档案 record. 承诺内容 and 违诺责任 are the signed letter's text (its content is the commitment). The
 * accepting unit's USCC is the one recorded at submission; when the department had none then, its current one
 * (departmentUscc) stands in, so the export is not left blank once the department's code has been entered.
 */
export function presentArchiveRecord(c: Commitment, options: { withLetter?: boolean; departmentUscc?: string | null } = {}): ArchiveRecord {
  const letterHtml = c.letterHtml ? sanitizeLetterHtml(c.letterHtml) : null;
  const letterText = letterHtml ? htmlToText(letterHtml) : null;
  return {
    code: c.code,
    subjectName: c.subjectName,
    subjectType: c.subjectType,
    subjectCode: c.subjectCode,
    commitmentType: c.commitmentType,
    reason: c.reason,
    content: letterText,
    liability: letterText ? extractLiability(letterText) : null,
    madeOn: c.madeOn,
    validUntil: c.validUntil,
    acceptingUnit: c.acceptingUnit,
    acceptingUnitUscc: c.acceptingUnitUscc ?? options.departmentUscc ?? null,
    publicType: c.publicType,
    fulfilmentStatus: c.fulfilmentStatus,
    fulfilmentDate: c.fulfilmentDate,
    fulfilmentUnit: c.fulfilmentUnit,
    unfulfilledContent: c.unfulfilledContent,
    liabilityContent: c.liabilityContent,
    supervisionStatus: c.supervisionStatus,
    status: c.status,
    ...(options.withLetter ? { letterHtml, signerName: c.signerName, agreedAt: iso(c.agreedAt) } : {}),
  };
}

/** Named entities a letter may carry (the template writes &emsp; between fields); spaces become plain spaces. */
const NAMED_ENTITIES: Record<string, string> = {
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  amp: "&",
  nbsp: " ",
  ensp: " ",
  emsp: " ",
  thinsp: " ",
  ldquo: "“",
  rdquo: "”",
  lsquo: "‘",
  rsquo: "’",
  mdash: "—",
  ndash: "–",
  hellip: "…",
  middot: "·",
  times: "×",
  yen: "¥",
  copy: "©",
};

/** Decodes every character reference (named, &#dd; and &#xhh;) once; an unknown name is dropped, never left as text. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);/gi, (_m, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff) return "";
      const ch = String.fromCodePoint(code);
      return /[\u2000-\u200a\u00a0\u3000]/.test(ch) ? " " : ch;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? "";
  });
}

function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<\/(p|h\d|li|section|footer|div)>/gi, "\n")
      .replace(/<br\s*\/?>/gi, "\n")
      .replace(/<[^>]+>/g, ""),
  )
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{2,}/g, "\n")
    .trim();
}

/** The liability paragraph(s) of a letter: lines that speak of 违诺 / 责任 / 法律后果. */
function extractLiability(text: string): string | null {
  const lines = text.split("\n").filter((l) => /违诺|违反承诺|承担.*责任|法律责任|失信/.test(l));
  return lines.length ? lines.join("\n") : null;
}

/** CSV text of archive records (UTF-8 with BOM so Excel shows Chinese; RFC 4180 quoting; formula injection neutralised). */
export function archiveCsv(records: ArchiveRecord[]): string {
  const cell = (v: string | null | undefined) => {
    let s = v ?? "";
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const header = ARCHIVE_COLUMNS.map(([, label]) => label).join(",");
  const lines = records.map((r) => ARCHIVE_COLUMNS.map(([key]) => cell(r[key])).join(","));
  return "\uFEFF" + [header, ...lines].join("\r\n") + "\r\n";
}

/** What the public query shows of a commitment (公开类型 可向社会公开 only; no submission data). */
export function presentPublicCommitment(c: Commitment) {
  return {
    code: c.code,
    commitmentType: c.commitmentType,
    reason: c.reason,
    madeOn: c.madeOn,
    validUntil: c.validUntil,
    acceptingUnit: c.acceptingUnit,
    fulfilmentStatus: c.fulfilmentStatus,
    fulfilmentDate: c.fulfilmentDate,
    supervisionStatus: c.supervisionStatus,
  };
}

/** A credit record as the public sees it. */
export function presentPublicCreditRecord(r: CreditRecord) {
  return {
    type: r.recordType,
    title: r.title,
    decidedOn: r.decidedOn,
    publicityFrom: r.publicityFrom,
    publicityUntil: r.publicityUntil,
    sourceUnit: r.sourceUnit,
  };
}

/** One inbox row (GET /api/inbox): the task, its case (any flow) and its deadline state. */
export function presentInboxRow(row: InboxRow) {
  return {
    taskId: row.taskId,
    taskName: row.taskName,
    activityId: row.activityId,
    formKey: row.formKey,
    assignee: row.assignee,
    created: iso(row.created),
    due: iso(row.due),
    overdue: row.overdue,
    nearDue: row.nearDue,
    urged: row.urged,
    /** The task's case, of any flow (a commitment's code is its 承诺编码). */
    case: {
      code: row.code,
      itemCode: row.itemCode,
      itemName: row.itemName,
      department: row.departmentCode,
      subject: { name: row.subjectName, code: row.subjectCode },
      status: row.status,
      kind: row.kind,
      processKey: row.processKey,
    },
  };
}

export function presentInboxPage(page: InboxPage) {
  return {
    data: page.rows.map(presentInboxRow),
    meta: {
      total: page.total,
      page: page.page,
      pageSize: page.pageSize,
      pages: Math.ceil(page.total / page.pageSize),
      counts: page.counts,
      // Total and counts stop at countCap: where `more` is true, show "1000+" (and pages is a lower bound).
      countCap: page.countCap,
      more: page.more,
      labels: Object.fromEntries(
        (["total", "all", "mine", "unassigned", "overdue", "nearDue"] as const).map((k) => [
          k,
          page.more[k] ? `${page.countCap}+` : String(k === "total" ? page.total : page.counts[k]),
        ]),
      ),
    },
  };
}
