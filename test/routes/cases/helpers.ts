import { randomBytes } from "node:crypto";
import { publishFormRevision, saveFormRevision } from "../../../server/forms/index.js";
import request from "supertest";
import { loginAs, type Agent, type TestUser } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";

const uniq = () => randomBytes(4).toString("hex");

/** A process an admin might draw: apply (start form) -> 部门审核 (the department's group) -> 补正 (the applicant) or end. */
export function reviewProcessXml(key: string, forms: { review: string; correct: string }, group = "scjgj", due?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs-${key}" targetNamespace="http://example.com/${key}">
  <bpmn:process id="${key}" name="测试通用事项流程" isExecutable="true">
    <bpmn:startEvent id="start" name="提交申请" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="部门审核" camunda:candidateGroups="${group}" camunda:formKey="${forms.review}"${due ? ` camunda:dueDate="${due}"` : ""} />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decide" />
    <bpmn:exclusiveGateway id="decide" name="审核结果" />
    <bpmn:sequenceFlow id="toEnd" sourceRef="decide" targetRef="approved">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="feel">decision = "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toCorrect" sourceRef="decide" targetRef="correct">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="feel">decision = "return"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:userTask id="correct" name="补正材料" camunda:assignee="\${initiator}" camunda:formKey="${forms.correct}" />
    <bpmn:sequenceFlow id="f3" sourceRef="correct" targetRef="review" />
    <bpmn:endEvent id="approved" name="办结" />
  </bpmn:process>
</bpmn:definitions>`;
}

/** Publishes a form of the given fields (text fields; `decision` a required radio) and returns its key. */
export async function publishForm(prefix: string, components: unknown[]): Promise<string> {
  const { db } = testApp();
  const formKey = `${prefix}-${uniq()}`;
  const saved = await saveFormRevision(db, {
    formKey,
    title: `${prefix} ${formKey}`,
    definition: { display: "form", components },
    actor: "test",
  });
  await publishFormRevision(db, formKey, saved.revision, "test");
  return formKey;
}

/** A review task's form: a required 同意 / 退回补正 decision and an optional opinion. */
export const DECISION_FORM = [
  {
    type: "radio",
    key: "decision",
    label: "审核结果",
    input: true,
    values: [
      { label: "同意", value: "approve" },
      { label: "退回补正", value: "return" },
    ],
    validate: { required: true },
  },
  { type: "textfield", key: "opinion", label: "审核意见", input: true },
];

/** A JSON request as the pages' scripts send it (CSRF header, JSON answer). */
export function post(agent: Agent, url: string, body: unknown) {
  return agent
    .post(url)
    .set("X-CSRF-Token", agent.csrf)
    .set("Accept", "application/json")
    .send(body as object);
}

/**
 * A 通用事项 a department admin set up with no code: a start form with one required 事由, the review process of
 * reviewProcessXml deployed through /engine-rest, and the item published through /api/catalog. Returns its codes.
 */
export async function publishGenericItem(
  admin: TestUser,
  prefix: string,
  options: { due?: string; name?: string } = {},
): Promise<{ itemCode: string; processKey: string; startForm: string }> {
  const agent = await loginAs(admin);
  const startForm = await publishForm(`${prefix}-apply`, [
    { type: "textfield", key: "reason", label: "事由", input: true, validate: { required: true } },
  ]);
  const review = await publishForm(`${prefix}-review`, DECISION_FORM);
  const processKey = `${prefix}_${uniq()}`;
  await request(testApp().app)
    .post("/engine-rest/deployment/create")
    .auth(admin.username, admin.password)
    .attach("data", Buffer.from(reviewProcessXml(processKey, { review, correct: startForm }, "scjgj", options.due)), {
      filename: `${processKey}.bpmn`,
      contentType: "application/octet-stream",
    })
    .expect(200);
  const itemCode = `${prefix}-${uniq()}`;
  await post(agent, "/api/catalog", {
    itemCode,
    kind: "generic",
    name: options.name ?? `${prefix} 测试事项`,
    legalBasis: "依据",
    noticeContent: "指南",
    formKey: startForm,
    processKey,
    reviewDays: 3,
  }).expect(201);
  await post(agent, `/api/catalog/${itemCode}/publish`, {}).expect(200);
  return { itemCode, processKey, startForm };
}
