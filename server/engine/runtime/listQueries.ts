// The engine's list and count queries for /engine-rest and the admin pages: deployments, incidents, timer jobs,
// external tasks and process instances. Each list filters, orders (with the id as the last key, so pages never
// overlap or skip a row) and pages in SQL through paging() (the task query's rule: not a non-negative integer -> 400,
// default 1,000, cut to 10,000); each count applies the same filter with COUNT(*) and ignores paging.
import { literal, Op, type Order, type WhereOptions } from "sequelize";
import { EngineDeployment, EngineExternalTask, EngineIncident, EngineInstance, EngineJob } from "../../db/models/engineModels.js";
import type { ExternalTaskView, IncidentView, InstanceState, Variables } from "../types.js";
import { paging } from "./taskQueries.js";

/** Camunda's paging parameters (firstResult rows skipped, at most maxResults answered). */
export interface PageParams {
  firstResult?: number;
  maxResults?: number;
}

type Where = Record<string | symbol, unknown>;

/** Adds `column = value` for every filter value given (undefined, null and "" mean "not filtered"). */
function equal(where: Where, pairs: [column: string, value: string | null | undefined][]): Where {
  for (const [column, value] of pairs) if (value !== undefined && value !== null && value !== "") where[column] = value;
  return where;
}

/** Adds a condition to the where's AND list (several filters may each need an OR of their own). */
function and(where: Where, condition: Where): void {
  where[Op.and] = [...((where[Op.and] as Where[] | undefined) ?? []), condition];
}

// ---- Deployments ------------------------------------------------------------------------------------------------

export interface DeploymentFilter extends PageParams {
  id?: string;
  name?: string;
  /** Camunda's nameLike: a LIKE pattern, the caller writes the % wildcards. */
  nameLike?: string;
  source?: string;
}

function deploymentWhere(f: DeploymentFilter): WhereOptions<EngineDeployment> {
  const where = equal({}, [
    ["id", f.id],
    ["name", f.name],
    ["source", f.source],
  ]);
  if (f.nameLike) and(where, { name: { [Op.like]: f.nameLike } });
  return where;
}

/** Deployments, newest first. */
export async function findDeployments(f: DeploymentFilter = {}): Promise<EngineDeployment[]> {
  const { limit, offset } = paging(f);
  const order: Order = [
    ["deployedAt", "DESC"],
    ["id", "ASC"],
  ];
  return EngineDeployment.findAll({ where: deploymentWhere(f), order, offset, limit });
}

export function countDeployments(f: DeploymentFilter = {}): Promise<number> {
  return EngineDeployment.count({ where: deploymentWhere(f) });
}

// ---- Incidents --------------------------------------------------------------------------------------------------

export interface IncidentFilter extends PageParams {
  incidentId?: string;
  incidentType?: string;
  processInstanceId?: string;
  processDefinitionId?: string;
  activityId?: string;
  /** The job or external task id the incident is about. */
  configuration?: string;
  /** Open incidents only unless false (Camunda's runtime API knows only open ones). */
  open?: boolean;
  /** Authorization: only incidents of instances owned by these departments; undefined: all. */
  departmentIds?: number[];
}

/** `instance_id IN (instances of these departments)`: the lists' authorization filter ([] matches nothing). */
function ofDepartments(departmentIds: number[]) {
  const ids = departmentIds.filter((n) => Number.isInteger(n));
  return { [Op.in]: literal(`(SELECT id FROM engine_instances WHERE department_id IN (${ids.length ? ids.join(",") : "NULL"}))`) };
}

function incidentWhere(f: IncidentFilter): WhereOptions<EngineIncident> {
  const where = equal({}, [
    ["id", f.incidentId],
    ["type", f.incidentType],
    ["instanceId", f.processInstanceId],
    ["definitionId", f.processDefinitionId],
    ["activityId", f.activityId],
    ["configuration", f.configuration],
  ]);
  if (f.open !== false) where.resolvedAt = null;
  if (f.departmentIds) where.instanceId = ofDepartments(f.departmentIds);
  return where;
}

/** Incidents, oldest first. */
export async function findIncidents(f: IncidentFilter = {}): Promise<IncidentView[]> {
  const { limit, offset } = paging(f);
  const order: Order = [
    ["createdAt", "ASC"],
    ["id", "ASC"],
  ];
  const rows = await EngineIncident.findAll({ where: incidentWhere(f), order, offset, limit });
  return rows.map((r) => ({
    id: r.id,
    processInstanceId: r.instanceId,
    processDefinitionId: r.definitionId,
    activityId: r.activityId,
    incidentType: r.type,
    configuration: r.configuration,
    incidentMessage: r.message,
    incidentTimestamp: r.createdAt,
    resolvedAt: r.resolvedAt,
  }));
}

