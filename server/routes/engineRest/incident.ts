import { Router, type Request } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { processInstancePolicy } from "../../policies/processInstance.js";
import { camundaDate, parseCamunda, requireEngineRole, STAFF, user } from "./common.js";
import { pagingFields } from "./paging.js";

// Camunda's incident query parameters this runtime knows; filtered, paged and counted in SQL.
const Query = z
  .object({
    incidentId: z.string().optional(),
    incidentType: z.string().optional(),
    processInstanceId: z.string().optional(),
    processDefinitionId: z.string().optional(),
    activityId: z.string().optional(),
    configuration: z.string().optional(),
    ...pagingFields,
  })
  .loose();

/** GET incident and incident/count: failed jobs and external tasks whose retries ran out (open ones), oldest first. */
export function incidentRoutes(ctx: AppContext): Router {
  const router = Router();
  // Only the caller's department's instances (processInstancePolicy), as every instance read.
  const scoped = <Q extends object>(req: Request, q: Q) => ({ ...q, departmentIds: processInstancePolicy.visibleDepartments(user(req)) });
  router.get("/incident", requireEngineRole(...STAFF), async (req, res) => {
    const rows = await ctx.engine.lists.incidents(scoped(req, parseCamunda(Query, req.query)));
    res.json(
      rows.map((i) => ({
        id: i.id,
        processDefinitionId: i.processDefinitionId,
        processInstanceId: i.processInstanceId ?? null,
        executionId: null,
        incidentTimestamp: camundaDate(i.incidentTimestamp),
        incidentType: i.incidentType,
        activityId: i.activityId,
        failedActivityId: i.activityId,
        causeIncidentId: i.id,
        rootCauseIncidentId: i.id,
        configuration: i.configuration,
        tenantId: null,
        incidentMessage: i.incidentMessage,
        jobDefinitionId: null,
        annotation: null,
      })),
    );
  });
  router.get("/incident/count", requireEngineRole(...STAFF), async (req, res) => {
    // As in Camunda: firstResult / maxResults are checked but do not cut the count.
    res.json({ count: await ctx.engine.lists.countIncidents(scoped(req, parseCamunda(Query, req.query))) });
  });
  return router;
}
