// The browser modeler's lint (public/js/modeler/lint.js, the platform plugin) against the server's deploy checks
// (server/engine/validate.ts): for each construct the server refuses, the lint reports an error on the same element,
// in Chinese; for a process the server deploys, the lint reports no error.
/* eslint-disable @typescript-eslint/no-explicit-any */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { validateBpmn } from "../../../server/engine/validate.js";
// @ts-expect-error: browser JavaScript without type declarations
import { lintConfig } from "../../../public/js/modeler/lint.js";
// @ts-expect-error: browser JavaScript without type declarations
import { platformFacts } from "../../../public/js/modeler/platform-rules.js";

const require = createRequire(import.meta.url);
const { Linter } = require("bpmnlint") as {
  Linter: new (c: unknown) => { lint(root: unknown): Promise<Record<string, { id: string; message: string; category: string }[]>> };
};

const SERVICES = new Set(["archiveCommitment"]);

function process(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="D" targetNamespace="http://x">
  <bpmn:process id="lintcase" name="检查" isExecutable="true">
    <bpmn:startEvent id="start" name="开始" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="step" />
    ${body}
    <bpmn:sequenceFlow id="f2" sourceRef="step" targetRef="end" />
    <bpmn:endEvent id="end" name="结束" />
  </bpmn:process>
</bpmn:definitions>`;
}

/** As bpmn-js does on import: each flow node lists its incoming and outgoing sequence flows. */
function connect(node: any, seen = new Set<unknown>()): void {
  if (!node || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  if (node.$type === "bpmn:SequenceFlow") {
    for (const [end, list] of [
      [node.sourceRef, "outgoing"],
      [node.targetRef, "incoming"],
    ] as const) {
      if (!end) continue;
      end[list] ??= [];
      if (!end[list].includes(node)) end[list].push(node);
    }
  }
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith("$") || ["sourceRef", "targetRef", "incoming", "outgoing", "default"].includes(k)) continue;
    if (Array.isArray(v)) v.forEach((x) => connect(x, seen));
    else if (v && typeof v === "object") connect(v, seen);
  }
}

async function browserLint(xml: string): Promise<{ rule: string; id: string; message: string; category: string }[]> {
  const { BpmnModdle } = (await import("bpmn-moddle")) as unknown as {
    BpmnModdle: new (p: unknown) => { fromXML(x: string): Promise<{ rootElement: unknown }> };
  };
  const camunda: unknown = require("camunda-bpmn-moddle/resources/camunda.json");
  const { rootElement } = await new BpmnModdle({ camunda }).fromXML(xml);
  connect(rootElement);
  const results = await new Linter(lintConfig).lint(rootElement);
  return Object.entries(results).flatMap(([rule, reports]) =>
    reports.map((r) => ({ rule, id: r.id, message: r.message, category: r.category })),
  );
}

const CASES: { what: string; step: string; element: string }[] = [
  {
    what: "a none start event beside a message start event",
    step: '<bpmn:startEvent id="step" name="收到申请"><bpmn:messageEventDefinition /></bpmn:startEvent>',
    element: "start",
  },
  { what: "call activity without a called process", step: '<bpmn:callActivity id="step" name="调用" />', element: "step" },
  {
    what: "call activity with a version binding and no version",
    step: '<bpmn:callActivity id="step" name="调用" calledElement="x" camunda:calledElementBinding="version" />',
    element: "step",
  },
  {
    what: "multi-instance without a collection or a cardinality",
    step: '<bpmn:userTask id="step" name="会签"><bpmn:multiInstanceLoopCharacteristics /></bpmn:userTask>',
    element: "step",
  },
  {
    what: "multi-instance completion condition that is not FEEL",
    step: '<bpmn:userTask id="step" name="会签"><bpmn:multiInstanceLoopCharacteristics camunda:collection="${depts}"><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">nrOfCompletedInstances &gt;=</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>',
    element: "step",
  },
  {
    what: "script task",
    step: '<bpmn:scriptTask id="step" name="脚本" scriptFormat="javascript"><bpmn:script>1</bpmn:script></bpmn:scriptTask>',
    element: "step",
  },
  {
    what: "input/output parameter with a script that is not FEEL",
    step: '<bpmn:userTask id="step" name="审核"><bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="a"><camunda:script scriptFormat="javascript">1</camunda:script></camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements></bpmn:userTask>',
    element: "step",
  },
  {
    what: "execution listener",
    step: '<bpmn:userTask id="step" name="审核"><bpmn:extensionElements><camunda:executionListener event="start" expression="${x}" /></bpmn:extensionElements></bpmn:userTask>',
    element: "step",
  },
  { what: "service task without a service", step: '<bpmn:serviceTask id="step" name="服务" />', element: "step" },
  { what: "Java class", step: '<bpmn:serviceTask id="step" name="服务" camunda:class="a.B" />', element: "step" },
  { what: "external task without topic", step: '<bpmn:serviceTask id="step" name="外部" camunda:type="external" />', element: "step" },
  { what: "expression that calls code", step: '<bpmn:userTask id="step" name="审核" camunda:assignee="${a.b()}" />', element: "step" },
  {
    what: "timer that does not parse",
    step: '<bpmn:intermediateCatchEvent id="step" name="等待"><bpmn:timerEventDefinition><bpmn:timeDuration>30天</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
    element: "step",
  },
  {
    what: "condition in another language",
    step: '<bpmn:exclusiveGateway id="step" name="判断" default="f2" /><bpmn:sequenceFlow id="f3" sourceRef="step" targetRef="end"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">true</bpmn:conditionExpression></bpmn:sequenceFlow>',
    element: "f3",
  },
  {
    what: "empty condition",
    step: '<bpmn:exclusiveGateway id="step" name="判断" default="f2" /><bpmn:sequenceFlow id="f3" sourceRef="step" targetRef="end"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"></bpmn:conditionExpression></bpmn:sequenceFlow>',
    element: "f3",
  },
];

describe("browser modeler lint: the platform's deploy rules before deploying", () => {
  before(() => {
    platformFacts.formKeys = new Set(["commitment-review"]);
    platformFacts.services = SERVICES;
  });
  after(() => {
    platformFacts.formKeys = null;
    platformFacts.services = null;
  });

  for (const c of CASES) {
    it(`reports what the server refuses: ${c.what}`, async () => {
      const xml = process(c.step);
      const server = await validateBpmn("case.bpmn", xml, SERVICES);
      assert.ok(
        server.errors.some((e) => e.element === c.element),
        `the server refuses ${c.element}: ${JSON.stringify(server.errors)}`,
      );
      const lint = (await browserLint(xml)).filter((r) => r.category === "error");
      const found = lint.find((r) => r.id === c.element);
      assert.ok(found, `the lint reports ${c.element}: ${JSON.stringify(lint)}`);
      assert.match(found.message, new RegExp(`^元素 ${c.element}`), "the message names the element");
      assert.match(found.message, /[\u4e00-\u9fff]/);
      assert.doesNotMatch(found.message, /[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}/, "no English sentence");
    });
  }

  it("reports nothing blocking for a process the server deploys (user task with a form, a service, a FEEL condition)", async () => {
    const xml = process(
      `<bpmn:userTask id="review" name="审核" camunda:formKey="commitment-review" camunda:candidateGroups="scjgj" />
       <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="step" />
       <bpmn:exclusiveGateway id="step" name="是否通过" default="f2" />
       <bpmn:sequenceFlow id="f3" name="通过" sourceRef="step" targetRef="archive"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="feel">decision = "通过"</bpmn:conditionExpression></bpmn:sequenceFlow>
       <bpmn:serviceTask id="archive" name="归档" camunda:expression="\${services.archiveCommitment}" />
       <bpmn:sequenceFlow id="f5" sourceRef="archive" targetRef="end" />`,
    ).replace('targetRef="step" />\n    <bpmn:userTask', 'targetRef="review" />\n    <bpmn:userTask');
    const server = await validateBpmn("ok.bpmn", xml, SERVICES);
    assert.deepEqual(server.errors, []);
    assert.deepEqual(
      (await browserLint(xml)).filter((r) => r.category === "error"),
      [],
    );
  });

  it("reports nothing blocking for a parallel multi-instance review over a list variable with a FEEL completion condition", async () => {
    const xml = process(
      `<bpmn:userTask id="step" name="会签" camunda:assignee="\${inspector}">
         <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${inspectors}" camunda:elementVariable="inspector">
           <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">nrOfCompletedInstances &gt;= 2</bpmn:completionCondition>
         </bpmn:multiInstanceLoopCharacteristics>
       </bpmn:userTask>`,
    );
    const server = await validateBpmn("mi.bpmn", xml, SERVICES);
    assert.deepEqual(server.errors, []);
    assert.deepEqual(
      (await browserLint(xml)).filter((r) => r.category === "error"),
      [],
    );
  });

  it("reports nothing blocking for a call activity with a version binding, the business key, variable mappings and FEEL input/output", async () => {
    const xml = process(
      `<bpmn:callActivity id="step" name="专项审查" calledElement="inspection" camunda:calledElementBinding="version" camunda:calledElementVersion="2">
         <bpmn:extensionElements>
           <camunda:in businessKey="#{execution.processBusinessKey}" />
           <camunda:in source="reviewer" target="officer" />
           <camunda:in variables="all" />
           <camunda:out sourceExpression="\${verdict}" target="childVerdict" />
           <camunda:inputOutput>
             <camunda:inputParameter name="officer">\${applicant.contact}</camunda:inputParameter>
             <camunda:outputParameter name="late"><camunda:script scriptFormat="feel">days &gt; 5</camunda:script></camunda:outputParameter>
           </camunda:inputOutput>
         </bpmn:extensionElements>
       </bpmn:callActivity>`,
    );
    const server = await validateBpmn("call.bpmn", xml, SERVICES);
    assert.deepEqual(server.errors, []);
    assert.deepEqual(
      (await browserLint(xml)).filter((r) => r.category === "error"),
      [],
    );
  });

  it("says in Chinese what bpmnlint's own rules find, naming the element", async () => {
    const xml = process('<bpmn:userTask id="step" name="审核" /><bpmn:userTask id="lonely" name="孤立的任务" />');
    const lint = await browserLint(xml);
    const disconnected = lint.find((r) => r.id === "lonely" && r.rule === "no-disconnected");
    assert.ok(disconnected);
    assert.equal(disconnected.category, "error");
    assert.equal(disconnected.message, "元素 lonely（孤立的任务）：元素没有任何连线，无法到达：请用连线把它接入流程");
    const unknownForm = await browserLint(process('<bpmn:userTask id="step" name="审核" camunda:formKey="no-such-form" />'));
    const form = unknownForm.find((r) => r.rule === "platform/form-key");
    assert.equal(form?.message, "元素 step（审核）：表单 no-such-form 不存在：请在“表单”中从已发布的表单里选择");
  });
});
