/**
 * Chinese messages for every error key of @formio/core ({{field}} is the component's label): the keys of its English
 * table (lib/process/validation/i18n/en.js) and those its rules raise without one there (requiredDayEmpty,
 * requiredSurvey, jsonLogic, custom). test/forms/messages.test.ts reads both from the installed core.
 */
export const ZH_ERRORS: Record<string, string> = {
  unsavedRowsError: "请先保存所有行",
  invalidRowsError: "请修改无效的行",
  invalidRowError: "该行无效，请修改或删除",
  invalidOption: "{{field}}的取值不在可选范围内",
  invalidDay: "{{field}}不是有效的日期",
  required: "{{field}}为必填项",
  unique: "{{field}}的值已被使用，必须唯一",
  array: "{{field}}必须是列表",
  array_nonempty: "{{field}}不能为空列表",
  nonarray: "{{field}}不能是列表",
  select: "{{field}}包含无效的选项",
  pattern: "{{field}}格式不正确",
  minLength: "{{field}}至少需要 {{length}} 个字符",
  maxLength: "{{field}}不能超过 {{length}} 个字符",
  minWords: "{{field}}至少需要 {{length}} 个词",
  maxWords: "{{field}}不能超过 {{length}} 个词",
  min: "{{field}}不能小于 {{min}}",
  max: "{{field}}不能大于 {{max}}",
  maxDate: "{{field}}不能晚于 {{maxDate}}",
  minDate: "{{field}}不能早于 {{minDate}}",
  maxYear: "{{field}}的年份不能大于 {{maxYear}}",
  minYear: "{{field}}的年份不能小于 {{minYear}}",
  minSelectedCount: "{{field}}至少需要选择 {{minCount}} 项",
  maxSelectedCount: "{{field}}最多只能选择 {{maxCount}} 项",
  invalid_email: "{{field}}必须是有效的电子邮箱地址",
  invalid_url: "{{field}}必须是有效的网址",
  invalid_regex: "{{field}}格式不正确",
  invalid_date: "{{field}}不是有效的日期",
  invalid_day: "{{field}}不是有效的日期",
  invalidValueProperty: "{{field}}的取值属性无效",
  mask: "{{field}}与要求的格式不符",
  valueIsNotAvailable: "{{field}}的取值不在可选范围内",
  time: "{{field}}不是有效的时间",
  invalidDate: "{{field}}不是有效的日期",
  number: "{{field}}必须是数字",
  requiredDayField: "{{field}}为必填项",
  requiredMonthField: "{{field}}为必填项",
  requiredYearField: "{{field}}为必填项",
  requiredDayEmpty: "{{field}}为必填项",
  requiredSurvey: "{{field}}的每个问题都必须回答",
  jsonLogic: "{{field}}不符合校验规则",
  custom: "{{field}}不符合校验规则",
};

/** Chinese for the other words of @formio/core's translations (month names, survey headings, ...). */
export const ZH_CORE_WORDS: Record<string, string> = {
  month: "月",
  day: "日",
  year: "年",
  january: "一月",
  february: "二月",
  march: "三月",
  april: "四月",
  may: "五月",
  june: "六月",
  july: "七月",
  august: "八月",
  september: "九月",
  october: "十月",
  november: "十一月",
  december: "十二月",
  yes: "是",
  no: "否",
  surveyQuestion: "问题",
  surveyQuestionValue: "取值",
  complexData: "[复杂数据]",
  dots: "……",
};

/** Replaces {{name}} placeholders with values from vars; never evaluates anything. */
export function fillTemplate(template: string, vars: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, name: string) => {
    const value = vars[name];
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
    return "";
  });
}
