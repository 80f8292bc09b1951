import { randomUUID } from "node:crypto";
import type { Transaction } from "sequelize";
import { EngineIncident } from "../../db/models/engineModels.js";

/** Opens an incident: a job or an external task ran out of retries (configuration names it). */
export async function openIncident(
  t: Transaction,
  i: {
    /** Null for a timer start job (it belongs to no instance). */
    instanceId: string | null;
    definitionId: string;
    activityId: string;
    type: string;
    configuration: string;
    message: string | null;
    at: Date;
  },
): Promise<void> {
  await EngineIncident.create(
    {
      id: randomUUID(),
      instanceId: i.instanceId,
      definitionId: i.definitionId,
      activityId: i.activityId,
      type: i.type,
      configuration: i.configuration,
      message: i.message,
      createdAt: i.at,
      resolvedAt: null,
    },
    { transaction: t },
  );
}

/** Resolves the open incidents of one job or external task (an admin gave it retries again). */
export async function resolveIncidents(t: Transaction, configuration: string, at: Date): Promise<void> {
  await EngineIncident.update({ resolvedAt: at }, { where: { configuration, resolvedAt: null }, transaction: t });
}
