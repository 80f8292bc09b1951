import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { audit } from "../../../server/domain/audit.js";
import { AUDIT_ACTIONS, actionLabel } from "../../../server/presenters/auditLabels.js";
import { compactValue, plainIp, presentAuditEntry, presentDetail } from "../../../server/presenters/audit.js";
import { buildUser, loginAs } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../server");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Every action string the server writes: literal actions, conditional ones, flow specs, and the two call sites that pass a variable. */
function writtenActions(): Map<string, string> {
  const found = new Map<string, string>();
  const add = (action: string, file: string) => found.set(action, path.relative(SERVER, file));
  const dynamicSites: Record<string, RegExp> = {
    // changeAssignee(ctx, id, actor, "task.claimed", ...) audits the action it is given.
    "engine/runtime/tasks.ts": /"(task\.[a-z_]+)"/g,
    // recordReviewOutcome("退回补正", "commitment.returned") audits its second argument.
    "domain/commitments/services.ts": /"(commitment\.[a-z_]+)"/g,
  };
  for (const file of sourceFiles(SERVER)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\b(?:action|auditAction):\s*"([a-z_]+\.[a-z_]+)"/g)) add(m[1]!, file);
    for (const m of text.matchAll(/\baction:\s*[^,\n]+\?\s*"([a-z_]+\.[a-z_]+)"\s*:\s*"([a-z_]+\.[a-z_]+)"/g)) {
      add(m[1]!, file);
      add(m[2]!, file);
    }
    const dynamic = dynamicSites[path.relative(SERVER, file)];
    if (dynamic) for (const m of text.matchAll(dynamic)) add(m[1]!, file);
  }
  for (const site of Object.keys(dynamicSites)) assert.ok(statSync(path.join(SERVER, site)).isFile(), `${site} still exists`);
  return found;
}

