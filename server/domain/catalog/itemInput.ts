import { z } from "zod";
import { COMMITMENT_TYPES, PUBLIC_TYPES } from "../../db/models/CatalogItemVersion.js";

/** What a department admin fills in for a 告知承诺事项 (create and edit of a draft). */
export const CatalogItemInput = z
  .object({
    name: z.string().trim().min(2, { error: "请填写事项名称" }).max(200),
    legalBasis: z.string().trim().min(2, { error: "请填写设定依据" }).max(20_000),
    commitmentType: z.enum(COMMITMENT_TYPES, { error: `承诺类型应为：${COMMITMENT_TYPES.join("、")}` }),
    commitmentTypeOther: z.string().trim().max(100).nullish(),
    noticeContent: z.string().trim().min(2, { error: "请填写告知内容" }).max(50_000),
    letterTemplate: z.string().min(1, { error: "请填写承诺书模板" }).max(100_000),
    formKey: z.string().regex(/^[a-z][a-z0-9-]{1,99}$/, { error: "表单标识无效" }),
    processKey: z
      .string()
      .regex(/^[A-Za-z_][\w.-]{0,99}$/, { error: "流程标识无效" })
      .default("commitment"),
    verificationMethod: z.string().trim().min(2, { error: "请填写核查方式" }).max(500),
    verificationDays: z.number({ error: "核查时限应为天数" }).int().min(1).max(3650),
    publicType: z.enum(PUBLIC_TYPES, { error: `公开类型应为：${PUBLIC_TYPES.join("、")}` }),
    validityMonths: z.number({ error: "有效期应为月数" }).int().min(1).max(600),
    reviewDays: z.number({ error: "审查时限应为工作日数" }).int().min(1).max(365),
  })
  .strict()
  .refine((v) => v.commitmentType !== "其他" || !!v.commitmentTypeOther, {
    error: "承诺类型为“其他”时请填写具体类型",
    path: ["commitmentTypeOther"],
  });
export type CatalogItemInput = z.infer<typeof CatalogItemInput>;

export const ITEM_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,63}$/;

/** What a department admin fills in for a 通用事项: the guide, the start form and any deployed process. */
export const GenericItemInput = z
  .object({
    name: z.string().trim().min(2, { error: "请填写事项名称" }).max(200),
    legalBasis: z.string().trim().min(2, { error: "请填写办理依据" }).max(20_000),
    noticeContent: z.string().trim().min(2, { error: "请填写办事指南（办理条件、材料、流程）" }).max(50_000),
    formKey: z.string().regex(/^[a-z][a-z0-9-]{1,99}$/, { error: "请选择申请表单" }),
    processKey: z
      .string({ error: "请选择办理流程" })
      .regex(/^[A-Za-z_][\w.-]{0,99}$/, { error: "请选择办理流程" })
      .refine((k) => k !== "commitment", { error: "告知承诺流程只能用于告知承诺事项，请选择其他流程" }),
    reviewDays: z.number({ error: "办理时限应为工作日数" }).int().min(1).max(365),
  })
  .strict();
export type GenericItemInput = z.infer<typeof GenericItemInput>;

/**
 * The version columns of a 通用事项. The commitment-only columns (letter, 核查, public type, validity) hold neutral
 * values that no page of a 通用事项 shows or uses.
 */
export function genericVersionFields(input: GenericItemInput): CatalogItemInput {
  return {
    ...input,
    commitmentType: "其他",
    commitmentTypeOther: null,
    letterTemplate: "",
    verificationMethod: "",
    verificationDays: 0,
    publicType: "不可公开",
    validityMonths: 0,
  };
}

/** The editor input of an item of either kind (告知承诺事项 when no kind is given), as the catalog commands take it. */
export type ItemFields = { kind?: "commitment"; fields: CatalogItemInput } | { kind: "generic"; fields: GenericItemInput };
