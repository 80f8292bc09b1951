import { json, Router } from "express";
import type { AppContext } from "../../context.js";
import { camundaErrorHandler, requireEngineUser } from "./common.js";
import { deploymentRoutes } from "./deployment.js";
import { externalTaskRoutes } from "./externalTask.js";
import { historyRoutes } from "./history.js";
import { incidentRoutes } from "./incident.js";
import { jobRoutes } from "./job.js";
import { messageRoutes } from "./message.js";
import { openApiRoutes } from "./openapi.js";
import { processDefinitionRoutes } from "./processDefinition.js";
import { processInstanceRoutes } from "./processInstance.js";
import { taskRoutes } from "./task.js";
import { modificationRoutes } from "./modification.js";

/** The Camunda-7-compatible REST API under /engine-rest (one router per resource, Camunda's error shape). */
export function engineRestRoutes(ctx: AppContext): Router {
  const api = Router();
  // Camunda answers "Content-Type: application/json" without a charset, and camunda-external-task-client-js
  // only parses a body whose content type is exactly that.
  api.use((_req, res, next) => {
    res.json = (body: unknown) => {
      const buf = Buffer.from(JSON.stringify(body) ?? "null", "utf8");
      res.setHeader("Content-Type", "application/json");
      res.setHeader("Content-Length", buf.length);
      res.end(buf);
      return res;
    };
    next();
  });
  // Camunda clients send JSON with charset variants and sometimes without a content type.
  api.use(json({ limit: "2mb", type: ["application/json", "application/*+json", "text/plain"] }));
  api.use(openApiRoutes(ctx));
  api.get("/version", requireEngineUser, (_req, res) => {
    res.json({ version: "7.20.0" });
  });
  api.use(deploymentRoutes(ctx));
  api.use(processDefinitionRoutes(ctx));
  api.use(processInstanceRoutes(ctx));
  api.use(modificationRoutes(ctx));
  api.use(taskRoutes(ctx));
  api.use(externalTaskRoutes(ctx));
  api.use(messageRoutes(ctx));
  api.use(historyRoutes(ctx));
  api.use(incidentRoutes(ctx));
  api.use(jobRoutes(ctx));
  api.use((req, _res, next) => {
    next(Object.assign(new Error("not found"), { status: 404 }));
  });
  api.use(camundaErrorHandler);

  const router = Router();
  router.use("/engine-rest", api);
  return router;
}
