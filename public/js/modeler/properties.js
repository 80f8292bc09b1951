// The platform's additions to the Camunda 7 properties panel: pickers where the platform knows the answer (published
// forms with their binding, departments as candidate groups, staff accounts, registered internal services, external
// task topics in use), a FEEL condition with a syntax check, and no groups for what the server refuses to deploy.
import {
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { h } from "@bpmn-io/properties-panel/preact";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";
import { feelSyntaxProblem, isFeelLanguage } from "./platform-rules.js";
import { expressionProblems, serviceName } from "./expressions.js";

/** The pickers' lists (GET /admin/processes/modeler/options.json), set by the page before the modeler starts. */
export const pickerOptions = { forms: [], groups: [], users: [], services: [], topics: [] };

// Groups for constructs the server refuses at deploy (validate.ts) or this engine never reads: not offered at all.
const HIDDEN_GROUPS = new Set([
  "CamundaPlatform__Input",
  "CamundaPlatform__Output",
  "CamundaPlatform__ExecutionListener",
  "CamundaPlatform__TaskListener",
  "CamundaPlatform__FieldInjection",
  "CamundaPlatform__ConnectorInput",
  "CamundaPlatform__ConnectorOutput",
  "CamundaPlatform__InMapping",
  "CamundaPlatform__OutMapping",
  "CamundaPlatform__InMappingPropagation",
  "CamundaPlatform__OutMappingPropagation",
  "CamundaPlatform__Script",
  "CamundaPlatform__FormData",
  "CamundaPlatform__HistoryCleanup",
  "CamundaPlatform__Tasklist",
  "CamundaPlatform__CandidateStarter",
]);

const NONE = "";

function update(commandStack, element, properties) {
  commandStack.execute("element.updateModdleProperties", { element, moddleElement: getBusinessObject(element), properties });
}

const list = (value) =>
  String(value || "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

// ---- Forms: the published forms, and how a task binds to a revision (docs/engine.md, Pinned form revision) ----

const BINDINGS = [
  { value: "formKey", label: "任务创建时已发布的版本（camunda:formKey）" },
  { value: "latest", label: "最新发布的版本（camunda:formRef，latest）" },
  { value: "deployment", label: "部署此流程时已发布的版本（deployment）" },
  { value: "version", label: "指定的修订版本（version）" },
];

function currentForm(bo) {
  return bo.get("camunda:formKey") || bo.get("camunda:formRef") || "";
}

function currentBinding(bo) {
  if (bo.get("camunda:formRef")) return bo.get("camunda:formRefBinding") || "latest";
  return "formKey";
}

function setForm(commandStack, element, key, binding, version) {
  const formRef = binding !== "formKey";
  update(commandStack, element, {
    "camunda:formKey": key && !formRef ? key : undefined,
    "camunda:formRef": key && formRef ? key : undefined,
    "camunda:formRefBinding": key && formRef ? binding : undefined,
    "camunda:formRefVersion": key && binding === "version" ? version || undefined : undefined,
  });
}

function FormPicker(props) {
  const { element, id } = props;
  const commandStack = useService("commandStack");
  const bo = getBusinessObject(element);
  return h(SelectEntry, {
    element,
    id,
    label: "表单",
    description: "从已发布的表单中选择；开始事件的表单由申请人或发起人填写，用户任务的表单由处理人填写。",
    getValue: () => currentForm(bo),
    setValue: (key) => setForm(commandStack, element, key, currentBinding(bo), bo.get("camunda:formRefVersion")),
    getOptions: () => {
      const options = [{ value: NONE, label: "（不使用表单）" }];
      const current = currentForm(bo);
      for (const f of pickerOptions.forms.filter((x) => x.revision !== null))
        options.push({ value: f.key, label: f.title + "（" + f.key + "）" });
      if (current && !pickerOptions.forms.some((f) => f.key === current && f.revision !== null)) {
        options.push({ value: current, label: current + "（未发布或不存在）" });
      }
      return options;
    },
  });
}

function FormBinding(props) {
  const { element, id } = props;
  const commandStack = useService("commandStack");
  const bo = getBusinessObject(element);
  return h(SelectEntry, {
    element,
    id,
    label: "表单版本",
    getValue: () => currentBinding(bo),
    setValue: (binding) => setForm(commandStack, element, currentForm(bo), binding, bo.get("camunda:formRefVersion")),
    getOptions: () => BINDINGS,
  });
}

function FormVersion(props) {
  const { element, id } = props;
  const commandStack = useService("commandStack");
  const debounce = useService("debounceInput");
  const bo = getBusinessObject(element);
  const form = pickerOptions.forms.find((f) => f.key === currentForm(bo));
  return h(TextFieldEntry, {
    element,
    id,
    label: "修订版本号",
    description: form && form.revision ? "当前已发布的修订版本为 " + form.revision : "表单已发布的修订版本号（正整数）",
    debounce,
    getValue: () => bo.get("camunda:formRefVersion") || "",
    setValue: (value) => update(commandStack, element, { "camunda:formRefVersion": value || undefined }),
    validate: (value) => (value && !/^\d+$/.test(String(value).trim()) ? "请填写正整数" : undefined),
  });
}

function formEntries(element) {
  const bo = getBusinessObject(element);
  const entries = [{ id: "xy-form", component: FormPicker, element, isEdited: isSelectEntryEdited }];
  if (currentForm(bo)) entries.push({ id: "xy-form-binding", component: FormBinding, element, isEdited: isSelectEntryEdited });
  if (currentBinding(bo) === "version" && currentForm(bo)) {
    entries.push({ id: "xy-form-version", component: FormVersion, element, isEdited: isTextFieldEntryEdited });
  }
  return entries;
}

// ---- User assignment: pick from the platform's accounts and groups ----

function Appender(props) {
  const { element, id, property, label, options, single } = props;
  const commandStack = useService("commandStack");
  const bo = getBusinessObject(element);
  return h(SelectEntry, {
    element,
    id,
    label,
    getValue: () => NONE,
    setValue: (value) => {
      if (!value) return;
      if (single) return update(commandStack, element, { [property]: value });
      const values = list(bo.get(property));
      if (!values.includes(value)) values.push(value);
      update(commandStack, element, { [property]: values.join(",") });
    },
    getOptions: () => [{ value: NONE, label: single ? "（请选择）" : "（请选择，选中即加入上面的列表）" }].concat(options()),
  });
}

const groupOptions = () => pickerOptions.groups.map((g) => ({ value: g.id, label: g.name + "（" + g.id + "）" }));
const userOptions = () =>
  pickerOptions.users.map((u) => ({
    value: u.username,
    label: u.displayName + "（" + u.username + (u.department ? "，" + u.department : "") + "）",
  }));

function insertAfter(entries, id, added) {
  const at = entries.findIndex((e) => e.id === id);
  entries.splice(at === -1 ? entries.length : at + 1, 0, ...added);
}

function assignmentEntries(group, element) {
  const picker = (id, property, label, options, single) => ({
    id,
    element,
    isEdited: () => false,
    component: (props) => h(Appender, { ...props, property, label, options, single }),
  });
  insertAfter(group.entries, "assignee", [picker("xy-assignee", "camunda:assignee", "选择处理人", userOptions, true)]);
  insertAfter(group.entries, "candidateGroups", [
    picker("xy-candidate-groups", "camunda:candidateGroups", "添加候选组（部门）", groupOptions, false),
  ]);
  insertAfter(group.entries, "candidateUsers", [picker("xy-candidate-users", "camunda:candidateUsers", "添加候选人", userOptions, false)]);
}

// ---- Implementation: internal services and external task topics ----

function ServicePicker(props) {
  const { element, id } = props;
  const commandStack = useService("commandStack");
  const bo = getBusinessObject(element);
  return h(SelectEntry, {
    element,
    id,
    label: "内部服务",
    description: '平台注册的内部服务，写作 camunda:expression="${services.名称}"，在流程这一步的事务中执行。',
    getValue: () => (bo.get("camunda:type") === "external" ? NONE : serviceName(bo.get("camunda:expression")) || NONE),
    setValue: (name) =>
      update(commandStack, element, {
        "camunda:expression": name ? "${services." + name + "}" : undefined,
        "camunda:class": undefined,
        "camunda:delegateExpression": undefined,
        "camunda:type": undefined,
        "camunda:topic": undefined,
      }),
    getOptions: () => {
      const options = [{ value: NONE, label: "（请选择内部服务）" }].concat(
        pickerOptions.services.map((s) => ({ value: s.name, label: s.name })),
      );
      const current = serviceName(bo.get("camunda:expression"));
      if (current && !pickerOptions.services.some((s) => s.name === current))
        options.push({ value: current, label: current + "（尚未注册）" });
      return options;
    },
  });
}

function TopicPicker(props) {
  const { element, id } = props;
  const commandStack = useService("commandStack");
  return h(SelectEntry, {
    element,
    id,
    label: "已在使用的主题",
    getValue: () => NONE,
    setValue: (topic) => topic && update(commandStack, element, { "camunda:type": "external", "camunda:topic": topic }),
    getOptions: () =>
      [{ value: NONE, label: pickerOptions.topics.length ? "（选择一个已在使用的主题）" : "（还没有流程使用外部任务主题）" }].concat(
        pickerOptions.topics.map((t) => ({ value: t, label: t })),
      ),
  });
}

function implementationEntries(group, element) {
  if (!is(element, "bpmn:ServiceTask") && !is(element, "bpmn:SendTask") && !is(element, "bpmn:BusinessRuleTask")) return;
  const bo = getBusinessObject(element);
  const added = [];
  if (bo.get("camunda:type") === "external") added.push({ id: "xy-topic", component: TopicPicker, element, isEdited: () => false });
  else added.push({ id: "xy-service", component: ServicePicker, element, isEdited: isSelectEntryEdited });
  insertAfter(group.entries, "implementationType", added);
}

// ---- Conditions: FEEL (language="feel") or a ${variable}, checked as the person types ----

const CONDITION_KINDS = [
  { value: "none", label: "无条件" },
  { value: "feel", label: "FEEL 条件（例如 approved = true、amount > 100）" },
  { value: "variable", label: "变量表达式（例如 ${approved}）" },
];

function conditionKind(bo) {
  const c = bo.get("conditionExpression");
  if (!c) return "none";
  return isFeelLanguage(c.get("language")) ? "feel" : "variable";
}

function setCondition(bpmnFactory, commandStack, element, kind, body) {
  const value =
    kind === "none"
      ? undefined
      : bpmnFactory.create("bpmn:FormalExpression", kind === "feel" ? { body: body || "", language: "feel" } : { body: body || "" });
  update(commandStack, element, { conditionExpression: value });
}

function ConditionKind(props) {
  const { element, id } = props;
  const commandStack = useService("commandStack");
  const bpmnFactory = useService("bpmnFactory");
  const bo = getBusinessObject(element);
  return h(SelectEntry, {
    element,
    id,
    label: "条件类型",
    getValue: () => conditionKind(bo),
    setValue: (kind) =>
      setCondition(
        bpmnFactory,
        commandStack,
        element,
        kind,
        bo.get("conditionExpression") ? bo.get("conditionExpression").get("body") : "",
      ),
    getOptions: () => CONDITION_KINDS,
  });
}

function ConditionBody(props) {
  const { element, id } = props;
  const commandStack = useService("commandStack");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  const bo = getBusinessObject(element);
  const kind = conditionKind(bo);
  return h(TextAreaEntry, {
    element,
    id,
    label: kind === "feel" ? "FEEL 条件" : "变量表达式",
    description:
      kind === "feel"
        ? '流程变量直接写名字，例如 decision = "通过" 或 amount >= 50000。'
        : "只能引用一个变量，例如 ${approved}；判断和计算请用 FEEL 条件。",
    debounce,
    getValue: () => (bo.get("conditionExpression") ? bo.get("conditionExpression").get("body") || "" : ""),
    setValue: (value) => setCondition(bpmnFactory, commandStack, element, kind, value),
    validate: (value) => {
      if (kind === "feel") return feelSyntaxProblem(value || "") || undefined;
      const text = String(value || "").trim();
      if (!text) return "条件为空";
      if (!/^\$\{[^}]*\}$/.test(text)) return "变量表达式必须整个写成 ${变量}";
      return expressionProblems(text)[0];
    },
  });
}

function conditionEntries(element) {
  const entries = [{ id: "xy-condition-kind", component: ConditionKind, element, isEdited: isSelectEntryEdited }];
  if (conditionKind(getBusinessObject(element)) !== "none") {
    entries.push({ id: "xy-condition-body", component: ConditionBody, element, isEdited: isTextAreaEntryEdited });
  }
  return entries;
}

/** The properties provider (runs after the Camunda 7 provider and changes its groups). */
function PlatformPropertiesProvider(propertiesPanel) {
  this.getGroups = function (element) {
    return function (groups) {
      const kept = groups.filter((g) => !HIDDEN_GROUPS.has(g.id));
      for (const group of kept) {
        if (group.id === "CamundaPlatform__Form") group.entries = formEntries(element);
        if (group.id === "CamundaPlatform__UserAssignment") assignmentEntries(group, element);
        if (group.id === "CamundaPlatform__Implementation") implementationEntries(group, element);
        if (group.id === "CamundaPlatform__Condition" && is(element, "bpmn:SequenceFlow")) group.entries = conditionEntries(element);
      }
      return kept;
    };
  };
  propertiesPanel.registerProvider(200, this);
}
PlatformPropertiesProvider.$inject = ["propertiesPanel"];

export const platformPropertiesModule = {
  __init__: ["xyPlatformPropertiesProvider"],
  xyPlatformPropertiesProvider: ["type", PlatformPropertiesProvider],
};
