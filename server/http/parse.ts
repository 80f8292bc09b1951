import { z } from "zod";
import { ValidationError } from "../errors.js";

/** Parses input with a zod schema; a failure becomes a 400 whose details name each field in Chinese. */
export function parse<T extends z.ZodType>(schema: T, input: unknown, message = "提交的内容有误，请检查后重试"): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    message,
    result.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: zhIssue(issue) })),
  );
}

/** A Chinese sentence for one zod issue: the schema's own Chinese message, or a fallback by kind. */
export function zhIssue(issue: z.core.$ZodIssue): string {
  // Schemas give their own Chinese message with { error: "..." }; these are the fallbacks.
  if (issue.message && /[\u4e00-\u9fff]/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "必填" : "类型不正确";
    case "too_small":
      return `长度或数值过小（至少 ${String(issue.minimum)}）`;
    case "too_big":
      return `长度或数值过大（至多 ${String(issue.maximum)}）`;
    case "invalid_format":
      return "格式不正确";
    case "invalid_value":
      return "取值不在允许的范围内";
    case "unrecognized_keys":
      return `包含不允许的字段：${issue.keys.join("、")}`;
    default:
      return "取值无效";
  }
}
