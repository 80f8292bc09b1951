import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { camundaDate, parseCamunda, requireEngineRole, STAFF } from "./common.js";
import { pageOf, pagingFields } from "./paging.js";

/** GET incident: failed jobs and external tasks whose retries ran out (open ones). */
export function incidentRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get("/incident", requireEngineRole(...STAFF), async (req, res) => {
    const q = parseCamunda(z.object({ processInstanceId: z.string().optional(), ...pagingFields }).loose(), req.query);
    const rows = pageOf(await ctx.engine.findIncidents({ processInstanceId: q.processInstanceId }), q);
    res.json(
      rows.map((i) => ({
        id: i.id,
        processDefinitionId: i.processDefinitionId,
        processInstanceId: i.processInstanceId,
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
  return router;
}
