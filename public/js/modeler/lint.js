// The bpmnlint configuration of the browser modeler (bpmn-js-bpmnlint): bpmnlint's recommended rules, at the
// severity the server gives them (validate.ts: blocking rules are errors, modeling-style rules warnings), plus the
// platform plugin (platform-rules.js). Every message is Chinese and names the element.
import adHocSubProcess from "bpmnlint/rules/ad-hoc-sub-process";
import conditionalFlows from "bpmnlint/rules/conditional-flows";
import endEventRequired from "bpmnlint/rules/end-event-required";
import eventBasedGateway from "bpmnlint/rules/event-based-gateway";
import eventSubProcessTypedStartEvent from "bpmnlint/rules/event-sub-process-typed-start-event";
import fakeJoin from "bpmnlint/rules/fake-join";
import globalRule from "bpmnlint/rules/global";
import labelRequired from "bpmnlint/rules/label-required";
import linkEvent from "bpmnlint/rules/link-event";
import noBpmndi from "bpmnlint/rules/no-bpmndi";
import noComplexGateway from "bpmnlint/rules/no-complex-gateway";
import noDisconnected from "bpmnlint/rules/no-disconnected";
import noDuplicateSequenceFlows from "bpmnlint/rules/no-duplicate-sequence-flows";
import noGatewayJoinFork from "bpmnlint/rules/no-gateway-join-fork";
import noImplicitSplit from "bpmnlint/rules/no-implicit-split";
import noImplicitEnd from "bpmnlint/rules/no-implicit-end";
import noImplicitStart from "bpmnlint/rules/no-implicit-start";
import noInclusiveGateway from "bpmnlint/rules/no-inclusive-gateway";
import noOverlappingElements from "bpmnlint/rules/no-overlapping-elements";
import singleBlankStartEvent from "bpmnlint/rules/single-blank-start-event";
import singleEventDefinition from "bpmnlint/rules/single-event-definition";
import startEventRequired from "bpmnlint/rules/start-event-required";
import subProcessBlankStartEvent from "bpmnlint/rules/sub-process-blank-start-event";
import superfluousGateway from "bpmnlint/rules/superfluous-gateway";
import superfluousLabel from "bpmnlint/rules/superfluous-label";
import superfluousTermination from "bpmnlint/rules/superfluous-termination";
import { elementLabel, PLATFORM_RULE_LEVELS, PLATFORM_RULES } from "./platform-rules.js";

// Rule -> [level, what the server says (validate.ts BLOCKING_RULES / STYLE_RULES)].
const RECOMMENDED = {
  "ad-hoc-sub-process": [adHocSubProcess, "error", "临时子流程不符合要求"],
  "conditional-flows": [conditionalFlows, "error", "条件分支缺少条件（或缺少默认分支）"],
  "end-event-required": [endEventRequired, "error", "流程缺少结束事件"],
  "event-based-gateway": [eventBasedGateway, "error", "事件网关的后续元素不符合要求"],
  "event-sub-process-typed-start-event": [eventSubProcessTypedStartEvent, "error", "事件子流程的开始事件必须有类型"],
  "fake-join": [fakeJoin, "warn", "隐式汇合：多条连线直接进入同一个任务，请用网关汇合"],
  global: [globalRule, "warn", "全局元素问题"],
  "label-required": [labelRequired, "warn", "元素缺少名称"],
  "link-event": [linkEvent, "error", "链接事件不成对"],
  "no-bpmndi": [noBpmndi, "warn", "缺少图形信息（BPMNDI）"],
  "no-complex-gateway": [noComplexGateway, "error", "不支持复杂网关"],
  "no-disconnected": [noDisconnected, "error", "元素没有任何连线，无法到达"],
  "no-duplicate-sequence-flows": [noDuplicateSequenceFlows, "error", "存在重复的连线"],
  "no-gateway-join-fork": [noGatewayJoinFork, "warn", "网关同时汇合和分支，请拆成两个网关"],
  "no-implicit-split": [noImplicitSplit, "warn", "隐式分支：一个任务有多条无条件的出线，请用网关分支"],
  "no-implicit-end": [noImplicitEnd, "warn", "隐式结束：请连到结束事件"],
  "no-implicit-start": [noImplicitStart, "warn", "隐式开始：请从开始事件连过来"],
  "no-inclusive-gateway": [noInclusiveGateway, "warn", "包容网关：请确认需要它，通常用排他网关或并行网关"],
  "no-overlapping-elements": [noOverlappingElements, "warn", "元素重叠"],
  "single-blank-start-event": [singleBlankStartEvent, "error", "流程只能有一个空开始事件"],
  "single-event-definition": [singleEventDefinition, "error", "事件只能有一个事件定义"],
  "start-event-required": [startEventRequired, "error", "流程缺少开始事件"],
  "sub-process-blank-start-event": [subProcessBlankStartEvent, "error", "子流程必须以空开始事件开始"],
  "superfluous-gateway": [superfluousGateway, "warn", "多余的网关：它只有一条入线和一条出线"],
  "superfluous-label": [superfluousLabel, "warn", "多余的标签"],
  "superfluous-termination": [superfluousTermination, "warn", "多余的终止结束事件"],
};

