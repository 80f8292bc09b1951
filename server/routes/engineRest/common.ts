import type { ErrorRequestHandler, NextFunction, Request, Response } from "express";
import { z } from "zod";
import { hasRole, type CurrentUser } from "../../auth/currentUser.js";
import type { Role } from "../../db/models/UserRole.js";
import type { HistoryEvent, InstanceView, TaskView, Variables } from "../../engine/index.js";
import { AppError, AuthenticationError, ForbiddenError, ValidationError } from "../../errors.js";
import { translateError } from "../../http/errorHandler.js";
import { zhIssue } from "../../http/parse.js";

/** Camunda's exception type names for our status codes (Camunda Modeler shows `message`). */
function camundaType(err: AppError): string {
  if (err.code === "bpmn_invalid") return "ParseException";
  switch (err.status) {
    case 401:
      return "AuthenticationException";
    case 403:
      return "AuthorizationException";
    case 404:
    case 400:
    case 413:
      return "InvalidRequestException";
    case 409:
      return err.code === "task_already_claimed" ? "TaskAlreadyClaimedException" : "OptimisticLockingException";
    default:
      return "ProcessEngineException";
  }
}

/** Errors under /engine-rest in Camunda's shape { type, message } with Camunda's status codes. */
export const camundaErrorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  void _next;
  const known = translateError(err);
  if (!known) {
    req.log?.error({ err }, "engine-rest: unhandled error");
    res.status(500).json({ type: "ProcessEngineException", message: "服务器内部错误，请稍后重试" });
    return;
  }
  if (known.status >= 500) req.log?.error({ err }, known.message);
  const body: Record<string, unknown> = { type: camundaType(known), message: known.message };
  if (known.code === "bpmn_invalid") {
    body.details = (known as AppError & { resourceDetails?: unknown }).resourceDetails;
  } else if (known.details.length) {
    body.details = known.details;
  }
  res.status(known.status).json(body);
};

/** Logged-in (session or HTTP Basic) users only. */
/** Any signed-in account. */
export function requireEngineUser(req: Request, _res: Response, next: NextFunction): void {
  next(req.user ? undefined : new AuthenticationError());
}

/** Any signed-in account that is not only a worker (workers use the external-task API, not user tasks). */
export function requireTaskUser(req: Request, _res: Response, next: NextFunction): void {
  const user = req.user as CurrentUser | undefined;
  if (!user) return next(new AuthenticationError());
  if (user.roles.length > 0 && user.roles.every((r) => r === "worker")) return next(new ForbiddenError());
  next();
}

export function requireEngineRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const user = req.user as CurrentUser | undefined;
    if (!user) return next(new AuthenticationError());
    if (!hasRole(user, ...roles)) return next(new ForbiddenError());
    next();
  };
}

export function user(req: Request): CurrentUser {
  const u = req.user as CurrentUser | undefined;
  if (!u) throw new AuthenticationError();
  return u;
}

/** Staff may read instances and history; applicants use the platform's own pages. */
export const STAFF: Role[] = ["reviewer", "dept_admin", "auditor"];

