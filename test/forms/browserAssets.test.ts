import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";
import request from "supertest";
import { INPUT_TYPES } from "../../server/forms/components.js";
import { PLATFORM } from "../../server/routes/forms/platformScript.js";
import { JSONLOGIC_OPERATORS } from "../../server/forms/jsonLogic.js";
import { ZH_ERRORS } from "../../server/forms/messages.js";
import { testApp } from "../helpers/testApp.js";
import { ROOT_DIR } from "../../server/paths.js";

const NM = path.join(ROOT_DIR, "node_modules");

/** Webpack's eval modules of the browser bundle, keyed by their @formio/core path (lib/...). */
function bundledCoreModules(): Map<string, string> {
  const src = readFileSync(path.join(NM, "@formio/js/dist/formio.full.js"), "utf8");
  const modules = new Map<string, string>();
  const re = /eval\("((?:[^"\\]|\\.)*)"\);/g;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const code = JSON.parse(`"${m[1]}"`) as string;
    const where = /sourceURL=webpack:\/\/Formio\/\.\.\/core\/(lib\/[^?\n]*)/.exec(code);
    if (where?.[1]) modules.set(where[1], code);
  }
  return modules;
}

/** The same module text whether webpack wrapped it or not: requires, wrappers and whitespace removed. */
function normalize(code: string, wrapped: boolean): string {
  let s = code
    .replace(/\/\/# source\w*URL=.*$/gm, "")
    .replace(/"use strict";/g, "")
    .replace(/__webpack_require__\([^)]*\)/g, "R")
    .replace(/require\([^)]*\)/g, "R")
    .replace(/\(\{/g, "{")
    .replace(/\}\)\)/g, "})")
    .replace(/\}\);/g, "};")
    .replace(/\(0,\s*/g, "(0,")
    .replace(/\["default"\]/g, ".default")
    .replace(/\s+/g, "");
  if (wrapped) s = s.replace(/^\{/, "").replace(/\}$/, "");
  return s;
}

function files(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) files(p, out);
    else if (p.endsWith(".js")) out.push(p);
  }
  return out;
}

describe("forms: browser assets", () => {
  it("validates in the browser with exactly the @formio/core the server uses", function () {
    this.timeout(60_000);
    const bundled = bundledCoreModules();
    const checked: string[] = [];
    const different: string[] = [];
    for (const [lib, code] of bundled) {
      if (!lib.startsWith("lib/process/") && !lib.startsWith("lib/utils/")) continue;
      const installed = path.join(NM, "@formio/core", lib);
      assert.ok(existsSync(installed), `${lib} exists in the installed core`);
      checked.push(lib);
      if (normalize(code, true) !== normalize(readFileSync(installed, "utf8"), false)) different.push(lib);
    }
    assert.ok(checked.length > 80, `compared ${checked.length} modules`);
    assert.deepEqual(different, [], "the server's @formio/core differs from the core bundled in @formio/js: pin them to the same version");
  });

  it("serves the server's component types, Chinese messages and JSONLogic operators to the browser as /forms/platform.js", async () => {
    const res = await request(testApp().app).get("/forms/platform.js").expect(200);
    assert.match(String(res.headers["content-type"]), /javascript/);
    const context: { window: Record<string, unknown> } = { window: {} };
    vm.runInNewContext(res.text, context);
    const served = JSON.parse(JSON.stringify(context.window.XY_FORMIO_PLATFORM)) as typeof PLATFORM;
    assert.deepEqual(served, JSON.parse(JSON.stringify(PLATFORM)));
    assert.deepEqual(served.inputTypes, [...INPUT_TYPES]);
    assert.deepEqual(served.errors, ZH_ERRORS);
    assert.deepEqual(served.jsonLogicOperators, [...JSONLOGIC_OPERATORS]);
  });

  it("ships a zh-CN entry for every key and phrase the renderer and builder translate", () => {
    const context: { window: Record<string, unknown> } = { window: {} };
    vm.runInNewContext(readFileSync(path.join(ROOT_DIR, "public/js/formio-zh-CN.js"), "utf8"), context);
    // As formio-setup.js builds it: the static table plus the server's validation messages from /forms/platform.js.
    const zh = { ...(context.window.XY_FORMIO_ZH_CN as Record<string, string>), ...ZH_ERRORS };
    const wanted = new Set<string>();
    const require = createRequire(import.meta.url);
    const en = (require(path.join(NM, "@formio/js/lib/cjs/translations/en.js")) as { default: Record<string, string> }).default;
    for (const key of Object.keys(en)) wanted.add(key);
    // Every t('...') call of the renderer, the builder and the Bootstrap templates.
    for (const dir of ["@formio/js/lib/cjs", "@formio/bootstrap/lib/cjs"]) {
      for (const file of files(path.join(NM, dir))) {
        const s = readFileSync(file, "utf8");
        for (const m of s.matchAll(/\bt\(\s*(['"`])((?:(?!\1)[^\\]|\\.)*)\1/g))
          if (/[A-Za-z]/.test(m[2]!) && !m[2]!.includes("${")) wanted.add(m[2]!);
      }
    }
    // Labels, titles, legends, placeholders, tooltips and descriptions of the settings forms of every component the builder offers.
    const components = [
      "_classes",
      "textfield",
      "textarea",
      "number",
      "checkbox",
      "selectboxes",
      "select",
      "radio",
      "email",
      "url",
      "phonenumber",
      "datetime",
      "day",
      "time",
      "hidden",
      "file",
      "signature",
      "datagrid",
      "container",
      "panel",
      "columns",
      "fieldset",
      "well",
      "table",
      "tabs",
      "content",
      "html",
      "button",
    ];
    for (const dir of components) {
      for (const file of files(path.join(NM, "@formio/js/lib/cjs/components", dir))) {
        const s = readFileSync(file, "utf8");
        for (const m of s.matchAll(
          /\b(label|title|legend|placeholder|tooltip|description|addAnother|saveRow|removeRow|groupLabel)\s*:\s*(['"`])((?:(?!\2)[^\\]|\\.)*)\2/g,
        )) {
          const v = m[3]!.replace(/\\'/g, "'").replace(/\\"/g, '"');
          if (v && /[A-Za-z]/.test(v) && !v.includes("${")) wanted.add(v);
        }
      }
    }
    for (const group of ["Basic", "Advanced", "Layout", "Data", "Premium"]) wanted.add(group);
    const missing = [...wanted].filter((k) => !Object.prototype.hasOwnProperty.call(zh, k));
    assert.ok(wanted.size > 900, `checked ${wanted.size} strings`);
    assert.deepEqual(missing, []);
    for (const [k, v] of Object.entries(zh)) assert.ok(typeof v === "string" && v.trim() !== "", `translation of ${k}`);
  });
});
