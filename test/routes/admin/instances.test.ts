import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { AuditEntry } from "../../../server/db/models/AuditEntry.js";
import { EngineIncident, EngineJob } from "../../../server/db/models/engineModels.js";
import { admin, deployFixture, engine } from "../../engine/helpers.js";
import { buildUser, departmentId, loginAs } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";
import { reviewProcessWithoutDiagram, reviewProcessXml } from "./processFixture.js";

async function deployReview(xml = reviewProcessXml()) {
  const d = await engine().deploy({ name: "console", files: [{ name: `${xml.key}.bpmn`, xml: xml.xml }], actor: admin() });
  return { key: xml.key, definitionId: d.deployedProcessDefinitions[0]!.id };
}

const rowsOf = (text: string) => [...text.matchAll(/<tr data-instance-id="([^"]+)">/g)].map((m) => m[1]!);

describe("admin: process instances console", () => {
  it("lists instances with filters by key, business key and state, 20 a page, with an empty state", async () => {
    const { key, definitionId } = await deployReview();
    const ids: string[] = [];
    for (let i = 0; i < 21; i++) {
      ids.push((await engine().startProcess({ definitionId, businessKey: `${key}-BK-${String(i).padStart(2, "0")}`, actor: admin() })).id);
    }
    const agent = await loginAs(await buildUser({ roles: ["admin"] }));
    const first = await agent.get(`/admin/instances?key=${key}`).expect(200);
    assert.equal(rowsOf(first.text).length, 20);
    assert.match(first.text, /共 21 条，第 1-20 条/);
    const second = await agent.get(`/admin/instances?key=${key}&page=2`).expect(200);
    assert.equal(rowsOf(second.text).length, 1);
    assert.equal(new Set([...rowsOf(first.text), ...rowsOf(second.text)]).size, 21, "no instance on two pages");

    // Business key prefix.
    const byKey = await agent.get(`/admin/instances?businessKey=${key}-BK-0`).expect(200);
    assert.equal(rowsOf(byKey.text).length, 10);
    const exact = await agent.get(`/admin/instances?businessKey=${key}-BK-20`).expect(200);
    assert.deepEqual(rowsOf(exact.text), [ids[20]]);
    assert.match(exact.text, new RegExp(`${key}-BK-20`));
    assert.match(exact.text, /运行中/);

    // State: one completed, one cancelled.
    const [task] = await engine().findTasks({ processInstanceId: ids[0] });
    await engine().completeTask(task!.id, { actor: admin() });
    await engine().cancelInstance(ids[1]!, { actor: admin(), reason: "测试取消" });
    const completed = await agent.get(`/admin/instances?key=${key}&state=completed`).expect(200);
    assert.deepEqual(rowsOf(completed.text), [ids[0]]);
    assert.match(completed.text, /已完成/);
    const cancelled = await agent.get(`/admin/instances?key=${key}&state=cancelled`).expect(200);
    assert.deepEqual(rowsOf(cancelled.text), [ids[1]]);
    const active = await agent.get(`/admin/instances?key=${key}&state=active`).expect(200);
    assert.match(active.text, /共 19 条/);
    const incidents = await agent.get(`/admin/instances?key=${key}&state=incident`).expect(200);
    assert.equal(rowsOf(incidents.text).length, 0);
    assert.match(incidents.text, /没有符合条件的流程实例/);
    // Odd filter values are ignored, not errors.
    await agent.get(`/admin/instances?state=nonsense&page=-3`).expect(200);
  });

  it("shows an instance: timeline, typed variables, open task, the diagram marks done and current steps", async () => {
    const { key, definitionId } = await deployReview();
    const inst = await engine().startProcess({
      definitionId,
      businessKey: `${key}-SHOW`,
      variables: { applicant: "荥阳市示范食品有限公司", amount: 12, nested: { a: [1, 2] } },
      actor: admin(),
    });
    const agent = await loginAs(await buildUser({ roles: ["admin"] }));
    const page = await agent.get(`/admin/instances/${inst.id}`).expect(200);
    assert.match(page.text, new RegExp(`${key}-SHOW`));
    assert.match(page.text, /data-testid="instance-state">运行中/);
    assert.match(page.text, /data-testid="open-tasks"[\s\S]*部门审核[\s\S]*未认领[\s\S]*组 scjgj/);
    assert.match(
      page.text,
      /data-testid="timeline"[\s\S]*流程启动[\s\S]*完成环节<\/span> · 提交申请[\s\S]*生成待办任务<\/span> · 部门审核/,
    );
    assert.match(page.text, /data-testid="variables"[\s\S]*applicant[\s\S]*String[\s\S]*荥阳市示范食品有限公司/);
    assert.match(page.text, /&quot;a&quot;: \[\n\s+1,\n\s+2\n\s+\]/, "Json variables are pretty-printed");
    assert.match(page.text, /data-element-id="submitted" data-state="completed"/);
    assert.match(page.text, /data-element-id="review" data-state="current"/);
    assert.match(page.text, /data-bpmn-viewer data-url="\/admin\/instances\/[^"]+\/diagram.json"/);
    const json = await agent.get(`/admin/instances/${inst.id}/diagram.json`).expect(200);
    const body = json.body as { hasDiagram: boolean; completed: string[]; current: string[]; incident: string[] };
    assert.equal(body.hasDiagram, true);
    assert.deepEqual(body.current, ["review"]);
    assert.ok(body.completed.includes("submitted"));
    assert.ok(!body.completed.includes("review"));

    // After completion: the task leaves, the end event is done, who completed it is in the timeline.
    const [task] = await engine().findTasks({ processInstanceId: inst.id });
    const reviewer = await buildUser({ roles: ["reviewer"] });
    await engine().completeTask(task!.id, { actor: `u:${reviewer.username}` });
    const done = await agent.get(`/admin/instances/${inst.id}`).expect(200);
    assert.match(done.text, /data-testid="instance-state">已完成/);
    assert.match(done.text, new RegExp(`任务办结</span> · 部门审核[\\s\\S]*?u:${reviewer.username}`));
    assert.match(done.text, /没有待办任务/);
    assert.doesNotMatch(done.text, /data-testid="cancel-form"/, "an ended instance cannot be cancelled");
    const after = (await agent.get(`/admin/instances/${inst.id}/diagram.json`).expect(200)).body as typeof body;
    assert.deepEqual(after.current, []);
    assert.ok(after.completed.includes("review") && after.completed.includes("done"));
  });

  it("lists the elements with their state when the file has no diagram information", async () => {
    const { definitionId } = await deployReview(reviewProcessWithoutDiagram());
    const inst = await engine().startProcess({ definitionId, actor: admin() });
    const agent = await loginAs(await buildUser({ roles: ["admin"] }));
    const page = await agent.get(`/admin/instances/${inst.id}`).expect(200);
    assert.match(page.text, /不含图形信息（BPMNDI），无法绘制流程图/);
    assert.doesNotMatch(page.text, /bpmn-viewer.production.min.js/);
    assert.match(page.text, /<tr data-element-id="review" data-state="current">[\s\S]*?当前/);
  });

  it("cancels only with a reason, audited; the form needs the CSRF token", async () => {
    const { key, definitionId } = await deployReview();
    const inst = await engine().startProcess({ definitionId, businessKey: `${key}-CANCEL`, actor: admin() });
    const user = await buildUser({ roles: ["admin"] });
    const agent = await loginAs(user);
    const page = await agent.get(`/admin/instances/${inst.id}`).expect(200);
    assert.match(
      page.text,
      /<form method="post" action="\/admin\/instances\/[^"]+\/cancel" data-confirm="确定要取消这个流程实例吗？此操作不能撤销。"/,
    );

    const blank = await agent
      .post(`/admin/instances/${inst.id}/cancel`)
      .type("form")
      .send({ _csrf: agent.csrf, reason: "   " })
      .expect(400);
    assert.match(blank.text, /data-testid="cancel-error">请填写取消原因/);
    const missing = await agent.post(`/admin/instances/${inst.id}/cancel`).type("form").send({ _csrf: agent.csrf }).expect(400);
    assert.match(missing.text, /请填写取消原因/);
    await agent.post(`/admin/instances/${inst.id}/cancel`).type("form").send({ reason: "没有令牌" }).set("Accept", "text/html").expect(403);
    assert.equal((await engine().getInstance(inst.id))!.state, "ACTIVE", "still running after the refused requests");

    const res = await agent
      .post(`/admin/instances/${inst.id}/cancel`)
      .type("form")
      .send({ _csrf: agent.csrf, reason: "申请人撤回申请" })
      .expect(303);
    assert.equal(res.headers.location, `/admin/instances/${inst.id}`);
    const after = await engine().getInstance(inst.id);
    assert.equal(after!.state, "EXTERNALLY_TERMINATED");
    assert.equal(after!.endReason, "申请人撤回申请");
    assert.equal((await engine().findTasks({ processInstanceId: inst.id })).length, 0);
    const shown = await agent.get(`/admin/instances/${inst.id}`).expect(200);
    assert.match(shown.text, /流程实例已取消/);
    assert.match(shown.text, /data-testid="end-reason">申请人撤回申请/);
    assert.match(shown.text, new RegExp(`流程被取消[\\s\\S]*?${user.username}[\\s\\S]*?原因：申请人撤回申请`));
    const audited = await AuditEntry.findOne({ where: { action: "process.cancelled", entityId: inst.id } });
    assert.ok(audited, "the cancellation is in the audit log");
    assert.equal(audited.actor, user.username);
    // Cancelling again: told it has ended.
    await agent.post(`/admin/instances/${inst.id}/cancel`).type("form").send({ _csrf: agent.csrf, reason: "再次取消" }).expect(303);
    assert.match((await agent.get(`/admin/instances/${inst.id}`).expect(200)).text, /流程实例已经结束，不能再取消/);
  });

  it("shows an incident and retries it (audited)", async () => {
    const f = await deployFixture("external.bpmn");
    const inst = await engine().startProcess({ key: f.key("external"), businessKey: `${f.prefix}INC`, actor: admin() });
    const [locked] = await engine().fetchAndLock({
      workerId: "w1",
      maxTasks: 1,
      topics: [{ topicName: f.key("credit-check"), lockDuration: 60_000 }],
    });
    assert.ok(locked);
    await engine().handleExternalFailure(locked.id, { workerId: "w1", errorMessage: "信用接口超时", retries: 0, retryTimeout: 0 });
    const user = await buildUser({ roles: ["admin"] });
    const agent = await loginAs(user);
    const list = await agent.get(`/admin/instances?state=incident&businessKey=${f.prefix}INC`).expect(200);
    assert.deepEqual(rowsOf(list.text), [inst.id]);
    assert.match(list.text, /data-testid="incident-badge">事故 1/);
    const page = await agent.get(`/admin/instances/${inst.id}`).expect(200);
    assert.match(page.text, /data-testid="incidents"[\s\S]*外部任务失败[\s\S]*check[\s\S]*信用接口超时/);
    const action = /<form method="post" action="([^"]+\/retry)"/.exec(page.text)?.[1];
    assert.ok(action, "a retry button");
    assert.match(page.text, /data-element-id="check" data-state="incident"/);

    await agent.post(action).type("form").send({}).set("Accept", "text/html").expect(403); // no CSRF token
    const res = await agent.post(action).type("form").send({ _csrf: agent.csrf }).expect(303);
    assert.equal(res.headers.location, `/admin/instances/${inst.id}`);
    assert.equal(await EngineIncident.count({ where: { instanceId: inst.id, resolvedAt: null } }), 0, "the incident is resolved");
    const again = await engine().fetchAndLock({
      workerId: "w2",
      maxTasks: 1,
      topics: [{ topicName: f.key("credit-check"), lockDuration: 60_000 }],
    });
    assert.equal(again.length, 1, "the external task can be fetched again");
    assert.ok(await AuditEntry.findOne({ where: { action: "incident.retried", entityId: locked.id, actor: user.username } }));
    const shown = await agent.get(`/admin/instances/${inst.id}`).expect(200);
    assert.match(shown.text, /已重新安排执行/);
    assert.doesNotMatch(shown.text, /data-testid="incidents"/);
    // A resolved incident cannot be retried twice.
    await agent.post(action).type("form").send({ _csrf: agent.csrf }).set("Accept", "text/html").expect(404);
  });

  it("retries a failed timer job's incident through the runtime (audited)", async () => {
    const { definitionId } = await deployReview();
    const inst = await engine().startProcess({ definitionId, actor: admin() });
    // A timer job whose retries ran out, as the job worker leaves it (set up directly: no clock is advanced here).
    const jobId = randomUUID();
    const at = new Date();
    await testApp().db.transaction(async (t) => {
      await EngineJob.create(
        {
          id: jobId,
          instanceId: inst.id,
          definitionKey: inst.definitionKey,
          activityId: "review",
          executionId: "review_exec",
          type: "timer",
          dueAt: new Date(at.getTime() + 365 * 86_400_000),
          owner: null,
          lockUntil: null,
          retries: 0,
          exceptionMessage: "表达式求值失败",
          createdAt: at,
        },
        { transaction: t },
      );
      await EngineIncident.create(
        {
          id: randomUUID(),
          instanceId: inst.id,
          definitionId,
          activityId: "review",
          type: "failedJob",
          configuration: jobId,
          message: "表达式求值失败",
          createdAt: at,
          resolvedAt: null,
        },
        { transaction: t },
      );
    });
    const user = await buildUser({ roles: ["admin"] });
    const agent = await loginAs(user);
    const page = await agent.get(`/admin/instances/${inst.id}`).expect(200);
    assert.match(page.text, /定时作业失败[\s\S]*表达式求值失败/);
    const action = /<form method="post" action="([^"]+\/retry)"/.exec(page.text)?.[1];
    assert.ok(action);
    await agent.post(action).type("form").send({ _csrf: agent.csrf }).expect(303);
    assert.equal((await EngineJob.findByPk(jobId))?.retries, 1, "the job has a retry again");
    assert.equal(await EngineIncident.count({ where: { instanceId: inst.id, resolvedAt: null } }), 0);
    assert.ok(
      await AuditEntry.findOne({ where: { action: "incident.retried", entityType: "job", entityId: jobId, actor: user.username } }),
    );
    await engine().cancelInstance(inst.id, { actor: admin(), reason: "测试结束" });
  });

  it("dept_admin reads and cancels its own department's instances only (404 otherwise), never retries; other roles get 403; an unknown instance is a 404 page", async () => {
    const { definitionId } = await deployReview();
    const inst = await engine().startProcess({ definitionId, actor: admin(), departmentId: await departmentId("scjgj") });
    const platform = await engine().startProcess({ definitionId, actor: admin() });
    const other = await engine().startProcess({ definitionId, actor: admin(), departmentId: await departmentId("zjj") });
    const deptAdmin = await loginAs(await buildUser({ roles: ["dept_admin"] }));
    await deptAdmin.get("/admin/instances").expect(200);
    const page = await deptAdmin.get(`/admin/instances/${inst.id}`).expect(200);
    assert.match(page.text, /data-testid="cancel-form"/);
    for (const hidden of [platform, other]) {
      await deptAdmin.get(`/admin/instances/${hidden.id}`).set("Accept", "text/html").expect(404);
      await deptAdmin
        .post(`/admin/instances/${hidden.id}/cancel`)
        .type("form")
        .send({ _csrf: deptAdmin.csrf, reason: "越权" })
        .set("Accept", "text/html")
        .expect(404);
      assert.equal((await engine().getInstance(hidden.id))!.state, "ACTIVE");
    }
    for (const roles of [["reviewer"], ["applicant"], ["auditor"]] as const) {
      const agent = await loginAs(await buildUser({ roles: [...roles] }));
      await agent.get("/admin/instances").set("Accept", "text/html").expect(403);
      await agent.get(`/admin/instances/${inst.id}`).set("Accept", "text/html").expect(403);
      await agent.get(`/admin/instances/${inst.id}/diagram.json`).set("Accept", "application/json").expect(403);
      await agent
        .post(`/admin/instances/${inst.id}/cancel`)
        .type("form")
        .send({ _csrf: agent.csrf, reason: "越权" })
        .set("Accept", "text/html")
        .expect(403);
    }
    assert.equal((await engine().getInstance(inst.id))!.state, "ACTIVE");
    await deptAdmin
      .post(`/admin/instances/${inst.id}/cancel`)
      .type("form")
      .send({ _csrf: deptAdmin.csrf, reason: "申请人撤回" })
      .set("Accept", "text/html")
      .expect(303);
    assert.equal((await engine().getInstance(inst.id))!.state, "EXTERNALLY_TERMINATED");
    for (const hidden of [platform, other]) await engine().cancelInstance(hidden.id, { actor: admin(), reason: "测试结束" });
    const adminAgent = await loginAs(await buildUser({ roles: ["admin"] }));
    const missing = await adminAgent.get("/admin/instances/00000000-0000-0000-0000-000000000000").set("Accept", "text/html").expect(404);
    assert.match(missing.text, /找不到您要访问的页面或记录/);
    await adminAgent
      .get("/admin/instances/00000000-0000-0000-0000-000000000000/diagram.json")
      .set("Accept", "application/json")
      .expect(404);
  });
});
