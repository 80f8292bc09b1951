import { randomBytes } from "node:crypto";
import request from "supertest";
import { createApp } from "../../../server/app.js";
import { createLogger } from "../../../server/logger.js";
import { loginAs, type Agent, type TestUser } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { post, publishForm } from "./helpers.js";

const uniq = () => randomBytes(4).toString("hex");

/** A step's form: an optional 审核意见 (the opinion the timeline and the print view show). */
export const OPINION_FORM = [{ type: "textarea", key: "opinion", label: "审核意见", input: true }];

/** Three steps one after another, each for the department's group: 初审 -> 复审 -> 终审 -> 办结. */
export function threeStepXml(key: string, form: string, group = "scjgj"): string {
  const task = (id: string, name: string) =>
    `<bpmn:userTask id="${id}" name="${name}" camunda:candidateGroups="${group}" camunda:formKey="${form}" />`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="defs-${key}" targetNamespace="http://example.com/${key}">
  <bpmn:process id="${key}" name="三级审核" isExecutable="true">
    <bpmn:startEvent id="start" name="提交申请" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first" />
    ${task("first", "初审")}
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second" />
    ${task("second", "复审")}
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="third" />
    ${task("third", "终审")}
    <bpmn:sequenceFlow id="f4" sourceRef="third" targetRef="done" />
    <bpmn:endEvent id="done" name="办结" />
  </bpmn:process>
</bpmn:definitions>`;
}

/** A 通用事项 with the three-step process, deployed through /engine-rest and published through /api/catalog by a dept admin. */
export async function publishThreeStepItem(deptAdmin: TestUser, prefix: string): Promise<{ itemCode: string; processKey: string }> {
  const startForm = await publishForm(`${prefix}-apply`, [
    { type: "textfield", key: "reason", label: "事由", input: true, validate: { required: true } },
  ]);
  const stepForm = await publishForm(`${prefix}-step`, OPINION_FORM);
  const processKey = `${prefix}_${uniq()}`;
  await request(testApp().app)
    .post("/engine-rest/deployment/create")
    .auth(deptAdmin.username, deptAdmin.password)
    .attach("data", Buffer.from(threeStepXml(processKey, stepForm)), {
      filename: `${processKey}.bpmn`,
      contentType: "application/octet-stream",
    })
    .expect(200);
  const itemCode = `${prefix}-${uniq()}`;
  const admin = await loginAs(deptAdmin);
  await post(admin, "/api/catalog", {
    itemCode,
    kind: "generic",
    name: `${prefix} 三级审核事项`,
    legalBasis: "依据",
    noticeContent: "指南",
    formKey: startForm,
    processKey,
    reviewDays: 3,
  }).expect(201);
  await post(admin, `/api/catalog/${itemCode}/publish`, {}).expect(200);
  return { itemCode, processKey };
}

/** The open task of a case at one step, as /engine-rest lists it for a staff user. */
export async function openTask(
  as: TestUser,
  instanceId: string,
): Promise<{ id: string; taskDefinitionKey: string; assignee: string | null }> {
  const res = await request(testApp().app)
    .get(`/engine-rest/task?processInstanceId=${instanceId}`)
    .auth(as.username, as.password)
    .expect(200);
  const tasks = res.body as { id: string; taskDefinitionKey: string; assignee: string | null }[];
  if (tasks.length !== 1) throw new Error(`expected one open task, got ${tasks.length}`);
  return tasks[0]!;
}

/** Claims and completes a task with an opinion through /api. */
export async function decide(agent: Agent, as: TestUser, taskId: string, opinion: string): Promise<void> {
  await request(testApp().app)
    .post(`/engine-rest/task/${taskId}/claim`)
    .auth(as.username, as.password)
    .send({ userId: as.username })
    .expect(204);
  await post(agent, `/api/tasks/${taskId}/complete`, { data: { opinion } }).expect(200);
}

/** A second app on the same database (a restart): nothing kept in memory. */
export function restartedApp() {
  const { config, db, clock } = testApp();
  return createApp({ config, db, logger: createLogger(config.logLevel), clock });
}
