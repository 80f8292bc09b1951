import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { processConsolePolicy } from "../../domain/processes/access.js";
import { cancelProcessInstance } from "../../domain/processes/cancelInstance.js";
import { processInstancePolicy } from "../../policies/processInstance.js";
import { flowElements, hasDiagramInformation } from "../../domain/processes/diagram.js";
import {
  definitionKeys,
  findDefinitionVersion,
  findOpenIncident,
  searchInstances,
  waitingElements,
} from "../../domain/processes/queries.js";
import { pageNumber } from "../../domain/search.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import { requireRole } from "../../http/guards.js";
import { authorize } from "../../policies/authorize.js";
import { presentPagination } from "../../presenters/pagination.js";
import {
  activityStatus,
  definitionHref,
  instanceHref,
  presentElements,
  presentIncident,
  presentInstanceRow,
  presentState,
  presentTask,
  presentTimeline,
  presentVariables,
  presentWaiting,
  STATE_FILTERS,
} from "../../presenters/process.js";
import { setFlash, takeFlash } from "./forms.js";

const text = (max: number) => z.string().trim().max(max).optional().catch(undefined);
const InstanceQuery = z.object({
  key: text(255),
  businessKey: text(255),
  state: z.enum(["active", "completed", "cancelled", "incident"]).optional().catch(undefined),
  page: z.unknown().optional(),
});

const CancelBody = z.object({ reason: z.string().trim().max(1000, "取消原因最多 1000 字").optional().default("") });

/** Retries given back to a job or external task when an admin retries its incident (Camunda Cockpit's default is 1). */
const RETRY_COUNT = 1;

function idParam(req: Request): string {
  return String((req.params as { id: string }).id);
}

