import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { ProcessDraft } from "../../../server/db/models/ProcessDraft.js";
import { EngineDefinition } from "../../../server/db/models/engineModels.js";
import { executableProcessOf } from "../../../server/domain/processes/modeler.js";
import { ROOT_DIR } from "../../../server/paths.js";
import type { Role } from "../../../server/db/models/UserRole.js";
import { admin, engine } from "../../engine/helpers.js";
import { buildUser, loginAs, type Agent } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { reviewProcessXml } from "./processFixture.js";

const newKey = () => `modeler-${randomBytes(4).toString("hex")}`;

function putDraft(agent: Agent, key: string, xml: string) {
  return agent
    .put(`/admin/processes/${key}/draft`)
    .set("Accept", "application/json")
    .set("X-CSRF-Token", agent.csrf)
    .type("application/xml")
    .send(xml);
}

function deploy(agent: Agent, key: string, xml: string) {
  return agent
    .post(`/admin/processes/${key}/deploy`)
    .set("Accept", "application/json")
    .set("X-CSRF-Token", agent.csrf)
    .type("application/xml")
    .send(xml);
}

async function agentWith(roles: Role[], department?: string): Promise<Agent> {
  return loginAs(await buildUser({ roles, department }));
}

describe("admin: process modeler (pages, drafts, deploy, download, compare)", () => {
  describe("who may use it", () => {
    const pages = ["/admin/processes/new", "/admin/processes/modeler/options.json"];

    it("answers admins and department admins; every other role gets 403; a visitor is sent to log in", async () => {
      const { key, xml } = reviewProcessXml();
      await engine().deploy({ name: "modeler", files: [{ name: `${key}.bpmn`, xml }], actor: admin() });
      const urls = [...pages, `/admin/processes/${key}/edit`, `/admin/processes/${key}/modeler.json`, `/admin/processes/${key}/compare`];
      for (const roles of [["admin"], ["dept_admin"]] as Role[][]) {
        const agent = await agentWith(roles);
        for (const url of urls) await agent.get(url).expect(200);
      }
      for (const roles of [["reviewer"], ["applicant"], ["auditor"]] as Role[][]) {
        const agent = await agentWith(roles);
        for (const url of urls) await agent.get(url).set("Accept", "application/json").expect(403);
        await putDraft(agent, key, xml).expect(403);
        await deploy(agent, key, xml).expect(403);
      }
      const visitor = request(testApp().app);
      const res = await visitor.get("/admin/processes/new").expect(302);
      assert.match(res.headers.location as string, /^\/login\?next=/);
      await visitor.get("/admin/processes/modeler/options.json").set("Accept", "application/json").expect(401);
    });

    it("a department admin may not change a flow module's process nor another department's key: 403 with the reason", async () => {
      const agent = await agentWith(["dept_admin"], "scjgj");
      const commitment = readFileSync(path.join(ROOT_DIR, "processes/commitment.bpmn"), "utf8");
      const refused = await deploy(agent, "commitment", commitment).expect(403);
      assert.match((refused.body as { error: { message: string } }).error.message, /属于告知承诺，只有系统管理员可以部署/);
      await putDraft(agent, "commitment", commitment).expect(403);
      assert.equal(await ProcessDraft.count({ where: { processKey: "commitment" } }), 0);

      // A key first deployed by 市住建局 belongs to it.
      const other = await agentWith(["dept_admin"], "zjj");
      const { key, xml } = reviewProcessXml(newKey());
      await deploy(other, key, xml).expect(201);
      const answer = await putDraft(agent, key, xml).expect(403);
      assert.match((answer.body as { error: { message: string } }).error.message, /由其他部门部署/);
      // It can still be opened, read-only, with the reason.
      const page = await agent.get(`/admin/processes/${key}/edit`).expect(200);
      assert.match(page.text, /data-testid="modeler-refusal"/);
      assert.match(page.text, /data-can-save="false"/);
      assert.doesNotMatch(page.text, /data-testid="deploy"/);
    });
  });

  it("saves a draft per process key, reopens it, refuses a diagram of another key, and discards it", async () => {
    const user = await buildUser({ roles: ["dept_admin"] });
    const agent = await loginAs(user);
    const { key, xml } = reviewProcessXml(newKey(), "草稿流程");
    const saved = await putDraft(agent, key, xml).expect(200);
    assert.equal((saved.body as { data: { editHref: string } }).data.editHref, `/admin/processes/${key}/edit`);
    const draft = await ProcessDraft.findOne({ where: { processKey: key } });
    assert.equal(draft?.name, "草稿流程");
    assert.equal(draft?.updatedBy, user.username);
    assert.ok(await AuditEntry.findOne({ where: { action: "process_draft.saved", entityId: key } }), "the save is audited");

    // Saving again replaces the draft: still one row.
    await putDraft(agent, key, xml.replace("部门审核", "部门复核")).expect(200);
    assert.equal(await ProcessDraft.count({ where: { processKey: key } }), 1);
    const opened = await agent.get(`/admin/processes/${key}/modeler.json`).expect(200);
    const data = (opened.body as { data: { source: string; xml: string } }).data;
    assert.equal(data.source, "draft");
    assert.match(data.xml, /部门复核/);
    const page = await agent.get(`/admin/processes/${key}/edit`).expect(200);
    assert.match(page.text, /data-testid="draft-badge"/);

    const wrong = await putDraft(agent, "some-other-key", xml).expect(400);
    assert.match(
      (wrong.body as { error: { message: string } }).error.message,
      new RegExp(`流程标识 ${key} 与正在编辑的流程 some-other-key 不一致`),
    );
    const empty = await putDraft(agent, key, "").expect(400);
    assert.match((empty.body as { error: { message: string } }).error.message, /没有流程图/);

    await agent.delete(`/admin/processes/${key}/draft`).set("X-CSRF-Token", agent.csrf).expect(204);
    await agent.delete(`/admin/processes/${key}/draft`).set("Accept", "application/json").set("X-CSRF-Token", agent.csrf).expect(404);
    await agent.get(`/admin/processes/${key}/edit`).expect(404);
    // Writes need the session's CSRF token.
    await agent.put(`/admin/processes/${key}/draft`).type("application/xml").send(xml).expect(403);
  });

  it("deploys through the server's checks: a new version, unchanged content gives none, refusals name the element in Chinese", async () => {
    const agent = await agentWith(["admin"]);
    const { key, xml } = reviewProcessXml(newKey());
    await putDraft(agent, key, xml).expect(200);
    const first = await deploy(agent, key, xml).expect(201);
    const body = first.body as { data: { definitions: { key: string; version: number; href: string }[] } };
    assert.deepEqual(
      body.data.definitions.map((d) => [d.key, d.version]),
      [[key, 1]],
    );
    assert.equal(await ProcessDraft.count({ where: { processKey: key } }), 0, "the deployed draft is removed");
    const deployment = await EngineDefinition.findOne({ where: { key, version: 1 } });
    assert.ok(deployment);

    const same = await deploy(agent, key, xml).expect(201);
    assert.deepEqual((same.body as typeof body).data.definitions, [], "unchanged content deploys no new version");
    await deploy(agent, key, xml.replace("办结", "办结了")).expect(201);
    assert.equal(await EngineDefinition.count({ where: { key } }), 2);

    // A call activity without a called process is refused by validate.ts: 400, nothing stored, the message names the element id and name.
    const refusedXml = xml
      .replace(
        '<bpmn:userTask id="review" name="部门审核" camunda:candidateGroups="scjgj">',
        '<bpmn:callActivity id="review" name="部门审核">',
      )
      .replace("</bpmn:userTask>", "</bpmn:callActivity>");
    const refused = await deploy(agent, key, refusedXml).expect(400);
    const error = (refused.body as { error: { message: string; details: { element: string; message: string }[] } }).error;
    assert.match(error.message, new RegExp(`流程 ${key} 未通过服务器校验，没有部署`));
    const detail = error.details.find((d) => d.element === "review");
    assert.ok(detail, "the refused element is named");
    assert.match(detail.message, /元素 review（部门审核）：调用活动缺少被调用的流程/);
    assert.equal(await EngineDefinition.count({ where: { key } }), 2);
  });

  it("downloads a deployed version's XML, opens any version, and compares two versions", async () => {
    const agent = await agentWith(["dept_admin"]);
    const { key, xml } = reviewProcessXml(newKey());
    await deploy(agent, key, xml).expect(201);
    await deploy(agent, key, xml.replace("部门审核", "联合审核")).expect(201);

    const file = await agent.get(`/admin/processes/${key}/versions/1/xml`).expect(200);
    assert.match(file.headers["content-type"] as string, /application\/xml/);
    assert.match(file.headers["content-disposition"] as string, new RegExp(`attachment; filename="?${key}-v1\\.bpmn"?`));
    assert.match(file.text, /部门审核/);
    await agent.get(`/admin/processes/${key}/versions/9/xml`).set("Accept", "application/json").expect(404);

    const v1 = await agent.get(`/admin/processes/${key}/modeler.json?version=1`).expect(200);
    assert.equal((v1.body as { data: { version: number } }).data.version, 1);
    const latest = await agent.get(`/admin/processes/${key}/modeler.json`).expect(200);
    assert.match((latest.body as { data: { xml: string } }).data.xml, /联合审核/);
    await agent.get(`/admin/processes/${key}/modeler.json?version=abc`).set("Accept", "application/json").expect(400);
    await agent.get(`/admin/processes/${key}/edit?version=7`).expect(404);

    const compare = await agent.get(`/admin/processes/${key}/compare`).expect(200);
    assert.match(compare.text, /版本 1 与 2/);
    assert.match(compare.text, new RegExp(`data-from-url="/admin/processes/${key}/versions/1/xml"`));
    assert.match(compare.text, new RegExp(`data-to-url="/admin/processes/${key}/versions/2/xml"`));
    await agent.get(`/admin/processes/${key}/compare?from=1&to=5`).expect(404);
    await agent.get("/admin/processes/no-such-process/compare").expect(404);

    // The console's pages link to the modeler.
    const index = await agent.get("/admin/processes").expect(200);
    assert.match(index.text, /href="\/admin\/processes\/new"/);
    assert.match(index.text, new RegExp(`href="/admin/processes/${key}/edit"`));
  });

  it("lists what the pickers offer: published forms, department groups, staff accounts, services and topics in use", async () => {
    const agent = await agentWith(["dept_admin"]);
    const reviewer = await buildUser({ roles: ["reviewer"] });
    const applicant = await buildUser({ roles: ["applicant"] });
    const topic = `topic-${randomBytes(3).toString("hex")}`;
    const { key, xml } = reviewProcessXml(newKey());
    const external = xml
      .replace(
        '<bpmn:userTask id="review" name="部门审核" camunda:candidateGroups="scjgj">',
        `<bpmn:serviceTask id="review" name="外部核验" camunda:type="external" camunda:topic="${topic}">`,
      )
      .replace("</bpmn:userTask>", "</bpmn:serviceTask>");
    await deploy(agent, key, external).expect(201);

    const res = await agent.get("/admin/processes/modeler/options.json").expect(200);
    const data = (
      res.body as {
        data: {
          forms: { key: string; revision: number | null }[];
          groups: { id: string }[];
          users: { username: string }[];
          services: { name: string }[];
          topics: string[];
        };
      }
    ).data;
    assert.ok(
      data.forms.some((f) => f.key === "commitment-review" && f.revision !== null),
      "the shipped review form is published",
    );
    assert.ok(data.groups.some((g) => g.id === "scjgj"));
    assert.ok(
      data.users.some((u) => u.username === reviewer.username),
      "staff accounts are offered",
    );
    assert.ok(!data.users.some((u) => u.username === applicant.username), "applicants are not");
    assert.ok(data.services.some((s) => s.name === "archiveCommitment"));
    assert.ok(data.topics.includes(topic), "a topic of a deployed process is offered");
  });

  it("serves the bundled modeler built on first request, and nothing else under /bundles", async () => {
    const agent = await agentWith(["admin"]);
    const js = await agent.get("/bundles/modeler/modeler.js").expect(200);
    assert.match(js.headers["content-type"] as string, /javascript/);
    assert.ok(js.text.length > 100_000, "the bundle holds bpmn-js and the properties panel");
    await agent.get("/bundles/modeler/compare.css").expect(200).expect("Content-Type", /css/);
    await agent.get("/bundles/modeler/other.js").set("Accept", "application/json").expect(404);
  });

  it("reads the executable process of a drawn diagram without building the model", () => {
    assert.deepEqual(
      executableProcessOf('<bpmn:process id="a" isExecutable="false"/><bpmn:process id="b" name="甲&amp;乙" isExecutable="true">'),
      {
        id: "b",
        name: "甲&乙",
      },
    );
    assert.equal(executableProcessOf('<process id="c" isExecutable="false"></process>'), null);
  });
});
