import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import {
  launchBrowser,
  loginAs,
  logout,
  newContext,
  recordRequests,
  requestsOffHost,
  screenshot,
  watchProblems,
} from "./helpers/browser.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";

// What server/presenters/navigation.ts gives each demo account: entries it must see and entries it must not.
// Everyone signed in also sees 首页 and 信用查询. Admins see the staff and admin pages, not the applicant's own pages.
const ACCOUNTS: ReadonlyArray<{ username: string; roles: string; sees: string[]; hidden: string[] }> = [
  {
    username: "admin",
    roles: "系统管理员",
    sees: ["用户管理", "部门管理", "信用主体", "审计日志", "待办任务", "表单设计"],
    hidden: ["我的主体", "我的办件"],
  },
  { username: "reviewer", roles: "审核人员", sees: ["信用主体"], hidden: ["用户管理", "部门管理", "审计日志", "我的主体"] },
  { username: "reviewer2", roles: "审核人员", sees: ["信用主体"], hidden: ["用户管理", "部门管理", "审计日志", "我的主体"] },
  { username: "deptadmin", roles: "部门管理员", sees: ["信用主体"], hidden: ["用户管理", "部门管理", "审计日志", "我的主体"] },
  { username: "applicant", roles: "申请人", sees: ["我的主体"], hidden: ["用户管理", "部门管理", "信用主体", "审计日志"] },
  { username: "auditor", roles: "审计人员", sees: ["信用主体", "审计日志"], hidden: ["用户管理", "部门管理", "我的主体"] },
];

// Admin pages sit in drop-down menus (hidden until opened): every link counts, shown or folded.
async function navLabels(page: Page): Promise<string[]> {
  const texts = await page.getByTestId("nav").getByRole("link", { includeHidden: true }).allTextContents();
  return texts.map((t) => t.trim());
}

describe("browser: login, navigation per role, logout", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let requests: string[];
  let problems: string[];

  before(async function () {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async function () {
    context = await newContext(browser, server.baseUrl);
    requests = recordRequests(context);
    // A failed asset, a script error or a CSP violation is a broken page even when the text is right.
    problems = watchProblems(context);
  });

  afterEach(async function () {
    await context?.close();
  });

  for (const account of ACCOUNTS) {
    it(`${account.username} logs in, sees the ${account.roles} navigation in Chinese and logs out`, async function () {
      const page = await context.newPage();
      await loginAs(page, account.username, PASSWORD);

      assert.equal(new URL(page.url()).pathname, "/");
      assert.equal(await page.locator("html").getAttribute("lang"), "zh-CN");
      assert.match(await page.title(), /信用承诺与修复平台/);
      await page.getByTestId("current-user").waitFor();
      assert.match(await page.getByTestId("roles").innerText(), new RegExp(`身份：.*${account.roles}`));

      const labels = await navLabels(page);
      for (const label of ["首页", "信用查询", ...account.sees]) {
        assert.ok(labels.includes(label), `${account.username} should see ${label}; navigation: ${labels.join(" | ")}`);
      }
      for (const label of account.hidden) {
        assert.ok(!labels.includes(label), `${account.username} must not see ${label}; navigation: ${labels.join(" | ")}`);
      }
      // Bootstrap is served by this server: the navigation bar is styled, not a bare list.
      const navBackground = await page.locator("nav.navbar").evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.notEqual(navBackground, "rgba(0, 0, 0, 0)", "Bootstrap's stylesheet was not applied");
      await screenshot(page, `login-home-${account.username}`);
      // At an office desktop's width the bar stays one row: no label wraps and nothing is pushed off screen.
      const bar = await page
        .locator("nav.navbar")
        .evaluate((el) => ({ height: el.getBoundingClientRect().height, overflow: el.scrollWidth > el.clientWidth }));
      assert.ok(bar.height < 72 && !bar.overflow, `the navigation bar wraps or overflows: ${JSON.stringify(bar)}`);

      await logout(page);
      await page.goto("/");
      assert.equal(await page.getByTestId("current-user").count(), 0, "still signed in after logout");
      assert.ok(await page.getByRole("navigation").getByRole("link", { name: "登录", exact: true }).isVisible());

      assert.deepEqual(requestsOffHost(requests, server.host), [], "every request stays on the test server (no CDN)");
      assert.deepEqual(problems, [], "no failed request, script error or CSP violation");
    });
  }

  it("a signed-in person who opens the login page is sent on, and can switch accounts by logging out first", async function () {
    const page = await context.newPage();
    await loginAs(page, "reviewer", PASSWORD);
    await page.goto("/login");
    assert.equal(new URL(page.url()).pathname, "/", "the login page sends a signed-in person on");
    await loginAs(page, "applicant", PASSWORD);
    assert.match(await page.getByTestId("current-user").innerText(), /刘经办/);
    assert.ok((await navLabels(page)).includes("我的主体"));
    assert.deepEqual(problems, []);
  });

  it("a wrong password and an unknown user both show 用户名或密码错误 and keep the user on the login page", async function () {
    const page = await context.newPage();
    for (const [username, password] of [
      ["reviewer", "Wrong@12345"],
      ["nobody-" + Date.now().toString(36), PASSWORD],
    ] as const) {
      await page.goto("/login");
      await page.getByLabel("用户名").fill(username);
      await page.getByLabel("密码").fill(password);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login"),
        page.getByRole("button", { name: "登录" }).click(),
      ]);
      assert.equal(response.status(), 401);
      await page.getByTestId("login-error").waitFor();
      assert.equal((await page.getByTestId("login-error").innerText()).trim(), "用户名或密码错误");
      assert.equal(new URL(page.url()).pathname, "/login");
      assert.equal(await page.getByTestId("current-user").count(), 0);
    }
    await screenshot(page, "login-wrong-password");
    assert.deepEqual(requestsOffHost(requests, server.host), [], "every request stays on the test server (no CDN)");
    // The failed login answers 401 by design; anything else that failed is a broken page.
    assert.deepEqual(
      problems.filter((p) => !/^401 POST .*\/login$/.test(p) && !/status of 401/.test(p)),
      [],
    );
  });
});
