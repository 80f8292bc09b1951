import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { camundaDate, parseCamunda, qBool, requireEngineRole, STAFF, user } from "./common.js";
import { pageOf, pagingFields } from "./paging.js";

/** GET job (timer jobs), PUT job/{id}/retries (admin: retry a job in incident). */
export function jobRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get("/job", requireEngineRole(...STAFF), async (req, res) => {
    const q = parseCamunda(
      z.object({ processInstanceId: z.string().optional(), withException: qBool, ...pagingFields }).loose(),
      req.query,
    );
    const rows = pageOf(await ctx.engine.findJobs({ processInstanceId: q.processInstanceId, withException: q.withException }), q);
    res.json(
      rows.map((j) => ({
        id: j.id,
        jobDefinitionId: null,
        dueDate: camundaDate(j.dueAt),
        processInstanceId: j.instanceId,
        executionId: j.executionId,
        processDefinitionId: null,
        processDefinitionKey: j.definitionKey,
        retries: j.retries,
        exceptionMessage: j.exceptionMessage,
        failedActivityId: j.exceptionMessage ? j.activityId : null,
        suspended: false,
        priority: 0,
        tenantId: null,
        createTime: camundaDate(j.createdAt),
      })),
    );
  });
  router.put("/job/:id/retries", requireEngineRole(), async (req, res) => {
    const body = parseCamunda(z.object({ retries: z.number().int().min(0).max(100) }), req.body ?? {});
    await ctx.engine.setJobRetries(req.params.id as string, body.retries, user(req));
    res.status(204).end();
  });
  return router;
}
