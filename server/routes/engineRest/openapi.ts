import { Router } from "express";
import type { AppContext } from "../../context.js";
import { MAX_FIRST_RESULT, MAX_RESULTS_LIMIT } from "./paging.js";

type Op = [
  method: "get" | "post" | "put" | "delete",
  path: string,
  summary: string,
  access: string,
  request?: string,
  response?: string,
  /** Query parameters (Camunda's names); firstResult / maxResults refer to the shared paging parameters. */
  query?: string[],
];

/** Camunda's paging parameters, on every list that pages (the /count siblings check them too but count every match). */
const PAGED = ["firstResult", "maxResults"];
const DEPLOYMENT_QUERY = ["id", "name", "nameLike", "source"];
const INSTANCE_QUERY = ["processInstanceIds", "businessKey", "processDefinitionKey", "processDefinitionId"];
const TASK_QUERY = [
  "candidateGroup",
  "candidateGroups",
  "candidateUser",
  "includeAssignedTasks",
  "assignee",
  "unassigned",
  "processInstanceId",
  "processInstanceBusinessKey",
  "processDefinitionKey",
  "processDefinitionId",
  "taskDefinitionKey",
  "sortBy",
  "sortOrder",
];
const EXTERNAL_TASK_QUERY = [
  "externalTaskId",
  "topicName",
  "workerId",
  "processInstanceId",
  "activityId",
  "locked",
  "notLocked",
  "withRetriesLeft",
  "noRetriesLeft",
];
const INCIDENT_QUERY = ["incidentId", "incidentType", "processInstanceId", "processDefinitionId", "activityId", "configuration"];
const JOB_QUERY = ["jobId", "processInstanceId", "processDefinitionKey", "activityId", "withException", "withRetriesLeft", "noRetriesLeft"];
const HISTORIC_INSTANCE_QUERY = [
  "processInstanceId",
  "processInstanceBusinessKey",
  "processDefinitionKey",
  "processDefinitionId",
  "finished",
  "unfinished",
];
/** Query parameters that take true / false. */
const BOOLEAN_PARAMS = new Set([
  "latestVersion",
  "includeAssignedTasks",
  "unassigned",
  "locked",
  "notLocked",
  "withRetriesLeft",
  "noRetriesLeft",
  "withException",
  "finished",
  "unfinished",
]);

