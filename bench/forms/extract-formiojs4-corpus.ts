// Copies the component fixtures of formiojs 4.x (MIT, shipped in its npm package as CommonJS under
// components/*/fixtures) into test/fixtures/formio-corpus/formiojs-4.21.7/ as plain JSON forms, so the
// compatibility run needs no download. Run once, from a package unpacked with `npm pack formiojs@4.21.7`:
//   mkdir -p /tmp/fx && (cd /tmp/fx && npm pack formiojs@4.21.7 && tar xzf formiojs-4.21.7.tgz)
//   npx tsx bench/forms/extract-formiojs4-corpus.ts /tmp/fx/package
// Nothing in the fixture files runs but object literals: `require` answers core-js polyfills with {} and the
// fixtures' own ./compN siblings with their exports.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";

const packageDir = path.resolve(process.argv[2] ?? "/tmp/fx/package");
const version = (JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string }).version;
const outDir = path.resolve(import.meta.dirname, `../../test/fixtures/formio-corpus/formiojs-${version}`);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const cache = new Map<string, unknown>();
function load(file: string): unknown {
  if (cache.has(file)) return cache.get(file);
  const module = { exports: {} as Json };
  cache.set(file, module.exports);
  const localRequire = (name: string): unknown => {
    if (!name.startsWith(".")) return {};
    const target = path.resolve(path.dirname(file), name);
    return load(target.endsWith(".js") ? target : `${target}.js`);
  };
  const source = readFileSync(file, "utf8");
  vm.runInNewContext(`(function (exports, require, module) {${source}\n})`, {}, { filename: file })(module.exports, localRequire, module);
  cache.set(file, module.exports);
  return module.exports;
}

/** A fixture export as a form: a form as it is, one component wrapped in a form; anything else (values, submissions) null. */
function asForm(value: unknown): Json | null {
  if (!isObject(value)) return null;
  if (Array.isArray(value.components) && typeof value.type !== "string") return value;
  if (typeof value.type === "string" && value.type !== "form" && (typeof value.key === "string" || Array.isArray(value.components)))
    return { components: [value] };
  if (value.type === "form" && Array.isArray(value.components) && typeof value.key !== "string") return value;
  if (typeof value.type === "string") return { components: [value] };
  return null;
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const seen = new Set<string>();
let written = 0;
const componentsDir = path.join(packageDir, "components");
// components/<type>/fixtures and components/_classes/<class>/fixtures
const dirs = readdirSync(componentsDir)
  .filter((name) => statSync(path.join(componentsDir, name)).isDirectory())
  .flatMap((name) => (name === "_classes" ? readdirSync(path.join(componentsDir, name)).map((sub) => `${name}/${sub}`) : [name]));
for (const component of dirs.sort()) {
  const fixtures = path.join(componentsDir, component, "fixtures");
  let files: string[];
  try {
    files = readdirSync(fixtures).filter((f) => f.endsWith(".js") && f !== "index.js" && !/^values/i.test(f));
  } catch {
    continue;
  }
  for (const file of files.sort()) {
    let exported: unknown;
    try {
      exported = load(path.join(fixtures, file));
    } catch (err) {
      console.error(`skipped ${component}/${file}: ${(err as Error).message}`);
      continue;
    }
    const entries = isObject(exported) ? Object.entries(exported).filter(([name]) => name !== "__esModule") : [];
    for (const [name, value] of entries) {
      const form = asForm(value);
      if (!form) continue;
      const json = JSON.stringify(form);
      const hash = createHash("sha256").update(json).digest("hex");
      if (seen.has(hash)) continue;
      seen.add(hash);
      const base = `${component.replace(/^_classes\//, "")}-${file.replace(/\.js$/, "")}${name === "default" ? "" : `-${name}`}`;
      writeFileSync(path.join(outDir, `${base}.json`), `${JSON.stringify(form, null, 1)}\n`);
      written++;
    }
  }
}
console.log(`${written} forms written to ${path.relative(process.cwd(), outDir)}`);
