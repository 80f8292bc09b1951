import type { Transaction } from "sequelize";
import type { CurrentUser } from "../auth/currentUser.js";
import type { Clock } from "../clock.js";
import type { Variables } from "./bpmn.js";

export type { Variables };

/** Who does something: a logged-in user, or a system name such as "job-worker". */
export type Actor = CurrentUser | string;

export function actorName(actor: Actor | null | undefined): string | null {
  if (!actor) return null;
  return typeof actor === "string" ? actor : actor.username;
}

export type InstanceState = "ACTIVE" | "COMPLETED" | "EXTERNALLY_TERMINATED";

export interface ServiceContext {
  instanceId: string;
  businessKey: string | null;
  activityId: string;
  /** Who made this step happen (the authenticated user; "engine" or a job for timers): never a process variable. */
  actor: string | null;
  variables: Variables;
  /** The instance's transaction: write through it, never open another one. */
  t: Transaction;
  clock: Clock;
}

/** A step the instance is waiting at after a save (user tasks, message and timer waits, external tasks). */
export interface WaitingActivity {
  id: string;
  type: string;
  name: string | null;
}

/**
 * What the engine tells the platform about an instance, inside the step's transaction (a listener that throws rolls
 * the step back): after every save ("step": started or not, ended or not, where it waits, the due date of user tasks
 * it created) and when it is cancelled from outside.
 */
export type LifecycleEvent =
  | {
      type: "step";
      instance: InstanceView;
      started: boolean;
      /** The definition's version, on the step that started the instance. */
      processVersion: number | null;
      ended: boolean;
      /** The end event the instance ended at, when it ended at one. */
      endedAt: string | null;
      processName: string | null;
      waitingAt: WaitingActivity[];
      /** The soonest due date of the user tasks created in this step (undefined: none created). */
      newTaskDue: Date | null | undefined;
    }
  | { type: "cancelled"; instance: InstanceView; reason: string; actor: string | null };

export type LifecycleListener = (event: LifecycleEvent, t: Transaction) => Promise<void>;

/** An internal service: idempotent (it may run again if the transaction is retried); its result is merged into process variables. */
export type ServiceHandler = (ctx: ServiceContext) => Promise<Record<string, unknown> | void>;

export interface DeployInput {
  name: string;
  files: { name: string; xml: string }[];
  actor: Actor;
  changedOnly?: boolean;
  source?: string | null;
  tenantId?: string | null;
  /** The deploying officer's department (null: the platform's). */
  departmentId?: number | null;
  /**
   * Authorization after validation, before anything is stored: each process key with the department owning its
   * latest version (undefined for a new key). Throws to refuse the whole deployment.
   */
  authorize?: (processes: { key: string; ownerDepartmentId: number | null | undefined }[]) => void;
}

export interface DeployedDefinition {
  id: string;
  key: string;
  version: number;
  name: string | null;
  resource: string;
  deploymentId: string;
}

export interface DeployResult {
  id: string;
  name: string;
  source: string | null;
  tenantId: string | null;
  deploymentTime: Date;
  deployedProcessDefinitions: DeployedDefinition[];
  warnings: { path: string; element: string | null; rule: string; message: string }[];
}

export interface StartInput {
  key?: string;
  definitionId?: string;
  businessKey?: string | null;
  variables?: Variables;
  /** Declared Camunda types of some of the variables (Date). */
  variableTypes?: Record<string, string>;
  actor: Actor;
  /** The owning department, decided by the caller (the commitment's department, the starting officer's). */
  departmentId?: number | null;
  /** Set by the job worker when a timer start event's job starts the instance (recorded as the timer firing in its history). */
  timerJob?: { id: string; activityId: string; dueAt: Date };
  /** Set when a correlated message starts the instance: the message start event it starts from. */
  messageStart?: { activityId: string; messageName: string };
  /** Set when a call activity starts the instance: the calling instance and the call activity's execution. */
  superInstance?: { id: string; executionId: string };
}

export interface InstanceView {
  id: string;
  definitionId: string;
  definitionKey: string;
  businessKey: string | null;
  state: InstanceState;
  startedAt: Date;
  endedAt: Date | null;
  startActor: string | null;
  /** The department that owns the instance (what authorization checks); null: the platform's (admins only). */
  departmentId: number | null;
  endReason: string | null;
  variables: Variables;
  /** Camunda types JSON cannot carry (Date, kept as its ISO string): name -> type. */
  variableTypes: Record<string, string>;
  /** The instance whose call activity started this one (Camunda's superProcessInstanceId), or null. */
  superInstanceId?: string | null;
}

export interface TaskView {
  id: string;
  name: string | null;
  assignee: string | null;
  /** 委派: who delegated it (and gets it back on resolve); null when never delegated. */
  owner: string | null;
  /** PENDING while a delegate works it; RESOLVED once handed back; null when never delegated (Camunda's DelegationState). */
  delegationState: "PENDING" | "RESOLVED" | null;
  formKey: string | null;
  /** The form revision pinned when the task was created (null: no form, or none published then). */
  formRevision: number | null;
  priority: number;
  created: Date;
  due: Date | null;
  followUp: Date | null;
  processInstanceId: string;
  processDefinitionId: string;
  processDefinitionKey: string;
  businessKey: string | null;
  taskDefinitionKey: string;
  executionId: string;
  candidateGroups: string[];
  candidateUsers: string[];
}

export interface TaskFilter {
  /** Restrict to tasks this user may see (admin: all). */
  visibleTo?: CurrentUser;
  candidateGroup?: string;
  candidateGroups?: string[];
  candidateUser?: string;
  includeAssignedTasks?: boolean;
  assignee?: string;
  unassigned?: boolean;
  processInstanceId?: string;
  processDefinitionKey?: string;
  processDefinitionId?: string;
  businessKey?: string;
  taskDefinitionKey?: string;
  sortBy?: "created" | "dueDate" | "priority" | "name" | "id";
  sortOrder?: "asc" | "desc";
  firstResult?: number;
  maxResults?: number;
}

export interface HistoryEvent {
  id: number;
  event: string;
  activityId: string | null;
  activityType: string | null;
  activityName: string | null;
  executionId: string | null;
  taskId: string | null;
  actor: string | null;
  at: Date;
  detail: Record<string, unknown> | null;
}

export interface ExternalTaskView {
  id: string;
  activityId: string;
  executionId: string;
  processInstanceId: string;
  processDefinitionId: string;
  processDefinitionKey: string;
  businessKey: string | null;
  topicName: string;
  workerId: string | null;
  lockExpirationTime: Date | null;
  retries: number | null;
  errorMessage: string | null;
  errorDetails: string | null;
  priority: number;
  variables: Variables;
  /** Declared Camunda types (Date) of the instance's variables. */
  variableTypes: Record<string, string>;
}

export interface FetchTopic {
  topicName: string;
  lockDuration: number;
  variables?: string[] | null;
  businessKey?: string | null;
  processDefinitionKey?: string | null;
  processDefinitionId?: string | null;
}

export interface IncidentView {
  id: string;
  /** null for a timer start event's job, which has no instance. */
  processInstanceId: string | null;
  processDefinitionId: string;
  activityId: string | null;
  incidentType: string;
  configuration: string | null;
  incidentMessage: string | null;
  incidentTimestamp: Date;
  resolvedAt: Date | null;
}
