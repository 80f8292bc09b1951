import type { EngineRuntime } from "../../engine/index.js";

/** What the commitment domain uses of the workflow runtime (ctx.engine). */
export type EnginePort = EngineRuntime;
export type { ServiceContext, ServiceHandler } from "../../engine/index.js";
