import { CREDIT_SEVERITIES, type CreditRecordType } from "../../db/models/CreditRecord.js";
import { SUBJECT_TYPES } from "../../db/models/CreditSubject.js";

/** Record types staff enter or import (违诺 records come only from the commitment flow). */
export const ENTERED_TYPES = ["行政处罚", "行政许可", "严重失信主体名单", "经营异常名录"] as const satisfies readonly CreditRecordType[];
export type EnteredType = (typeof ENTERED_TYPES)[number];

export type FieldKind = "text" | "longtext" | "date" | "amount" | "choice";

/** One column of the 双公示 layout: the key in code, the Chinese header, other headers it is known by. */
export interface FieldDef {
  key: string;
  label: string;
  aliases?: string[];
  kind: FieldKind;
  max: number;
  /** The record types that use the field (all when absent). */
  types?: readonly EnteredType[];
  /** The record types for which it is required. */
  requiredFor?: readonly EnteredType[];
  choices?: readonly string[];
  /** Shown to the public (ID numbers of people never are). */
  public?: boolean;
  hint?: string;
}

const ALL = ENTERED_TYPES;
const PENALTY = ["行政处罚"] as const;
const LICENCE = ["行政许可"] as const;
const LISTS = ["严重失信主体名单", "经营异常名录"] as const;

/**
 * The columns of the import file and of the entry form, in the order of the 双公示 data standard: the party block,
 * then the penalty (行政处罚) and licence (行政许可) fields, then dates, authority and source.
 */
