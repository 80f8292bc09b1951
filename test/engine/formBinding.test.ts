import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { publishFormRevision, saveFormRevision } from "../../server/forms/index.js";
import { buildUser, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { engine, isolateEngineTests } from "./helpers.js";

const NS =
  'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://x"';

/** One user task for scjgj binding the form with the given attributes. */
const processXml = (key: string, formAttrs: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><definitions ${NS} id="d"><process id="${key}" name="表单绑定" isExecutable="true">` +
  `<startEvent id="start"/><userTask id="task" name="办理" camunda:candidateGroups="scjgj" ${formAttrs}/><endEvent id="end"/>` +
  `<sequenceFlow id="f0" sourceRef="start" targetRef="task"/><sequenceFlow id="f1" sourceRef="task" targetRef="end"/></process></definitions>`;

const field = (key: string, label: string, required = false) => ({ type: "textfield", key, label, input: true, validate: { required } });

async function publish(formKey: string, components: object[]): Promise<number> {
  const { db } = testApp();
  const saved = await saveFormRevision(db, { formKey, title: "绑定测试表单", definition: { display: "form", components }, actor: "test" });
  await publishFormRevision(db, formKey, saved.revision, "test");
  return saved.revision;
}

describe("engine: a user task is completed against the form revision it was created with", () => {
  isolateEngineTests();
  let reviewer: TestUser;
  let deptAdmin: TestUser;
  before(async () => {
    reviewer = await buildUser({ roles: ["reviewer"] });
    deptAdmin = await buildUser({ roles: ["dept_admin"] });
  });

  const deploy = (key: string, attrs: string) =>
    request(testApp().app)
      .post("/engine-rest/deployment/create")
      .auth(deptAdmin.username, deptAdmin.password)
      .attach("data", Buffer.from(processXml(key, attrs)), { filename: `${key}.bpmn`, contentType: "application/octet-stream" });
  const start = async (key: string) => {
    const started = await request(testApp().app)
      .post(`/engine-rest/process-definition/key/${key}/start`)
      .auth(reviewer.username, reviewer.password)
      .send({ variables: {} })
      .expect(200);
    const [task] = await engine().findTasks({ processInstanceId: started.body.id as string });
    return task!;
  };
  const complete = (taskId: string, variables: Record<string, unknown>) =>
    request(testApp().app)
      .post(`/engine-rest/task/${taskId}/complete`)
      .auth(reviewer.username, reviewer.password)
      .send({ variables: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, { value: v }])) });

  it("camunda:formKey: pinned to the published revision at creation; a later revision applies to new tasks only", async () => {
    const formKey = `bind-${randomBytes(4).toString("hex")}`;
    const key = `p-${randomBytes(4).toString("hex")}`;
    await publish(formKey, [field("opinion", "意见", true)]);
    await deploy(key, `camunda:formKey="${formKey}"`).expect(200);
    const old = await start(key);
    assert.equal(old.formRevision, 1);
    await publish(formKey, [field("opinion", "意见"), field("amount", "金额", true)]);
    const fresh = await start(key);
    assert.equal(fresh.formRevision, 2);

    // The old task keeps revision 1's rules: opinion required, no amount field.
    const missing = await complete(old.id, {});
    assert.equal(missing.status, 400);
    assert.match(JSON.stringify(missing.body), /意见/);
    const extra = await complete(old.id, { opinion: "同意", amount: "5" });
    assert.equal(extra.status, 400);
    assert.match(extra.body.message, /amount/);
    await complete(old.id, { opinion: "同意" }).expect(204);
    // The new task has revision 2's.
    assert.equal((await complete(fresh.id, { opinion: "同意" })).status, 400);
    await complete(fresh.id, { amount: "5" }).expect(204);
  });

  it("camunda:formRef with binding version keeps that revision; binding deployment takes the one published at deploy time", async () => {
    const formKey = `bind-${randomBytes(4).toString("hex")}`;
    await publish(formKey, [field("a", "甲")]);
    const byVersion = `p-${randomBytes(4).toString("hex")}`;
    const byDeployment = `p-${randomBytes(4).toString("hex")}`;
    // Forms stamp publishedAt with the wall clock (to the second on MariaDB); the engine deploys on the test clock:
    // line them up, a second apart on each side.
    await new Promise((r) => setTimeout(r, 1100));
    testApp().clock.set(new Date());
    await deploy(byVersion, `camunda:formRef="${formKey}" camunda:formRefBinding="version" camunda:formRefVersion="1"`).expect(200);
    await deploy(byDeployment, `camunda:formRef="${formKey}" camunda:formRefBinding="deployment"`).expect(200);
    await new Promise((r) => setTimeout(r, 1100));
    await publish(formKey, [field("b", "乙")]);
    const latest = `p-${randomBytes(4).toString("hex")}`;
    await deploy(latest, `camunda:formRef="${formKey}"`).expect(200);
    assert.equal((await start(byVersion)).formRevision, 1);
    assert.equal((await start(byDeployment)).formRevision, 1);
    assert.equal((await start(latest)).formRevision, 2);
  });

  it("refuses at deploy a formRef naming no form, an unknown binding, and a version binding without a version number", async () => {
    const formKey = `bind-${randomBytes(4).toString("hex")}`;
    await publish(formKey, [field("a", "甲")]);
    const key = () => `p-${randomBytes(4).toString("hex")}`;
    const noForm = await deploy(key(), `camunda:formRef="no-such-form-${randomBytes(3).toString("hex")}"`);
    assert.equal(noForm.status, 400);
    assert.match(JSON.stringify(noForm.body), /不存在/);
    const badBinding = await deploy(key(), `camunda:formRef="${formKey}" camunda:formRefBinding="newest"`);
    assert.equal(badBinding.status, 400);
    assert.match(JSON.stringify(badBinding.body), /latest、deployment 或 version/);
    const noVersion = await deploy(key(), `camunda:formRef="${formKey}" camunda:formRefBinding="version"`);
    assert.equal(noVersion.status, 400);
    assert.match(JSON.stringify(noVersion.body), /formRefVersion/);
  });
});
