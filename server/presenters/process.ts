import { formatDateTime } from "./helpers.js";
import type { HistoryEvent, IncidentView, TaskView } from "../engine/index.js";
import type { BpmnElement } from "../domain/processes/diagram.js";
import type { InstanceRow, InstanceStateFilter, WaitingElement } from "../domain/processes/queries.js";

export const STATE_FILTERS: { value: InstanceStateFilter; label: string }[] = [
  { value: "active", label: "运行中" },
  { value: "completed", label: "已完成" },
  { value: "cancelled", label: "已取消" },
  { value: "incident", label: "有事故" },
];

const STATES: Record<string, { label: string; badge: string }> = {
  ACTIVE: { label: "运行中", badge: "text-bg-primary" },
  COMPLETED: { label: "已完成", badge: "text-bg-success" },
  EXTERNALLY_TERMINATED: { label: "已取消", badge: "text-bg-secondary" },
};

export function presentState(state: string): { label: string; badge: string } {
  return STATES[state] ?? { label: state, badge: "text-bg-light" };
}

/** A definition id in a URL path (ids contain colons). */
export function definitionHref(id: string): string {
  return `/admin/processes/${encodeURIComponent(id)}`;
}

export function instanceHref(id: string): string {
  return `/admin/instances/${encodeURIComponent(id)}`;
}

export function presentInstanceRow(r: InstanceRow) {
  return {
    ...r,
    href: instanceHref(r.id),
    definitionHref: definitionHref(r.definitionId),
    stateView: presentState(r.state),
  };
}

const EVENT_LABELS: Record<string, string> = {
  "instance.start": "流程启动",
  "instance.end": "流程结束",
  "instance.cancelled": "流程被取消",
  "activity.start": "进入环节",
  "activity.end": "完成环节",
  "task.created": "生成待办任务",
  "task.assigned": "任务分配",
  "task.completed": "任务办结",
  "variable.set": "变量变更",
  "message.received": "收到消息",
  "timer.fired": "定时器触发",
  "incident.created": "发生事故",
};

function detailText(e: HistoryEvent): string | null {
  const d = e.detail;
  if (!d) return null;
  if (e.event === "instance.cancelled" && typeof d.reason === "string") return `原因：${d.reason}`;
  if (e.event === "instance.start") return typeof d.businessKey === "string" && d.businessKey ? `业务编号：${d.businessKey}` : null;
  if (e.event === "timer.fired") return typeof d.dueAt === "string" ? `到期时间：${formatDateTime(d.dueAt)}` : null;
  if (e.event === "variable.set") return `${String(d.name)} = ${JSON.stringify(d.value)}`.slice(0, 300);
  if (e.event === "task.assigned") {
    const to = typeof d.to === "string" && d.to ? d.to : null;
    const from = typeof d.from === "string" && d.from ? d.from : null;
    if (!to) return from ? `${from} 退回认领` : "取消办理人";
    return from ? `办理人：${from} → ${to}` : `办理人：${to}`;
  }
  if (e.event === "task.created") {
    const parts: string[] = [];
    if (typeof d.assignee === "string" && d.assignee) parts.push(`办理人：${d.assignee}`);
    if (Array.isArray(d.candidateGroups) && d.candidateGroups.length) parts.push(`候选组：${d.candidateGroups.join("、")}`);
    if (Array.isArray(d.candidateUsers) && d.candidateUsers.length) parts.push(`候选人：${d.candidateUsers.join("、")}`);
    return parts.join("；") || null;
  }
  if (e.event === "incident.created" && typeof d.message === "string") return d.message;
  if (e.event === "message.received" && typeof d.messageName === "string") return `消息：${d.messageName}`;
  return JSON.stringify(d).slice(0, 300);
}

/** The instance's timeline, oldest first; variable changes are kept but marked so the page can fold them. */
export function presentTimeline(events: HistoryEvent[]) {
  return events.map((e) => ({
    id: e.id,
    at: e.at,
    event: e.event,
    label: EVENT_LABELS[e.event] ?? e.event,
    activity: e.activityName ?? e.activityId,
    activityId: e.activityId,
    actor: e.actor,
    detail: detailText(e),
    isVariable: e.event === "variable.set",
    tone: e.event.startsWith("incident")
      ? "danger"
      : e.event === "instance.cancelled"
        ? "secondary"
        : e.event.endsWith(".end") || e.event === "task.completed"
          ? "success"
          : "primary",
  }));
}

const WAIT_LABELS: Record<WaitingElement["kind"], string> = {
  userTask: "用户任务",
  timer: "定时器",
  externalTask: "外部任务",
  message: "等待消息",
};

export function presentWaiting(w: WaitingElement) {
  return { ...w, kindLabel: WAIT_LABELS[w.kind] };
}

export function presentTask(t: TaskView) {
  return { ...t, candidates: [...t.candidateGroups.map((g) => `组 ${g}`), ...t.candidateUsers.map((u) => `用户 ${u}`)].join("、") };
}

const INCIDENT_TYPES: Record<string, string> = { failedJob: "定时作业失败", failedExternalTask: "外部任务失败" };