/** Parses a request part with zod; failures are 400 InvalidRequestException. */
export function parseCamunda<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.map(String).join(".") || "body"}: ${zhIssue(i)}`);
  throw new ValidationError(`请求参数有误：${issues.join("；")}`);
}

/** Camunda's date format: 2026-11-27T09:45:00.000+0000. */
export function camundaDate(d: Date | string | null | undefined): string | null {
  if (!d) return null;
  return new Date(d).toISOString().replace("Z", "+0000");
}

export function parseCamundaDate(s: string): Date {
  const normalized = s.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const d = new Date(normalized);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`日期格式不正确：${s}`);
  return d;
}

// ---- Typed variables ------------------------------------------------------------------------------------

export const TypedVariable = z.object({
  value: z.unknown().optional(),
  type: z.string().optional(),
  valueInfo: z.record(z.string(), z.unknown()).optional().nullable(),
});
export const TypedVariables = z.record(z.string(), TypedVariable);
export type TypedVariables = z.infer<typeof TypedVariables>;

function bad(name: string, type: string, value: unknown): ValidationError {
  return new ValidationError(
    `变量 ${name} 的值 ${JSON.stringify(value)?.slice(0, 60)} 不能转换为 ${type} 类型 (Cannot convert value to ${type})`,
  );
}

/** Camunda typed variables { value, type } -> plain JSON values for the engine. */
export function fromTyped(vars: TypedVariables | undefined | null): Variables {
  const out: Variables = {};
  for (const [name, v] of Object.entries(vars ?? {})) {
    const type = (v.type ?? "").toLowerCase();
    const value = v.value;
    switch (type) {
      case "":
        out[name] = value ?? null;
        break;
      case "string":
        if (value !== null && value !== undefined && typeof value !== "string") throw bad(name, "String", value);
        out[name] = value ?? null;
        break;
      case "boolean":
        if (typeof value === "boolean") out[name] = value;
        else if (value === "true" || value === "false") out[name] = value === "true";
        else if (value === null || value === undefined) out[name] = null;
        else throw bad(name, "Boolean", value);
        break;
      case "integer":
      case "short":
      case "long": {
        const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
        if (value === null || value === undefined) out[name] = null;
        else if (typeof n !== "number" || !Number.isInteger(n)) throw bad(name, v.type!, value);
        else out[name] = n;
        break;
      }
      case "double": {
        const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
        if (value === null || value === undefined) out[name] = null;
        else if (typeof n !== "number" || !Number.isFinite(n)) throw bad(name, "Double", value);
        else out[name] = n;
        break;
      }
      case "date":
        if (value === null || value === undefined) out[name] = null;
        else if (typeof value !== "string") throw bad(name, "Date", value);
        else out[name] = parseCamundaDate(value).toISOString();
        break;
      case "json":
      case "object":
        if (value === null || value === undefined) out[name] = null;
        else if (typeof value === "string") {
          try {
            out[name] = JSON.parse(value) as unknown;
          } catch {
            throw bad(name, v.type!, value);
          }
        } else out[name] = value;
        break;
      case "null":
        out[name] = null;
        break;
      default:
        throw new ValidationError(
          `变量 ${name} 的类型 ${v.type} 不受支持（支持 String、Boolean、Integer、Long、Double、Date、Json、Null）`,
        );
    }
  }
  return out;
}

/** The Camunda types a typed-variables body declares that JSON values cannot carry: name -> "Date". */
export function declaredTypes(vars: TypedVariables | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(vars ?? {})) {
    if ((v.type ?? "").toLowerCase() === "date" && v.value !== null && v.value !== undefined) out[name] = "Date";
  }
  return out;
}

export interface TypedValue {
  type: string;
  value: unknown;
  valueInfo: Record<string, unknown>;
}

/**
 * Plain values -> Camunda typed variables (objects and arrays are Json, serialized as a string like Camunda's Spin);
 * `types` names the variables declared Date, kept as ISO strings.
 */
export function toTyped(vars: Variables, names?: string[] | null, types: Record<string, string> = {}): Record<string, TypedValue> {
  const out: Record<string, TypedValue> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (names && !names.includes(name)) continue;
    out[name] =
      types[name] === "Date" && typeof value === "string" && !Number.isNaN(Date.parse(value))
        ? { type: "Date", value: camundaDate(value), valueInfo: {} }
        : typedValue(value);
  }
  return out;
}

export function typedValue(value: unknown): TypedValue {
  if (value === null || value === undefined) return { type: "Null", value: null, valueInfo: {} };
  if (typeof value === "boolean") return { type: "Boolean", value, valueInfo: {} };
  if (typeof value === "number") {
    if (Number.isInteger(value)) return { type: Math.abs(value) <= 2_147_483_647 ? "Integer" : "Long", value, valueInfo: {} };
    return { type: "Double", value, valueInfo: {} };
  }
  if (typeof value === "string") return { type: "String", value, valueInfo: {} };
  return { type: "Json", value: JSON.stringify(value), valueInfo: {} };
}

// ---- DTOs ----------------------------------------------------------------------------------------------------

export function taskDto(t: TaskView) {
  return {
    id: t.id,
    name: t.name,
    assignee: t.assignee,
    owner: t.owner,
    created: camundaDate(t.created),
    lastUpdated: null,
    due: camundaDate(t.due),
    followUp: camundaDate(t.followUp),
    delegationState: t.delegationState,
    description: null,
    executionId: t.executionId,
    parentTaskId: null,
    priority: t.priority,
    processDefinitionId: t.processDefinitionId,
    processInstanceId: t.processInstanceId,
    caseExecutionId: null,
    caseDefinitionId: null,
    caseInstanceId: null,
    taskDefinitionKey: t.taskDefinitionKey,
    suspended: false,
    formKey: t.formKey,
    camundaFormRef: null,
    tenantId: null,
    // Not in Camunda's DTO; useful to this platform's inbox.
    businessKey: t.businessKey,
    processDefinitionKey: t.processDefinitionKey,
    candidateGroups: t.candidateGroups,
    candidateUsers: t.candidateUsers,
  };
}

export function instanceDto(i: InstanceView) {
  return {
    id: i.id,
    definitionId: i.definitionId,
    definitionKey: i.definitionKey,
    businessKey: i.businessKey,
    caseInstanceId: null,
    ended: i.state !== "ACTIVE",
    suspended: false,
    tenantId: null,
    links: [],
  };
}

/** bpmn:UserTask -> userTask (Camunda's activityType names). */
export function camundaActivityType(type: string | null): string | null {
  if (!type) return null;
  const bare = type.replace(/^bpmn:/, "");
  return bare.charAt(0).toLowerCase() + bare.slice(1);
}

/** Pairs activity start/end history rows into Camunda's historic activity instances. */
export function activityInstances(instance: InstanceView, events: HistoryEvent[]) {
  const byExec = new Map<string, { start?: HistoryEvent; end?: HistoryEvent; taskId?: string | null; assignee?: string | null }>();
  for (const e of events) {
    if (!e.executionId) continue;
    const entry = byExec.get(e.executionId) ?? {};
    if (e.event === "activity.start") entry.start ??= e;
    if (e.event === "activity.end") entry.end = e;
    if (e.event === "task.created") entry.taskId = e.taskId;
    if (e.event === "task.assigned") entry.assignee = (e.detail?.to as string | null) ?? null;
    if (e.event === "task.completed") entry.assignee ??= e.actor;
    byExec.set(e.executionId, entry);
  }
  const out = [];
  for (const [executionId, x] of byExec) {
    const first = x.start ?? x.end;
    if (!first || !first.activityId) continue;
    const start = x.start?.at ?? first.at;
    const end = x.end?.at ?? null;
    out.push({
      id: `${first.activityId}:${executionId}`,
      parentActivityInstanceId: instance.id,
      activityId: first.activityId,
      activityName: first.activityName,
      activityType: camundaActivityType(first.activityType),
      processDefinitionKey: instance.definitionKey,
      processDefinitionId: instance.definitionId,
      processInstanceId: instance.id,
      executionId,
      taskId: x.taskId ?? null,
      calledProcessInstanceId: null,
      calledCaseInstanceId: null,
      assignee: x.assignee ?? null,
      startTime: camundaDate(start),
      endTime: camundaDate(end),
      durationInMillis: end ? new Date(end).getTime() - new Date(start).getTime() : null,
      canceled: Boolean(x.end?.detail?.canceled) || (!end && instance.state === "EXTERNALLY_TERMINATED"),
      completeScope: false,
      tenantId: null,
      removalTime: null,
      rootProcessInstanceId: instance.id,
    });
  }
  return out.sort((a, b) => String(a.startTime).localeCompare(String(b.startTime)));
}

/** Query-string booleans as Camunda clients send them. */
export const qBool = z
  .union([z.boolean(), z.enum(["true", "false"])])
  .transform((v) => v === true || v === "true")
  .optional();
