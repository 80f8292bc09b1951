import assert from "node:assert/strict";
import { admin, engine } from "../../engine/helpers.js";
import { presentVariables } from "../../../server/presenters/process.js";
import { buildUser, loginAs } from "../../helpers/factories.js";
import { reviewProcessXml } from "./processFixture.js";

const rowOf = (html: string, name: string) => {
  const m = new RegExp(`<tr data-variable="${name}">([\\s\\S]*?)</tr>`).exec(html);
  assert.ok(m, `a row for ${name}`);
  return m[1]!;
};

describe("admin: instance variables, typed and in local time", () => {
  it("types values as Camunda does and shows dates in China time", () => {
    const views = presentVariables(
      {
        s: "文本",
        i: 12,
        l: 3_000_000_000,
        d: 0.5,
        b: false,
        n: null,
        due: "2026-12-01T02:05:00.000Z",
        iso: "2026-12-01T16:30:00.000Z",
        j: { a: [1, 2] },
        list: [1, 2, 3],
      },
      { due: "Date" },
    );
    const byName = Object.fromEntries(views.map((v) => [v.name, v]));
    assert.deepEqual(
      views.map((v) => v.name),
      ["b", "d", "due", "i", "iso", "j", "l", "list", "n", "s"],
      "sorted by name",
    );
    assert.deepEqual(Object.fromEntries(views.map((v) => [v.name, v.type])), {
      b: "Boolean",
      d: "Double",
      due: "Date",
      i: "Integer",
      iso: "String",
      j: "Json",
      l: "Long",
      list: "Json",
      n: "Null",
      s: "String",
    });
    assert.equal(byName.due!.text, "2026-12-01 10:05（北京时间）");
    assert.equal(byName.due!.raw, "2026-12-01T02:05:00.000Z");
    assert.equal(byName.iso!.localHint, "北京时间 2026-12-02 00:30", "an instant held as a String gets the local time beside it");
    assert.equal(byName.j!.text, "对象，1 个字段");
    assert.equal(byName.list!.text, "列表，3 项");
    assert.equal(byName.j!.pretty, JSON.stringify({ a: [1, 2] }, null, 2));
    assert.equal(byName.b!.text, "false（否）");
    assert.equal(byName.n!.text, "空值");
  });

  it("renders the variables table on the instance page with a collapsible JSON block", async () => {
    const { key, xml } = reviewProcessXml();
    const d = await engine().deploy({ name: "vars", files: [{ name: `${key}.bpmn`, xml }], actor: admin() });
    const big = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`field${i}`, i]));
    const inst = await engine().startProcess({
      definitionId: d.deployedProcessDefinitions[0]!.id,
      businessKey: `${key}-VARS`,
      variables: { reviewDueAt: "2026-12-01T02:05:00.000Z", applicant: "荥阳市示范食品有限公司", area: 120, approved: true, detail: big },
      variableTypes: { reviewDueAt: "Date" },
      actor: admin(),
    });
    const agent = await loginAs(await buildUser({ roles: ["admin"] }));
    const page = await agent.get(`/admin/instances/${inst.id}`).expect(200);
    assert.match(page.text, /<th scope="col">名称<\/th><th scope="col">类型<\/th><th scope="col">值<\/th>/);
    const due = rowOf(page.text, "reviewDueAt");
    assert.match(due, />Date</);
    assert.match(due, /<time datetime="2026-12-01T02:05:00.000Z" title="2026-12-01T02:05:00.000Z">2026-12-01 10:05（北京时间）<\/time>/);
    assert.doesNotMatch(due, />2026-12-01T02:05/, "the UTC text is not what a person reads");
    assert.match(rowOf(page.text, "area"), />Integer<[\s\S]*>120</);
    assert.match(rowOf(page.text, "approved"), />Boolean<[\s\S]*true（是）/);
    const detail = rowOf(page.text, "detail");
    assert.match(detail, />Json</);
    assert.match(detail, /<details><summary>对象，20 个字段<\/summary><pre[^>]*>\{\n {2}&quot;field0&quot;: 0,/, "long JSON starts folded");
  });
});
