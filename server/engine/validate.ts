import { createRequire } from "node:module";
import { ACTIVATIONS_PER_STEP, completionIsFeel, evaluateFeel, isFeelLanguage, parseModdle } from "./bpmn.js";
import { expressionProblems, parseExpression } from "./expressions.js";

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return */

export const MAX_BPMN_BYTES = 5 * 1024 * 1024;
/**
 * At most this many XML tags in one file: parsing and linting are linear (about 0.12 ms per flow element here),
 * so the cap keeps a deployment's checks to well under a second; a process this large should be split.
 */
export const MAX_BPMN_TAGS = 10_000;

export interface Problem {
  /** The file and element the problem is about, e.g. "review.bpmn#Task_1". */
  path: string;
  element: string | null;
  rule: string;
  message: string;
}

export interface ValidatedProcess {
  key: string;
  name: string | null;
  /** The message names of the process's message start events (unique across the latest versions of all keys). */
  messageStarts?: { name: string; element: string; path: string }[];
}

export interface ValidationResult {
  errors: Problem[];
  warnings: Problem[];
  processes: ValidatedProcess[];
  /** Literal camunda:formKey values with the element naming them (checked against existing forms when a check is installed). */
  formKeys?: { key: string; element: string; path: string; name: string | null; type: string }[];
}

/** bpmnlint rules whose findings block a deployment: the process would not run correctly. */
const BLOCKING_RULES: Record<string, string> = {
  "conditional-flows": "条件分支缺少条件（或缺少默认分支）",
  "end-event-required": "流程缺少结束事件",
  "start-event-required": "流程缺少开始事件",
  "no-disconnected": "元素没有任何连线，无法到达",
  "single-event-definition": "事件只能有一个事件定义",
  "no-duplicate-sequence-flows": "存在重复的连线",
  "event-based-gateway": "事件网关的后续元素不符合要求",
  "link-event": "链接事件不成对",
  "ad-hoc-sub-process": "临时子流程不符合要求",
  "event-sub-process-typed-start-event": "事件子流程的开始事件必须有类型",
  "sub-process-blank-start-event": "子流程必须以空开始事件开始",
  "single-blank-start-event": "流程只能有一个空开始事件",
  "no-complex-gateway": "不支持复杂网关",
};

/** Modeling-style rules: reported as warnings in the deployment answer, never blocking (Camunda deploys these too). */
const STYLE_RULES: Record<string, string> = {
  "label-required": "元素缺少名称",
  "no-bpmndi": "缺少图形信息（BPMNDI）",
  "superfluous-gateway": "多余的网关",
  "superfluous-label": "多余的标签",
  "superfluous-termination": "多余的终止结束事件",
  "fake-join": "隐式汇合",
  "no-implicit-split": "隐式分支",
  "no-implicit-end": "隐式结束",
  "no-implicit-start": "隐式开始",
  "no-gateway-join-fork": "网关同时汇合和分支",
  "no-inclusive-gateway": "包容网关",
  "no-overlapping-elements": "元素重叠",
  global: "全局元素问题",
};

/** A new linter per file: some bpmnlint rules keep state between lint() calls. */
function linter(): Promise<any> {
  return Promise.resolve().then(() => {
    const { Linter } = require("bpmnlint");
    const rules: Record<string, string> = {};
    for (const r of Object.keys(BLOCKING_RULES)) rules[r] = "error";
    for (const r of Object.keys(STYLE_RULES)) rules[r] = "warn";
    return new Linter({
      config: { rules },
      resolver: {
        resolveRule: (_pkg: string, ruleName: string) => require(`bpmnlint/rules/${ruleName}`),
        resolveConfig: () => ({}),
      },
    });
  });
}

const TIMER_FIELDS = ["timeDuration", "timeDate", "timeCycle"] as const;

