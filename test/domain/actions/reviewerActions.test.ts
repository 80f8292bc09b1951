import assert from "node:assert/strict";
import request from "supertest";
import { createApp } from "../../../server/app.js";
import { configureMessageSenders, notify, registerMessageSender, type OutgoingMessage } from "../../../server/domain/actions/messages.js";
import { UserMessage } from "../../../server/db/models/actionModels.js";
import { createLogger } from "../../../server/logger.js";
import { buildUser, loginAs } from "../../helpers/factories.js";
import { testApp, testConfig } from "../../helpers/testApp.js";
import { post, publishGenericItem } from "../../routes/cases/helpers.js";
import { decide, openTask, publishThreeStepItem } from "../../routes/cases/reviewerActionsHelpers.js";

/** Waits for work queued after a commit (the senders run then), a bounded number of event-loop turns. */
async function settle(until: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !until(); i++) await new Promise((r) => setImmediate(r));
}

describe("站内信 senders and 退回 limits", () => {
  const sent: OutgoingMessage[] = [];
  before(() => {
    registerMessageSender({
      name: "test-sms",
      send: (m) => {
        sent.push(m);
        return Promise.resolve();
      },
    });
  });
  after(() => configureMessageSenders({ messageSenders: [] }));

  it("a registered sender receives nothing by default, and every message once its name is configured", async () => {
    const { db } = testApp();
    sent.length = 0;
    configureMessageSenders({ messageSenders: [] });
    await db.transaction((t) => notify(t, [{ recipient: "nobody-1", kind: "task", title: "关" }], new Date()));
    assert.ok(await UserMessage.findOne({ where: { recipient: "nobody-1" } }), "the in-app centre always keeps it");
    await settle(() => sent.length > 0);
    assert.equal(sent.length, 0);

    // MESSAGE_SENDERS turns the channel on for an app (one node's configuration).
    const config = testConfig({ MESSAGE_SENDERS: "test-sms" });
    const app = createApp({
      config: { ...config, databaseUrl: testApp().config.databaseUrl },
      db,
      logger: createLogger("silent"),
      clock: testApp().clock,
    });
    const reviewer = await buildUser({ roles: ["reviewer"] });
    const admin = await buildUser({ roles: ["dept_admin"] });
    const { itemCode } = await publishGenericItem(admin, "snd");
    const applicant = await buildUser({ roles: ["applicant"] });
    await request(app)
      .post("/api/cases")
      .auth(applicant.username, applicant.password)
      .send({ itemCode, data: { reason: "短信" } })
      .expect(201);
    await settle(() => sent.some((m) => m.recipient === reviewer.username));
    const mine = sent.find((m) => m.recipient === reviewer.username);
    assert.equal(mine?.kind, "task");
    assert.match(mine?.title ?? "", /新的待办任务：部门审核/);
    // Rolled back: neither the centre nor the sender hears of it.
    sent.length = 0;
    await db
      .transaction(async (t) => {
        await notify(t, [{ recipient: "nobody-2", kind: "task", title: "回滚" }], new Date());
        throw new Error("rollback");
      })
      .catch(() => undefined);
    await settle(() => sent.length > 0);
    assert.equal(sent.length, 0);
    assert.equal(await UserMessage.count({ where: { recipient: "nobody-2" } }), 0);
  });

  it("退回 is refused (409, nothing changed) where the diagram's path from the task leads back to the chosen step", async () => {
    const admin = await buildUser({ roles: ["dept_admin", "reviewer"] });
    const reviewer = await buildUser({ roles: ["reviewer"] });
    const applicantUser = await buildUser({ roles: ["applicant"] });
    const [agent, applicant] = [await loginAs(reviewer), await loginAs(applicantUser)];
    const { itemCode } = await publishGenericItem(admin, "loop");
    const started = await post(applicant, "/api/cases", { itemCode, data: { reason: "一" } }).expect(201);
    const instanceId = String(started.body.data.processInstanceId);
    const review = await openTask(reviewer, instanceId);
    await post(agent, `/api/tasks/${review.id}/complete`, { data: { decision: "return", opinion: "补正" } }).expect(200);
    const correct = (await applicant.get(`/api/cases/${started.body.data.code}`).expect(200)).body.data.myTasks[0];
    await post(applicant, `/api/tasks/${correct.id}/complete`, { data: { reason: "二" } }).expect(200);
    const again = await openTask(reviewer, instanceId);
    const refused = await post(agent, `/api/tasks/${again.id}/return`, { to: "correct", reason: "再补正" }).expect(409);
    assert.match(refused.body.error.message, /不能这样退回/);
    const still = await openTask(reviewer, instanceId);
    assert.equal(still.id, again.id);
  });

  it("a flow module may forbid 退回 from one of its steps (FlowModule.forbidReturnFrom)", async () => {
    const admin = await buildUser({ roles: ["dept_admin", "reviewer"] });
    const reviewer = await buildUser({ roles: ["reviewer"] });
    const applicant = await loginAs(await buildUser({ roles: ["applicant"] }));
    const agent = await loginAs(reviewer);
    const { itemCode, processKey } = await publishThreeStepItem(admin, "forbid");
    const started = await post(applicant, "/api/cases", { itemCode, data: { reason: "禁止退回" } }).expect(201);
    const instanceId = String(started.body.data.processInstanceId);
    await decide(agent, reviewer, (await openTask(reviewer, instanceId)).id, "初审同意");
    const second = await openTask(reviewer, instanceId);
    testApp().app.locals.context.flows.define({
      kind: "forbid",
      label: "测试",
      processKeys: [processKey],
      door: "测试",
      tasks: {},
      forbidReturnFrom: ["second"],
    });
    assert.deepEqual((await agent.get(`/api/tasks/${second.id}/return-steps`).expect(200)).body.data, []);
    const refused = await post(agent, `/api/tasks/${second.id}/return`, { to: "first", reason: "退回" }).expect(409);
    assert.match(refused.body.error.message, /测试流程的「复审」环节不能退回/);
  });
});
