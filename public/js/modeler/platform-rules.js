// bpmnlint rules for this platform's own deploy checks (server/engine/validate.ts), so the designer sees on the
// diagram, in Chinese and before deploying, what the server would refuse. The server keeps its checks: these rules
// only say it earlier. Every message names the element (id and name), as the server's do.
import { evaluate as evaluateFeel } from "feelin";
import { expressionProblems, serviceName } from "./expressions.js";

/** What the rules know about this installation (published forms, registered services); set by the page. */
export const platformFacts = { formKeys: null, services: null };

const ACTIVATIONS_PER_STEP = 500;
const TIMER_FIELDS = ["timeDuration", "timeDate", "timeCycle"];
const EVALUATED_PREFIXES = ["bpmn:", "camunda:"];
const TEXT_ONLY = new Set(["bpmn:Documentation", "bpmn:TextAnnotation"]);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

const FIELD_LABELS = {
  body: "表达式",
  name: "名称",
  id: "标识",
  assignee: "处理人（camunda:assignee）",
  candidateGroups: "候选组（camunda:candidateGroups）",
  candidateUsers: "候选人（camunda:candidateUsers）",
  dueDate: "到期时间（camunda:dueDate）",
  followUpDate: "跟进时间（camunda:followUpDate）",
  formKey: "表单（camunda:formKey）",
  priority: "优先级（camunda:priority）",
  calledElement: "被调用流程（calledElement）",
  errorCode: "错误码（errorCode）",
  escalationCode: "升级码（escalationCode）",
  collection: "集合（camunda:collection）",
  elementVariable: "元素变量（camunda:elementVariable）",
  topic: "主题（camunda:topic）",
  expression: "表达式（camunda:expression）",
};

const SKIP = new Set(["incoming", "outgoing", "sourceRef", "targetRef", "attachedToRef", "messageRef", "default", "errorRef", "signalRef"]);

function walk(node, visit, seen = new Set()) {
  if (!node || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  if (typeof node.$type === "string") visit(node);
  for (const key of Object.keys(node)) {
    if (key.startsWith("$") || SKIP.has(key)) continue;
    const value = node[key];
    if (Array.isArray(value)) for (const v of value) walk(v, visit, seen);
    else if (value && typeof value === "object") walk(value, visit, seen);
  }
}

function owningElement(el) {
  for (let x = el; x; x = x.$parent) if (x.id && !/EventDefinition$/.test(String(x.$type))) return x;
  return null;
}

function bodyOf(expr) {
  if (!expr) return "";
  if (typeof expr === "string") return expr;
  return String(expr.body ?? "");
}

/** How an element is named in a message: 元素 Task_1（部门审核）. */
export function elementLabel(el) {
  if (!el || !el.id) return "";
  const name = typeof el.name === "string" && el.name.trim() ? "（" + el.name.trim() + "）" : "";
  return "元素 " + el.id + name;
}

export function isFeelLanguage(language) {
  if (!language) return false;
  const l = String(language).trim();
  return /^feel$/i.test(l) || /^https?:\/\/www\.omg\.org\/spec\/(DMN\/\d{8}\/FEEL|FEEL\/\d{8})\/?$/i.test(l);
}

const FEEL_PARTS = {
  Comparison: "比较",
  Conjunction: "“并且（and）”",
  Disjunction: "“或者（or）”",
  ArithmeticExpression: "算式",
  FunctionInvocation: "函数调用",
  PathExpression: "路径",
  InExpression: "in 判断",
  IfExpression: "if 表达式",
};

/** The Chinese reason a FEEL text does not parse, or null (feelin evaluates with no variables; only syntax matters). */
export function feelSyntaxProblem(text) {
  if (!String(text).trim()) return "FEEL 条件为空";
  try {
    evaluateFeel(String(text).trim(), {});
    return null;
  } catch (err) {
    const message = String((err && err.message) || err);
    const incomplete = /^Incomplete <(\w+)>/.exec(message);
    if (incomplete) return "FEEL 条件不完整：" + (FEEL_PARTS[incomplete[1]] || incomplete[1]) + "缺少一部分";
    const unexpected = /^Unexpected <(\w+)>|Syntax error/i.exec(message);
    if (unexpected) return "FEEL 条件有语法错误，请检查括号、引号和运算符";
    return "FEEL 条件无法解析，请检查写法";
  }
}

function durationOk(v) {
  return /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(v);
}

function timerProblem(field, value) {
  const v = value.trim();
  if (v.includes("${")) return expressionProblems(v)[0] || null;
  if (field === "timeDate") return Number.isNaN(Date.parse(v)) ? "不是有效的 ISO 8601 日期时间（例如 2026-12-31T09:00:00+08:00）" : null;
  if (field === "timeDuration") return durationOk(v) ? null : "不是有效的 ISO 8601 时长（例如 P30D、PT2H）";
  const parts = v.split("/");
  if (!/^R\d*$/.test(parts[0]) || parts.length < 2 || parts.length > 3) return "不是有效的 ISO 8601 重复周期（例如 R3/PT1H）";
  for (const part of parts.slice(1))
    if (!durationOk(part) && Number.isNaN(Date.parse(part))) return "不是有效的 ISO 8601 重复周期（例如 R3/PT1H）";
  return null;
}

/** A rule over the whole model: `collect(definitions, report)` reports (element, message) pairs. */
function wholeModelRule(collect) {
  return function () {
    return {
      check(node, reporter) {
        if (node.$type !== "bpmn:Definitions") return;
        const seen = new Set();
        collect(node, (element, message) => {
          const owner = owningElement(element) || node;
          const key = owner.id + "|" + message;
          if (seen.has(key)) return;
          seen.add(key);
          const label = elementLabel(owner);
          reporter.report(owner.id, label ? label + "：" + message : message);
        });
      },
    };
  };
}

const executableProcesses = (definitions) =>
  (definitions.rootElements || []).filter((e) => e.$type === "bpmn:Process" && e.isExecutable === true);

const IDENTIFIER = /^[A-Za-z_$\u4e00-\u9fff][\w$\u4e00-\u9fff]*$/;

/** A completion condition reads as FEEL unless it is one `${…}` (as the server: the properties panel writes no language). */
function completionIsFeel(language, body) {
  return isFeelLanguage(language) || (!language && !/^\s*\$\{[^}]*\}\s*$/.test(body));
}

