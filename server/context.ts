import type { PassportInstance } from "./auth/passport.js";
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import type { Database } from "./db/database.js";
import type { EngineRuntime } from "./engine/index.js";
import type { FlowRegistry } from "./flows/registry.js";
import type { Logger } from "./logger.js";

/** What routes and commands need from the running node; built once by createApp. */
export interface AppContext {
  readonly config: Config;
  readonly db: Database;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly passport: PassportInstance;
  /** The workflow runtime (server/engine): deploy, start, tasks, jobs, messages. */
  readonly engine: EngineRuntime;
  /** The flow modules (commitment, ...): which process keys they own and how their tasks are decided. */
  readonly flows: FlowRegistry;
}
