import assert from "node:assert/strict";
import type { Browser, BrowserContext } from "playwright-core";
import { launchBrowser, loginAs, newContext, recordRequests, requestsOffHost, screenshot, watchProblems } from "./helpers/browser.js";
import { startServer, type RunningServer } from "./helpers/server.js";

const PASSWORD = "Demo@12345";
const SOURCE = "food-business-commitment";
const COPY = `${SOURCE}-copy`;
const NEW_LABEL = "已建立食品安全管理制度（修订后的说法）";

describe("browser: form administration (duplicate, revision diff, delete)", function () {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;

  before(async function () {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async function () {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it("copies a form, compares its two revisions and deletes the unused copy after confirming", async function () {
    context = await newContext(browser, server.baseUrl);
    const requests = recordRequests(context);
    const problems = watchProblems(context);
    const page = await context.newPage();
    await loginAs(page, "admin", PASSWORD);

    // 复制表单 from the list: the copy's key and title are proposed.
    await page.goto("/admin/forms");
    const row = page.getByTestId("forms-table").locator("tr", { hasText: SOURCE });
    await Promise.all([page.waitForURL(/\/duplicate$/), row.getByRole("link", { name: "复制表单" }).click()]);
    assert.equal(await page.getByLabel("新表单键名").inputValue(), COPY);
    assert.equal(await page.getByLabel("新表单名称").inputValue(), "食品经营许可告知承诺申请表（副本）");
    await Promise.all([page.waitForURL(`**/admin/forms/${COPY}/manage`), page.getByRole("button", { name: "复制为新表单" }).click()]);
    assert.match(await page.getByRole("status").innerText(), /复制为新表单“食品经营许可告知承诺申请表（副本）”/);
    assert.match(await page.getByTestId("draft-badge").innerText(), /草稿/);

    // The designer saves a second revision with one label changed (as the builder's save does, over the API).
    const saved = await page.evaluate(
      async ({ key, label }) => {
        const fetchJson = (window as unknown as { xyFetch: (u: string, o?: object) => Promise<Response> }).xyFetch;
        const current = (await (await fetchJson(`/api/forms/${key}?revision=1`)).json()) as {
          data: { title: string; definition: { components: { key: string; label?: string }[] } };
        };
        const definition = current.data.definition;
        for (const c of definition.components) if (c.key === "safetySystem") c.label = label;
        const res = await fetchJson(`/api/forms/${key}`, { method: "PUT", body: { ...definition, title: current.data.title } });
        await res.text(); // read to the end: a reload would abort an unread body
        return res.status;
      },
      { key: COPY, label: NEW_LABEL },
    );
    assert.equal(saved, 200);

    // Choose the two revisions on the form's page and compare them.
    await page.reload();
    const chooser = page.getByTestId("diff-chooser");
    await chooser.getByLabel("从").selectOption("1");
    await chooser.getByLabel("到").selectOption("2");
    await Promise.all([page.waitForURL(/\/diff\?from=1&to=2/), chooser.getByRole("button", { name: "比较这两个版本" }).click()]);
    const changed = page.getByTestId("diff-table").locator("tr[data-key='safetySystem']");
    assert.equal(await changed.locator(".badge").innerText(), "修改");
    assert.match(
      await changed.innerText(),
      new RegExp(`标签：已建立食品安全管理制度（进货查验、从业人员健康管理、食品安全自查等） → ${NEW_LABEL}`),
    );
    assert.match(await page.getByTestId("diff-summary").innerText(), /修改 1 个/);
    const file = await screenshot(page, "form-admin-diff");
    assert.ok(file.endsWith("form-admin-diff.png"));

    // Delete the unused draft copy: the confirmation names what goes, then the list no longer has it.
    await page.goto(`/admin/forms/${COPY}/manage`);
    let confirmation = "";
    page.once("dialog", (dialog) => {
      confirmation = dialog.message();
      void dialog.accept();
    });
    await Promise.all([page.waitForURL((url) => url.pathname === "/admin/forms"), page.getByTestId("delete-form").click()]);
    assert.match(confirmation, new RegExp(`确定删除表单“食品经营许可告知承诺申请表（副本）”（${COPY}）吗？将一并删除它的全部 2 个版本`));
    const list = await page.getByTestId("forms-table").innerText();
    assert.ok(!list.includes(COPY), "the copy is gone from the list");
    assert.ok(list.includes(SOURCE), "the source form is untouched");

    // The source form was published and is used by a shipped item: its delete button is disabled with the reasons.
    await page.goto(`/admin/forms/${SOURCE}/manage`);
    assert.equal(await page.getByTestId("delete-form").isDisabled(), true);
    const reasons = await page.getByTestId("delete-reasons").innerText();
    assert.match(reasons, /已发布过的表单不能删除，可停止使用/);
    assert.match(reasons, /已被事项 “食品经营许可/);
    await screenshot(page, "form-admin-source");

    assert.deepEqual(requestsOffHost(requests, server.host), [], "every request stays on this server");
    assert.deepEqual(problems, [], "no failed request, script error or CSP violation");
  });
});
