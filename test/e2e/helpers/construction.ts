import type { Page } from "playwright-core";

/** The shipped 建筑工程施工许可 item: a form of text fields, a date and one upload, no subject fields. */
export const CONSTRUCTION_ITEM = "zjj-construction-permit";
export const CONSTRUCTION_NAME = "建筑工程施工许可（告知承诺）";
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

/** Waits until the page's Form.io form is built. */
export async function formReady(page: Page, selector = "[data-form-renderer]"): Promise<void> {
  await page.waitForFunction((s) => !!(document.querySelector(s) as { xyForm?: unknown } | null)?.xyForm, selector);
}

/**
 * On the open apply page of the item, fills every field as a person does (the date typed into the calendar field, the
 * funding proof chosen as a file), then clicks 下一步 and waits for the letter preview.
 */
export async function fillConstructionForm(page: Page, project: string): Promise<void> {
  await formReady(page);
  await page.getByLabel("项目名称").fill(project);
  await page.getByLabel("建设地址").fill("荥阳市索河路18号");
  await page.getByLabel("合同价格（万元）").fill("1200");
  await page.getByLabel("施工单位").fill("荥阳市示范建筑工程有限公司");
  const date = page.locator(".formio-component-startDate input:visible").first();
  await date.fill("2026-12-20");
  await date.press("Enter");
  await page.getByLabel("安全措施").click();
  await page.getByLabel("安全措施").fill("专职安全员驻场，脚手架每日检查。");
  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    page.locator(".formio-component-fundingProof").getByText("选择文件").click(),
  ]);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/uploads"),
    chooser.setFiles({ name: "资金到位证明.png", mimeType: "image/png", buffer: PNG }),
  ]);
  await page.locator(".formio-component-fundingProof").getByText("资金到位证明.png").first().waitFor();
  await page.waitForTimeout(300); // Form.io debounces its change event; a person takes longer than that.
  await Promise.all([page.waitForURL(/\/apply\/preview/), page.getByRole("button", { name: /下一步/ }).click()]);
}

/** On the letter preview: ticks the confirmation, types the signer's name and clicks 签署并提交; returns the 承诺编码. */
export async function signAndSubmit(page: Page, signer: string): Promise<string> {
  await page.getByLabel(/本人已阅读并同意上述承诺/).check();
  await page.getByLabel("签署人姓名").fill(signer);
  await Promise.all([page.waitForURL(/\/submitted$/), page.getByRole("button", { name: "签署并提交" }).click()]);
  return (await page.getByTestId("commitment-code").innerText()).trim();
}
