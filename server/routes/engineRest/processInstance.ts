import { Router, type Request } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { cancelProcessInstance } from "../../domain/processes/cancelInstance.js";
import { NotFoundError } from "../../errors.js";
import { processInstancePolicy } from "../../policies/processInstance.js";
import { instanceDto, parseCamunda, qBool, requireEngineRole, STAFF, toTyped, user } from "./common.js";
import { pagingFields } from "./paging.js";

const Query = z
  .object({
    businessKey: z.string().optional(),
    processDefinitionKey: z.string().optional(),
    processDefinitionId: z.string().optional(),
    processInstanceIds: z.string().optional(),
    superProcessInstance: z.string().optional(),
    subProcessInstance: z.string().optional(),
    active: qBool,
    ...pagingFields,
  })
  .loose();

/** GET process-instance (businessKey, processDefinitionKey), GET/DELETE process-instance/{id}, its variables. */
export function processInstanceRoutes(ctx: AppContext): Router {
  const router = Router();
  const read = requireEngineRole(...STAFF);

  /** The query as the runtime's filter: running instances only (Camunda's runtime API), processInstanceIds comma-separated. */
  const filterOf = (req: Request, q: z.infer<typeof Query>) => ({
    departmentIds: processInstancePolicy.visibleDepartments(user(req)),
    ids: q.processInstanceIds?.split(","),
    businessKey: q.businessKey,
    processDefinitionKey: q.processDefinitionKey,
    processDefinitionId: q.processDefinitionId,
    superProcessInstance: q.superProcessInstance,
    subProcessInstance: q.subProcessInstance,
    state: "ACTIVE" as const,
    firstResult: q.firstResult,
    maxResults: q.maxResults,
  });
  router.get("/process-instance", read, async (req, res) => {
    res.json((await ctx.engine.findInstances(filterOf(req, parseCamunda(Query, req.query)))).map(instanceDto));
  });
  router.post("/process-instance", read, async (req, res) => {
    res.json((await ctx.engine.findInstances(filterOf(req, parseCamunda(Query, req.body ?? {})))).map(instanceDto));
  });
  // As in Camunda: a COUNT of every match; firstResult / maxResults are checked but do not cut it.
  router.get("/process-instance/count", read, async (req, res) => {
    res.json({ count: await ctx.engine.lists.countInstances(filterOf(req, parseCamunda(Query, req.query))) });
  });
  router.post("/process-instance/count", read, async (req, res) => {
    res.json({ count: await ctx.engine.lists.countInstances(filterOf(req, parseCamunda(Query, req.body ?? {}))) });
  });

  const load = async (req: Request, id: string) => {
    const inst = await ctx.engine.getInstance(id);
    // Camunda's runtime API knows only running instances; ended ones are in history. Invisible is unknown.
    if (!inst || inst.state !== "ACTIVE" || !processInstancePolicy.read(user(req), inst))
      throw new NotFoundError(`找不到运行中的流程实例 ${id} (Process instance with id ${id} does not exist)`);
    return inst;
  };
  router.get("/process-instance/:id", read, async (req, res) => {
    res.json(instanceDto(await load(req, req.params.id as string)));
  });
  router.get("/process-instance/:id/variables", read, async (req, res) => {
    const inst = await load(req, req.params.id as string);
    res.json(toTyped(inst.variables, null, inst.variableTypes));
  });

  router.delete("/process-instance/:id", requireEngineRole("dept_admin"), async (req, res) => {
    const q = parseCamunda(z.object({ deleteReason: z.string().max(1000).optional() }).loose(), req.query);
    const body = parseCamunda(z.object({ deleteReason: z.string().max(1000).optional() }).loose(), req.body ?? {});
    await cancelProcessInstance(ctx, {
      actor: user(req),
      instanceId: req.params.id as string,
      reason: body.deleteReason ?? q.deleteReason ?? "通过 REST 接口取消",
    });
    res.status(204).end();
  });

  return router;
}