// What /engine-rest implements, in Camunda 7's paths and shapes. Access: who may call it (admin may call everything).
const OPERATIONS: Op[] = [
  ["get", "/version", "Engine version (Camunda Modeler checks it)", "any user", undefined, "Version"],
  [
    "post",
    "/deployment/create",
    "Deploy BPMN files (multipart: deployment-name, deployment-source, deploy-changed-only, tenant-id, any .bpmn file field)",
    "admin, dept_admin",
    "Multipart",
    "Deployment",
  ],
  [
    "get",
    "/deployment",
    "List deployments, newest first (id, name, nameLike, source; firstResult, maxResults)",
    "staff",
    undefined,
    "DeploymentList",
    [...DEPLOYMENT_QUERY, ...PAGED],
  ],
  ["get", "/deployment/count", "Count deployments (same filter)", "staff", undefined, "Count", [...DEPLOYMENT_QUERY, ...PAGED]],
  ["get", "/deployment/{id}", "One deployment", "staff", undefined, "Deployment"],
  [
    "get",
    "/process-definition",
    "List process definitions (key, latestVersion, deploymentId)",
    "staff",
    undefined,
    "ProcessDefinitionList",
    ["key", "latestVersion", "deploymentId", "processDefinitionId", ...PAGED],
  ],
  ["get", "/process-definition/count", "Count process definitions", "staff", undefined, "Count", ["key", "latestVersion", ...PAGED]],
  ["get", "/process-definition/key/{key}", "Latest version of a process definition", "staff", undefined, "ProcessDefinition"],
  ["get", "/process-definition/{id}", "A process definition by id", "staff", undefined, "ProcessDefinition"],
  ["get", "/process-definition/key/{key}/xml", "BPMN XML of the latest version", "staff", undefined, "Xml"],
  ["get", "/process-definition/{id}/xml", "BPMN XML of a version", "staff", undefined, "Xml"],
  [
    "post",
    "/process-definition/key/{key}/start",
    "Start an instance of the latest version (variables, businessKey, withVariablesInReturn)",
    "reviewer, dept_admin",
    "Start",
    "ProcessInstance",
  ],
  ["post", "/process-definition/{id}/start", "Start an instance of a version", "reviewer, dept_admin", "Start", "ProcessInstance"],
  [
    "get",
    "/process-instance",
    "Running instances, newest first (processInstanceIds, businessKey, processDefinitionKey, processDefinitionId; firstResult, maxResults)",
    "staff",
    undefined,
    "ProcessInstanceList",
    [...INSTANCE_QUERY, ...PAGED],
  ],
  [
    "post",
    "/process-instance",
    "Running instances (same filter and paging in the body)",
    "staff",
    "ProcessInstanceQuery",
    "ProcessInstanceList",
  ],
  ["get", "/process-instance/count", "Count running instances (same filter)", "staff", undefined, "Count", [...INSTANCE_QUERY, ...PAGED]],
  ["post", "/process-instance/count", "Count running instances (filter in the body)", "staff", "ProcessInstanceQuery", "Count"],
  ["get", "/process-instance/{id}", "A running instance", "staff", undefined, "ProcessInstance"],
  ["get", "/process-instance/{id}/variables", "Variables of a running instance", "staff", undefined, "Variables"],
  [
    "delete",
    "/process-instance/{id}",
    "Cancel a running instance (deleteReason in query or body); history keeps it as EXTERNALLY_TERMINATED",
    "dept_admin",
    undefined,
    undefined,
  ],
  [
    "post",
    "/process-instance/{id}/modification",
    "退回: process instance modification with one cancel (activityId or the task id as activityInstanceId) and one startBeforeActivity of an earlier user task completed on the path; annotation is the reason (body: { instructions, annotation })",
    "whoever may complete the task",
    undefined,
    undefined,
  ],
  [
    "get",
    "/task",
    "Open tasks the caller may see (candidateGroup, candidateUser, includeAssignedTasks, assignee, unassigned, processInstanceId, processInstanceBusinessKey, processDefinitionKey, taskDefinitionKey, sortBy, sortOrder, firstResult, maxResults)",
    "any user (limited to own groups and assignments)",
    undefined,
    "TaskList",
    [...TASK_QUERY, ...PAGED],
  ],
  ["post", "/task", "Task query in the body (also sorting: [{sortBy, sortOrder}])", "any user (limited)", "TaskQuery", "TaskList"],
  ["get", "/task/count", "Count tasks", "any user (limited)", undefined, "Count", [...TASK_QUERY, ...PAGED]],
  ["post", "/task/count", "Count tasks (query in the body)", "any user (limited)", "TaskQuery", "Count"],
  ["get", "/task/{id}", "One task (404 when unknown or not visible)", "assignee, candidate", undefined, "Task"],
  ["get", "/task/{id}/variables", "Process variables of the task's instance", "assignee, candidate", undefined, "Variables"],
  ["get", "/task/{id}/form-variables", "Same as variables", "assignee, candidate", undefined, "Variables"],
  ["post", "/task/{id}/claim", "Claim ({userId}); claiming for someone else needs admin", "candidate", "UserId", undefined],
  ["post", "/task/{id}/unclaim", "Unclaim", "assignee", undefined, undefined],
  [
    "post",
    "/task/{id}/assignee",
    "Set or clear the assignee ({userId}); another user must be staff of the caller's department (转办)",
    "assignee, admin",
    "UserId",
    undefined,
  ],
  [
    "post",
    "/task/{id}/delegate",
    "Delegate to a colleague of the same department ({userId}): owner = the assignee, delegationState PENDING (委派)",
    "assignee, admin",
    "UserId",
    undefined,
  ],
  [
    "post",
    "/task/{id}/resolve",
    "The delegate hands the task back to its owner: delegationState RESOLVED",
    "the delegate, admin",
    undefined,
    undefined,
  ],
  [
    "post",
    "/task/{id}/complete",
    "Complete with variables (they become process variables); 403 when assigned to someone else, 404 when unknown or completed",
    "assignee, candidate of an unassigned task",
    "Complete",
    "Variables",
  ],
  ["post", "/task/{id}/submit-form", "Same as complete", "assignee, candidate", "Complete", undefined],
  [
    "post",
    "/external-task/fetchAndLock",
    "Lock up to maxTasks tasks of the topics (lockDuration, variables filter, businessKey, processDefinitionKey, asyncResponseTimeout long polling up to 20 s)",
    "admin (worker account)",
    "FetchAndLock",
    "LockedExternalTaskList",
  ],
  [
    "get",
    "/external-task",
    "External tasks, oldest first (externalTaskId, topicName, workerId, processInstanceId, activityId, locked=true|false, notLocked, withRetriesLeft, noRetriesLeft; firstResult, maxResults)",
    "admin",
    undefined,
    "LockedExternalTaskList",
    [...EXTERNAL_TASK_QUERY, ...PAGED],
  ],
  ["get", "/external-task/count", "Count external tasks (same filter)", "admin", undefined, "Count", [...EXTERNAL_TASK_QUERY, ...PAGED]],
  [
    "post",
    "/external-task/{id}/complete",
    "Complete a locked task (workerId, variables, localVariables)",
    "admin (worker)",
    "ExternalComplete",
    undefined,
  ],
  [
    "post",
    "/external-task/{id}/failure",
    "Report a failure (workerId, errorMessage, errorDetails, retries, retryTimeout); retries 0 raises an incident",
    "admin (worker)",
    "ExternalFailure",
    undefined,
  ],
  [
    "post",
    "/external-task/{id}/bpmnError",
    "Throw a BPMN error (workerId, errorCode, errorMessage, variables) caught by an error boundary event",
    "admin (worker)",
    "ExternalBpmnError",
    undefined,
  ],
  ["post", "/external-task/{id}/extendLock", "Extend the lock (workerId, newDuration)", "admin (worker)", "ExtendLock", undefined],
  ["post", "/external-task/{id}/unlock", "Unlock", "admin", undefined, undefined],
  ["put", "/external-task/{id}/retries", "Set retries (resolves the incident when > 0)", "admin", "Retries", undefined],
  [
    "post",
    "/message",
    "Correlate a message by messageName and businessKey (processVariables, resultEnabled) to a waiting instance, else start the process whose message start event has that name; 400 when neither matches",
    "reviewer, dept_admin",
    "Message",
    "MessageResultList",
  ],
  [
    "get",
    "/history/process-instance",
    "Historic instances (processInstanceId, processInstanceBusinessKey, processDefinitionKey, finished, unfinished); state ACTIVE / COMPLETED / EXTERNALLY_TERMINATED",
    "staff",
    undefined,
    "HistoricProcessInstanceList",
    [...HISTORIC_INSTANCE_QUERY, ...PAGED],
  ],
  ["get", "/history/process-instance/{id}", "One historic instance", "staff", undefined, "HistoricProcessInstance"],
  ["get", "/history/process-instance/{id}/timeline", "(Extension) every history event with actor and time", "staff", undefined, "Timeline"],
  [
    "get",
    "/history/activity-instance",
    "Historic activity instances of an instance (processInstanceId, activityId)",
    "staff",
    undefined,
    "HistoricActivityInstanceList",
    ["processInstanceId", "activityId", ...PAGED],
  ],
  [
    "get",
    "/incident",
    "Open incidents, oldest first (incidentId, incidentType, processInstanceId, processDefinitionId, activityId, configuration; firstResult, maxResults)",
    "staff",
    undefined,
    "IncidentList",
    [...INCIDENT_QUERY, ...PAGED],
  ],
  ["get", "/incident/count", "Count open incidents (same filter)", "staff", undefined, "Count", [...INCIDENT_QUERY, ...PAGED]],
  [
    "get",
    "/job",
    "Timer jobs, soonest due first (jobId, processInstanceId, processDefinitionKey, activityId, withException, withRetriesLeft, noRetriesLeft; firstResult, maxResults); a timer start event's job has processInstanceId null",
    "staff",
    undefined,
    "JobList",
    [...JOB_QUERY, ...PAGED],
  ],
  ["get", "/job/count", "Count timer jobs (same filter)", "staff", undefined, "Count", [...JOB_QUERY, ...PAGED]],
  [
    "put",
    "/job/{id}/retries",
    "Set a job's retries: a job in incident becomes due now and its incident is resolved",
    "admin",
    "Retries",
    undefined,
  ],
];

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: "object",
  properties,
  ...(required.length ? { required } : {}),
});
const str = { type: "string" };
const strN = { type: "string", nullable: true };
const int = { type: "integer" };
const bool = { type: "boolean" };
const date = { type: "string", nullable: true, description: "yyyy-MM-dd'T'HH:mm:ss.SSSZ, e.g. 2026-11-27T09:45:00.000+0000" };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const list = (name: string) => ({ type: "array", items: ref(name) });

