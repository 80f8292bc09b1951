// Task completion through the one completion command (completeUserTask: visibility and policy, the pinned form's
// validation, the form kept on the case, then the engine) beside the runtime's own completion of the same kind of task
// with the same variables (engine.completeTask: no form, no case form), alternating batches in the same run.
// Run: npx tsx bench/tasks/complete.ts [N]   (DATABASE_URL=mysql://… for MariaDB/MySQL, an empty database of its own)
import { randomBytes } from "node:crypto";
import type { CurrentUser } from "../../server/auth/currentUser.js";
import { systemClock } from "../../server/clock.js";
import { initModels } from "../../server/db/models/index.js";
import { completeUserTask } from "../../server/domain/tasks/completeTask.js";
import { FlowRegistry } from "../../server/flows/registry.js";
import { publishFormRevision, saveFormRevision } from "../../server/forms/index.js";
import { benchRuntime, openBenchDatabase } from "../engine/common.js";

process.setSourceMapsEnabled(false);
const N = Number(process.argv[2] ?? 400);
const ROUNDS = 8;

const FORM = {
  display: "form",
  components: [
    {
      type: "radio",
      key: "decision",
      label: "审核结果",
      input: true,
      values: [
        { label: "同意", value: "approve" },
        { label: "退回", value: "return" },
      ],
      validate: { required: true },
    },
    { type: "textarea", key: "opinion", label: "审核意见", input: true, validate: { maxLength: 500 } },
    { type: "number", key: "amount", label: "金额", input: true, validate: { min: 0 } },
  ],
};

const processXml = (key: string) => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="Def_${key}" targetNamespace="http://xinyong.example/bench">
  <process id="${key}" name="完成基准" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <userTask id="review" name="审核" camunda:candidateGroups="scjgj" camunda:formKey="bench-complete-form" />
    <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>`;

const { db } = await openBenchDatabase(process.env.DATABASE_URL);
initModels(db.sequelize);
const engine = benchRuntime(db);
const flows = new FlowRegistry();
const key = `bench-complete-${randomBytes(3).toString("hex")}`;
const saved = await saveFormRevision(db, { formKey: "bench-complete-form", title: "完成基准表单", definition: FORM, actor: "bench" });
await publishFormRevision(db, "bench-complete-form", saved.revision, "bench");
await engine.deploy({ name: key, files: [{ name: `${key}.bpmn`, xml: processXml(key) }], actor: "bench" });
const reviewer: CurrentUser = {
  id: 1,
  username: "bench-reviewer",
  displayName: "基准审核",
  roles: ["reviewer"],
  groups: ["scjgj"],
  departmentId: null,
  departmentName: null,
  subjectIds: [],
  isAdmin: false,
};
const data = (i: number) => ({ decision: i % 2 ? "approve" : "return", opinion: `第 ${i} 件的审核意见`, amount: i });

/** Opens n instances and returns their review tasks' ids. */
async function openTasks(n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const inst = await engine.startProcess({ key, businessKey: `${tag}-${i}`, variables: {}, actor: "bench" });
    const [task] = await engine.findTasks({ processInstanceId: inst.id });
    ids.push(task!.id);
  }
  return ids;
}

const deps = { db, engine, flows, clock: systemClock };
const modes = {
  one_command: (taskId: string, i: number) => completeUserTask(deps, { actor: reviewer, taskId, data: data(i) }),
  engine_only: (taskId: string, i: number) => engine.completeTask(taskId, { actor: reviewer, variables: data(i) }),
};
const seconds: Record<keyof typeof modes, number> = { one_command: 0, engine_only: 0 };
const per = Math.max(1, Math.floor(N / ROUNDS));
for (const [name, run] of Object.entries(modes)) for (const [i, id] of (await openTasks(10, `warm-${name}`)).entries()) await run(id, i);
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(modes) as [keyof typeof modes, (id: string, i: number) => Promise<unknown>][]) {
    const ids = await openTasks(per, `${name}-${r}`);
    const t0 = performance.now();
    for (const [i, id] of ids.entries()) await run(id, i);
    seconds[name] += (performance.now() - t0) / 1000;
  }
}
await db.close();
const rate = (name: keyof typeof modes) => (per * ROUNDS) / seconds[name];
const r1 = (x: number) => Math.round(x * 10) / 10;
console.log(
  JSON.stringify(
    {
      database: db.dialect,
      completions_each: per * ROUNDS,
      one_command_per_s: r1(rate("one_command")),
      engine_only_per_s: r1(rate("engine_only")),
      ratio_one_command_to_engine: Math.round((rate("one_command") / rate("engine_only")) * 100) / 100,
    },
    null,
    2,
  ),
);
