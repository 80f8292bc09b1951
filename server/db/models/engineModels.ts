import { EngineDefinition } from "./EngineDefinition.js";
import { EngineDeployment } from "./EngineDeployment.js";
import { EngineExternalTask } from "./EngineExternalTask.js";
import { EngineHistory } from "./EngineHistory.js";
import { EngineIncident } from "./EngineIncident.js";
import { EngineInstance } from "./EngineInstance.js";
import { EngineJob } from "./EngineJob.js";
import { EngineSubscription } from "./EngineSubscription.js";
import { EngineTask } from "./EngineTask.js";
import { EngineTaskCandidate } from "./EngineTaskCandidate.js";

export {
  EngineDefinition,
  EngineDeployment,
  EngineExternalTask,
  EngineHistory,
  EngineIncident,
  EngineInstance,
  EngineJob,
  EngineSubscription,
  EngineTask,
  EngineTaskCandidate,
};

/** The workflow runtime's models (server/engine), registered by initModels. */
export const ENGINE_MODELS = [
  EngineDeployment,
  EngineDefinition,
  EngineInstance,
  EngineTask,
  EngineTaskCandidate,
  EngineJob,
  EngineExternalTask,
  EngineSubscription,
  EngineIncident,
  EngineHistory,
] as const;
