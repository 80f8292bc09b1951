import { Router } from "express";
import multer from "multer";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { deployProcesses } from "../../domain/processes/deployProcesses.js";
import { MAX_BPMN_BYTES } from "../../engine/index.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { camundaDate, parseCamunda, requireEngineRole, STAFF, user } from "./common.js";
import { pagingFields } from "./paging.js";

// Memory storage: a BPMN file is at most 5 MB and goes to the database as text.
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_BPMN_BYTES, files: 20, fields: 20, fieldSize: 64 * 1024 },
});

function deploymentDto(d: {
  id: string;
  name: string | null;
  source: string | null;
  tenantId: string | null;
  deployedAt?: Date;
  deploymentTime?: Date;
}) {
  return {
    id: d.id,
    name: d.name,
    source: d.source,
    tenantId: d.tenantId,
    deploymentTime: camundaDate(d.deployedAt ?? d.deploymentTime),
    links: [],
  };
}

/** POST deployment/create (multipart, as Camunda Modeler sends it), GET deployment, GET deployment/{id}. */
export function deploymentRoutes(ctx: AppContext): Router {
  const router = Router();

  router.post("/deployment/create", requireEngineRole("dept_admin"), upload.any(), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const files = ((req.files as Express.Multer.File[] | undefined) ?? []).filter(
      (f) => /\.(bpmn|bpmn20\.xml|xml)$/i.test(f.originalname) || f.fieldname.endsWith(".bpmn"),
    );
    if (!files.length) throw new ValidationError("部署中没有 .bpmn 文件 (no .bpmn resource in the deployment)");
    const text = (field: string, max: number): string | null => {
      const v = body[field];
      if (typeof v !== "string" || !v) return null;
      if (v.length > max) throw new ValidationError(`${field} 不能超过 ${max} 个字符 (${field} is longer than ${max} characters)`);
      return v;
    };
    const name = text("deployment-name", 255) ?? files[0]!.originalname.slice(0, 255);
    const result = await deployProcesses(ctx, {
      name,
      files: files.map((f) => ({ name: f.originalname || f.fieldname, xml: f.buffer.toString("utf8") })),
      actor: user(req),
      changedOnly: body["deploy-changed-only"] === "true" || body["deploy-changed-only"] === true,
      source: text("deployment-source", 255),
      tenantId: text("tenant-id", 64),
    });
    const deployed: Record<string, unknown> = {};
    for (const d of result.deployedProcessDefinitions) {
      deployed[d.id] = {
        id: d.id,
        key: d.key,
        category: "http://bpmn.io/schema/bpmn",
        description: null,
        name: d.name,
        version: d.version,
        resource: d.resource,
        deploymentId: d.deploymentId,
        diagram: null,
        suspended: false,
        tenantId: result.tenantId,
        versionTag: null,
        historyTimeToLive: null,
        startableInTasklist: true,
      };
    }
    res.json({
      ...deploymentDto({ ...result, deployedAt: result.deploymentTime }),
      deployedProcessDefinitions: Object.keys(deployed).length ? deployed : null,
      deployedCaseDefinitions: null,
      deployedDecisionDefinitions: null,
      deployedDecisionRequirementsDefinitions: null,
      // Not in Camunda's answer: modeling-style findings (labels, diagram information) that did not block.
      warnings: result.warnings,
    });
  });

  // Camunda's deployment query parameters (id, name, nameLike, source); paged and counted in SQL.
  const Query = z
    .object({
      id: z.string().optional(),
      name: z.string().optional(),
      nameLike: z.string().optional(),
      source: z.string().optional(),
      ...pagingFields,
    })
    .loose();
  router.get("/deployment", requireEngineRole(...STAFF), async (req, res) => {
    const q = parseCamunda(Query, req.query);
    res.json((await ctx.engine.lists.deployments(q)).map((d) => deploymentDto(d)));
  });
  router.get("/deployment/count", requireEngineRole(...STAFF), async (req, res) => {
    // As in Camunda: firstResult / maxResults are checked but do not cut the count.
    res.json({ count: await ctx.engine.lists.countDeployments(parseCamunda(Query, req.query)) });
  });

  router.get("/deployment/:id", requireEngineRole(...STAFF), async (req, res) => {
    const id = req.params.id as string;
    const [d] = await ctx.engine.lists.deployments({ id, maxResults: 1 });
    if (!d) throw new NotFoundError(`找不到部署 ${id} (Deployment with id '${id}' does not exist)`);
    res.json(deploymentDto(d));
  });

  return router;
}
