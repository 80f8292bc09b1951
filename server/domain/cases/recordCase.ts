import type { Clock } from "../../clock.js";
import { Case } from "../../db/models/Case.js";
import type { LifecycleEvent, LifecycleListener, WaitingActivity } from "../../engine/index.js";
import type { FlowModule, FlowRegistry } from "../../flows/registry.js";

const ENDED = "已办结";
const CANCELLED = "已终止";
/** Waits a person would call "where the case is"; a boundary event waits beside its activity, not instead of it. */
const SHOWN = (a: WaitingActivity) => a.type !== "bpmn:BoundaryEvent";

/** The status label of a case after a step: the flow module's words, else the names of the steps it waits at. */
export function caseStatus(flow: FlowModule | undefined, event: Extract<LifecycleEvent, { type: "step" }>): string {
  const labels = flow?.status ?? {};
  if (event.ended) return (event.endedAt ? labels[`end:${event.endedAt}`] : undefined) ?? labels.ended ?? ENDED;
  const waiting = event.waitingAt.filter(SHOWN);
  const userTasks = waiting.filter((a) => a.type === "bpmn:UserTask");
  for (const a of [...userTasks, ...waiting]) if (labels[a.id]) return labels[a.id]!;
  const names = (userTasks.length ? userTasks : waiting).map((a) => a.name ?? a.id);
  return names.length ? `办理中：${names.join("、")}`.slice(0, 64) : "办理中";
}

function waitingText(event: Extract<LifecycleEvent, { type: "step" }>): string | null {
  if (event.ended) return null;
  const names = [...new Set(event.waitingAt.filter(SHOWN).map((a) => a.name ?? a.id))];
  return names.length ? names.join("、").slice(0, 255) : null;
}

function subjectOf(variables: Record<string, unknown>): string | null {
  const code = variables.subjectCode;
  return typeof code === "string" && code.length <= 64 ? code : null;
}

/**
 * Keeps the cases table current from the engine's lifecycle events, inside each step's transaction: a case is created
 * when its instance starts and follows every step (status, where it waits, due date) until it ends or is cancelled.
 * A flow module names its statuses (FlowModule.status); its start command may then give the case a better title.
 */
export function caseRecorder(flows: FlowRegistry, clock: Clock): LifecycleListener {
  return async (event, t) => {
    const now = clock.now();
    const instanceId = event.instance.id;
    if (event.type === "cancelled") {
      await Case.update(
        {
          status: CANCELLED,
          waitingAt: null,
          dueAt: null,
          endedAt: event.instance.endedAt ?? now,
          endReason: event.reason.slice(0, 1000),
          updatedAt: now,
        },
        { where: { instanceId }, transaction: t },
      );
      return;
    }
    const flow = flows.forProcess(event.instance.definitionKey);
    const status = caseStatus(flow, event);
    const waitingAt = waitingText(event);
    if (event.started) {
      await Case.create(
        {
          instanceId,
          kind: flow?.kind ?? "generic",
          processKey: event.instance.definitionKey,
          processVersion: event.processVersion,
          definitionId: event.instance.definitionId,
          businessKey: event.instance.businessKey,
          title: (event.processName ?? event.instance.definitionKey).slice(0, 255),
          subjectCode: subjectOf(event.instance.variables),
          departmentId: event.instance.departmentId,
          itemId: null,
          itemVersionId: null,
          subjectName: null,
          startedBy: event.instance.startActor,
          status,
          waitingAt,
          dueAt: event.ended ? null : (event.newTaskDue ?? null),
          startedAt: event.instance.startedAt,
          endedAt: event.ended ? now : null,
          endReason: null,
          updatedAt: now,
        },
        { transaction: t },
      );
      return;
    }
    await Case.update(
      {
        status,
        waitingAt,
        ...(event.ended ? { endedAt: now, dueAt: null } : event.newTaskDue !== undefined ? { dueAt: event.newTaskDue } : {}),
        updatedAt: now,
      },
      { where: { instanceId }, transaction: t },
    );
  };
}