/** Quick checks on the raw text, before any XML parser sees it: size, XML-ness, DTDs (entity bombs, external entities). */
export function precheckXml(fileName: string, xml: string): Problem[] {
  const p = (rule: string, message: string): Problem[] => [{ path: fileName, element: null, rule, message }];
  const head = xml.replace(/^\uFEFF/, "").trimStart();
  if (!head.startsWith("<")) return p("not-xml", `文件 ${fileName} 不是 XML 文件 (not an XML file)`);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    return p(
      "doctype",
      `文件 ${fileName} 含有 DOCTYPE/ENTITY 声明，出于安全原因不予接受 (DOCTYPE and ENTITY declarations are not allowed)`,
    );
  }
  // Every element needs a "<": counting them bounds the model's size before a parser builds it.
  let tags = 0;
  for (let i = xml.indexOf("<"); i !== -1; i = xml.indexOf("<", i + 1)) tags++;
  if (tags > MAX_BPMN_TAGS) {
    return p(
      "too-large",
      `文件 ${fileName} 含有约 ${tags} 个 XML 标签，超过 ${MAX_BPMN_TAGS} 个的上限：请把流程拆分为几个较小的流程（例如用调用活动）`,
    );
  }
  if (xml.includes("http://schema.omg.org/spec/BPMN/2.0")) {
    return p(
      "old-namespace",
      `文件 ${fileName} 使用 BPMN 2.0 正式发布之前的命名空间 http://schema.omg.org/spec/BPMN/2.0：请在建模工具中重新保存为 BPMN 2.0（命名空间 http://www.omg.org/spec/BPMN/20100524/MODEL）后再上传`,
    );
  }
  if (!/<([\w-]+:)?definitions[\s>]/.test(xml)) {
    return p("not-bpmn", `文件 ${fileName} 不是 BPMN 2.0 文件：缺少 definitions 根元素 (not a BPMN 2.0 file)`);
  }
  return [];
}

/** Walks every moddle element below root (depth first). */
function walk(node: any, visit: (el: any) => void, seen = new Set<any>()): void {
  if (!node || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  if (typeof node.$type === "string") visit(node);
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("$") || key === "incoming" || key === "outgoing" || key === "sourceRef" || key === "targetRef") continue;
    if (key === "attachedToRef" || key === "messageRef" || key === "default" || key === "errorRef" || key === "signalRef") continue;
    if (Array.isArray(value)) for (const v of value) walk(v, visit, seen);
    else if (value && typeof value === "object") walk(value, visit, seen);
  }
}

/**
 * BPMN 2.0 makes a flow node's incoming/outgoing elements optional; the sequence flows'
 * sourceRef/targetRef are what connects nodes. Fill the node lists from the flows so bpmnlint
 * judges connectivity the way the engine runs it.
 */
function connectFromSequenceFlows(root: any): void {
  walk(root, (el) => {
    if (el.$type !== "bpmn:SequenceFlow") return;
    const { sourceRef, targetRef } = el;
    if (sourceRef) {
      sourceRef.outgoing ??= [];
      if (!sourceRef.outgoing.includes(el)) sourceRef.outgoing.push(el);
    }
    if (targetRef) {
      targetRef.incoming ??= [];
      if (!targetRef.incoming.includes(el)) targetRef.incoming.push(el);
    }
  });
}

function checkTimer(field: string, value: string): string | null {
  const v = value.trim();
  if (v.includes("${")) return expressionProblems(v)[0] ?? null;
  try {
    if (field === "timeDate") {
      if (Number.isNaN(Date.parse(v))) return "不是有效的 ISO 8601 日期时间";
      return null;
    }
    // ISO 8601 duration (P30D, PT1H) or repeating interval (R3/PT1H, R/2026-01-01T00:00:00Z/P1D)
    const duration = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
    if (field === "timeDuration") return duration.test(v) ? null : "不是有效的 ISO 8601 时长（例如 P30D、PT2H）";
    const parts = v.split("/");
    if (!/^R\d*$/.test(parts[0]!) || parts.length < 2 || parts.length > 3) return "不是有效的 ISO 8601 重复周期（例如 R3/PT1H）";
    for (const part of parts.slice(1))
      if (!duration.test(part) && Number.isNaN(Date.parse(part))) return "不是有效的 ISO 8601 重复周期（例如 R3/PT1H）";
    return null;
  } catch {
    return "无法解析";
  }
}

function bodyOf(expr: any): string {
  if (!expr) return "";
  if (typeof expr === "string") return expr;
  return String(expr.body ?? "");
}

/**
 * Timer start events as Camunda 7 parses them (BpmnParse.selectInitial, parseScopeStartEvent): a process has at most one
 * none or timer start event; a timer start event's time is fixed at deploy time (no ${…}: no variables exist yet).
 * A timer start event of an event sub-process is refused: this engine never arms it (it would silently do nothing).
 * One inside an embedded sub-process is refused by bpmnlint's sub-process-blank-start-event already.
 */