export function countIncidents(f: IncidentFilter = {}): Promise<number> {
  return EngineIncident.count({ where: incidentWhere(f) });
}

// ---- Timer jobs -------------------------------------------------------------------------------------------------

export interface JobFilter extends PageParams {
  jobId?: string;
  processInstanceId?: string;
  processDefinitionKey?: string;
  activityId?: string;
  /** Only jobs whose last run failed (an exception message is kept). */
  withException?: boolean;
  /** Only jobs with retries left (retries > 0). */
  withRetriesLeft?: boolean;
  /** Only jobs without retries left (retries = 0: in incident). */
  noRetriesLeft?: boolean;
  /** Authorization: only jobs of instances owned by these departments; undefined: all. */
  departmentIds?: number[];
}

/** A timer job as the lists show it. A timer start event's job belongs to no instance yet: processInstanceId is null. */
export interface JobView {
  id: string;
  processInstanceId: string | null;
  processDefinitionId: string | null;
  processDefinitionKey: string;
  activityId: string;
  executionId: string | null;
  dueDate: Date;
  retries: number;
  exceptionMessage: string | null;
  createdAt: Date;
}

function jobWhere(f: JobFilter): WhereOptions<EngineJob> {
  const where = equal({}, [
    ["id", f.jobId],
    ["instanceId", f.processInstanceId],
    ["definitionKey", f.processDefinitionKey],
    ["activityId", f.activityId],
  ]);
  if (f.withException) where.exceptionMessage = { [Op.ne]: null };
  if (f.withRetriesLeft) and(where, { retries: { [Op.gt]: 0 } });
  if (f.noRetriesLeft) and(where, { retries: 0 });
  if (f.departmentIds) and(where, { instanceId: ofDepartments(f.departmentIds) });
  return where;
}

/** Timer job rows, soonest due first. */
export async function findJobRows(f: JobFilter = {}): Promise<EngineJob[]> {
  const { limit, offset } = paging(f);
  const order: Order = [
    ["dueAt", "ASC"],
    ["id", "ASC"],
  ];
  return EngineJob.findAll({ where: jobWhere(f), order, offset, limit });
}

/** Timer jobs, soonest due first, with their process definition id (the instance's, or the job's own when it has no instance). */
export async function findJobs(f: JobFilter = {}): Promise<JobView[]> {
  const rows = await findJobRows(f);
  const instanceIds = [...new Set(rows.map((r) => r.instanceId).filter((id): id is string => !!id))];
  const instances = instanceIds.length
    ? await EngineInstance.findAll({ where: { id: instanceIds }, attributes: ["id", "definitionId"] })
    : [];
  const definitionOf = new Map(instances.map((i) => [i.id, i.definitionId]));
  return rows.map((r) => {
    // A timer start event's job carries its definition id itself (no instance to ask).
    const instanceId = r.instanceId ?? null;
    return {
      id: r.id,
      processInstanceId: instanceId,
      processDefinitionId: r.definitionId ?? (instanceId ? (definitionOf.get(instanceId) ?? null) : null),
      processDefinitionKey: r.definitionKey,
      activityId: r.activityId,
      executionId: r.executionId ?? null,
      dueDate: r.dueAt,
      retries: r.retries,
      exceptionMessage: r.exceptionMessage,
      createdAt: r.createdAt,
    };
  });
}

export function countJobs(f: JobFilter = {}): Promise<number> {
  return EngineJob.count({ where: jobWhere(f) });
}

// ---- External tasks ---------------------------------------------------------------------------------------------

export interface ExternalTaskFilter extends PageParams {
  externalTaskId?: string;
  topicName?: string;
  workerId?: string;
  processInstanceId?: string;
  activityId?: string;
  /** true: held by a worker now (lock not expired); false: the others (fetchable, or waiting to retry). */
  locked?: boolean;
  /** Only tasks with retries left (retries null or > 0). */
  withRetriesLeft?: boolean;
  /** Only tasks without retries left (retries = 0: in incident). */
  noRetriesLeft?: boolean;
}

function externalTaskWhere(f: ExternalTaskFilter, now: Date): WhereOptions<EngineExternalTask> {
  const where = equal({}, [
    ["id", f.externalTaskId],
    ["topic", f.topicName],
    ["workerId", f.workerId],
    ["instanceId", f.processInstanceId],
    ["activityId", f.activityId],
  ]);
  // As fetchAndLock sees it: a lock expiring before now no longer holds.
  if (f.locked === true) and(where, { lockExpiresAt: { [Op.gte]: now } });
  if (f.locked === false) and(where, { [Op.or]: [{ lockExpiresAt: null }, { lockExpiresAt: { [Op.lt]: now } }] });
  if (f.withRetriesLeft) and(where, { [Op.or]: [{ retries: null }, { retries: { [Op.gt]: 0 } }] });
  if (f.noRetriesLeft) and(where, { retries: 0 });
  return where;
}

