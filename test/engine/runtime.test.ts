import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { AuditEntry } from "../../server/db/models/AuditEntry.js";
import { EngineDeployment, EngineInstance, EngineJob } from "../../server/db/models/engineModels.js";
import { testApp } from "../helpers/testApp.js";
import { admin, createFormsOf, DAY, deployFixture, engine, fixture, isolateEngineTests, user } from "./helpers.js";

const bk = () => `BK-${randomBytes(5).toString("hex")}`;

describe("engine runtime: deploy, start, user tasks", () => {
  isolateEngineTests();
  it("deploys a process twice as versions 1 and 2 and keeps a running instance on its version", async () => {
    const f = fixture("review.bpmn");
    await createFormsOf(f.xml);
    const rt = engine();
    const d1 = await rt.deploy({ name: "r", files: [{ name: "review.bpmn", xml: f.xml }], actor: admin() });
    const started = await rt.startProcess({ key: f.key("review"), businessKey: bk(), variables: { amount: 1 }, actor: admin() });
    const d2 = await rt.deploy({ name: "r", files: [{ name: "review.bpmn", xml: f.xml }], actor: admin() });
    assert.equal(d1.deployedProcessDefinitions[0]!.version, 1);
    assert.equal(d2.deployedProcessDefinitions[0]!.version, 2);
    assert.equal(started.definitionId, d1.deployedProcessDefinitions[0]!.id);
    const unchanged = await rt.deploy({ name: "r", files: [{ name: "review.bpmn", xml: f.xml }], actor: admin(), changedOnly: true });
    assert.equal(unchanged.deployedProcessDefinitions.length, 0);
    assert.ok(await AuditEntry.findOne({ where: { action: "process.deployed", entityId: d1.id } }));
    // A process without diagram information or labels deploys, with style warnings only.
    assert.ok(d1.warnings.some((w) => w.rule === "no-bpmndi"));
  });

  it("creates a task row with candidate group, form key, priority and due date; completion variables steer the FEEL gateway", async () => {
    const { key } = await deployFixture("review.bpmn");
    const rt = engine();
    const clock = testApp().clock;
    const businessKey = bk();
    const inst = await rt.startProcess({
      key: key("review"),
      businessKey,
      variables: { amount: 5000, applicant: "zhang" },
      actor: admin(),
    });
    const [task] = await rt.findTasks({ processInstanceId: inst.id });
    assert.ok(task);
    assert.equal(task.name, "部门审核");
    assert.deepEqual(task.candidateGroups, ["scjgj"]);
    assert.equal(task.formKey, `${key("review")}-form`);
    assert.equal(task.priority, 60);
    assert.equal(task.businessKey, businessKey);
    assert.equal(task.due?.getTime(), clock.now().getTime() + 5 * DAY);
    // One task read by id answers the same task as the list, candidates included.
    assert.deepEqual(await rt.getTask(task.id), task);

    const reviewer = user();
    const inbox = await rt.findTasks({ visibleTo: reviewer, processDefinitionKey: key("review") });
    assert.ok(inbox.some((x) => x.id === task.id));
    const other = user({ groups: ["zjj"] });
    assert.equal((await rt.findTasks({ visibleTo: other, processInstanceId: inst.id })).length, 0);

    await rt.completeTask(task.id, { actor: reviewer, variables: { approved: true } });
    const [confirm] = await rt.findTasks({ processInstanceId: inst.id });
    assert.equal(confirm?.taskDefinitionKey, "confirm");
    assert.equal(confirm?.assignee, "zhang");
    const after = await rt.getInstance(inst.id);
    assert.equal(after?.variables.approved, true);
    assert.ok(await AuditEntry.findOne({ where: { action: "task.completed", entityId: task.id, actor: reviewer.username } }));

    await rt.completeTask(confirm.id, { actor: user({ username: "zhang", groups: [] }) });
    const done = await rt.getInstance(inst.id);
    assert.equal(done?.state, "COMPLETED");
    const history = await rt.history(inst.id);
    assert.ok(history.some((h) => h.event === "activity.end" && h.activityId === "endApproved"));
    assert.ok(history.some((h) => h.event === "variable.set" && h.activityName === "approved" && h.actor === reviewer.username));
    assert.ok(history.some((h) => h.event === "task.completed" && h.actor === reviewer.username));
  });

  it("takes the default branch when the FEEL condition is false", async () => {
    const { key } = await deployFixture("review.bpmn");
    const rt = engine();
    const inst = await rt.startProcess({ key: key("review"), businessKey: bk(), variables: { amount: 500000 }, actor: admin() });
    const [task] = await rt.findTasks({ processInstanceId: inst.id });
    await rt.completeTask(task!.id, { actor: admin(), variables: { approved: true } });
    const history = await rt.history(inst.id);
    assert.ok(history.some((h) => h.activityId === "endRejected"));
    assert.equal((await rt.getInstance(inst.id))?.state, "COMPLETED");
  });

  it("refuses to complete someone else's task (403) and a completed task (404), leaving the instance untouched", async () => {
    const { key } = await deployFixture("review.bpmn");
    const rt = engine();
    const inst = await rt.startProcess({ key: key("review"), businessKey: bk(), variables: { amount: 1 }, actor: admin() });
    const [task] = await rt.findTasks({ processInstanceId: inst.id });
    const alice = user();
    const bob = user();
    await rt.claimTask(task!.id, alice);
    const before = await EngineInstance.findByPk(inst.id);
    await assert.rejects(rt.completeTask(task!.id, { actor: bob, variables: { approved: true } }), { status: 403 });
    await assert.rejects(rt.completeTask(task!.id, { actor: user({ groups: ["zjj"] }) }), { status: 403 });
    const untouched = await EngineInstance.findByPk(inst.id);
    assert.equal(untouched?.version, before?.version);
    assert.equal(untouched?.engineState, before?.engineState);
    assert.equal((await rt.getTask(task!.id))?.assignee, alice.username);
    await assert.rejects(rt.claimTask(task!.id, bob), { status: 409 });
    await rt.completeTask(task!.id, { actor: alice, variables: { approved: false } });
    await assert.rejects(rt.completeTask(task!.id, { actor: alice }), { status: 404 });
    await assert.rejects(rt.completeTask("no-such-task", { actor: admin() }), { status: 404 });
  });

  it("lets a candidate complete an unassigned task, unclaim and set assignee with Camunda's rules", async () => {
    const { key } = await deployFixture("review.bpmn");
    const rt = engine();
    const inst = await rt.startProcess({ key: key("review"), businessKey: bk(), variables: { amount: 1 }, actor: admin() });
    const [task] = await rt.findTasks({ processInstanceId: inst.id });
    const alice = user();
    await rt.claimTask(task!.id, alice);
    await assert.rejects(rt.unclaimTask(task!.id, user()), { status: 403 });
    await rt.unclaimTask(task!.id, alice);
    assert.equal((await rt.getTask(task!.id))?.assignee, null);
    await rt.setAssignee(task!.id, "carol", admin());
    assert.equal((await rt.getTask(task!.id))?.assignee, "carol");
    assert.ok(await AuditEntry.findOne({ where: { action: "task.claimed", entityId: task!.id } }));
    await rt.setAssignee(task!.id, null, admin());
    await rt.completeTask(task!.id, { actor: user(), variables: { approved: false } });
    assert.equal((await rt.getInstance(inst.id))?.state, "COMPLETED");
  });

  it("cancels an instance with a reason, removes its tasks and jobs, keeps its history", async () => {
    const { key } = await deployFixture("timers.bpmn");
    const rt = engine();
    const inst = await rt.startProcess({ key: key("timers"), businessKey: bk(), variables: { publicityPeriod: "P40D" }, actor: admin() });
    assert.ok((await EngineJob.count({ where: { instanceId: inst.id } })) > 0);
    await rt.cancelInstance(inst.id, { actor: admin(), reason: "申请人撤回" });
    const row = await rt.getInstance(inst.id);
    assert.equal(row?.state, "EXTERNALLY_TERMINATED");
    assert.equal(row?.endReason, "申请人撤回");
    assert.equal(await EngineJob.count({ where: { instanceId: inst.id } }), 0);
    assert.equal((await rt.findTasks({ processInstanceId: inst.id })).length, 0);
    assert.ok((await rt.history(inst.id)).some((h) => h.event === "instance.cancelled"));
    assert.ok(await AuditEntry.findOne({ where: { action: "process.cancelled", entityId: inst.id } }));
  });
});