describe("admin: audit log in Chinese", () => {
  it("names every action the server writes (unknown ones fall back to the code)", () => {
    const written = writtenActions();
    assert.ok(written.size >= 60, `found ${written.size} actions`);
    const missing = [...written].filter(([a]) => !AUDIT_ACTIONS[a]).map(([a, f]) => `${a} (${f})`);
    assert.deepEqual(missing, [], "every written action has a Chinese name");
    assert.equal(actionLabel("user.created"), "新建用户");
    assert.equal(actionLabel("something.new"), "something.new");
  });

  it("shows details as labelled fields, nested values compactly, and plain IPv4", () => {
    const fields = presentDetail(
      "user.updated",
      JSON.stringify({ displayName: { from: "张三", to: "李四" }, roles: { from: ["reviewer"], to: ["reviewer", "dept_admin"] } }),
    );
    assert.deepEqual(fields, [
      { label: "姓名", value: "张三 → 李四" },
      { label: "角色", value: "reviewer → reviewer、dept_admin" },
    ]);
    const deployed = presentDetail("process.deployed", JSON.stringify({ name: "d", definitions: [{ key: "k", version: 2 }], warnings: 0 }));
    assert.deepEqual(deployed[1], { label: "流程定义", value: "流程标识：k；版本：2" });
    for (const f of deployed) assert.doesNotMatch(f.value, /[{}[\]"]/, "no JSON punctuation");
    assert.deepEqual(presentDetail("task.assigned", JSON.stringify({ from: null, to: "reviewer" })), [
      { label: "原办理人", value: "—" },
      { label: "新办理人", value: "reviewer" },
    ]);
    assert.equal(compactValue("2026-12-01T02:05:00.000Z"), "2026-12-01 10:05", "instants in China time");
    assert.equal(compactValue(true), "是");
    assert.equal(compactValue({}), "（无）");
    assert.match(compactValue(Array.from({ length: 30 }, (_, i) => i)), /等共 30 项$/);
    assert.deepEqual(presentDetail("x.y", "not json"), [{ label: "详情", value: "not json" }]);
    assert.equal(plainIp("::ffff:127.0.0.1"), "127.0.0.1");
    assert.equal(plainIp("::1"), "::1");
    assert.equal(plainIp("2001:db8::1"), "2001:db8::1");
    const e = presentAuditEntry(
      { id: 1, at: new Date(), actor: "a", action: "auth.login", entityType: "user", entityId: "7", detail: null, ip: "::ffff:10.0.0.2" },
      null,
    );
    assert.equal(e.actionLabel, "登录");
    assert.equal(e.entityType, "用户");
    assert.equal(e.ip, "10.0.0.2");
  });

  it("renders the page with Chinese names, labelled filters and fields, and exports the same search as CSV", async () => {
    const { db } = testApp();
    const auditor = await buildUser({ roles: ["auditor"] });
    const agent = await loginAs(auditor);
    const entityId = `T-${auditor.username}`;
    await db.sequelize.transaction((t) =>
      audit(db, t, {
        actor: auditor.username,
        action: "department.updated",
        entityType: "department",
        entityId,
        detail: { code: "scjgj", from: { name: "旧名", uscc: null }, to: { name: "市市场监管局", uscc: "11410182MB0000000X" } },
        ip: "::ffff:127.0.0.1",
      }),
    );
    const page = await agent.get(`/admin/audit?entityType=department&entityId=${entityId}`).expect(200);
    assert.match(page.text, /<label class="form-label small" for="f-action">操作<\/label>/);
    assert.match(page.text, /<option value="department.updated">修改部门<\/option>/);
    assert.match(page.text, /<option value="department" selected>部门<\/option>/);
    assert.match(page.text, /data-testid="audit-action">修改部门/);
    assert.match(page.text, /<dt[^>]*>修改前<\/dt><dd[^>]*>名称：旧名；统一社会信用代码：—<\/dd>/);
    assert.match(page.text, /<dt[^>]*>修改后<\/dt><dd[^>]*>名称：市市场监管局；统一社会信用代码：11410182MB0000000X<\/dd>/);
    assert.doesNotMatch(page.text, /::ffff:/);
    assert.doesNotMatch(page.text, /&quot;uscc&quot;/, "no raw JSON");
    const html = page.text.replace(/&#x3D;/g, "=").replace(/&amp;/g, "&");
    assert.ok(html.includes(`href="/admin/audit/export.csv?entityType=department&entityId=${entityId}"`), "the export keeps the filters");

    const csv = await agent.get(`/admin/audit/export.csv?entityType=department&entityId=${entityId}`).expect(200);
    assert.match(String(csv.headers["content-type"]), /^text\/csv; charset=utf-8/);
    assert.match(String(csv.headers["content-disposition"]), /^attachment;.*filename\*=UTF-8''%E5%AE%A1%E8%AE%A1/);
    assert.ok(csv.text.startsWith("\uFEFF序号,时间,操作人,操作,操作代码,对象类型,对象编号,详情,IP地址\r\n"), "BOM and Chinese header");
    const lines = csv.text.trim().split("\r\n");
    assert.equal(lines.length, 2, "the header and the one matching entry");
    assert.match(
      lines[1]!,
      new RegExp(`,${auditor.username},修改部门,department.updated,部门,${entityId},代码：scjgj；修改前：名称：旧名；`),
    );
    assert.match(lines[1]!, /,127\.0\.0\.1$/);

    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"] }));
    await reviewer.get("/admin/audit/export.csv").set("Accept", "text/html").expect(403);
  });

  it("exports every matching entry, not one page", async () => {
    const { db } = testApp();
    const auditor = await buildUser({ roles: ["auditor"] });
    const agent = await loginAs(auditor);
    const entityId = `MANY-${auditor.username}`;
    await db.sequelize.transaction(async (t) => {
      for (let i = 0; i < 25; i++)
        await audit(db, t, { actor: "system", action: "rule.set", entityType: "rule_setting", entityId, detail: { value: i } });
    });
    const page = await agent.get(`/admin/audit?entityId=${entityId}`).expect(200);
    assert.match(page.text, /符合条件的 25 条记录/);
    const csv = await agent.get(`/admin/audit/export.csv?entityId=${entityId}`).expect(200);
    assert.equal(csv.text.trim().split("\r\n").length, 26);
  });
});