export function presentIncident(i: IncidentView, instanceId: string) {
  return {
    ...i,
    typeLabel: INCIDENT_TYPES[i.incidentType] ?? i.incidentType,
    retryAction: `${instanceHref(instanceId)}/incidents/${encodeURIComponent(i.id)}/retry`,
  };
}

/** A timer start job's cycle as the definition page shows it: `R3/2026-…/PT1H` -> 还剩 3 次，每 PT1H 一次. */
function cycleLabel(repeat: string | null): string {
  if (!repeat) return "仅一次";
  const [r, , period] = repeat.split("/");
  const left = r && r.length > 1 ? `还剩 ${r.slice(1)} 次` : "不限次数";
  return `${left}，周期 ${period ?? ""}`;
}

export function presentTimerStartJob(j: {
  activityId: string;
  dueAt: Date;
  repeat: string | null;
  retries: number;
  exceptionMessage: string | null;
}) {
  return { ...j, cycle: cycleLabel(j.repeat), inIncident: j.retries === 0 };
}

/** An incident of a timer start job: it has no instance, so it is retried from its definition version's page. */
export function presentDefinitionIncident(
  i: { id: string; type: string; activityId: string | null; message: string | null; createdAt: Date },
  definitionId: string,
) {
  return {
    id: i.id,
    activityId: i.activityId,
    incidentMessage: i.message,
    incidentTimestamp: i.createdAt,
    typeLabel: i.type === "failedJob" ? "定时启动失败" : (INCIDENT_TYPES[i.type] ?? i.type),
    retryAction: `${definitionHref(definitionId)}/incidents/${encodeURIComponent(i.id)}/retry`,
  };
}

/** Which flow elements an instance has passed and where it stands, for the diagram and the element list. */
export function activityStatus(history: HistoryEvent[], waiting: WaitingElement[], incidents: IncidentView[]) {
  const current = new Set(waiting.map((w) => w.activityId));
  const completed = new Set<string>();
  for (const e of history) if (e.event === "activity.end" && e.activityId) completed.add(e.activityId);
  const failed = new Set(incidents.map((i) => i.activityId).filter((x): x is string => !!x));
  return { completed: [...completed].filter((id) => !current.has(id)), current: [...current], incident: [...failed] };
}

export function presentElements(elements: BpmnElement[], status?: { completed: string[]; current: string[]; incident: string[] }) {
  return elements.map((e) => {
    const state = status?.incident.includes(e.id)
      ? "incident"
      : status?.current.includes(e.id)
        ? "current"
        : status?.completed.includes(e.id)
          ? "completed"
          : null;
    return {
      ...e,
      state,
      stateLabel: state === "incident" ? "有事故" : state === "current" ? "当前" : state === "completed" ? "已完成" : "",
      stateBadge:
        state === "incident" ? "text-bg-danger" : state === "current" ? "text-bg-warning" : state === "completed" ? "text-bg-success" : "",
    };
  });
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A process variable as the instance page shows it: its Camunda type and its value in the office's words. */
export interface VariableView {
  name: string;
  /** Camunda's type name, as /engine-rest reports it: String, Integer, Long, Double, Boolean, Date, Json, Null. */
  type: "String" | "Integer" | "Long" | "Double" | "Boolean" | "Date" | "Json" | "Null";
  /** The value in one line (Json: a summary such as 「对象，3 个字段」). */
  text: string;
  /** Date, and a String holding an instant: the stored ISO text (UTC), for the tooltip. */
  raw?: string;
  /** A String holding an instant: the same instant in China time, as a hint beside the text. */
  localHint?: string;
  /** Json: the value pretty-printed, shown in a collapsible block (open when short). */
  pretty?: string;
  open?: boolean;
}

function typedVariable(name: string, value: unknown, declared: string | undefined): VariableView {
  if (value === null || value === undefined) return { name, type: "Null", text: "空值" };
  if (declared === "Date" && typeof value === "string" && !Number.isNaN(Date.parse(value))) {
    return { name, type: "Date", text: `${formatDateTime(value)}（北京时间）`, raw: value };
  }
  if (typeof value === "boolean") return { name, type: "Boolean", text: value ? "true（是）" : "false（否）" };
  if (typeof value === "number") {
    const type = !Number.isInteger(value) ? "Double" : Math.abs(value) <= 2_147_483_647 ? "Integer" : "Long";
    return { name, type, text: String(value) };
  }
  if (typeof value === "string") {
    return ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))
      ? { name, type: "String", text: value, raw: value, localHint: `北京时间 ${formatDateTime(value)}` }
      : { name, type: "String", text: value };
  }
  const pretty = JSON.stringify(value, null, 2);
  const text = Array.isArray(value) ? `列表，${value.length} 项` : `对象，${Object.keys(value).length} 个字段`;
  return { name, type: "Json", text, pretty, open: pretty.split("\n").length <= 12 };
}

/**
 * Variables typed as Camunda types them (the same rules as /engine-rest: whole numbers Integer or Long, objects and
 * lists Json, the declared ones Date), dates in China time, JSON as a readable block; one entry per name, sorted.
 */
export function presentVariables(variables: Record<string, unknown>, types: Record<string, string> = {}): VariableView[] {
  return Object.keys(variables)
    .sort()
    .map((name) => typedVariable(name, variables[name], types[name]));
}
