import type { Transaction } from "sequelize";
import type { CurrentUser } from "../auth/currentUser.js";
import type { Database } from "../db/database.js";
import type { EngineRuntime, InstanceView, TaskView } from "../engine/index.js";

/** What a flow module's commands need from the running node. */
export interface FlowDeps {
  db: Database;
  engine: EngineRuntime;
  clock: { now(): Date };
}

/** A decision on one user task: the authenticated actor, the open task, the submitted form data. */
export interface TaskDecision {
  actor: CurrentUser;
  task: TaskView;
  data: unknown;
}

/** How a flow checks and records the decision of one user task; it completes the task itself. */
export interface TaskRule {
  complete(deps: FlowDeps, decision: TaskDecision): Promise<unknown>;
}

/** What is specific to one kind of flow; a process with no module is a generic flow. */
export interface FlowModule {
  kind: string;
  /** Chinese name shown in refusals, e.g. 告知承诺. */
  label: string;
  processKeys: string[];
  /** Where people start and message this flow (its domain door), for the refusal at /engine-rest. */
  door: string;
  /**
   * The case's status label by the activity it waits at (a user task, a message or timer wait) and by end event
   * (`end:<id>`, else `ended`); steps without a label read "办理中：<task names>".
   */
  status?: Record<string, string>;
  /** User task ids from which 退回 to an earlier step is refused (the flow's own rules must decide there). */
  forbidReturnFrom?: string[];
  /** Rules per user task id; a task of the flow without a rule cannot be completed from outside the flow. */
  tasks: Record<string, TaskRule>;
  /** Told inside the cancelling transaction, so the case never stays open behind a cancelled process. */
  onCancelled?(deps: FlowDeps, event: { instance: InstanceView; actor: CurrentUser; reason: string }, t: Transaction): Promise<void>;
}

/** The flows this node runs; the task page, /api and /engine-rest ask it instead of naming a flow. */
export class FlowRegistry {
  private readonly byKey = new Map<string, FlowModule>();

  define(flow: FlowModule): FlowModule {
    for (const key of flow.processKeys) {
      if (this.byKey.has(key)) throw new Error(`process key ${key} already belongs to flow ${this.byKey.get(key)!.kind}`);
      this.byKey.set(key, flow);
    }
    return flow;
  }

  /** The module owning a process key, or undefined for a generic flow. */
  forProcess(key: string): FlowModule | undefined {
    return this.byKey.get(key);
  }
}
