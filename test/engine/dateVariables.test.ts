import assert from "node:assert/strict";
import request from "supertest";
import { buildUser, type TestUser } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { deployFixture, isolateEngineTests } from "./helpers.js";

const app = () => testApp().app;

describe("engine REST: Date variables keep their Camunda type", () => {
  isolateEngineTests();
  let admin: TestUser;
  before(async () => {
    admin = await buildUser({ roles: ["admin"] });
  });

  const get = (path: string) => request(app()).get(path).auth(admin.username, admin.password).expect(200);
  const post = (path: string, body: object) => request(app()).post(path).auth(admin.username, admin.password).send(body);

  it("answers a variable started as Date as Date in Camunda's format, through every read and after the next step", async () => {
    const { key } = await deployFixture("review.bpmn");
    const start = await post(`/engine-rest/process-definition/key/${key("review")}/start`, {
      withVariablesInReturn: true,
      variables: {
        deadline: { type: "Date", value: "2026-12-01T08:30:00.000+0800" },
        label: { type: "String", value: "2026-12-01T00:30:00.000Z" },
        amount: { type: "Integer", value: 500 },
      },
    }).expect(200);
    assert.deepEqual(start.body.variables.deadline, { type: "Date", value: "2026-12-01T00:30:00.000+0000", valueInfo: {} });
    // A string that looks like a date stays a String: only a declared Date is a Date.
    assert.equal(start.body.variables.label.type, "String");
    const id = start.body.id as string;

    const vars = await get(`/engine-rest/process-instance/${id}/variables`);
    assert.equal(vars.body.deadline.type, "Date");
    assert.equal(vars.body.deadline.value, "2026-12-01T00:30:00.000+0000");
    const [task] = (await get(`/engine-rest/task?processInstanceId=${id}`)).body as { id: string }[];
    const taskVars = await get(`/engine-rest/task/${task!.id}/variables`);
    assert.equal(taskVars.body.deadline.type, "Date");

    // Completing the task without touching `deadline` keeps its type; a new Date declared on completion is a Date too.
    const done = await post(`/engine-rest/task/${task!.id}/complete`, {
      withVariablesInReturn: true,
      variables: { approved: { type: "Boolean", value: false }, decidedAt: { type: "Date", value: "2026-11-30T10:00:00.000+0000" } },
    }).expect(200);
    assert.equal(done.body.deadline.type, "Date");
    assert.equal(done.body.decidedAt.type, "Date");
    assert.equal(done.body.decidedAt.value, "2026-11-30T10:00:00.000+0000");
  });

  it("a Date overwritten by a plain String becomes a String; a malformed Date is refused with 400 and nothing started", async () => {
    const { key } = await deployFixture("review.bpmn");
    const start = await post(`/engine-rest/process-definition/key/${key("review")}/start`, {
      variables: { deadline: { type: "Date", value: "2026-12-01T08:30:00.000+0000" }, amount: { type: "Integer", value: 1 } },
    }).expect(200);
    const [task] = (await get(`/engine-rest/task?processInstanceId=${start.body.id as string}`)).body as { id: string }[];
    const done = await post(`/engine-rest/task/${task!.id}/complete`, {
      withVariablesInReturn: true,
      variables: { approved: { type: "Boolean", value: true }, deadline: { type: "String", value: "下周一" } },
    }).expect(200);
    assert.deepEqual(done.body.deadline, { type: "String", value: "下周一", valueInfo: {} });

    const before = (await get(`/engine-rest/process-instance?processDefinitionKey=${key("review")}`)).body as unknown[];
    const bad = await post(`/engine-rest/process-definition/key/${key("review")}/start`, {
      variables: { deadline: { type: "Date", value: "明天" } },
    }).expect(400);
    assert.equal(bad.body.type, "InvalidRequestException");
    assert.match(bad.body.message as string, /日期/);
    const afterList = (await get(`/engine-rest/process-instance?processDefinitionKey=${key("review")}`)).body as unknown[];
    assert.equal(afterList.length, before.length);
  });
});
