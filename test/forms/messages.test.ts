import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ZH_CORE_WORDS, ZH_ERRORS } from "../../server/forms/messages.js";
import { ROOT_DIR } from "../../server/paths.js";
import { publishTestForm, text, verdictOf } from "./helpers.js";

const CORE = path.join(ROOT_DIR, "node_modules/@formio/core/lib");
const require = createRequire(import.meta.url);
const CJK = /[\u4e00-\u9fff]/;
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!).sort();

/** Every error key core's rules raise (new FieldError('key', ...)), read from the installed core. */
function raisedKeys(): string[] {
  const keys = new Set<string>();
  for (const dir of ["process/validation/rules", "process"]) {
    for (const file of readdirSync(path.join(CORE, dir))) {
      if (!file.endsWith(".js")) continue;
      const source = readFileSync(path.join(CORE, dir, file), "utf8");
      // The key is the last string literal of the first argument: 'required', `x.patternMessage || 'pattern'`,
      // `typeof isValid === 'string' ? isValid : 'custom'`.
      for (const m of source.matchAll(/FieldError\(([^;]*?),\s*(?:Object\.assign|context\b)/g)) {
        const literals = [...m[1]!.matchAll(/'([A-Za-z_]+)'/g)].map((l) => l[1]!);
        if (literals.length) keys.add(literals[literals.length - 1]!);
      }
    }
  }
  return [...keys].sort();
}

describe("forms: every @formio/core message is Chinese", () => {
  it("has a Chinese template for every key of core's English table and every key its rules raise", () => {
    const en = (require(path.join(CORE, "process/validation/i18n/en.js")) as { EN_ERRORS: Record<string, string> }).EN_ERRORS;
    const raised = raisedKeys();
    assert.ok(raised.length >= 28, `found ${raised.length} keys in core's rules`);
    for (const key of ["requiredDayEmpty", "requiredSurvey", "jsonLogic", "custom", "unique"]) assert.ok(raised.includes(key), key);
    const missing = [...new Set([...Object.keys(en), ...raised])].filter((k) => !Object.hasOwn(ZH_ERRORS, k));
    assert.deepEqual(missing, []);
    for (const [key, zh] of Object.entries(ZH_ERRORS)) {
      assert.match(zh, CJK, key);
      assert.doesNotMatch(zh.replace(/\{\{[^}]*\}\}/g, ""), /[A-Za-z]/, `${key}: ${zh}`);
      // The same facts as the English (the pattern itself is left out: it means nothing to an applicant).
      if (en[key]) {
        const wanted = placeholders(en[key]).filter((p) => p !== "pattern" && p !== "regex" && p !== "field");
        for (const p of wanted) assert.ok(placeholders(zh).includes(p), `${key} keeps {{${p}}}`);
      }
    }
  });

  it("has Chinese for the other words of core's translations (months, survey headings)", () => {
    const all = (require(path.join(CORE, "utils/translations/en.js")) as { default: Record<string, string> }).default;
    const words = Object.keys(all).filter((k) => !Object.hasOwn(ZH_ERRORS, k));
    assert.deepEqual(
      words.filter((k) => !Object.hasOwn(ZH_CORE_WORDS, k)),
      [],
    );
    for (const k of words) assert.doesNotMatch(ZH_CORE_WORDS[k]!, /[A-Za-z]/, k);
  });

  it("lets no English message reach a user: every rule broken on a form with Chinese labels", async () => {
    const choices = [
      { label: "甲", value: "a" },
      { label: "乙", value: "b" },
      { label: "丙", value: "c" },
    ];
    const { formKey } = await publishTestForm([
      text("required", "必填", { required: true }),
      text("minLength", "最短", { minLength: 5 }),
      text("maxLength", "最长", { maxLength: 2 }),
      text("minWords", "最少词", { minWords: 3 }),
      text("maxWords", "最多词", { maxWords: 1 }),
      text("pattern", "格式", { pattern: "^[0-9]+$" }),
      text("mask", "掩码", {}, { inputMask: "999-999" }),
      { type: "number", key: "min", label: "最小", input: true, validate: { min: 10 } },
      { type: "number", key: "max", label: "最大", input: true, validate: { max: 1 } },
      { type: "email", key: "email", label: "邮箱", input: true },
      { type: "url", key: "url", label: "网址", input: true },
      { type: "datetime", key: "maxDate", label: "截止", input: true, widget: { type: "calendar", maxDate: "2020-01-01T00:00:00" } },
      { type: "datetime", key: "minDate", label: "起始", input: true, widget: { type: "calendar", minDate: "2030-01-01T00:00:00" } },
      { type: "day", key: "day", label: "日子", input: true, fields: { day: { required: true } } },
      { type: "day", key: "badDay", label: "坏日子", input: true },
      { type: "day", key: "year", label: "年份", input: true, maxYear: 2000 },
      { type: "day", key: "emptyDay", label: "空日子", input: true, validate: { required: true } },
      { type: "time", key: "time", label: "时刻", input: true },
      { type: "selectboxes", key: "few", label: "少选", input: true, values: choices, validate: { minSelectedCount: 2 } },
      { type: "selectboxes", key: "many", label: "多选", input: true, values: choices, validate: { maxSelectedCount: 1 } },
      { type: "textfield", key: "json", label: "规则", input: true, validate: { json: { "==": [{ var: "data.json" }, "ok"] } } },
      {
        type: "survey",
        key: "survey",
        label: "问卷",
        input: true,
        validate: { required: true },
        questions: [{ label: "问", value: "q" }],
        values: choices,
      },
      text("multi", "多值", {}, { multiple: true, validate: { required: true, maxLength: 1 } }),
    ]);
    const v = await verdictOf(formKey, {
      minLength: "abc",
      maxLength: "abc",
      minWords: "一 二",
      maxWords: "one two",
      pattern: "abc",
      mask: "12",
      min: 1,
      max: 5,
      email: "not-an-email",
      url: "not a url",
      maxDate: "2024-01-01T00:00:00+08:00",
      minDate: "2024-01-01T00:00:00+08:00",
      day: "00/00/2020",
      badDay: "02/31/2020",
      year: "01/01/2024",
      emptyDay: "",
      time: "99:99",
      few: { a: true, b: false, c: false },
      many: { a: true, b: true, c: false },
      json: "no",
      survey: {},
      multi: ["abc"],
    });
    assert.ok(!v.ok);
    const broken = new Set(v.details.map((d) => d.path.replace(/\[\d+\]$/, "")));
    for (const key of [
      "required",
      "minLength",
      "maxLength",
      "minWords",
      "maxWords",
      "pattern",
      "mask",
      "min",
      "max",
      "email",
      "url",
      "maxDate",
      "minDate",
      "day",
      "badDay",
      "year",
      "emptyDay",
      "time",
      "few",
      "many",
      "json",
      "survey",
      "multi",
    ])
      assert.ok(broken.has(key), `${key} is refused: ${JSON.stringify(v.details)}`);
    const english = v.details.filter((d) => /[A-Za-z]{2,}/.test(d.message.replace(/\d{4}-\d{2}-\d{2}T[\d:.+Z-]+/g, "")));
    assert.deepEqual(english, []);
    for (const d of v.details) assert.match(d.message, CJK, d.path);
  });

  it("passes the designer's own messages (customMessage, the errors table, JSONLogic's text) instead of core's", async () => {
    const { formKey } = await publishTestForm([
      text("a", "甲", { required: true, customMessage: "请填写甲" }),
      text("b", "乙", { required: true }, { errors: { required: "{{field}}一定要填" } }),
      text("c", "丙", { json: { if: [{ "==": [{ var: "data.c" }, "ok"] }, true, "丙只能填 ok"] } }),
    ]);
    const v = await verdictOf(formKey, { c: "no" });
    assert.ok(!v.ok);
    assert.deepEqual(
      v.details.map((d) => [d.path, d.message]),
      [
        ["a", "请填写甲"],
        ["b", "乙一定要填"],
        ["c", "丙只能填 ok"],
      ],
    );
  });
});