function timerStartProblems(process: any, at: (element: any, rule: string, message: string) => Problem): Problem[] {
  const problems: Problem[] = [];
  const isTimer = (e: any) => (e.eventDefinitions ?? []).some((d: any) => d.$type === "bpmn:TimerEventDefinition");
  const starts = (process.flowElements ?? []).filter((e: any) => e.$type === "bpmn:StartEvent");
  const initial = starts.filter((e: any) => !(e.eventDefinitions ?? []).length || isTimer(e));
  if (initial.length > 1 && initial.some(isTimer)) {
    for (const extra of initial.slice(1)) {
      problems.push(
        at(
          extra,
          "timer-start-event",
          "带定时开始事件的流程只能有一个空开始事件或定时开始事件，请删除多余的开始事件 (multiple none start events or timer start events not supported)",
        ),
      );
    }
  }
  for (const start of starts.filter(isTimer)) {
    for (const d of start.eventDefinitions.filter((x: any) => x.$type === "bpmn:TimerEventDefinition")) {
      for (const f of TIMER_FIELDS) {
        if (d[f] && /\$\{/.test(bodyOf(d[f]))) {
          problems.push(
            at(
              start,
              "timer-start-event",
              `定时开始事件的 ${f}「${bodyOf(d[f])}」不能使用表达式：部署时还没有流程变量，请写明确的日期、时长或周期`,
            ),
          );
        }
      }
    }
  }
  walk(process, (el) => {
    if (el.$type !== "bpmn:SubProcess" || !el.triggeredByEvent) return;
    for (const start of (el.flowElements ?? []).filter((e: any) => e.$type === "bpmn:StartEvent" && isTimer(e))) {
      problems.push(at(start, "timer-start-event", "暂不支持事件子流程的定时开始事件：引擎不会为它计时，请改用边界定时事件或中间定时事件"));
    }
  });
  return problems;
}

/**
 * Message start events of the process itself, as Camunda 7 parses them: each names a bpmn:message with a fixed name (no
 * `${…}`: Camunda resolves no expression in a message start event's name), unique within the process (Camunda:
 * "Cannot have more than one message event subscription with name …"). Deploy checks the names against the other keys.
 * A message start event beside a none or timer start event is refused: this engine would run the other start event as
 * well when the message arrives. The names found are added to `found`.
 */
function messageStartProblems(
  process: any,
  at: (element: any, rule: string, message: string) => Problem,
  fileName: string,
  found: { name: string; element: string; path: string }[],
): Problem[] {
  const problems: Problem[] = [];
  const starts = (process.flowElements ?? []).filter((e: any) => e.$type === "bpmn:StartEvent");
  const isMessage = (e: any) => (e.eventDefinitions ?? []).some((d: any) => d.$type === "bpmn:MessageEventDefinition");
  const messages = starts.filter(isMessage);
  if (!messages.length) return problems;
  const others = starts.filter((e: any) => !isMessage(e));
  for (const other of others) {
    problems.push(
      at(
        other,
        "message-start-event",
        "带消息开始事件的流程暂不能再有空开始事件或定时开始事件（消息到达时另一个开始事件也会运行）：请删除此开始事件，或把流程拆成两个流程",
      ),
    );
  }
  const seen = new Set<string>();
  for (const start of messages) {
    for (const d of start.eventDefinitions.filter((x: any) => x.$type === "bpmn:MessageEventDefinition")) {
      const name = typeof d.messageRef?.name === "string" ? d.messageRef.name.trim() : "";
      if (!d.messageRef) {
        problems.push(at(start, "message-start-event", "消息开始事件没有引用消息（messageRef）：请选择或新建一个消息并填写消息名称"));
      } else if (!name) {
        problems.push(at(start, "message-start-event", `消息开始事件引用的消息 ${String(d.messageRef.id ?? "")} 没有名称：请填写消息名称`));
      } else if (name.includes("${")) {
        problems.push(at(start, "message-start-event", `消息开始事件的消息名称「${name}」不能使用表达式：请写固定的名称`));
      } else if (seen.has(name)) {
        problems.push(
          at(start, "message-start-event", `流程中有多个消息开始事件使用消息名称「${name}」：每个消息开始事件的消息名称必须不同`),
        );
      } else {
        seen.add(name);
        found.push({ name, element: String(start.id), path: `${fileName}#${String(start.id)}` });
      }
    }
  }
  return problems;
}

/** Namespaces whose attributes the engine reads; other vendors' extension elements are never evaluated. */
const EVALUATED_PREFIXES = ["bpmn:", "camunda:"];
/** Free text the engine never evaluates. */
const TEXT_ONLY = new Set(["bpmn:Documentation", "bpmn:TextAnnotation"]);
// XML 1.0 forbids these characters even as character references; the parser decodes &#0; all the same.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** How a checked property is named in a message: Chinese, with the attribute a modeler sees in its properties panel. */
const FIELD_LABELS: Record<string, string> = {
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

/** The element a string belongs to: the nearest moddle ancestor with an id. */
function owningElement(el: any): any {
  for (let x = el; x; x = x.$parent) if (x.id && !/EventDefinition$/.test(String(x.$type))) return x;
  return null;
}

/**
 * Checks every string of the decoded model: control characters anywhere (they break storage and display), and each
 * `${...}` in what the engine may evaluate must parse as a literal or a variable path (expressions.ts).
 */
function modelTextProblems(root: any, at: (element: any, rule: string, message: string) => Problem): Problem[] {
  const problems: Problem[] = [];
  const reported = new Set<string>();
  const report = (el: any, rule: string, message: string) => {
    const owner = owningElement(el);
    const key = `${owner?.id ?? ""}|${message}`;
    if (reported.has(key)) return;
    reported.add(key);
    problems.push(at(owner, rule, message));
  };
  const check = (el: any, property: string, value: string, evaluated: boolean) => {
    const field = FIELD_LABELS[property] ?? property;
    if (CONTROL.test(value)) {
      report(el, "control-character", `${field} 含有控制字符（例如 &#0;），请删除后再部署`);
      return;
    }
    if (!evaluated || !value.includes("${")) return;
    for (const message of expressionProblems(value)) report(el, "expression", `${field}：${message}`);
  };
  walk(root, (el) => {
    const type = String(el.$type);
    const evaluated = !TEXT_ONLY.has(type) && EVALUATED_PREFIXES.some((prefix) => type.startsWith(prefix));
    for (const [field, value] of Object.entries(el)) {
      if (field === "$type" || field === "$parent") continue;
      if (typeof value === "string") check(el, field, value, evaluated);
      else if (Array.isArray(value)) {
        for (const v of value) if (typeof v === "string") check(el, field, v, evaluated);
      }
    }
    for (const [field, value] of Object.entries((el.$attrs ?? {}) as Record<string, unknown>)) {
      if (typeof value === "string") check(el, field, value, evaluated);
    }
  });
  return problems;
}

/** Validates one BPMN file; errors block the deployment, warnings are reported with it. */
export async function validateBpmn(fileName: string, xml: string, knownServices: Set<string>): Promise<ValidationResult> {
  const errors: Problem[] = precheckXml(fileName, xml);
  const warnings: Problem[] = [];
  if (errors.length) return { errors, warnings, processes: [] };
  const at = (element: any, rule: string, message: string): Problem => ({
    path: element?.id ? `${fileName}#${element.id}` : fileName,
    element: element?.id ?? null,
    rule,
    message: element?.id ? `元素 ${element.id}${element.name ? `（${element.name}）` : ""}：${message}` : message,
  });

  let parsed: { rootElement: any; warnings: { message: string }[] };
  try {
    parsed = await parseModdle(xml);
  } catch (err) {
    return { errors: [at(null, "parse", `文件 ${fileName} 无法解析为 BPMN：${(err as Error).message}`)], warnings, processes: [] };
  }
  const root = parsed.rootElement;
  if (!root || root.$type !== "bpmn:Definitions") {
    return {
      errors: [at(null, "parse", `文件 ${fileName} 不是 BPMN 2.0 文件 (root element is not bpmn:definitions)`)],
      warnings,
      processes: [],
    };
  }
  for (const w of parsed.warnings) warnings.push(at(null, "moddle", `解析警告：${w.message}`));

  const processes = (root.rootElements ?? []).filter((e: any) => e.$type === "bpmn:Process");
  const executable = processes.filter((p: any) => p.isExecutable === true);
  if (!executable.length) {
    errors.push(
      at(null, "executable-process", `文件 ${fileName} 中没有可执行的流程：请在流程上设置 isExecutable="true" (no executable process)`),
    );
    return { errors, warnings, processes: [] };
  }
  if (String(executable[0].id).length > 255) {
    errors.push(at(null, "process-id", `流程标识（process id）最长 255 个字符，现为 ${String(executable[0].id).length} 个`));
  }
  if (executable.length > 1) {
    errors.push(at(executable[1], "single-executable-process", `一个文件只能包含一个可执行流程 (only one executable process per file)`));
  }

  connectFromSequenceFlows(root);
  const lint = await linter();
  const results: Record<string, { id?: string; message: string; category: string }[]> = await lint.lint(root);
  const byId = new Map<string, any>();
  walk(root, (el) => {
    if (el.id) byId.set(el.id, el);
  });
  // Camunda ignores the non-executable pools of a collaboration (a partner drawn for context): so do the modeling
  // rules. The code checks below still read every pool.
  const ignored = new Set<string>();
  for (const p of processes.filter((x: any) => x.isExecutable !== true)) {
    walk(p, (el) => {
      if (el.id) ignored.add(el.id);
    });
  }
  for (const participant of (root.rootElements ?? []).flatMap((e: any) => e.participants ?? [])) {
    if (participant.processRef && participant.processRef.isExecutable !== true) ignored.add(participant.id);
  }
  for (const [rule, reports] of Object.entries(results)) {
    for (const r of reports) {
      if (r.id && ignored.has(r.id)) continue;
      const el = r.id ? (byId.get(r.id) ?? { id: r.id }) : null;
      const zh = BLOCKING_RULES[rule] ?? STYLE_RULES[rule] ?? "";
      const problem = at(el, rule, `${zh} (${rule}: ${r.message})`);
      if (r.category === "error" || r.category === "rule-error") errors.push(problem);
      else warnings.push(problem);
    }
  }

  const messageStarts: NonNullable<ValidatedProcess["messageStarts"]> = [];
  for (const p of executable.slice(0, 1)) {
    errors.push(...timerStartProblems(p, at));
    errors.push(...messageStartProblems(p, at, fileName, messageStarts));
  }

  const formKeys: NonNullable<ValidationResult["formKeys"]> = [];
  walk(root, (el) => {
    const type: string = el.$type;
    if (type === "bpmn:UserTask" || type === "bpmn:StartEvent") {
      // camunda:formKey, or Camunda 7's camunda:formRef (+ formRefBinding latest / deployment / version).
      const formKey: unknown = el.formKey || el.formRef;
      if (typeof formKey === "string" && formKey && !formKey.includes("${")) {
        formKeys.push({ key: formKey, element: el.id, path: `${fileName}#${el.id}`, name: el.name ?? null, type });
      }
      if (el.formRef && el.formRefBinding && !["latest", "deployment", "version"].includes(String(el.formRefBinding))) {
        errors.push(
          at(el, "form-ref", `camunda:formRefBinding 只能是 latest、deployment 或 version，现为「${String(el.formRefBinding)}」`),
        );
      }
      if (el.formRef && el.formRefBinding === "version" && !/^\d+$/.test(String(el.formRefVersion ?? "").trim())) {
        errors.push(at(el, "form-ref", "camunda:formRefBinding 为 version 时，camunda:formRefVersion 必须是表单的版本号（正整数）"));
      }
    }
    if (type === "bpmn:ScriptTask") {
      errors.push(at(el, "no-script-task", "不允许使用脚本任务：BPMN 中不能包含可在服务器上执行的代码 (script tasks are not allowed)"));
    }
    if (
      (type === "camunda:Script" && !isFeelParameterScript(el)) ||
      (type === "camunda:ExecutionListener" && el.script) ||
      (type === "camunda:TaskListener" && el.script)
    ) {
      errors.push(at(el.$parent?.$parent ?? el, "no-script", "不允许使用 camunda:script 脚本 (scripts are not allowed)"));
    }
    if (type === "bpmn:SequenceFlow" && el.conditionExpression) {
      const lang: string | undefined = el.conditionExpression.language;
      const body = bodyOf(el.conditionExpression).trim();
      if ((lang === undefined || lang === "") && el.conditionExpression.$attrs?.language) {
        errors.push(
          at(el, "condition-language", '条件的 language 属性只在 xsi:type="tFormalExpression" 时有效，请加上 xsi:type="tFormalExpression"'),
        );
      } else if ((lang === undefined || lang === "") && !body) {
        errors.push(
          at(el, "condition-empty", '条件为空：请填写 FEEL 条件（language="feel"）或 ${变量} 表达式，或删除条件使它成为普通连线'),
        );
      } else if (lang === undefined || lang === "") {
        const whole = /^\$\{([^}]*)\}$/.exec(body);
        if (!whole) {
          errors.push(at(el, "condition-language", `条件必须是 FEEL（language="feel"）或 \${变量} 表达式：${body.slice(0, 80)}`));
        } else {
          try {
            parseExpression(whole[1]!);
          } catch {
            // Reported with the element by modelTextProblems.
          }
        }
      } else if (isFeelLanguage(lang) && !body) {
        errors.push(at(el, "condition-empty", "FEEL 条件为空：请填写条件（例如 approved = true），或删除条件使它成为普通连线"));
      } else if (isFeelLanguage(lang)) {
        try {
          evaluateFeel(body, {});
        } catch (err) {
          // feelin throws only when it cannot parse ("Incomplete <Comparison>" included); evaluation errors give null.
          errors.push(at(el, "condition-feel", `FEEL 条件有语法错误：${(err as Error).message}`));
        }
      } else {
        errors.push(
          at(
            el,
            "condition-language",
            `不允许使用 ${lang} 语言的条件，只接受 FEEL 或 \${变量} 表达式 (condition language ${lang} is not allowed)`,
          ),
        );
      }
    }
    // What this engine accepts but cannot run yet is refused with the reason, never deployed to fail later.
    if (type === "bpmn:MultiInstanceLoopCharacteristics") errors.push(...multiInstanceProblems(el, at));
    if (type === "bpmn:CallActivity") errors.push(...callActivityProblems(el, at));
    if (type === "camunda:InputOutput") errors.push(...inputOutputProblems(el, at));
    if ((type === "camunda:ExecutionListener" || type === "camunda:TaskListener") && !el.script) {
      errors.push(
        at(
          owningElement(el),
          "unsupported",
          `暂不支持${type === "camunda:TaskListener" ? "任务" : "执行"}监听器：它不会被执行。请改用内部服务任务（camunda:expression="\${services.名称}"）`,
        ),
      );
    }
    if (type === "bpmn:MultiInstanceLoopCharacteristics") {
      const cardinality = bodyOf(el.loopCardinality).trim();
      if (/^\d+$/.test(cardinality) && Number(cardinality) > ACTIVATIONS_PER_STEP) {
        errors.push(
          at(
            el.$parent,
            "loop-cardinality",
            `多实例的次数 ${cardinality} 超过一步能执行的 ${ACTIVATIONS_PER_STEP} 个环节：请减少次数，或改为按集合逐批处理`,
          ),
        );
      }
    }
    if (type === "bpmn:TimerEventDefinition") {
      const event = el.$parent;
      const fields = TIMER_FIELDS.filter((f) => el[f]);
      if (!fields.length) errors.push(at(event, "timer", "定时器缺少时间定义（timeDuration、timeDate 或 timeCycle）"));
      for (const f of fields) {
        const problem = checkTimer(f, bodyOf(el[f]));
        if (problem)
          errors.push(at(event, "timer", `定时器 ${f}「${bodyOf(el[f])}」${problem} (timer ${f} "${bodyOf(el[f])}" does not parse)`));
      }
    }
    if (/^bpmn:(ServiceTask|SendTask|BusinessRuleTask)$/.test(type)) {
      if (el.type === "external") {
        if (!el.topic) errors.push(at(el, "service-task", "外部任务缺少 camunda:topic"));
      } else {
        const expr: string | undefined = el.expression ?? el.delegateExpression;
        const name = serviceName(expr);
        if (el.class) errors.push(at(el, "service-task", '不支持 camunda:class：请使用 camunda:expression="${services.名称}" 或外部任务'));
        else if (!name) {
          errors.push(
            at(el, "service-task", '服务任务必须用 camunda:expression="${services.名称}" 指定内部服务，或设置 camunda:type="external"'),
          );
        } else if (!knownServices.has(name)) {
          warnings.push(at(el, "service-task", `内部服务 ${name} 尚未注册，运行到此处时会失败`));
        }
      }
    }
  });

  // Every string the parser decoded (character references and CDATA already resolved) is checked on the model,
  // with the element it belongs to; the engine evaluates through the same parser (expressions.ts).
  errors.push(...modelTextProblems(root, at));

  return {
    errors,
    warnings,
    formKeys,
    processes: executable.slice(0, 1).map((p: any) => ({ key: String(p.id), name: p.name ?? null, messageStarts })),
  };
}

const IDENTIFIER = /^[A-Za-z_$\u4e00-\u9fff][\w$\u4e00-\u9fff]*$/;

/**
 * Multi-instance (会签 / 并联审查): how many instances (camunda:collection naming a list variable, or loopCardinality),
 * a valid element variable, and a completion condition in FEEL or a `${path}` (the `${…}` itself is checked with
 * every other expression by modelTextProblems).
 */
function multiInstanceProblems(el: any, at: (element: any, rule: string, message: string) => Problem): Problem[] {
  const problems: Problem[] = [];
  const owner = el.$parent;
  const collection = typeof el.collection === "string" ? el.collection.trim() : "";
  const cardinality = bodyOf(el.loopCardinality).trim();
  const condition = bodyOf(el.completionCondition).trim();
  if (!collection && !cardinality && !(el.isSequential && condition)) {
    problems.push(
      at(
        owner,
        "multi-instance",
        "多实例缺少实例数：请填写“集合”（camunda:collection，例如 ${inspectors}，一个列表变量）或“循环基数”（loopCardinality，例如 3 或 ${count}）",
      ),
    );
  }
  if (collection && !collection.includes("${") && !IDENTIFIER.test(collection)) {
    problems.push(at(owner, "multi-instance", `多实例的集合「${collection}」必须是 \${变量} 或变量名（例如 \${inspectors}）`));
  }
  if (el.elementVariable !== undefined && !IDENTIFIER.test(String(el.elementVariable).trim())) {
    problems.push(at(owner, "multi-instance", `多实例的元素变量「${String(el.elementVariable)}」必须是变量名（例如 inspector）`));
  }
  if (el.elementVariable && !collection) {
    problems.push(
      at(owner, "multi-instance", "多实例设置了元素变量但没有集合：请填写集合（camunda:collection），元素变量依次取集合中的每一项"),
    );
  }
  if (cardinality && !/^\d+$/.test(cardinality) && !/^\$\{[^}]*\}$/.test(cardinality)) {
    problems.push(at(owner, "multi-instance", `多实例的循环基数「${cardinality.slice(0, 60)}」必须是整数或 \${变量}`));
  }
  const language: string | undefined = el.completionCondition?.language;
  if (el.completionCondition && !condition) {
    problems.push(
      at(owner, "multi-instance", "多实例的完成条件为空：请填写 FEEL 条件（例如 nrOfCompletedInstances >= 2），或删除完成条件"),
    );
  } else if (condition && language && !isFeelLanguage(language)) {
    problems.push(at(owner, "multi-instance", `多实例的完成条件不允许使用 ${language} 语言，只接受 FEEL 或 \${变量}`));
  } else if (condition && completionIsFeel(language, condition)) {
    try {
      evaluateFeel(condition, {});
    } catch (err) {
      // feelin throws only when it cannot parse (evaluation errors give null): "Incomplete <Comparison>" and the like.
      problems.push(at(owner, "multi-instance", `多实例的完成条件有 FEEL 语法错误：${(err as Error).message}`));
    }
  }
  return problems;
}