describe("engine deploy: form keys", () => {
  isolateEngineTests();
  it("refuses a user task whose camunda:formKey names no form, naming the task in Chinese, and deploys once the form exists", async () => {
    const rt = engine();
    const f = fixture("review.bpmn");
    const before = await EngineDeployment.count();
    await assert.rejects(
      rt.deploy({ name: "r", files: [{ name: "review.bpmn", xml: f.xml }], actor: admin() }),
      (err: Error & { status: number; details: { path: string; message: string }[] }) => {
        assert.equal(err.status, 400);
        const d = err.details.find((x) => x.path === "review.bpmn#review");
        assert.ok(d, JSON.stringify(err.details));
        assert.match(d.message, /用户任务“部门审核”（review）引用的表单 \S+-review-form 不存在/);
        return true;
      },
    );
    assert.equal(await EngineDeployment.count(), before, "nothing stored");
    await createFormsOf(f.xml);
    const d = await rt.deploy({ name: "r", files: [{ name: "review.bpmn", xml: f.xml }], actor: admin() });
    assert.equal(d.deployedProcessDefinitions.length, 1);
  });

  it("checks only literal form keys: a ${expression} form key deploys", async () => {
    const f = fixture("review.bpmn");
    const xml = f.xml.replace(`camunda:formKey="${f.key("review")}-form"`, 'camunda:formKey="${formOf}"');
    const d = await engine().deploy({ name: "r", files: [{ name: "review.bpmn", xml }], actor: admin() });
    assert.equal(d.deployedProcessDefinitions.length, 1);
  });
});
