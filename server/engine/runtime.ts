import type { Transaction } from "sequelize";
import type { CurrentUser } from "../auth/currentUser.js";
import type { EngineDefinition, EngineDeployment, EngineJob } from "../db/models/engineModels.js";
import type { Variables } from "./bpmn.js";
import { addDuration, parseDueDate } from "./durations.js";
import {
  createEngineContext,
  type EngineContext,
  type EngineRuntimeDeps,
  type FormKeyCheck,
  type FormRevisionPin,
} from "./runtime/context.js";
import * as deployments from "./runtime/deployments.js";
import * as externalTasks from "./runtime/externalTasks.js";
import * as instances from "./runtime/instances.js";
import * as jobs from "./runtime/jobs.js";
import { listQueries } from "./runtime/listQueries.js";
import * as messages from "./runtime/messages.js";
import * as modification from "./runtime/modification.js";
import * as queries from "./runtime/queries.js";
import * as taskQueries from "./runtime/taskQueries.js";
import * as tasks from "./runtime/tasks.js";
import type {
  Actor,
  DeployInput,
  DeployResult,
  ExternalTaskView,
  HistoryEvent,
  IncidentView,
  InstanceView,
  LifecycleListener,
  ServiceHandler,
  StartInput,
  TaskFilter,
  TaskView,
} from "./types.js";
import { checkVariables } from "./variables.js";

export type { EngineRuntimeDeps } from "./runtime/context.js";
export { ActivationLimitError, BpmnValidationError, InvalidRequestError, ProcessEngineError } from "./runtime/errors.js";

/**
 * The workflow runtime: deployments, instances (load-run-save), tasks, jobs, external tasks, messages, history.
 * A thin facade: each method delegates to the module under runtime/ that owns it, passing the shared context.
 * Every method that takes variables checks them first (checkVariables: depth and size; 400).
 */
export class EngineRuntime {
  private readonly ctx: EngineContext;
  readonly nodeId: string;
  /** Lists paged in SQL and their counts: deployments, incidents, jobs, external tasks; instance count (runtime/listQueries.ts). */
  readonly lists = listQueries(() => this.ctx.now());

  /** Deploy-time check that every literal camunda:formKey names an existing form: check(keys) answers the missing ones. */
  readonly formKeys = {
    use: (check: FormKeyCheck): void => {
      this.ctx.formKeyCheck = check;
    },
    /** How a new user task's form revision is chosen (it is completed against that revision). */
    pinWith: (pin: FormRevisionPin): void => {
      this.ctx.formRevisionPin = pin;
    },
  };

  /** Listeners told of every step and cancellation inside its transaction (server/domain/cases keeps cases with them). */
  readonly lifecycle = {
    on: (listener: LifecycleListener): void => {
      this.ctx.lifecycle.push(listener);
    },
  };

  readonly services = {
    register: (name: string, handler: ServiceHandler): void => {
      this.ctx.services.set(name, handler);
    },
    has: (name: string): boolean => this.ctx.services.has(name),
    names: (): string[] => [...this.ctx.services.keys()],
  };

  constructor(deps: EngineRuntimeDeps) {
    this.ctx = createEngineContext(deps);
    this.nodeId = this.ctx.nodeId;
  }

  /** Drops every parsed definition (tests use it to prove recovery from the database alone). */
  clearCaches(): void {
    this.ctx.parsedCache.clear();
  }

  // ---- Deployments and instances ----------------------------------------------------------------------------------

  /** Validates and stores BPMN files; the same process key gets the next version. Nothing is stored when any file is refused. */
  deploy(input: DeployInput, t?: Transaction): Promise<DeployResult> {
    return deployments.deploy(this.ctx, input, t);
  }

  /** The id of the key's newest version when its XML is exactly `xml` (deploying it would change nothing), else null. */
  unchangedLatestVersion(key: string, xml: string, t?: Transaction): Promise<string | null> {
    return deployments.unchangedLatestVersion(this.ctx, key, xml, t);
  }

  /** Starts an instance and runs it until every path waits or ends, in the caller's transaction when given. */
  async startProcess(input: StartInput, t?: Transaction): Promise<InstanceView> {
    checkVariables(input.variables);
    return instances.startProcess(this.ctx, input, t);
  }

  /** Ends an instance from outside (EXTERNALLY_TERMINATED) and removes everything it waited on; kept in history. */
  cancelInstance(id: string, input: { actor: Actor; reason: string }, t?: Transaction): Promise<void> {
    return instances.cancelInstance(this.ctx, id, input, t);
  }

