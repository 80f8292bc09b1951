import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Commitment } from "../../server/db/models/Commitment.js";
import { Department } from "../../server/db/models/Department.js";
import { createDepartment } from "../../server/domain/accounts/departments.js";
import { usccCheckCharacter } from "../../server/domain/subjects/uscc.js";
import { buildUser, loginAs } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { buildPublishedItem, buildSubmittedCase, ensureShippedForms } from "../domain/commitments/fixtures.js";

const linkOf = (html: string, code: string) =>
  new RegExp(
    `<a class="font-monospace" href="([^"]+)" data-testid="archive-case-link">${code}</a><div class="text-muted text-nowrap">([^<]+)</div>`,
  ).exec(html.replace(/&#x3D;/g, "="));

describe("信用承诺档案: links to the case, the accepting unit's USCC, text without entities", () => {
  const dept = `t${randomBytes(3).toString("hex")}`;
  const uscc = (() => {
    const first17 = `11410182MB${randomBytes(4)
      .toString("hex")
      .toUpperCase()
      .replace(/[IOSVZ]/g, "1")
      .slice(0, 7)}`;
    return first17 + usccCheckCharacter(first17);
  })();
  let itemCode: string;

  before(async () => {
    await ensureShippedForms();
    await testApp().db.transaction((t) => createDepartment({ code: dept, name: `测试局${dept}` }, t));
    itemCode = await buildPublishedItem(dept);
  });

  it("links a row to the reviewer's open task, else to the instance page (dept_admin) or the subject's profile", async () => {
    const { code, subject } = await buildSubmittedCase(itemCode);
    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: dept, groups: [dept] }));
    const deptAdmin = await loginAs(await buildUser({ roles: ["dept_admin"], department: dept, groups: [dept] }));

    const open = linkOf((await reviewer.get(`/archive?item=${itemCode}`).expect(200)).text, code);
    assert.ok(open, "the row's code is a link");
    assert.match(open[1]!, /^\/tasks\/[^/]+$/);
    assert.match(open[2]!, /^待办：/);
    await reviewer.get(open[1]!).expect(200);

    // Once the case has no open task, the reviewer reads the subject's profile; the dept_admin the process instance.
    const c = await Commitment.findOne({ where: { code } });
    await testApp().app.locals.context.engine.cancelInstance(c!.processInstanceId!, { actor: "admin", reason: "测试" });
    const ended = linkOf((await reviewer.get(`/archive?item=${itemCode}`).expect(200)).text, code);
    assert.equal(ended?.[1], `/admin/credit/subjects/${subject.code}`);
    assert.equal(ended?.[2], "主体信用档案");
    await reviewer.get(ended[1]).expect(200);
    const admin = linkOf((await deptAdmin.get(`/archive?item=${itemCode}`).expect(200)).text, code);
    assert.equal(admin?.[1], `/admin/instances/${c!.processInstanceId}`);
    assert.equal(admin?.[2], "办理过程");
    await deptAdmin.get(admin[1]).expect(200);
  });

  it("exports 承诺受理单位统一社会信用代码 (the department's current code when none was recorded) and no HTML entities", async () => {
    const before = await buildSubmittedCase(itemCode); // the department has no USCC yet: none recorded
    assert.equal((await Commitment.findOne({ where: { code: before.code } }))!.acceptingUnitUscc, null);
    await Department.update({ uscc }, { where: { code: dept } });
    const after = await buildSubmittedCase(itemCode);
    assert.equal((await Commitment.findOne({ where: { code: after.code } }))!.acceptingUnitUscc, uscc, "recorded at submission");

    const reviewer = await loginAs(await buildUser({ roles: ["reviewer"], department: dept, groups: [dept] }));
    const csv = await reviewer.get(`/api/archive?format=csv&item=${itemCode}`).expect(200);
    const [header, ...rows] = csv.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    const columns = header!.split(",");
    const at = columns.indexOf("承诺受理单位统一社会信用代码");
    assert.ok(at > 0, "the column is in the header");
    for (const code of [before.code, after.code]) {
      const row = rows.find((r) => r.startsWith(`${code},`));
      assert.ok(row, `${code} is exported`);
    }
    assert.doesNotMatch(csv.text, /&(#x?[0-9a-f]+|[a-z]+);/i, "no HTML entities (the letter once left &emsp; in 承诺内容)");
    assert.match(csv.text, /承诺编码：/, "the letter's meta line is there, as text");
    // The USCC sits in its column for both rows (quoted cells hold line breaks, so read the JSON export's fields).
    const json = await reviewer.get(`/api/archive?format=json&item=${itemCode}`).expect(200);
    for (const r of json.body.data as { code: string; acceptingUnitUscc: string | null; content: string }[]) {
      assert.equal(r.acceptingUnitUscc, uscc, `${r.code} carries the accepting unit's USCC`);
      assert.doesNotMatch(r.content, /&(#x?[0-9a-f]+|[a-z]+);/i);
    }
    assert.ok(csv.text.split(uscc).length - 1 >= 2, "the CSV carries it for both rows");

    const page = await reviewer.get(`/archive?item=${itemCode}`).expect(200);
    assert.match(page.text, new RegExp(`测试局${dept}<div class="small text-muted font-monospace">${uscc}</div>`));
  });
});
