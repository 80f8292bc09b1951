import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { loginAs, screenshot } from "./browser.js";

/** A form renderer on the page has its Form.io form. */
export async function formReady(page: Page, selector: string): Promise<void> {
  await page.waitForFunction((s) => !!(document.querySelector(s) as { xyForm?: unknown } | null)?.xyForm, selector);
}

/** Every form on the page (the case's filled forms, read-only) and the diagram have loaded: leaving cuts no request short. */
export async function pageSettled(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    [...document.querySelectorAll("[data-form-renderer]")].every((el) => !!(el as unknown as { xyForm?: unknown }).xyForm),
  );
  await page.locator('[data-testid="diagram"][data-rendered="true"]').waitFor();
}

/**
 * A reviewer opens the case's task from the inbox, sees the diagram at `current`, picks a decision (and an opinion) in
 * the task's form and submits; back on the inbox afterwards.
 */
export async function decideFromInbox(
  page: Page,
  input: {
    username: string;
    password: string;
    code: string;
    current: string;
    decision: string;
    opinion?: { label: string; text: string };
    shot: string;
  },
): Promise<void> {
  await loginAs(page, input.username, input.password);
  await page.goto("/tasks");
  const row = page.locator(`tr[data-code="${input.code}"]`);
  await row.waitFor();
  await Promise.all([page.waitForURL(/\/tasks\/[^/?]+$/), row.getByRole("link", { name: "办理" }).click()]);
  await formReady(page, '[data-testid="decision"] [data-form-renderer]');
  await pageSettled(page);
  assert.equal(await page.getByTestId("diagram").getAttribute("data-current"), input.current);
  await screenshot(page, input.shot);
  const decision = page.getByTestId("decision");
  await decision.getByLabel(input.decision).check();
  if (input.opinion) await decision.getByLabel(input.opinion.label).fill(input.opinion.text);
  await page.waitForTimeout(300); // Form.io debounces its change event
  await Promise.all([page.waitForURL((u) => u.pathname === "/tasks"), decision.getByRole("button", { name: "提交" }).click()]);
  await page.getByTestId("counts").waitFor();
}