export const RECORD_FIELDS: readonly FieldDef[] = [
  { key: "recordType", label: "信息类别", kind: "choice", max: 16, choices: ENTERED_TYPES, requiredFor: ALL, public: true },
  {
    key: "severity",
    label: "严重程度",
    aliases: ["失信严重程度"],
    kind: "choice",
    max: 4,
    choices: CREDIT_SEVERITIES,
    requiredFor: PENALTY,
    types: [...PENALTY, ...LISTS],
    public: true,
    hint: "由本部门按其认定标准填写：轻微、一般、严重",
  },
  { key: "partyName", label: "行政相对人名称", kind: "text", max: 200, requiredFor: ALL, public: true },
  { key: "partyType", label: "行政相对人类别", kind: "choice", max: 16, choices: SUBJECT_TYPES, requiredFor: ALL, public: true },
  {
    key: "uscc",
    label: "统一社会信用代码",
    aliases: ["行政相对人代码_1(统一社会信用代码)", "行政相对人代码（统一社会信用代码）"],
    kind: "text",
    max: 18,
    public: true,
    hint: "法人及非法人组织、个体工商户必填",
  },
  { key: "legalRep", label: "法定代表人", kind: "text", max: 100, public: true },
  { key: "legalRepIdType", label: "法定代表人证件类型", kind: "text", max: 32 },
  { key: "legalRepIdNumber", label: "法定代表人证件号码", kind: "text", max: 32 },
  { key: "idType", label: "证件类型", kind: "text", max: 32, hint: "自然人填写，默认身份证" },
  { key: "idNumber", label: "证件号码", kind: "text", max: 32, hint: "自然人必填（公民身份号码）" },
  {
    key: "decisionNumber",
    label: "决定文书号",
    aliases: ["行政处罚决定书文号", "行政许可决定文书号", "许可文号", "列入决定书文号", "决定书文号"],
    kind: "text",
    max: 100,
    requiredFor: ALL,
    public: true,
  },
  {
    key: "decisionName",
    label: "行政许可决定文书名称",
    aliases: ["许可决定文书名称"],
    kind: "text",
    max: 200,
    types: LICENCE,
    public: true,
  },
  { key: "violationType", label: "违法行为类型", kind: "text", max: 200, types: PENALTY, requiredFor: PENALTY, public: true },
  { key: "violationFacts", label: "违法事实", kind: "longtext", max: 4000, types: PENALTY, requiredFor: PENALTY, public: true },
  {
    key: "listingReason",
    label: "列入事由",
    aliases: ["列入原因", "认定事由"],
    kind: "longtext",
    max: 2000,
    types: LISTS,
    requiredFor: LISTS,
    public: true,
  },
  {
    key: "basis",
    label: "依据",
    aliases: ["处罚依据", "许可依据", "列入依据"],
    kind: "longtext",
    max: 2000,
    requiredFor: [...PENALTY, ...LISTS],
    public: true,
  },
  { key: "penaltyCategory", label: "处罚类别", kind: "text", max: 200, types: PENALTY, requiredFor: PENALTY, public: true },
  { key: "penaltyContent", label: "处罚内容", kind: "longtext", max: 4000, types: PENALTY, requiredFor: PENALTY, public: true },
  {
    key: "fineAmount",
    label: "罚款金额（万元）",
    aliases: ["罚款金额(万元)", "罚款金额"],
    kind: "amount",
    max: 20,
    types: PENALTY,
    public: true,
  },
  {
    key: "confiscatedAmount",
    label: "没收违法所得、没收非法财物的金额（万元）",
    aliases: ["没收违法所得、没收非法财物的金额(万元)", "没收金额"],
    kind: "amount",
    max: 20,
    types: PENALTY,
    public: true,
  },
  { key: "licenceSuspended", label: "暂扣或吊销证照名称及编号", kind: "text", max: 200, types: PENALTY, public: true },
  { key: "licenceCategory", label: "许可类别", kind: "text", max: 100, types: LICENCE, requiredFor: LICENCE, public: true },
  { key: "licenceCertName", label: "许可证书名称", kind: "text", max: 200, types: LICENCE, public: true },
  { key: "licenceNumber", label: "许可编号", kind: "text", max: 100, types: LICENCE, public: true },
  { key: "licenceContent", label: "许可内容", kind: "longtext", max: 4000, types: LICENCE, requiredFor: LICENCE, public: true },
  {
    key: "decidedOn",
    label: "决定日期",
    aliases: ["处罚决定日期", "许可决定日期", "列入日期", "认定日期"],
    kind: "date",
    max: 20,
    requiredFor: ALL,
    public: true,
  },
  { key: "validFrom", label: "有效期自", kind: "date", max: 20, public: true },
  { key: "validUntil", label: "有效期至", aliases: ["处罚有效期"], kind: "date", max: 20, public: true },
  { key: "sourceDeadline", label: "公示截止期", kind: "date", max: 20, hint: "来源系统的截止期，仅存档；本平台按公示规则计算" },
  {
    key: "authority",
    label: "决定机关",
    aliases: ["处罚机关", "许可机关", "列入机关", "认定机关"],
    kind: "text",
    max: 100,
    requiredFor: ALL,
    public: true,
  },
  {
    key: "authorityUscc",
    label: "决定机关统一社会信用代码",
    aliases: ["处罚机关统一社会信用代码", "许可机关统一社会信用代码"],
    kind: "text",
    max: 18,
    requiredFor: ALL,
    public: true,
  },
  { key: "sourceUnit", label: "数据来源单位", kind: "text", max: 100, public: true },
  { key: "sourceUnitUscc", label: "数据来源单位统一社会信用代码", kind: "text", max: 18 },
  {
    key: "licenceStatus",
    label: "当前状态",
    aliases: ["许可当前状态"],
    kind: "text",
    max: 32,
    types: LICENCE,
    public: true,
    hint: "行政许可：有效、撤销、注销等",
  },
  { key: "remarks", label: "备注", kind: "longtext", max: 1000 },
];

export const FIELD_BY_KEY: ReadonlyMap<string, FieldDef> = new Map(RECORD_FIELDS.map((f) => [f.key, f]));

/** Header text (canonical or alias, spaces and full-width brackets ignored) -> field key. */
const HEADER_INDEX: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const f of RECORD_FIELDS) for (const h of [f.label, ...(f.aliases ?? [])]) map.set(normalizeHeader(h), f.key);
  return map;
})();

export function normalizeHeader(h: string): string {
  return h
    .replace(/[\s\u3000*＊]/g, "")
    .replace(/（/g, "(")
    .replace(/）/g, ")");
}

export function fieldKeyOfHeader(header: string): string | undefined {
  return HEADER_INDEX.get(normalizeHeader(header));
}

export function fieldApplies(f: FieldDef, type: EnteredType): boolean {
  return !f.types || f.types.includes(type);
}

export function fieldRequired(f: FieldDef, type: EnteredType): boolean {
  return !!f.requiredFor?.includes(type);
}
