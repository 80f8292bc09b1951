import assert from "node:assert/strict";
import request from "supertest";
import { EngineDefinition, EngineDeployment } from "../../../server/db/models/engineModels.js";
import { admin, engine, fixture } from "../../engine/helpers.js";
import { buildUser, loginAs, type Agent } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { reviewProcessWithoutDiagram, reviewProcessXml } from "./processFixture.js";

const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Uploads a .bpmn file the way public/js/process-upload.js does: multipart with the token in X-CSRF-Token. */
function upload(agent: Agent, file: { name: string; xml: string }, name?: string) {
  const req = agent.post("/admin/processes/deployments").set("Accept", "application/json").set("X-CSRF-Token", agent.csrf);
  if (name) void req.field("name", name);
  return req.attach("file", Buffer.from(file.xml, "utf8"), { filename: file.name, contentType: "application/octet-stream" });
}

describe("admin: process console (definitions, upload, diagram)", () => {
  it("lists each process key with its versions, deployer and running instances", async () => {
    const { key, xml } = reviewProcessXml();
    const d1 = await engine().deploy({ name: "v1", files: [{ name: `${key}.bpmn`, xml }], actor: admin() });
    await engine().deploy({ name: "v2", files: [{ name: `${key}.bpmn`, xml: xml.replace("部门审核", "部门审核（二）") }], actor: admin() });
    const v1 = d1.deployedProcessDefinitions[0]!;
    await engine().startProcess({ definitionId: v1.id, businessKey: `BK-${key}`, actor: admin() });
    await engine().startProcess({ definitionId: v1.id, businessKey: `BK2-${key}`, actor: admin() });

    const agent = await loginAs(await buildUser({ roles: ["admin"] }));
    const page = await agent.get("/admin/processes").expect(200);
    assert.match(page.text, /流程管理/);
    const row = new RegExp(`<tr data-key="${key}">([\\s\\S]*?)</tr>`).exec(page.text)?.[1];
    assert.ok(row, "the key has a row");
    assert.match(row, /控制台测试流程/);
    assert.match(row, /v2<\/span>/, "latest version is 2");
    assert.match(row, /data-testid="running-count">2</, "two running instances (both on version 1)");
    assert.match(row, />v1 · 2</, "version 1 shows its two running instances");
    assert.match(row, /<td>admin<\/td>/, "deployed by admin");
    // The navigation offers both console pages to admins.
    assert.match(page.text, /href="\/admin\/processes"[^>]*>[\s\S]*?流程管理/);
    assert.match(page.text, /href="\/admin\/instances"[^>]*>[\s\S]*?流程实例/);
  });

  it("deploys an uploaded .bpmn file (version n+1 on the same key), recorded under the uploader", async () => {
    const user = await buildUser({ roles: ["admin"] });
    const agent = await loginAs(user);
    const { key, xml } = reviewProcessXml();
    // The list shows the 20 newest deployments; the shared test clock stands still, so step it just past
    // the newest deployment made by other tests to make this one the newest.
    const { clock } = testApp();
    const newest = await EngineDeployment.max<Date, EngineDeployment>("deployedAt");
    clock.set(new Date(Math.max(clock.now().getTime(), newest ? new Date(newest).getTime() : 0) + 1000));
    const first = await upload(agent, { name: `${key}.bpmn`, xml }, "第一次部署").expect(201);
    const body = first.body as { definitions: { key: string; version: number; href: string }[]; warnings: unknown[] };
    assert.equal(body.definitions.length, 1);
    assert.equal(body.definitions[0]!.key, key);
    assert.equal(body.definitions[0]!.version, 1);
    const second = await upload(agent, { name: `${key}.bpmn`, xml: xml.replace("办结", "办结了") }).expect(201);
    assert.equal((second.body as typeof body).definitions[0]!.version, 2);
    const stored = await EngineDefinition.findAll({ where: { key }, order: [["version", "ASC"]] });
    assert.deepEqual(
      stored.map((d) => d.version),
      [1, 2],
    );
    const page = await agent.get("/admin/processes").expect(200);
    assert.match(page.text, new RegExp(`<tr data-key="${key}">[\\s\\S]*?<td>${user.username}</td>`));
    assert.match(page.text, /第一次部署/, "the deployment's name is listed");
    // The definition page of the new version opens from the answer's link.
    const show = await agent.get((second.body as typeof body).definitions[0]!.href).expect(200);
    assert.match(show.text, /版本 2/);
  });

  it("deploys a file without diagram information with warnings, and its page explains why no diagram is drawn", async () => {
    const agent = await loginAs(await buildUser({ roles: ["admin"] }));
    const { key, xml } = reviewProcessWithoutDiagram();
    const res = await upload(agent, { name: `${key}.bpmn`, xml }).expect(201);
    const body = res.body as { definitions: { href: string }[]; warnings: { message: string }[] };
    assert.ok(body.warnings.length > 0, "modeling-style findings come back as warnings");
    const page = await agent.get(body.definitions[0]!.href).expect(200);
    assert.match(page.text, /不含图形信息（BPMNDI），无法绘制流程图/);
    assert.doesNotMatch(page.text, /data-bpmn-viewer/, "no viewer is started for a file it cannot draw");
    assert.match(page.text, /data-testid="element-list"[\s\S]*review[\s\S]*用户任务[\s\S]*部门审核/);
  });

  it("refuses a hostile file with element-level Chinese errors and stores nothing", async () => {
    const agent = await loginAs(await buildUser({ roles: ["admin"] }));
    const f = fixture("hostile-script-task.bpmn");
    const before = await EngineDefinition.count();
    const res = await upload(agent, { name: "evil.bpmn", xml: f.xml }).expect(400);
    const error = (res.body as { error: { message: string; details: { element: string | null; message: string }[] } }).error;
    assert.match(error.message, /evil\.bpmn 未通过校验，没有部署/);
    const evil = error.details.find((d) => d.element === "evil");
    assert.ok(evil, `an error names the script task: ${JSON.stringify(error.details)}`);
    assert.match(evil.message, /[\u4e00-\u9fff]/, "the message is Chinese");
    assert.equal(await EngineDefinition.count({ where: { key: f.key("hostile-script") } }), 0);
    assert.equal(await EngineDefinition.count(), before);
    // Not a BPMN file at all, and no file.
    await upload(agent, { name: "notes.txt", xml: "hello" }).expect(400);
    const none = await agent
      .post("/admin/processes/deployments")
      .set("Accept", "application/json")
      .set("X-CSRF-Token", agent.csrf)
      .field("name", "x")
      .expect(400);
    assert.match((none.body as { error: { message: string } }).error.message, /请选择要上传的 \.bpmn 文件/);
  });

  it("enforces CSRF on the multipart upload: a _csrf field inside the body is not read, the header is", async () => {
    const agent = await loginAs(await buildUser({ roles: ["admin"] }));
    const { key, xml } = reviewProcessXml();
    await agent
      .post("/admin/processes/deployments")
      .set("Accept", "application/json")
      .field("_csrf", agent.csrf)
      .attach("file", Buffer.from(xml), { filename: `${key}.bpmn` })
      .expect(403);
    await agent
      .post("/admin/processes/deployments")
      .set("Accept", "application/json")
      .attach("file", Buffer.from(xml), { filename: `${key}.bpmn` })
      .expect(403);
    assert.equal(await EngineDefinition.count({ where: { key } }), 0, "nothing deployed without the token");
    await upload(agent, { name: `${key}.bpmn`, xml }).expect(201);
  });

  it("shows a definition's diagram viewer and serves its XML to the viewer", async () => {
    const { key, xml } = reviewProcessXml();
    const d = await engine().deploy({ name: "diagram", files: [{ name: `${key}.bpmn`, xml }], actor: admin() });
    const id = d.deployedProcessDefinitions[0]!.id;
    const agent = await loginAs(await buildUser({ roles: ["admin"] }));
    const page = await agent.get(`/admin/processes/${encodeURIComponent(id)}`).expect(200);
    assert.match(page.text, new RegExp(`data-bpmn-viewer data-url="/admin/processes/${html(encodeURIComponent(id))}/diagram.json"`));
    assert.match(page.text, /<script src="\/vendor\/bpmn-js\/bpmn-viewer.production.min.js\?v=[0-9a-f]{12}"><\/script>/);
    assert.match(page.text, /<script src="\/assets\/js\/process-viewer.js\?v=[0-9a-f]{12}"><\/script>/);
    const json = await agent.get(`/admin/processes/${encodeURIComponent(id)}/diagram.json`).expect(200);
    assert.equal((json.body as { xml: string; hasDiagram: boolean }).hasDiagram, true);
    assert.equal((json.body as { xml: string }).xml, xml);
    // The viewer bundle and its CSS are served by this server.
    await agent
      .get("/vendor/bpmn-js/bpmn-viewer.production.min.js")
      .expect(200)
      .expect("Content-Type", /javascript/);
    await agent.get("/vendor/bpmn-js/assets/bpmn-js.css").expect(200);
    await agent.get("/vendor/bpmn-js/assets/diagram-js.css").expect(200);
    await agent.get("/assets/js/process-viewer.js").expect(200);
    await agent.get("/assets/css/process-console.css").expect(200);
    await agent
      .get(`/admin/processes/${encodeURIComponent("no-such:1:x")}`)
      .set("Accept", "text/html")
      .expect(404);
  });

  it("lets dept_admin read and deploy; reviewers, auditors and applicants get 403", async () => {
    const deptAdmin = await loginAs(await buildUser({ roles: ["dept_admin"] }));
    const page = await deptAdmin.get("/admin/processes").expect(200);
    assert.match(page.text, /id="process-upload"/);
    const { key, xml } = reviewProcessXml();
    await upload(deptAdmin, { name: `${key}.bpmn`, xml }).expect(201);
    for (const roles of [["reviewer"], ["auditor"], ["applicant"]] as const) {
      const agent = await loginAs(await buildUser({ roles: [...roles] }));
      await agent.get("/admin/processes").set("Accept", "text/html").expect(403);
      const home = await agent.get("/").expect(200);
      assert.doesNotMatch(home.text, /href="\/admin\/processes"/, `${roles[0]} has no 流程管理 entry`);
      const other = reviewProcessXml();
      await upload(agent, { name: "x.bpmn", xml: other.xml }).expect(403);
      assert.equal(await EngineDefinition.count({ where: { key: other.key } }), 0);
    }
    const res = await request(testApp().app).get("/admin/processes").expect(302);
    assert.match(String(res.headers.location), /^\/login\?next=/);
  });
});