  // ---- User tasks -------------------------------------------------------------------------------------------------

  /** May the user see this task at all (assignee, candidate, admin)? */
  mayRead(user: CurrentUser, task: TaskView): boolean {
    return tasks.mayRead(user, task);
  }

  /** May the user complete this task now (its assignee; a candidate while unassigned; an admin)? */
  mayComplete(user: CurrentUser, task: TaskView): boolean {
    return tasks.mayWork(user, task);
  }

  /** Completes a user task with variables (they become process variables) and runs the instance on. */
  async completeTask(
    taskId: string,
    input: { actor: CurrentUser | string; variables?: Variables; variableTypes?: Record<string, string> },
    t?: Transaction,
  ): Promise<InstanceView> {
    checkVariables(input.variables);
    return tasks.completeTask(this.ctx, taskId, input, t);
  }

  /** Claims a task for the actor: a candidate may claim an unassigned task; claiming someone else's task is refused. */
  claimTask(taskId: string, actor: CurrentUser, t?: Transaction): Promise<TaskView> {
    return tasks.claimTask(this.ctx, taskId, actor, t);
  }

  /** Returns a task to its candidates: the assignee or an admin. */
  unclaimTask(taskId: string, actor: CurrentUser, t?: Transaction): Promise<TaskView> {
    return tasks.unclaimTask(this.ctx, taskId, actor, t);
  }

  /** Sets (or clears) the assignee: admin, or the current assignee handing over, or a candidate taking an unassigned task. */
  setAssignee(
    taskId: string,
    assignee: string | null,
    actor: CurrentUser,
    t?: Transaction,
    note?: { action?: string; reason?: string },
  ): Promise<TaskView> {
    return tasks.setAssignee(this.ctx, taskId, assignee, actor, t, note);
  }

  /** 委派: a delegate works the task and resolves it back to its owner (Camunda's delegateTask). */
  delegateTask(taskId: string, delegate: string, actor: CurrentUser, t?: Transaction, reason?: string): Promise<TaskView> {
    return tasks.delegateTask(this.ctx, taskId, delegate, actor, t, reason);
  }

  /** The delegate hands the task back to its owner (Camunda's resolveTask). */
  resolveTask(taskId: string, actor: CurrentUser, t?: Transaction, opinion?: string): Promise<TaskView> {
    return tasks.resolveTask(this.ctx, taskId, actor, t, opinion);
  }

  /** Process instance modification (Camunda's): cancel the waiting user task, start before an earlier activity (runtime/modification.ts). */
  modifyInstance(id: string, input: modification.ModificationInput, t?: Transaction): Promise<modification.ModificationResult> {
    return modification.modifyInstance(this.ctx, id, input, t);
  }

  /** One open task, or null (completed tasks are gone from the table; their trace is in history). */
  getTask(taskId: string, t?: Transaction): Promise<TaskView | null> {
    return taskQueries.getTask(this.ctx, taskId, t);
  }

  /** Open tasks matching a Camunda-like filter; the inbox query (indexed side table for candidates). */
  findTasks(f: TaskFilter = {}, t?: Transaction): Promise<TaskView[]> {
    return taskQueries.findTasks(this.ctx, f, t);
  }

  countTasks(f: TaskFilter = {}): Promise<number> {
    return taskQueries.countTasks(this.ctx, f);
  }

  // ---- Messages ---------------------------------------------------------------------------------------------------

  /** Delivers a message to the one instance waiting for it (by message name and business key); nothing waiting -> 400. */
  async correlateMessage(input: Parameters<typeof messages.correlateMessage>[1], t?: Transaction): Promise<InstanceView> {
    checkVariables(input.variables);
    return messages.correlateMessage(this.ctx, input, t);
  }

  /** As correlateMessage; with no instance waiting, a message start event of that name starts one (Camunda's result type tells which). */
  async correlateMessageWithResult(input: messages.CorrelateInput, t?: Transaction): Promise<messages.CorrelationResult> {
    checkVariables(input.variables);
    return messages.correlateMessageWithResult(this.ctx, input, t);
  }

  // ---- Timer jobs -------------------------------------------------------------------------------------------------

  /** This node is alive (engine_nodes): the job worker calls it every HEARTBEAT_MS; it renews this node's job leases. */
  heartbeat(): Promise<void> {
    return jobs.heartbeat(this.ctx);
  }

  /** Releases this node's claimed jobs and removes its heartbeat (a graceful stop: the others take over at once). */
  leaveCluster(): Promise<void> {
    return jobs.leaveCluster(this.ctx);
  }

