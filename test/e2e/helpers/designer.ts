import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Locator, Page } from "playwright-core";

/** Where the designer tests put their screenshots (to look at after a run): DESIGNER_SHOTS_DIR or /tmp/designer-shots. */
export const SHOTS_DIR = process.env.DESIGNER_SHOTS_DIR ?? "/tmp/designer-shots";

/** Saves a full-page screenshot as <SHOTS_DIR>/<name>.png and returns its path. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, `${name.replace(/[^\w.-]+/g, "_")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Latin words a person sees in an element (the builder's settings dialog, a rendered form): visible text only, leaving
 * out what is meant to be code (editors, <code> examples) and the names of the notations themselves.
 */
export async function englishWords(scope: Locator): Promise<string[]> {
  const texts = await scope.evaluate((el) => {
    const out: string[] = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest(".ace_editor, code, pre, script, style")) continue;
      if (!parent.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      out.push(node.textContent ?? "");
    }
    return out;
  });
  // Notations and keys named as such in Chinese text: JSONLogic, HTML, the Tab key; all-capital codes (CNY, CSS).
  const allowed = new Set(["JSONLogic", "Tab"]);
  return [...new Set(texts.join(" ").match(/[A-Za-z]{3,}(?:[ '-][A-Za-z]{2,})*/g) ?? [])].filter(
    (w) => !allowed.has(w) && !/^[A-Z]{2,5}$/.test(w),
  );
}

/** englishWords of every tab of the open settings dialog, each prefixed with its tab. */
export async function englishInSettings(dialog: Locator): Promise<string[]> {
  const found: string[] = [];
  for (const tab of (await dialog.getByRole("tab").allInnerTexts()).map((t) => t.trim())) {
    await openTab(dialog, tab);
    for (const w of await englishWords(dialog)) found.push(`${tab}：${w}`);
  }
  await openTab(dialog, "显示");
  return found;
}

/** The component settings dialog of the Form.io builder. */
export function settings(page: Page): Locator {
  return page.locator(".component-edit-container");
}

/** Opens the designer for a new form and waits until the builder is ready. */
export async function openNewForm(page: Page): Promise<void> {
  await page.goto("/admin/forms/new");
  await page.locator("#form-designer[data-ready='1']").waitFor();
}

/** Opens a palette group (an accordion section titled in Chinese) unless it is open already. */
export async function openGroup(page: Page, title: string): Promise<Locator> {
  const button = page.locator(".builder-group-button", { hasText: title }).first();
  const target = await button.getAttribute("data-bs-target");
  assert.ok(target, `palette group ${title}`);
  const group = page.locator(target);
  if (!(await group.evaluate((el) => el.classList.contains("show")))) {
    await button.click();
    await page.waitForFunction((sel) => {
      const el = document.querySelector(sel);
      return !!el && el.classList.contains("show") && !el.classList.contains("collapsing");
    }, target);
  }
  return group;
}

/**
 * Drags a palette entry (by its key: textfield, radio, panel ...) from a palette group onto a drop target with the
 * mouse, as a person would, and waits for the settings dialog the builder opens for a new component.
 */
export async function dragComponent(
  page: Page,
  group: string,
  key: string,
  target: Locator,
  position?: { x: number; y: number },
): Promise<Locator> {
  const palette = await openGroup(page, group);
  const item = palette.locator(`[data-key="${key}"]`).first();
  await item.scrollIntoViewIfNeeded();
  await target.scrollIntoViewIfNeeded();
  const from = await item.boundingBox();
  assert.ok(from, `palette entry ${key} is on screen`);
  const point = async () => {
    const to = await target.boundingBox();
    assert.ok(to, `the drop target of ${key} is on screen`);
    return { x: to.x + (position?.x ?? to.width / 2), y: to.y + (position?.y ?? to.height / 2) };
  };
  // dragula starts a drag on mousedown + a first move, and finds the drop container under the pointer while it moves.
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 5, from.y + from.height / 2 + 5, { steps: 2 });
  // On its way the pointer crosses other drop zones, whose placeholder shifts the page: aim again until it stays put.
  let at = await point();
  for (let i = 0; i < 4; i++) {
    await page.mouse.move(at.x, at.y, { steps: i === 0 ? 12 : 3 });
    const again = await point();
    if (Math.abs(again.x - at.x) < 1 && Math.abs(again.y - at.y) < 1) break;
    at = again;
  }
  await page.mouse.move(at.x, at.y + 1, { steps: 2 });
  await page.mouse.up();
  const dialog = settings(page);
  await dialog.waitFor();
  return dialog;
}

/** Where new fields of a single-page form go: just above the form's submit button. */
export function beforeSubmit(page: Page): { target: Locator; position: { x: number; y: number } } {
  return {
    target: page.locator("#builder .formio-builder-form > .builder-component").filter({ has: page.locator("button[name='data[submit]']") }),
    position: { x: 30, y: 3 },
  };
}

/** Drags a component above the submit button of a single-page form. */
export async function dragIntoForm(page: Page, group: string, key: string): Promise<Locator> {
  const { target, position } = beforeSubmit(page);
  return dragComponent(page, group, key, target, position);
}

/** Selects a settings tab of the open dialog. */
export async function openTab(dialog: Locator, name: string): Promise<void> {
  await dialog.getByRole("tab", { name, exact: true }).click();
}

/** Types a component's label (or a panel's title) on the 显示 tab. */
export async function typeLabel(dialog: Locator, label: string, field: "label" | "title" = "label"): Promise<void> {
  await openTab(dialog, "显示");
  const input = dialog.locator(`input[name="data[${field}]"]`);
  const key = dialog.locator('input[name="data[key]"]');
  const before = (await key.count()) ? await key.inputValue() : "";
  // A Chinese label arrives whole from the input method, as one input event: fill() does the same.
  await input.click();
  await input.fill(label);
  // Form.io handles the edit form's change after a short debounce; a new component's key follows the label then.
  await dialog
    .page()
    .waitForFunction(
      ([was]) => {
        const el = document.querySelector<HTMLInputElement>('.component-edit-container input[name="data[key]"]');
        return !el || el.value !== was;
      },
      [before],
      { timeout: 1500 },
    )
    .catch(() => undefined);
  await dialog.page().waitForTimeout(150);
}

/** The key on the 接口 tab (generated from the label for a new component). */
export async function keyOf(dialog: Locator): Promise<string> {
  await openTab(dialog, "接口");
  return dialog.locator('input[name="data[key]"]').inputValue();
}

/** Saves the settings dialog and waits until it closes. */
export async function saveSettings(dialog: Locator): Promise<void> {
  await dialog.getByRole("button", { name: "保存", exact: true }).click();
  await dialog.waitFor({ state: "detached" });
}

/** Picks an option of a Choices.js select inside the dialog by its visible text. */
export async function choose(dialog: Locator, selectKey: string, optionText: string | RegExp): Promise<void> {
  const field = dialog.locator(`[class*="formio-component-${selectKey} "], [class$="formio-component-${selectKey}"]`).first();
  await field.locator(".choices").first().click();
  const option = field.locator(".choices__list--dropdown .choices__item--choice", { hasText: optionText }).first();
  await option.waitFor({ timeout: 5000 }).catch(async (err: unknown) => {
    const offered = await field.locator(".choices__list--dropdown .choices__item").allInnerTexts();
    throw new Error(`${selectKey} offers ${JSON.stringify(offered)}: ${String(err)}`);
  });
  await option.click();
}

/** Types JSONLogic into an ace editor of the dialog (insertText: ace would otherwise close every bracket it sees typed). */
export async function typeJson(page: Page, dialog: Locator, componentKey: string, json: unknown): Promise<void> {
  const editor = dialog.locator(`.formio-component-${componentKey} .ace_editor`).first();
  await editor.waitFor();
  await editor.click();
  await page.keyboard.insertText(JSON.stringify(json));
}