const SCHEMAS: Record<string, unknown> = {
  Error: obj({ type: { ...str, example: "InvalidRequestException" }, message: str }, ["type", "message"]),
  VariableValue: obj({
    value: { description: "the value; Json values are JSON text" },
    type: { type: "string", enum: ["String", "Boolean", "Integer", "Short", "Long", "Double", "Date", "Json", "Object", "Null"] },
    valueInfo: { type: "object" },
  }),
  Variables: { type: "object", additionalProperties: ref("VariableValue") },
  Version: obj({ version: str }),
  Count: obj({ count: int }),
  Multipart: obj({
    "deployment-name": str,
    "deployment-source": str,
    "deploy-changed-only": str,
    "tenant-id": str,
    "*.bpmn": { type: "string", format: "binary" },
  }),
  Deployment: obj({
    id: str,
    name: strN,
    source: strN,
    deploymentTime: date,
    tenantId: strN,
    deployedProcessDefinitions: { type: "object", nullable: true, additionalProperties: ref("ProcessDefinition") },
    warnings: { type: "array", items: obj({ path: str, element: strN, rule: str, message: str }) },
  }),
  DeploymentList: list("Deployment"),
  ProcessDefinition: obj({
    id: str,
    key: str,
    name: strN,
    version: int,
    resource: strN,
    deploymentId: str,
    suspended: bool,
    tenantId: strN,
  }),
  ProcessDefinitionList: list("ProcessDefinition"),
  Xml: obj({ id: str, bpmn20Xml: str }),
  Start: obj({ businessKey: strN, variables: ref("Variables"), withVariablesInReturn: bool }),
  ProcessInstance: obj({
    id: str,
    definitionId: str,
    definitionKey: str,
    businessKey: strN,
    ended: bool,
    suspended: bool,
    tenantId: strN,
    variables: ref("Variables"),
  }),
  ProcessInstanceList: list("ProcessInstance"),
  ProcessInstanceQuery: obj({
    processInstanceIds: { ...str, description: "comma-separated instance ids" },
    businessKey: str,
    processDefinitionKey: str,
    processDefinitionId: str,
    firstResult: int,
    maxResults: int,
  }),
  Task: obj({
    id: str,
    name: strN,
    assignee: strN,
    created: date,
    due: date,
    followUp: date,
    priority: int,
    processDefinitionId: str,
    processInstanceId: str,
    executionId: str,
    taskDefinitionKey: str,
    formKey: strN,
    businessKey: strN,
    processDefinitionKey: str,
    candidateGroups: { type: "array", items: str },
    candidateUsers: { type: "array", items: str },
  }),
  TaskList: list("Task"),
  TaskQuery: obj({
    candidateGroup: str,
    candidateUser: str,
    assignee: str,
    processInstanceId: str,
    processDefinitionKey: str,
    sorting: { type: "array", items: obj({ sortBy: str, sortOrder: str }) },
    firstResult: int,
    maxResults: int,
  }),
  UserId: obj({ userId: strN }),
  Complete: obj({ variables: ref("Variables"), withVariablesInReturn: bool }),
  FetchAndLock: obj(
    {
      workerId: str,
      maxTasks: int,
      usePriority: bool,
      asyncResponseTimeout: int,
      topics: {
        type: "array",
        items: obj({
          topicName: str,
          lockDuration: int,
          variables: { type: "array", items: str },
          businessKey: str,
          processDefinitionKey: str,
        }),
      },
    },
    ["workerId", "topics"],
  ),
  LockedExternalTask: obj({
    id: str,
    topicName: str,
    workerId: str,
    lockExpirationTime: date,
    processInstanceId: str,
    processDefinitionId: str,
    processDefinitionKey: str,
    activityId: str,
    executionId: str,
    businessKey: strN,
    retries: { type: "integer", nullable: true },
    errorMessage: strN,
    priority: int,
    variables: ref("Variables"),
  }),
  LockedExternalTaskList: list("LockedExternalTask"),
  ExternalComplete: obj({ workerId: str, variables: ref("Variables"), localVariables: ref("Variables") }, ["workerId"]),
  ExternalFailure: obj({ workerId: str, errorMessage: str, errorDetails: str, retries: int, retryTimeout: int }, ["workerId"]),
  ExternalBpmnError: obj({ workerId: str, errorCode: str, errorMessage: str, variables: ref("Variables") }, ["workerId", "errorCode"]),
  ExtendLock: obj({ workerId: str, newDuration: int }, ["workerId", "newDuration"]),
  Retries: obj({ retries: int }, ["retries"]),
  Message: obj(
    {
      messageName: str,
      businessKey: strN,
      processInstanceId: strN,
      processVariables: ref("Variables"),
      resultEnabled: bool,
      variablesInResultEnabled: bool,
    },
    ["messageName"],
  ),
  MessageResultList: {
    type: "array",
    items: obj({ resultType: str, processInstance: ref("ProcessInstance"), variables: ref("Variables") }),
  },
  HistoricProcessInstance: obj({
    id: str,
    businessKey: strN,
    processDefinitionId: str,
    processDefinitionKey: str,
    processDefinitionName: strN,
    processDefinitionVersion: int,
    startTime: date,
    endTime: date,
    durationInMillis: { type: "integer", nullable: true },
    startUserId: strN,
    deleteReason: strN,
    state: { type: "string", enum: ["ACTIVE", "COMPLETED", "EXTERNALLY_TERMINATED"] },
  }),
  HistoricProcessInstanceList: list("HistoricProcessInstance"),
  HistoricActivityInstance: obj({
    id: str,
    activityId: str,
    activityName: strN,
    activityType: str,
    processInstanceId: str,
    executionId: str,
    taskId: strN,
    assignee: strN,
    startTime: date,
    endTime: date,
    durationInMillis: { type: "integer", nullable: true },
    canceled: bool,
  }),
  HistoricActivityInstanceList: list("HistoricActivityInstance"),
  Timeline: {
    type: "array",
    items: obj({
      id: int,
      event: str,
      activityId: strN,
      activityType: strN,
      activityName: strN,
      executionId: strN,
      taskId: strN,
      actor: strN,
      at: date,
      detail: { type: "object", nullable: true },
    }),
  },
  Incident: obj({
    id: str,
    processInstanceId: str,
    processDefinitionId: str,
    incidentTimestamp: date,
    incidentType: { type: "string", enum: ["failedJob", "failedExternalTask"] },
    activityId: strN,
    configuration: strN,
    incidentMessage: strN,
  }),
  IncidentList: list("Incident"),
  Job: obj({
    id: str,
    dueDate: date,
    processInstanceId: { ...strN, description: "null for a timer start event's job (no instance yet)" },
    executionId: strN,
    processDefinitionId: strN,
    processDefinitionKey: str,
    retries: int,
    exceptionMessage: strN,
    failedActivityId: strN,
    createTime: date,
  }),
  JobList: list("Job"),
};