  /** Fires due timer jobs (claimed with a conditional update, each through load-run-save); returns how many fired. */
  runDueJobs(limit = 50): Promise<number> {
    return jobs.runDueJobs(this.ctx, limit);
  }

  /** Sets a job's retries (admin): a job in incident becomes due again and its incident is resolved. */
  setJobRetries(jobId: string, retries: number, actor: Actor, t?: Transaction): Promise<void> {
    return jobs.setJobRetries(this.ctx, jobId, retries, actor, t);
  }

  findJobs(filter: Parameters<typeof jobs.findJobs>[0] = {}): Promise<EngineJob[]> {
    return jobs.findJobs(filter);
  }

  // ---- External tasks ---------------------------------------------------------------------------------------------

  /** Locks up to maxTasks external tasks of the topics for a worker (an expired lock makes a task fetchable again). */
  fetchAndLock(input: Parameters<typeof externalTasks.fetchAndLock>[1]): Promise<ExternalTaskView[]> {
    return externalTasks.fetchAndLock(this.ctx, input);
  }

  /** A worker completes its locked external task; variables become process variables. */
  async completeExternalTask(id: string, input: Parameters<typeof externalTasks.completeExternalTask>[2], t?: Transaction): Promise<void> {
    checkVariables(input.variables, input.localVariables);
    return externalTasks.completeExternalTask(this.ctx, id, input, t);
  }

  /** A worker reports a BPMN error: an error boundary event with that errorCode catches it. */
  async handleExternalBpmnError(
    id: string,
    input: Parameters<typeof externalTasks.handleExternalBpmnError>[2],
    t?: Transaction,
  ): Promise<void> {
    checkVariables(input.variables);
    return externalTasks.handleExternalBpmnError(this.ctx, id, input, t);
  }

  /** A worker reports a failure: retries left and a retry timeout; no retries left raises an incident. */
  handleExternalFailure(id: string, input: Parameters<typeof externalTasks.handleExternalFailure>[2], t?: Transaction): Promise<void> {
    return externalTasks.handleExternalFailure(this.ctx, id, input, t);
  }

  /** Extends a worker's lock on its external task. */
  extendExternalLock(id: string, input: { workerId: string; newDuration: number }, t?: Transaction): Promise<void> {
    return externalTasks.extendExternalLock(this.ctx, id, input, t);
  }

  unlockExternalTask(id: string, t?: Transaction): Promise<void> {
    return externalTasks.unlockExternalTask(this.ctx, id, t);
  }

  /** Sets an external task's retries (admin); resolves its incident when retries > 0. */
  setExternalTaskRetries(id: string, retries: number, actor: Actor, t?: Transaction): Promise<void> {
    return externalTasks.setExternalTaskRetries(this.ctx, id, retries, actor, t);
  }

  /** External tasks (admin views); locked: true = held by a worker whose lock has not expired, false = the others. */
  findExternalTasks(filter: Parameters<typeof externalTasks.findExternalTasks>[1] = {}): Promise<ExternalTaskView[]> {
    return externalTasks.findExternalTasks(this.ctx, filter);
  }

  // ---- Reads ------------------------------------------------------------------------------------------------------

  getInstance(id: string, t?: Transaction): Promise<InstanceView | null> {
    return queries.getInstance(id, t);
  }

  findInstances(filter: Parameters<typeof queries.findInstances>[0] = {}): Promise<InstanceView[]> {
    return queries.findInstances(filter);
  }

  /** The instance's history, oldest first (kept after the instance ends). */
  history(instanceId: string): Promise<HistoryEvent[]> {
    return queries.history(instanceId);
  }

  findIncidents(filter: { processInstanceId?: string; open?: boolean } = {}): Promise<IncidentView[]> {
    return queries.findIncidents(filter);
  }

  findDefinitions(filter: Parameters<typeof queries.findDefinitions>[0] = {}): Promise<EngineDefinition[]> {
    return queries.findDefinitions(filter);
  }

  getDefinitionXml(filter: { key?: string; id?: string }): Promise<EngineDefinition> {
    return queries.getDefinitionXml(filter);
  }

  findDeployments(): Promise<EngineDeployment[]> {
    return queries.findDeployments();
  }

  dueDateOf(value: unknown): Date | null {
    return parseDueDate(value, this.ctx.now());
  }

  addDuration(date: Date, iso: string): Date {
    return addDuration(date, iso);
  }
}