/** External tasks, oldest first, without variables (admin views and GET /external-task). */
export async function findExternalTasks(f: ExternalTaskFilter, now: Date): Promise<ExternalTaskView[]> {
  const { limit, offset } = paging(f);
  const order: Order = [
    ["createdAt", "ASC"],
    ["id", "ASC"],
  ];
  const rows = await EngineExternalTask.findAll({ where: externalTaskWhere(f, now), order, offset, limit });
  return rows.map((r) => externalTaskView(r));
}

/** An external task row as the runtime answers it (lists carry no variables; fetchAndLock passes the instance's). */
export function externalTaskView(
  r: EngineExternalTask,
  variables: Variables = {},
  variableTypes: Record<string, string> = {},
): ExternalTaskView {
  return {
    id: r.id,
    activityId: r.activityId,
    executionId: r.executionId,
    processInstanceId: r.instanceId,
    processDefinitionId: r.definitionId,
    processDefinitionKey: r.definitionKey,
    businessKey: r.businessKey,
    topicName: r.topic,
    workerId: r.workerId,
    lockExpirationTime: r.lockExpiresAt,
    retries: r.retries,
    errorMessage: r.errorMessage,
    errorDetails: r.errorDetails,
    priority: r.priority,
    variables,
    variableTypes,
  };
}

export function countExternalTasks(f: ExternalTaskFilter, now: Date): Promise<number> {
  return EngineExternalTask.count({ where: externalTaskWhere(f, now) });
}

// ---- Process instances ------------------------------------------------------------------------------------------

export interface InstanceFilter extends PageParams {
  /** Only these instances (Camunda's processInstanceIds). */
  ids?: string[];
  businessKey?: string;
  processDefinitionKey?: string;
  processDefinitionId?: string;
  /** Instances of every definition whose key starts with this. */
  keyPrefix?: string;
  state?: InstanceState | InstanceState[];
  /** Authorization: only instances owned by these departments (an empty list matches nothing); undefined: all. */
  departmentIds?: number[];
  /** Camunda's superProcessInstance: the instances this instance's call activities started. */
  superProcessInstance?: string;
  /** Camunda's subProcessInstance: the instance whose call activity started this one. */
  subProcessInstance?: string;
}

/** The where of findInstances and countInstances. */
export function instanceWhere(f: InstanceFilter): WhereOptions<EngineInstance> {
  const where = equal({}, [
    ["businessKey", f.businessKey],
    ["definitionKey", f.processDefinitionKey],
    ["definitionId", f.processDefinitionId],
  ]);
  if (f.ids) where.id = f.ids;
  if (f.state) where.state = f.state;
  if (f.keyPrefix) where.definitionKey = { [Op.startsWith]: f.keyPrefix };
  if (f.departmentIds) where.departmentId = f.departmentIds; // [] renders IN (NULL): nothing
  if (f.superProcessInstance) where.superInstanceId = f.superProcessInstance;
  if (f.subProcessInstance) {
    const child = EngineInstance.sequelize!.escape(f.subProcessInstance);
    (where as Record<string | symbol, unknown>)[Op.and] = [
      literal(`id IN (SELECT s.super_instance_id FROM engine_instances s WHERE s.id = ${child})`),
    ];
  }
  return where;
}

/** How many instances match (paging ignored). */
export function countInstances(f: InstanceFilter = {}): Promise<number> {
  return EngineInstance.count({ where: instanceWhere(f) });
}

// ---- The runtime's face -----------------------------------------------------------------------------------------

/** The lists and counts as EngineRuntime exposes them (`engine.lists`); now() is the runtime's clock (lock expiry). */
export function listQueries(now: () => Date) {
  return {
    deployments: (f: DeploymentFilter = {}) => findDeployments(f),
    countDeployments: (f: DeploymentFilter = {}) => countDeployments(f),
    incidents: (f: IncidentFilter = {}) => findIncidents(f),
    countIncidents: (f: IncidentFilter = {}) => countIncidents(f),
    jobs: (f: JobFilter = {}) => findJobs(f),
    countJobs: (f: JobFilter = {}) => countJobs(f),
    externalTasks: (f: ExternalTaskFilter = {}) => findExternalTasks(f, now()),
    countExternalTasks: (f: ExternalTaskFilter = {}) => countExternalTasks(f, now()),
    countInstances: (f: InstanceFilter = {}) => countInstances(f),
  };
}

export type ListQueries = ReturnType<typeof listQueries>;