/** 多实例（会签 / 并联审查）：as the server's multiInstanceProblems (server/engine/validate.ts). */
function multiInstanceProblems(el, report) {
  const owner = el.$parent;
  const collection = typeof el.collection === "string" ? el.collection.trim() : "";
  const cardinality = bodyOf(el.loopCardinality).trim();
  const condition = bodyOf(el.completionCondition).trim();
  if (!collection && !cardinality && !(el.isSequential && condition)) {
    report(owner, "多实例缺少实例数：请在“多实例”中填写“集合”（例如 ${inspectors}，一个列表变量）或“循环基数”（例如 3 或 ${count}）");
  }
  if (collection && !collection.includes("${") && !IDENTIFIER.test(collection)) {
    report(owner, "多实例的集合「" + collection + "」必须是 ${变量} 或变量名（例如 ${inspectors}）");
  }
  if (el.elementVariable !== undefined && !IDENTIFIER.test(String(el.elementVariable).trim())) {
    report(owner, "多实例的元素变量「" + String(el.elementVariable) + "」必须是变量名（例如 inspector）");
  }
  if (el.elementVariable && !collection) {
    report(owner, "多实例设置了元素变量但没有集合：请填写集合，元素变量依次取集合中的每一项");
  }
  if (cardinality && !/^\d+$/.test(cardinality) && !/^\$\{[^}]*\}$/.test(cardinality)) {
    report(owner, "多实例的循环基数「" + cardinality.slice(0, 60) + "」必须是整数或 ${变量}");
  }
  const language = el.completionCondition && el.completionCondition.language;
  if (el.completionCondition && !condition) {
    report(owner, "多实例的完成条件为空：请填写 FEEL 条件（例如 nrOfCompletedInstances >= 2），或删除完成条件");
  } else if (condition && language && !isFeelLanguage(language)) {
    report(owner, "多实例的完成条件不允许使用 " + language + " 语言，只接受 FEEL 或 ${变量}");
  } else if (condition && completionIsFeel(language, condition)) {
    const problem = feelSyntaxProblem(condition);
    if (problem) report(owner, "多实例的完成条件：" + problem);
  }
}

/** A FEEL script as an input/output parameter's value: an expression, not code (as the server). */
function isFeelParameterScript(el) {
  const parent = el.$parent && el.$parent.$type;
  return /^camunda:(InputParameter|OutputParameter|Entry|List)$/.test(String(parent)) && isFeelLanguage(el.scriptFormat) && !el.resource;
}

