import { Router, type Request } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { InstanceView } from "../../engine/index.js";
import { NotFoundError } from "../../errors.js";
import { processInstancePolicy } from "../../policies/processInstance.js";
import { activityInstances, camundaDate, parseCamunda, qBool, requireEngineRole, STAFF, user } from "./common.js";
import { pageOf, pagingFields } from "./paging.js";

function historicInstanceDto(i: InstanceView, def: { name: string | null; version: number } | undefined, startActivityId: string | null) {
  return {
    id: i.id,
    businessKey: i.businessKey,
    processDefinitionId: i.definitionId,
    processDefinitionKey: i.definitionKey,
    processDefinitionName: def?.name ?? null,
    processDefinitionVersion: def?.version ?? null,
    startTime: camundaDate(i.startedAt),
    endTime: camundaDate(i.endedAt),
    removalTime: null,
    durationInMillis: i.endedAt ? new Date(i.endedAt).getTime() - new Date(i.startedAt).getTime() : null,
    startUserId: i.startActor,
    startActivityId,
    deleteReason: i.endReason,
    rootProcessInstanceId: i.id,
    superProcessInstanceId: i.superInstanceId ?? null,
    superCaseInstanceId: null,
    caseInstanceId: null,
    tenantId: null,
    state: i.state,
  };
}

const Query = z
  .object({
    processInstanceId: z.string().optional(),
    processInstanceBusinessKey: z.string().optional(),
    processDefinitionKey: z.string().optional(),
    processDefinitionId: z.string().optional(),
    superProcessInstanceId: z.string().optional(),
    subProcessInstanceId: z.string().optional(),
    finished: qBool,
    unfinished: qBool,
    ...pagingFields,
  })
  .loose();

/** Camunda's history API: process instances (ACTIVE / COMPLETED / EXTERNALLY_TERMINATED) and activity instances, kept after the end. */
export function historyRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use("/history", requireEngineRole(...STAFF));

  const definitions = async () => new Map((await ctx.engine.findDefinitions()).map((d) => [d.id, { name: d.name, version: d.version }]));

  /** An instance the caller may see (ended ones too), else null: unknown and invisible alike. */
  const visibleInstance = async (req: Request, id: string): Promise<InstanceView | null> => {
    const inst = await ctx.engine.getInstance(id);
    return inst && processInstancePolicy.read(user(req), inst) ? inst : null;
  };

  router.get("/history/process-instance", async (req, res) => {
    const q = parseCamunda(Query, req.query);
    let rows = q.processInstanceId
      ? pageOf(
          [await visibleInstance(req, q.processInstanceId)].filter((x): x is InstanceView => x !== null),
          q,
        )
      : await ctx.engine.findInstances({
          departmentIds: processInstancePolicy.visibleDepartments(user(req)),
          businessKey: q.processInstanceBusinessKey,
          processDefinitionKey: q.processDefinitionKey,
          processDefinitionId: q.processDefinitionId,
          superProcessInstance: q.superProcessInstanceId,
          subProcessInstance: q.subProcessInstanceId,
          state: q.finished ? ["COMPLETED", "EXTERNALLY_TERMINATED"] : q.unfinished ? "ACTIVE" : undefined,
          firstResult: q.firstResult,
          maxResults: q.maxResults,
        });
    if (q.processInstanceBusinessKey) rows = rows.filter((r) => r.businessKey === q.processInstanceBusinessKey);
    const defs = await definitions();
    res.json(rows.map((r) => historicInstanceDto(r, defs.get(r.definitionId), null)));
  });

  router.get("/history/process-instance/:id", async (req, res) => {
    const inst = await visibleInstance(req, req.params.id);
    if (!inst)
      throw new NotFoundError(`找不到流程实例 ${req.params.id} (Historic process instance with id ${req.params.id} does not exist)`);
    const defs = await definitions();
    const events = await ctx.engine.history(inst.id);
    const first = events.find((e) => e.event === "activity.start");
    res.json(historicInstanceDto(inst, defs.get(inst.definitionId), first?.activityId ?? null));
  });

  router.get("/history/activity-instance", async (req, res) => {
    const q = parseCamunda(
      z.object({ processInstanceId: z.string().min(1), activityId: z.string().optional(), ...pagingFields }).loose(),
      req.query,
    );
    const inst = await visibleInstance(req, q.processInstanceId);
    if (!inst) {
      res.json([]);
      return;
    }
    const rows = activityInstances(inst, await ctx.engine.history(inst.id));
    res.json(pageOf(q.activityId ? rows.filter((r) => r.activityId === q.activityId) : rows, q));
  });

  /** Not in Camunda's API: the whole timeline (activities, tasks, variables with actor and time). */
  router.get("/history/process-instance/:id/timeline", async (req, res) => {
    const inst = await visibleInstance(req, req.params.id);
    if (!inst) throw new NotFoundError(`找不到流程实例 ${req.params.id}`);
    res.json((await ctx.engine.history(inst.id)).map((e) => ({ ...e, at: camundaDate(e.at) })));
  });

  return router;
}