/** The process console's instance pages: a filtered list, the detail (timeline, variables, tasks, incidents), cancel and retry. */
export function adminInstanceRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db, engine } = ctx;
  const staff = requireRole("dept_admin");

  router.get("/admin/instances", staff, async (req, res) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.read(user));
    const query = InstanceQuery.parse(req.query);
    const page = await searchInstances(db, {
      departmentIds: processInstancePolicy.visibleDepartments(user),
      key: query.key,
      businessKey: query.businessKey,
      state: query.state,
      page: pageNumber(query.page),
    });
    const filters = { key: query.key, businessKey: query.businessKey, state: query.state };
    res.render("admin/instances/index", {
      title: "流程实例",
      filters,
      filtered: Object.values(filters).some(Boolean),
      keys: await definitionKeys(),
      states: STATE_FILTERS,
      instances: page.rows.map(presentInstanceRow),
      pagination: presentPagination(page, "/admin/instances", filters),
    });
  });

  async function renderInstance(
    req: Request,
    res: Response,
    extra: { cancelError?: string; reason?: string } = {},
    status = 200,
  ): Promise<void> {
    const user = currentUser(req);
    authorize(processConsolePolicy.read(user));
    const id = idParam(req);
    const instance = await engine.getInstance(id);
    if (!instance || !processInstancePolicy.read(user, instance)) throw new NotFoundError(`找不到流程实例 ${id}`);
    const [definition, history, tasks, incidents, waiting] = await Promise.all([
      findDefinitionVersion(db, instance.definitionId),
      engine.history(id),
      engine.findTasks({ processInstanceId: id, maxResults: 200 }),
      engine.findIncidents({ processInstanceId: id, open: true }),
      waitingElements(id),
    ]);
    // Call activities: the instance that called this one, and the instances this one called (Camunda's super / sub).
    const calledInstances = await engine.findInstances({ superProcessInstance: id, maxResults: 200 });
    const status_ = activityStatus(history, waiting, incidents);
    const xml = definition?.xml ?? "";
    const timeline = presentTimeline(history);
    res.status(status).render("admin/instances/show", {
      title: `流程实例 ${instance.businessKey ?? instance.id}`,
      flash: takeFlash(req),
      instance: { ...instance, stateView: presentState(instance.state), active: instance.state === "ACTIVE" },
      definition: definition?.version ?? null,
      definitionHref: definitionHref(instance.definitionId),
      canOperate: processInstancePolicy.operate(user, instance),
      canRetry: processConsolePolicy.operate(user),
      timeline: timeline.filter((e) => !e.isVariable),
      variableChanges: timeline.filter((e) => e.isVariable),
      variables: presentVariables(instance.variables, instance.variableTypes),
      tasks: tasks.map(presentTask),
      waiting: waiting.map(presentWaiting),
      incidents: incidents.map((i) => presentIncident(i, id)),
      hasDiagram: hasDiagramInformation(xml),
      diagramUrl: `${instanceHref(id)}/diagram.json`,
      elements: presentElements(flowElements(xml), status_),
      cancelAction: `${instanceHref(id)}/cancel`,
      superInstanceHref: instance.superInstanceId ? instanceHref(instance.superInstanceId) : null,
      calledInstances: calledInstances.map((c) => ({
        href: instanceHref(c.id),
        label: c.businessKey ?? c.id,
        definitionKey: c.definitionKey,
        stateView: presentState(c.state),
      })),
      ...extra,
    });
  }

  router.get("/admin/instances/:id", staff, async (req, res) => {
    await renderInstance(req, res);
  });

  // The diagram viewer's data: the XML and the activities to mark (completed from history, current from what it waits on).
  router.get("/admin/instances/:id/diagram.json", staff, async (req, res) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.read(user));
    const id = idParam(req);
    const instance = await engine.getInstance(id);
    if (!instance || !processInstancePolicy.read(user, instance)) throw new NotFoundError(`找不到流程实例 ${id}`);
    const [definition, history, incidents, waiting] = await Promise.all([
      findDefinitionVersion(db, instance.definitionId),
      engine.history(id),
      engine.findIncidents({ processInstanceId: id, open: true }),
      waitingElements(id),
    ]);
    if (!definition) throw new NotFoundError(`找不到流程定义 ${instance.definitionId}`);
    res.json({ xml: definition.xml, hasDiagram: hasDiagramInformation(definition.xml), ...activityStatus(history, waiting, incidents) });
  });

  router.post("/admin/instances/:id/cancel", staff, async (req, res) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.read(user));
    const id = idParam(req);
    const parsed = CancelBody.safeParse(req.body ?? {});
    const reason = parsed.success ? parsed.data.reason : "";
    if (!parsed.success || !reason) {
      const message = parsed.success ? "请填写取消原因：原因会记入流程历史和审计日志" : (parsed.error.issues[0]?.message ?? "取消原因有误");
      await renderInstance(
        req,
        res,
        {
          cancelError: message,
          reason: typeof (req.body as { reason?: unknown })?.reason === "string" ? String((req.body as { reason: string }).reason) : "",
        },
        400,
      );
      return;
    }
    try {
      await cancelProcessInstance(ctx, { actor: user, instanceId: id, reason });
      setFlash(req, "success", "流程实例已取消，原因已记入历史和审计日志");
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      setFlash(req, "warning", err.code === "instance_called" ? err.message : "流程实例已经结束，不能再取消");
    }
    res.redirect(303, instanceHref(id));
  });

  router.post("/admin/instances/:id/incidents/:incidentId/retry", staff, async (req, res) => {
    const user = currentUser(req);
    authorize(processConsolePolicy.operate(user), "只有系统管理员可以重试事故");
    const id = idParam(req);
    const incidentId = String((req.params as { incidentId: string }).incidentId);
    const incident = await findOpenIncident(id, incidentId);
    if (!incident) throw new NotFoundError("找不到这条未解决的事故：它可能已被处理");
    if (!incident.configuration) throw new ValidationError("这条事故没有关联的作业，不能重试");
    if (incident.type === "failedJob") await engine.setJobRetries(incident.configuration, RETRY_COUNT, user);
    else if (incident.type === "failedExternalTask") await engine.setExternalTaskRetries(incident.configuration, RETRY_COUNT, user);
    else throw new ValidationError(`事故类型 ${incident.type} 不能在这里重试`);
    setFlash(req, "success", "已重新安排执行：作业会在下一轮由作业执行器处理");
    res.redirect(303, instanceHref(id));
  });

  return router;
}