/** 输入/输出映射：as the server's inputOutputProblems (server/engine/validate.ts). */
function inputOutputProblems(el, report) {
  const owner = owningElement(el);
  const script = (d, where) => {
    if (!d || d.$type !== "camunda:Script") return;
    if (!isFeelLanguage(d.scriptFormat))
      report(owner, where + "的脚本只能是 FEEL（脚本格式 feel），不允许 " + (d.scriptFormat || "未指定语言") + " 脚本");
    else if (d.resource) report(owner, where + "的 FEEL 脚本请直接写在参数中，不支持外部资源");
    else {
      const problem = feelSyntaxProblem(String(d.value || ""));
      if (problem) report(owner, where + "的 FEEL 表达式：" + problem);
    }
  };
  const visit = (d, where) => {
    script(d, where);
    for (const item of (d && d.items) || []) visit(item, where);
    for (const entry of (d && d.entries) || []) visit(entry.definition, where);
  };
  for (const [list, kind] of [
    [el.inputParameters, "输入参数"],
    [el.outputParameters, "输出参数"],
  ]) {
    for (const p of list || []) {
      const name = typeof p.name === "string" ? p.name.trim() : "";
      if (!name) report(owner, kind + "缺少名称");
      visit(p.definition, kind + "「" + name + "」");
    }
  }
}

/** 调用活动：as the server's callActivityProblems (server/engine/validate.ts). */
function callActivityProblems(el, report) {
  const called = typeof el.calledElement === "string" ? el.calledElement.trim() : "";
  if (!called) report(el, "调用活动缺少被调用的流程：请填写“被调用元素”（被调用流程的 key，或 ${变量}）");
  if (el.caseRef) report(el, "不支持调用 CMMN 案例：请调用 BPMN 流程");
  const binding = el.calledElementBinding === undefined ? "latest" : String(el.calledElementBinding);
  if (!["latest", "deployment", "version"].includes(binding)) {
    report(
      el,
      "调用绑定只能是 latest、deployment 或 version，现为「" +
        binding +
        "」" +
        (binding === "versionTag" ? "（暂不支持按版本标签调用）" : ""),
    );
  }
  if (binding === "version" && !/^\d+$/.test(String(el.calledElementVersion ?? "").trim())) {
    report(el, "调用绑定为 version 时，版本号必须是被调用流程的版本号（正整数）");
  }
  if (el.variableMappingClass || el.variableMappingDelegateExpression)
    report(el, "不支持变量映射类：请用输入/输出变量映射（camunda:in / camunda:out）");
  for (const m of (el.extensionElements && el.extensionElements.values) || []) {
    if (m.$type !== "camunda:In" && m.$type !== "camunda:Out") continue;
    const kind = m.$type === "camunda:In" ? "camunda:in" : "camunda:out";
    if (m.$type === "camunda:In" && m.businessKey !== undefined) {
      const bk = String(m.businessKey).trim();
      if (!/^[#$]\{\s*execution\.(processBusinessKey|businessKey)\s*\}$/.test(bk) && !/^\$\{[^}]*\}$/.test(bk)) {
        report(el, "camunda:in 的业务键「" + bk.slice(0, 60) + "」只能是 #{execution.processBusinessKey} 或 ${变量}");
      }
      continue;
    }
    if (m.variables !== undefined && m.variables !== "all") report(el, kind + " 的 variables 只能是 all");
    else if (m.variables === undefined) {
      if (!m.target || (m.source === undefined && m.sourceExpression === undefined)) {
        report(el, kind + " 映射需要目标（target），以及来源变量（source）或来源表达式（sourceExpression）之一，或“全部变量”");
      }
      if (m.sourceExpression !== undefined && !/^\s*\$\{[^}]*\}\s*$/.test(String(m.sourceExpression))) {
        report(el, kind + " 的来源表达式「" + String(m.sourceExpression).slice(0, 60) + "」必须是一个 ${变量}");
      }
    }
  }
}

