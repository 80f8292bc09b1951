import { Router, type Request } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { EngineDefinition } from "../../db/models/engineModels.js";
import { deploymentDepartment } from "../../domain/processes/queries.js";
import { ForbiddenError, NotFoundError } from "../../errors.js";
import { startRefusal } from "../../policies/processDefinition.js";
import {
  instanceDto,
  parseCamunda,
  qBool,
  requireEngineRole,
  STAFF,
  toTyped,
  TypedVariables,
  fromTyped,
  user,
  declaredTypes,
} from "./common.js";
import { pageOf, pagingFields } from "./paging.js";

function definitionDto(d: EngineDefinition) {
  return {
    id: d.id,
    key: d.key,
    category: "http://bpmn.io/schema/bpmn",
    description: null,
    name: d.name,
    version: d.version,
    resource: d.resourceName,
    deploymentId: d.deploymentId,
    diagram: null,
    suspended: false,
    tenantId: null,
    versionTag: null,
    historyTimeToLive: null,
    startableInTasklist: true,
  };
}

const DefinitionQuery = z
  .object({
    key: z.string().optional(),
    latestVersion: qBool,
    deploymentId: z.string().optional(),
    processDefinitionId: z.string().optional(),
    ...pagingFields,
  })
  .loose();

const StartBody = z.object({
  variables: TypedVariables.optional().nullable(),
  businessKey: z.string().max(255).optional().nullable(),
  withVariablesInReturn: z.boolean().optional(),
});

/** GET process-definition (key, latestVersion), by key or id, their XML, and start. */
export function processDefinitionRoutes(ctx: AppContext): Router {
  const router = Router();
  const read = requireEngineRole(...STAFF);

  /** The list and its count take the same filter (Camunda's query parameters). */
  const definitionsMatching = (query: unknown) => {
    const q = parseCamunda(DefinitionQuery, query);
    const rows = ctx.engine.findDefinitions({
      key: q.key,
      latestVersion: q.latestVersion,
      deploymentId: q.deploymentId,
      id: q.processDefinitionId,
    });
    return { q, rows };
  };

  router.get("/process-definition", read, async (req, res) => {
    const { q, rows } = definitionsMatching(req.query);
    res.json(pageOf(await rows, q).map(definitionDto));
  });

  router.get("/process-definition/count", read, async (req, res) => {
    // Like Camunda's count: firstResult / maxResults are checked but do not cut the count.
    res.json({ count: (await definitionsMatching(req.query).rows).length });
  });

  const one = async (req: Request) => {
    const p = req.params as { key?: string; id?: string };
    const [def] = p.key
      ? await ctx.engine.findDefinitions({ key: p.key, latestVersion: true })
      : await ctx.engine.findDefinitions({ id: p.id });
    if (!def) throw new NotFoundError(`找不到流程定义 ${p.key ?? p.id ?? ""} (No matching process definition)`);
    return def;
  };
  router.get("/process-definition/key/:key", read, async (req, res) => {
    res.json(definitionDto(await one(req)));
  });
  router.get("/process-definition/:id", read, async (req, res) => {
    res.json(definitionDto(await one(req)));
  });

  router.get("/process-definition/key/:key/xml", read, async (req, res) => {
    const def = await ctx.engine.getDefinitionXml({ key: req.params.key as string });
    res.json({ id: def.id, bpmn20Xml: def.xml });
  });
  router.get("/process-definition/:id/xml", read, async (req, res) => {
    const def = await ctx.engine.getDefinitionXml({ id: req.params.id as string });
    res.json({ id: def.id, bpmn20Xml: def.xml });
  });

  const start = async (req: Request, by: { key?: string; definitionId?: string }) => {
    const body = parseCamunda(StartBody, req.body ?? {});
    const me = user(req);
    const def = await one(req);
    // A flow module's process starts only through its own command (its checks, its case, its numbering).
    const flow = ctx.flows.forProcess(def.key);
    if (flow) throw new ForbiddenError(`流程 ${def.key} 属于${flow.label}，不能通过 /engine-rest 启动：${flow.door}`);
    const refusal = startRefusal(me, { key: def.key, ownerDepartmentId: await deploymentDepartment(def.deploymentId) });
    if (refusal) throw new ForbiddenError(refusal);
    const inst = await ctx.engine.startProcess({
      ...by,
      businessKey: body.businessKey ?? null,
      variables: fromTyped(body.variables),
      variableTypes: declaredTypes(body.variables),
      actor: me,
      // The instance belongs to the starting officer's department (an admin's start: to the platform).
      departmentId: me.isAdmin ? null : me.departmentId,
    });
    return {
      ...instanceDto(inst),
      ...(body.withVariablesInReturn ? { variables: toTyped(inst.variables, null, inst.variableTypes) } : {}),
    };
  };
  const starters = requireEngineRole("reviewer", "dept_admin");
  router.post("/process-definition/key/:key/start", starters, async (req, res) => {
    res.json(await start(req, { key: req.params.key as string }));
  });
  router.post("/process-definition/:id/start", starters, async (req, res) => {
    res.json(await start(req, { definitionId: req.params.id as string }));
  });

  return router;
}