// bpmnlint's English messages -> Chinese; a message not listed gets its rule's summary above.
const MESSAGES = [
  [/^Element is missing label\/name$/, "元素缺少名称：请在属性“常规”中填写名称"],
  [/^Element is missing name$/, "元素缺少名称"],
  [/^Element is not connected$/, "元素没有任何连线，无法到达：请用连线把它接入流程"],
  [/^Sequence flow is missing condition$/, "连线缺少条件：排他网关的每条出线都要有条件，或设为默认连线"],
  [/^Process is missing end event$/, "流程缺少结束事件"],
  [/^Process is missing start event$/, "流程缺少开始事件"],
  [/^Sub process is missing (end|start) event$/, (m) => "子流程缺少" + (m[1] === "end" ? "结束" : "开始") + "事件"],
  [/^Element is an implicit end$/, "隐式结束：此元素没有出线，请连到结束事件"],
  [/^Element is an implicit start$/, "隐式开始：此元素没有入线，请从开始事件连过来"],
  [/^Flow splits implicitly$/, "隐式分支：一个任务有多条无条件的出线，请用网关分支"],
  [/^Incoming flows do not join$/, "隐式汇合：多条连线直接进入同一个元素，请用网关汇合"],
  [/^Gateway forks and joins$/, "网关同时汇合和分支，请拆成两个网关"],
  [/^Gateway is superfluous/, "多余的网关：它只有一条入线和一条出线"],
  [/^Element overlaps with other element$/, "元素与其他元素重叠"],
  [/^Element is outside of parent boundary$/, "元素超出了所在池或子流程的边界"],
  [/^Element is missing bpmndi$/, "元素缺少图形信息（BPMNDI）"],
  [/^Duplicate (incoming|outgoing) sequence flows$/, "存在重复的连线"],
  [/^SequenceFlow is a duplicate$/, "重复的连线"],
  [/^Event has multiple event definitions$/, "事件只能有一个事件定义"],
  [/^Start event must be blank$/, "子流程的开始事件必须是空开始事件"],
  [/^Start event is missing event definition$/, "事件子流程的开始事件必须有类型（消息、定时器等）"],
  [/^Termination is superfluous/, "多余的终止结束事件：普通结束事件即可"],
  [/^Sequence flow has superfluous label$/, "连线的名称多余（没有条件的连线不必命名）"],
  [/^Element type <bpmn:ComplexGateway>/, "不支持复杂网关"],
  [/^Element type <bpmn:InclusiveGateway>/, "包容网关：请确认需要它，通常用排他网关或并行网关"],
  [/^Element is unused$/, "全局元素未被使用"],
  [/^Element name is not unique$/, "全局元素的名称重复"],
  [/^Link event is missing link name$/, "链接事件缺少链接名称"],
  [/^Conditional event is missing a condition$/, "条件事件缺少条件"],
  [/must have at least 2 outgoing/, "事件网关至少要有两条出线"],
  [/outgoing from an <Event-based Gateway> must not be conditional/, "事件网关的出线不能有条件"],
  [/is not allowed in <Ad Hoc Sub Process>/, "临时子流程中不能有开始事件或结束事件"],
];

/** The Chinese text of a bpmnlint report. */
export function chineseMessage(rule, message) {
  for (const [pattern, zh] of MESSAGES) {
    const m = pattern.exec(message);
    if (m) return typeof zh === "function" ? zh(m) : zh;
  }
  return (RECOMMENDED[rule] && RECOMMENDED[rule][2]) || "不符合建模规则";
}

/** Wraps a bpmnlint rule so its reports read in Chinese and name their element (id and name). */
function inChinese(ruleName, factory) {
  return function (config) {
    const rule = factory(config);
    const seen = new Map();
    const wrap = (fn) =>
      fn &&
      function (node, reporter) {
        if (node && node.id) seen.set(node.id, node);
        return fn(node, {
          report(id, message, path) {
            const label = elementLabel(seen.get(id) || { id });
            reporter.report(id, (label ? label + "：" : "") + chineseMessage(ruleName, String(message)), path);
          },
        });
      };
    const check = rule.check;
    // Without meta: the rules' documentation links lead to github.com, and this page links nowhere off the server.
    return { check: typeof check === "function" ? wrap(check) : { enter: wrap(check.enter), leave: wrap(check.leave) } };
  };
}

const RULES = { bpmnlint: {}, "bpmnlint-plugin-platform": {} };
const CONFIG = { rules: {} };
for (const [name, [factory, level]] of Object.entries(RECOMMENDED)) {
  RULES.bpmnlint[name] = inChinese(name, factory);
  CONFIG.rules[name] = level;
}
for (const [name, factory] of Object.entries(PLATFORM_RULES)) {
  RULES["bpmnlint-plugin-platform"][name] = factory;
  CONFIG.rules["platform/" + name] = PLATFORM_RULE_LEVELS[name];
}

/** The { config, resolver } bpmn-js-bpmnlint expects (what bpmnlint-loader would pack from a .bpmnlintrc). */
export const lintConfig = {
  config: CONFIG,
  resolver: {
    resolveRule(pkg, ruleName) {
      const rule = RULES[pkg] && RULES[pkg][ruleName];
      if (!rule) throw new Error("unknown rule " + pkg + "/" + ruleName);
      return rule;
    },
    resolveConfig() {
      return null;
    },
  },
};
