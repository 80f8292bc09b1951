import { Router, type Request } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { processInstancePolicy } from "../../policies/processInstance.js";
import { camundaDate, parseCamunda, qBool, requireEngineRole, STAFF, user } from "./common.js";
import { pagingFields } from "./paging.js";

// Camunda's job query parameters this runtime knows; filtered, paged and counted in SQL.
const Query = z
  .object({
    jobId: z.string().optional(),
    processInstanceId: z.string().optional(),
    processDefinitionKey: z.string().optional(),
    activityId: z.string().optional(),
    withException: qBool,
    withRetriesLeft: qBool,
    noRetriesLeft: qBool,
    ...pagingFields,
  })
  .loose();

/** GET job and job/count (timer jobs, soonest due first), PUT job/{id}/retries (admin: retry a job in incident). */
export function jobRoutes(ctx: AppContext): Router {
  const router = Router();
  // Only the caller's department's instances (processInstancePolicy), as every instance read.
  const scoped = <Q extends object>(req: Request, q: Q) => ({ ...q, departmentIds: processInstancePolicy.visibleDepartments(user(req)) });
  router.get("/job", requireEngineRole(...STAFF), async (req, res) => {
    const rows = await ctx.engine.lists.jobs(scoped(req, parseCamunda(Query, req.query)));
    res.json(
      rows.map((j) => ({
        id: j.id,
        jobDefinitionId: null,
        dueDate: camundaDate(j.dueDate),
        // A timer start event's job has no instance yet: null, as Camunda answers.
        processInstanceId: j.processInstanceId,
        executionId: j.executionId,
        processDefinitionId: j.processDefinitionId,
        processDefinitionKey: j.processDefinitionKey,
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
  router.get("/job/count", requireEngineRole(...STAFF), async (req, res) => {
    // As in Camunda: firstResult / maxResults are checked but do not cut the count.
    res.json({ count: await ctx.engine.lists.countJobs(scoped(req, parseCamunda(Query, req.query))) });
  });
  router.put("/job/:id/retries", requireEngineRole(), async (req, res) => {
    const body = parseCamunda(z.object({ retries: z.number().int().min(0).max(100) }), req.body ?? {});
    await ctx.engine.setJobRetries(req.params.id as string, body.retries, user(req));
    res.status(204).end();
  });
  return router;
}
