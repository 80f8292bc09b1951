// Captures what @formio/js's own builder writes for each palette component: drags it into an empty form in Chromium,
// saves the settings dialog (filling the one option value or label the dialog requires) and records the form JSON.
// The result is test/fixtures/formio-corpus/builder-5.6.0/palette.json, which the tests save through the server
// exactly as the builder would send it. Plain @formio/js with its defaults (no platform options), so the fixture shows
// the builder's raw output. Run after upgrading @formio/js:
//   npx tsx bench/forms/capture-builder-palette.ts [types,comma,separated]
import { writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import { ROOT_DIR } from "../../server/paths.js";

const only = process.argv[2]?.split(",").filter(Boolean);
const out = path.join(ROOT_DIR, "test/fixtures/formio-corpus/builder-5.6.0/palette.json");
const NM = path.join(ROOT_DIR, "node_modules");

/** A page of its own origin (Form.io reads document.cookie, which about:blank refuses), served from node_modules. */
const ORIGIN = "http://builder.test";
const PAGE = `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/nm/bootstrap/dist/css/bootstrap.min.css"><link rel="stylesheet" href="/nm/@formio/js/dist/formio.full.min.css">
<script src="/nm/@formio/js/dist/formio.full.min.js"></script></head><body><div id="b"></div></body></html>`;

async function openBuilder(page: Page): Promise<void> {
  await page.goto(`${ORIGIN}/`);
  await page.evaluate(async () => {
    const w = window as unknown as {
      Formio: { builder: (el: Element, form: unknown, opts: unknown) => Promise<unknown> };
      builder: unknown;
    };
    w.builder = await w.Formio.builder(document.getElementById("b")!, { display: "form", components: [] }, {});
  });
}

/** Fills what the settings dialog requires before it saves (a label, one option). */
async function satisfyDialog(page: Page): Promise<void> {
  const label = page.locator('.formio-dialog input[name="data[label]"]');
  if ((await label.count()) && (await label.isVisible()) && !(await label.inputValue())) await label.fill("Label");
  await page
    .locator(".formio-dialog .nav-link")
    .filter({ hasText: "Data" })
    .first()
    .click({ timeout: 2000 })
    .catch(() => undefined);
  for (const [suffix, value] of [
    ["[0][label]", "A"],
    ["[0][value]", "a"],
  ] as const) {
    const inputs = page.locator(`.formio-dialog input[name$="${suffix}"]`);
    for (let i = 0; i < (await inputs.count()); i++) if (await inputs.nth(i).isVisible()) await inputs.nth(i).fill(value);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.route(`${ORIGIN}/**`, async (route) => {
  const url = new URL(route.request().url());
  if (url.pathname === "/") return route.fulfill({ contentType: "text/html", body: PAGE });
  if (url.pathname.startsWith("/nm/")) return route.fulfill({ path: path.join(NM, decodeURIComponent(url.pathname.slice(4))) });
  return route.fulfill({ status: 404, body: "" });
});
await page.route(/^(?!http:\/\/builder\.test)/, (route) => route.abort());
await openBuilder(page);
const types =
  only ?? (await page.$$eval(".formcomponents [data-type]", (els) => [...new Set(els.map((e) => e.getAttribute("data-type") ?? ""))]));
const palette: Record<string, unknown[]> = {};
for (const type of types) {
  await openBuilder(page);
  const item = page.locator(`.formcomponents [data-type="${type}"]`).first();
  if (!(await item.isVisible())) {
    await item.evaluate((e) => (e.closest(".card")?.querySelector(".builder-group-button") as HTMLElement | null)?.click());
    await page.waitForTimeout(300);
  }
  await item.dragTo(page.locator(".drag-container.formio-builder-form, .formio-builder-form .drag-container").first(), { timeout: 5000 });
  const save = page.locator('.formio-dialog [ref="saveButton"]');
  await save.click({ timeout: 5000 });
  await page.waitForTimeout(300);
  if (await page.locator(".formio-dialog").count()) {
    await satisfyDialog(page);
    await save.click({ timeout: 5000 }).catch(() => undefined);
    await page.waitForTimeout(300);
  }
  if (await page.locator(".formio-dialog").count()) {
    console.log(`${type}: the dialog does not save with its defaults (e.g. address needs a provider, form a form); skipped`);
    continue;
  }
  const form = (await page.evaluate(
    () => JSON.parse(JSON.stringify((window as unknown as { builder: { form: unknown } }).builder.form)) as unknown,
  )) as {
    components: { type?: string; key?: string }[];
  };
  // The builder's default submit button is left out (the button entry has its own).
  const kept = form.components.filter((c) => type === "button" || !(c.type === "button" && c.key === "submit"));
  palette[type] = kept;
  console.log(`${type}: ${kept.map((c) => `${c.type}:${c.key}`).join(", ")}`);
}
await browser.close();
if (!only) writeFileSync(out, `${JSON.stringify(palette, null, 1)}\n`);
else console.log(JSON.stringify(palette, null, 1));
