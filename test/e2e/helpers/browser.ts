import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page, type Request } from "playwright-core";

/** Debian's Chromium (apt-get install chromium); the machine has no internet, so no downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where screenshots go: test-artifacts/ at the repository root (gitignored). */
export const ARTIFACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../test-artifacts");

/**
 * Launches headless Chromium. The background-networking flags matter here: without them Chromium keeps
 * trying to reach Google's hosts, which this machine's closed network refuses. Playwright gives every
 * launch a fresh, empty profile directory of its own.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** A fresh browser context (own cookies) sized like an office desktop, in Chinese. */
export async function newContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl, locale: "zh-CN", timezoneId: "Asia/Shanghai", viewport: { width: 1280, height: 800 } });
}

/** Records every request any page of the context makes, so a test can assert that none leaves the test server. */
export function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on("request", (request: Request) => urls.push(request.url()));
  return urls;
}

/** The recorded requests that went anywhere but the test server (data: and blob: URLs stay in the page). */
export function requestsOffHost(urls: readonly string[], host: string): string[] {
  return urls.filter((url) => {
    if (url.startsWith("data:") || url.startsWith("blob:") || url === "about:blank") return false;
    try {
      return new URL(url).host !== host;
    } catch {
      return true;
    }
  });
}

/**
 * Logs in through the login page as a person would and waits for the page the login leads to. When the page
 * is still signed in (the login page then redirects away), it first logs out through the navigation bar.
 */
export async function loginAs(page: Page, username: string, password: string): Promise<void> {
  await page.goto("/login");
  if (new URL(page.url()).pathname !== "/login") {
    await logout(page);
  }
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await Promise.all([page.waitForURL((url) => url.pathname !== "/login"), page.getByRole("button", { name: "登录" }).click()]);
}

/** Clicks 退出登录 in the navigation bar and waits for the login page. */
export async function logout(page: Page): Promise<void> {
  await Promise.all([page.waitForURL((url) => url.pathname === "/login"), page.getByRole("button", { name: "退出登录" }).click()]);
  assert.equal(new URL(page.url()).pathname, "/login");
}

/** Saves a full-page screenshot as test-artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, "_")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Collects what makes a page broken even when its text is right: responses of 400 and above, failed requests,
 * uncaught script errors and console errors (CSP violations land there). The page icon is left out: Chromium
 * fetches it in the background and aborts the fetch when the test navigates on, which is not a fault of the page.
 */
export function watchProblems(context: BrowserContext): string[] {
  const problems: string[] = [];
  const isFavicon = (url: string) => ["/favicon.ico", "/assets/favicon.svg"].includes(new URL(url, "http://x").pathname);
  context.on("response", (res) => {
    if (res.status() >= 400 && !isFavicon(res.url())) problems.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  context.on("requestfailed", (req) => {
    if (!isFavicon(req.url())) problems.push(`failed ${req.url()}: ${req.failure()?.errorText ?? ""}`);
  });
  const watchPage = (page: Page) => {
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error" && !isFavicon(msg.location().url || "about:blank")) {
        problems.push(`console error: ${msg.text()} (${msg.location().url})`);
      }
    });
  };
  context.pages().forEach(watchPage);
  context.on("page", watchPage);
  return problems;
}