const rules = {
  /** 可执行流程：恰好一个，标识不超过 255 个字符。 */
  executable: wholeModelRule((definitions, report) => {
    const processes = executableProcesses(definitions);
    const any = (definitions.rootElements || []).find((e) => e.$type === "bpmn:Process");
    if (!processes.length) report(any || definitions, "没有可执行的流程：请在流程的属性“常规”中勾选“可执行”");
    if (processes.length > 1) report(processes[1], "一个文件只能包含一个可执行流程，请把其他池的“可执行”取消");
    if (processes[0] && String(processes[0].id).length > 255) report(processes[0], "流程标识（process id）最长 255 个字符");
  }),

  /** 脚本：服务器上不执行任何脚本。 */
  "no-script": wholeModelRule((definitions, report) => {
    walk(definitions, (el) => {
      if (el.$type === "bpmn:ScriptTask") report(el, "不允许使用脚本任务：BPMN 中不能包含可在服务器上执行的代码，请改用服务任务或外部任务");
      if (
        (el.$type === "camunda:Script" && !isFeelParameterScript(el)) ||
        ((el.$type === "camunda:ExecutionListener" || el.$type === "camunda:TaskListener") && el.script)
      ) {
        report(el.$parent && el.$parent.$parent ? el.$parent.$parent : el, "不允许使用 camunda:script 脚本");
      }
    });
  }),

  /** 引擎暂不能运行的结构：部署时拒绝，而不是部署后出错。 */
  unsupported: wholeModelRule((definitions, report) => {
    walk(definitions, (el) => {
      const parentType = el.$parent && el.$parent.$type;
      if (el.$type === "bpmn:MultiInstanceLoopCharacteristics") multiInstanceProblems(el, report);
      if (el.$type === "bpmn:CallActivity") callActivityProblems(el, report);
      // As the server: a process started by a message has no other none or timer start event.
      if (el.$type === "bpmn:Process") {
        const starts = (el.flowElements || []).filter((f) => f.$type === "bpmn:StartEvent");
        const byMessage = (f) => (f.eventDefinitions || []).some((d) => d.$type === "bpmn:MessageEventDefinition");
        if (starts.some(byMessage)) {
          for (const other of starts.filter((f) => !byMessage(f))) {
            report(
              other,
              "带消息开始事件的流程暂不能再有空开始事件或定时开始事件（消息到达时另一个开始事件也会运行）：请删除此开始事件，或把流程拆成两个流程",
            );
          }
        }
      }
      if (el.$type === "camunda:InputOutput") inputOutputProblems(el, report);
      if ((el.$type === "camunda:ExecutionListener" || el.$type === "camunda:TaskListener") && !el.script) {
        report(
          el,
          "暂不支持" +
            (el.$type === "camunda:TaskListener" ? "任务" : "执行") +
            '监听器：它不会被执行，请改用内部服务任务（camunda:expression="${services.名称}"）',
        );
      }
      if (el.$type === "bpmn:MultiInstanceLoopCharacteristics") {
        const cardinality = bodyOf(el.loopCardinality).trim();
        if (/^\d+$/.test(cardinality) && Number(cardinality) > ACTIVATIONS_PER_STEP) {
          report(el.$parent, "多实例的次数 " + cardinality + " 超过一步能执行的 " + ACTIVATIONS_PER_STEP + " 个环节");
        }
      }
    });
  }),

  /** 服务任务：内部服务（${services.名称}）或外部任务（主题）。 */
  "service-task": wholeModelRule((definitions, report) => {
    walk(definitions, (el) => {
      if (!/^bpmn:(ServiceTask|SendTask|BusinessRuleTask)$/.test(el.$type)) return;
      if (el.type === "external") {
        if (!el.topic) report(el, "外部任务缺少主题（camunda:topic）：请在“实现”中选择或填写主题");
        return;
      }
      if (el.class) {
        report(el, "不支持 Java 类（camunda:class）：请选择内部服务，或改为外部任务");
        return;
      }
      const name = serviceName(el.expression || el.delegateExpression);
      if (!name)
        report(el, '服务任务必须选择一个内部服务（camunda:expression="${services.名称}"），或设为外部任务（camunda:type="external"）');
    });
  }),

  /** 内部服务尚未注册：服务器给出提示（不阻止部署）。 */
  "known-service": wholeModelRule((definitions, report) => {
    if (!platformFacts.services) return;
    walk(definitions, (el) => {
      if (!/^bpmn:(ServiceTask|SendTask|BusinessRuleTask)$/.test(el.$type) || el.type === "external") return;
      const name = serviceName(el.expression || el.delegateExpression);
      if (name && !platformFacts.services.has(name)) report(el, "内部服务 " + name + " 尚未注册，运行到此处时会失败");
    });
  }),

  /** 连线条件：FEEL（language="feel"）或 ${变量}，不能为空。 */
  condition: wholeModelRule((definitions, report) => {
    walk(definitions, (el) => {
      if (el.$type !== "bpmn:SequenceFlow" || !el.conditionExpression) return;
      const expr = el.conditionExpression;
      const lang = expr.language;
      const body = bodyOf(expr).trim();
      if (!lang && !body) report(el, "条件为空：请填写 FEEL 条件，或删除条件使它成为普通连线");
      else if (!lang) {
        if (!/^\$\{([^}]*)\}$/.test(body)) report(el, "条件必须是 FEEL 条件或 ${变量} 表达式：" + body.slice(0, 80));
      } else if (isFeelLanguage(lang)) {
        const problem = feelSyntaxProblem(body);
        if (problem) report(el, problem);
      } else {
        report(el, "不允许使用 " + lang + " 语言的条件，只接受 FEEL 或 ${变量} 表达式");
      }
    });
  }),

  /** 定时器：ISO 8601 时间、时长或周期；定时开始事件不用表达式。 */
  timer: wholeModelRule((definitions, report) => {
    walk(definitions, (el) => {
      if (el.$type !== "bpmn:TimerEventDefinition") return;
      const event = el.$parent;
      const fields = TIMER_FIELDS.filter((f) => el[f]);
      if (!fields.length) report(event, "定时器缺少时间定义：请在“定时器”中选择类型并填写日期、时长或周期");
      for (const f of fields) {
        const problem = timerProblem(f, bodyOf(el[f]));
        if (problem) report(event, "定时器「" + bodyOf(el[f]) + "」" + problem);
        if (event && event.$type === "bpmn:StartEvent" && /\$\{/.test(bodyOf(el[f]))) {
          report(event, "定时开始事件的时间不能使用表达式：部署时还没有流程变量，请写明确的日期、时长或周期");
        }
      }
    });
    for (const p of executableProcesses(definitions).slice(0, 1)) {
      const isTimer = (e) => (e.eventDefinitions || []).some((d) => d.$type === "bpmn:TimerEventDefinition");
      const starts = (p.flowElements || []).filter((e) => e.$type === "bpmn:StartEvent");
      const initial = starts.filter((e) => !(e.eventDefinitions || []).length || isTimer(e));
      if (initial.length > 1 && initial.some(isTimer))
        for (const extra of initial.slice(1)) report(extra, "带定时开始事件的流程只能有一个空开始事件或定时开始事件");
      walk(p, (el) => {
        if (el.$type !== "bpmn:SubProcess" || !el.triggeredByEvent) return;
        for (const s of (el.flowElements || []).filter((e) => e.$type === "bpmn:StartEvent" && isTimer(e))) {
          report(s, "暂不支持事件子流程的定时开始事件：请改用边界定时事件或中间定时事件");
        }
      });
    }
  }),

  /** 表单：开始事件和用户任务的表单必须是本平台已有的表单。 */
  "form-key": wholeModelRule((definitions, report) => {
    walk(definitions, (el) => {
      if (el.$type !== "bpmn:UserTask" && el.$type !== "bpmn:StartEvent") return;
      const key = el.formKey || el.formRef;
      if (platformFacts.formKeys && typeof key === "string" && key && !key.includes("${") && !platformFacts.formKeys.has(key)) {
        report(el, "表单 " + key + " 不存在：请在“表单”中从已发布的表单里选择");
      }
      if (el.formRef && el.formRefBinding && !["latest", "deployment", "version"].includes(String(el.formRefBinding))) {
        report(el, "表单绑定（camunda:formRefBinding）只能是 latest、deployment 或 version");
      }
      if (el.formRef && el.formRefBinding === "version" && !/^\d+$/.test(String(el.formRefVersion || "").trim())) {
        report(el, "表单绑定为 version 时，表单版本（camunda:formRefVersion）必须是正整数");
      }
    });
  }),

  /** ${...} 只能是字面量或变量路径；任何文字都不能含控制字符。 */
  expression: wholeModelRule((definitions, report) => {
    const check = (el, property, value, evaluated) => {
      const field = FIELD_LABELS[property] || property;
      if (CONTROL.test(value)) {
        report(el, field + " 含有控制字符，请删除后再部署");
        return;
      }
      if (!evaluated || !value.includes("${")) return;
      for (const message of expressionProblems(value)) report(el, field + "：" + message);
    };
    walk(definitions, (el) => {
      const type = String(el.$type);
      const evaluated = !TEXT_ONLY.has(type) && EVALUATED_PREFIXES.some((prefix) => type.startsWith(prefix));
      for (const field of Object.keys(el)) {
        if (field.startsWith("$")) continue;
        const value = el[field];
        if (typeof value === "string") check(el, field, value, evaluated);
        else if (Array.isArray(value)) for (const v of value) if (typeof v === "string") check(el, field, v, evaluated);
      }
      for (const [field, value] of Object.entries(el.$attrs || {})) if (typeof value === "string") check(el, field, value, evaluated);
    });
  }),
};

/** The plugin's rules by name (bpmnlint-plugin-platform) and how each one reports. */
export const PLATFORM_RULES = rules;
export const PLATFORM_RULE_LEVELS = {
  executable: "error",
  "no-script": "error",
  unsupported: "error",
  "service-task": "error",
  "known-service": "warn",
  condition: "error",
  timer: "error",
  "form-key": "error",
  expression: "error",
};