/** A FEEL script as the value of an input/output parameter: an expression, not code (evaluated with feelin). */
function isFeelParameterScript(el: any): boolean {
  return (
    /^camunda:(InputParameter|OutputParameter|Entry|List)$/.test(String(el.$parent?.$type)) &&
    isFeelLanguage(el.scriptFormat) &&
    !el.resource
  );
}

/** camunda:inputOutput: named parameters whose values are text, `${path}`, lists, maps or FEEL scripts. */
function inputOutputProblems(el: any, at: (element: any, rule: string, message: string) => Problem): Problem[] {
  const problems: Problem[] = [];
  const owner = owningElement(el);
  const script = (d: any, where: string) => {
    if (d?.$type !== "camunda:Script") return;
    if (!isFeelLanguage(d.scriptFormat)) {
      problems.push(
        at(
          owner,
          "input-output",
          `${where}的脚本只能是 FEEL（scriptFormat="feel"），不允许 ${String(d.scriptFormat ?? "未指定语言")} 脚本`,
        ),
      );
    } else if (d.resource) {
      problems.push(at(owner, "input-output", `${where}的 FEEL 脚本请直接写在参数中，不支持外部资源（resource）`));
    } else {
      try {
        evaluateFeel(String(d.value ?? ""), {});
      } catch (err) {
        problems.push(at(owner, "input-output", `${where}的 FEEL 表达式有语法错误：${(err as Error).message}`));
      }
    }
  };
  const visit = (d: any, where: string) => {
    script(d, where);
    for (const item of (d?.items ?? []) as any[]) visit(item, where);
    for (const entry of (d?.entries ?? []) as any[]) visit(entry.definition, where);
  };
  for (const [list, kind] of [
    [el.inputParameters, "输入参数"],
    [el.outputParameters, "输出参数"],
  ] as const) {
    for (const p of (list ?? []) as any[]) {
      const name = typeof p.name === "string" ? p.name.trim() : "";
      if (!name) problems.push(at(owner, "input-output", `${kind}缺少名称（name）`));
      visit(p.definition, `${kind}「${name}」`);
    }
  }
  return problems;
}