/** firstResult / maxResults: integers (or digit strings); anything else, or more than the maximum, is a 400 InvalidRequestException. */
const PARAMETERS: Record<string, unknown> = {
  firstResult: {
    name: "firstResult",
    in: "query",
    required: false,
    description: "Rows to skip (default 0). Not a non-negative integer, or above 2147483647: 400.",
    schema: { type: "integer", minimum: 0, maximum: MAX_FIRST_RESULT },
  },
  maxResults: {
    name: "maxResults",
    in: "query",
    required: false,
    description: `Rows to answer at most (default 1000). Not a non-negative integer, or above ${MAX_RESULTS_LIMIT}: 400.`,
    schema: { type: "integer", minimum: 0, maximum: MAX_RESULTS_LIMIT },
  },
};

const ERRORS = {
  "400": {
    description: "InvalidRequestException (or ParseException with details per resource for a refused deployment)",
    content: { "application/json": { schema: ref("Error") } },
  },
  "401": { description: "Not authenticated (session or HTTP Basic)" },
  "403": { description: "AuthorizationException", content: { "application/json": { schema: ref("Error") } } },
  "404": {
    description: "InvalidRequestException: unknown, or not visible to the caller",
    content: { "application/json": { schema: ref("Error") } },
  },
};

/** The OpenAPI 3 document of /engine-rest, built from the table above. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [method, path, summary, access, request, response, query = []] of OPERATIONS) {
    const parameters: unknown[] = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: str }));
    for (const name of query) {
      parameters.push(
        PAGED.includes(name)
          ? { $ref: `#/components/parameters/${name}` }
          : { name, in: "query", required: false, schema: BOOLEAN_PARAMS.has(name) ? bool : str },
      );
    }
    const requestBody = request
      ? {
          required: true,
          content:
            request === "Multipart"
              ? { "multipart/form-data": { schema: ref(request) } }
              : { "application/json": { schema: ref(request) } },
        }
      : undefined;
    (paths[path] ??= {})[method] = {
      summary,
      description: `Access: ${access}.`,
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: {
        ...(response
          ? { "200": { description: "OK", content: { "application/json": { schema: ref(response) } } } }
          : { "204": { description: "No Content" } }),
        ...ERRORS,
      },
    };
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "信用承诺平台流程引擎 REST API (Camunda 7 compatible subset)",
      version: "7.20.0-xy",
      description:
        "Camunda 7 paths and JSON shapes under /engine-rest. Authentication: session (send X-CSRF-Token on writes) or HTTP Basic. Errors: { type, message } with Camunda's status codes. Messages are Chinese, with the Camunda English text where useful.",
    },
    servers: [{ url: "/engine-rest" }],
    security: [{ basic: [] }],
    components: { securitySchemes: { basic: { type: "http", scheme: "basic" } }, schemas: SCHEMAS, parameters: PARAMETERS },
    paths,
  };
}

export function openApiRoutes(ctx: AppContext): Router {
  void ctx;
  const router = Router();
  const doc = openApiDocument();
  router.get("/openapi.json", (_req, res) => {
    res.json(doc);
  });
  return router;
}