/** Call activities: a called process key, Camunda's bindings, and camunda:in / camunda:out mappings this engine runs. */
function callActivityProblems(el: any, at: (element: any, rule: string, message: string) => Problem): Problem[] {
  const problems: Problem[] = [];
  const called = typeof el.calledElement === "string" ? el.calledElement.trim() : "";
  if (!called) problems.push(at(el, "call-activity", "调用活动缺少被调用的流程：请填写 calledElement（被调用流程的 key，或 ${变量}）"));
  if (el.caseRef) problems.push(at(el, "call-activity", "不支持调用 CMMN 案例（camunda:caseRef）：请调用 BPMN 流程（calledElement）"));
  const binding = el.calledElementBinding === undefined ? "latest" : String(el.calledElementBinding);
  if (!["latest", "deployment", "version"].includes(binding)) {
    problems.push(
      at(
        el,
        "call-activity",
        `camunda:calledElementBinding 只能是 latest、deployment 或 version，现为「${binding}」${binding === "versionTag" ? "（暂不支持按版本标签调用）" : ""}`,
      ),
    );
  }
  if (binding === "version" && !/^\d+$/.test(String(el.calledElementVersion ?? "").trim())) {
    problems.push(
      at(
        el,
        "call-activity",
        "camunda:calledElementBinding 为 version 时，camunda:calledElementVersion 必须是被调用流程的版本号（正整数）",
      ),
    );
  }
  if (el.variableMappingClass || el.variableMappingDelegateExpression) {
    problems.push(
      at(
        el,
        "call-activity",
        "不支持变量映射类（camunda:variableMappingClass / variableMappingDelegateExpression）：请用 camunda:in / camunda:out 映射",
      ),
    );
  }
  for (const m of (el.extensionElements?.values ?? []) as any[]) {
    if (m.$type !== "camunda:In" && m.$type !== "camunda:Out") continue;
    const kind = m.$type === "camunda:In" ? "camunda:in" : "camunda:out";
    if (m.$type === "camunda:In" && m.businessKey !== undefined) {
      const bk = String(m.businessKey).trim();
      if (!/^[#$]\{\s*execution\.(processBusinessKey|businessKey)\s*\}$/.test(bk) && !/^\$\{[^}]*\}$/.test(bk)) {
        problems.push(
          at(
            el,
            "call-activity",
            `camunda:in 的 businessKey「${bk.slice(0, 60)}」只能是 #{execution.processBusinessKey}（传入本流程的业务键）或 \${变量}`,
          ),
        );
      }
      continue;
    }
    if (m.variables !== undefined && m.variables !== "all") {
      problems.push(at(el, "call-activity", `${kind} 的 variables 只能是 all，现为「${String(m.variables)}」`));
    } else if (m.variables === undefined) {
      if (!m.target || (m.source === undefined && m.sourceExpression === undefined)) {
        problems.push(
          at(el, "call-activity", `${kind} 映射需要 target，以及 source（变量名）或 sourceExpression（\${变量}）之一，或 variables="all"`),
        );
      }
      if (m.sourceExpression !== undefined && !/^\s*\$\{[^}]*\}\s*$/.test(String(m.sourceExpression))) {
        problems.push(
          at(el, "call-activity", `${kind} 的 sourceExpression「${String(m.sourceExpression).slice(0, 60)}」必须是一个 \${变量}`),
        );
      }
    }
  }
  return problems;
}

/** The registry name of an internal service: `${services.archiveCommitment}` or `${archiveCommitment}`. */
export function serviceName(expression: string | undefined | null): string | null {
  if (!expression) return null;
  const m = /^\s*\$\{\s*(?:services\.)?([A-Za-z_$][\w$]*)\s*\}\s*$/.exec(expression);
  return m ? m[1]! : null;
}
