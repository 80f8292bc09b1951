import type { Transaction } from "sequelize";
import { EngineDefinition, EngineHistory, EngineInstance } from "../../db/models/engineModels.js";
import { NotFoundError } from "../../errors.js";
import type { Variables } from "../bpmn.js";
import type { HistoryEvent, InstanceState, InstanceView } from "../types.js";
import { instanceWhere, type InstanceFilter } from "./listQueries.js";
import { paging } from "./taskQueries.js";
import { parseJson } from "./util.js";

// Paged lists and counts of deployments, incidents, jobs and external tasks live in listQueries.ts.
export { findDeployments, findIncidents } from "./listQueries.js";

function instanceView(i: EngineInstance): InstanceView {
  return {
    id: i.id,
    definitionId: i.definitionId,
    definitionKey: i.definitionKey,
    businessKey: i.businessKey,
    state: i.state as InstanceState,
    startedAt: i.startedAt,
    endedAt: i.endedAt,
    startActor: i.startActor,
    departmentId: i.departmentId,
    endReason: i.endReason,
    variables: parseJson<Variables>(i.variables, {}),
    variableTypes: parseJson<Record<string, string>>(i.variableTypes, {}),
    superInstanceId: i.superInstanceId ?? null,
  };
}

/** One instance (running or ended), or null. */
export async function getInstance(id: string, t?: Transaction): Promise<InstanceView | null> {
  const i = await EngineInstance.findByPk(id, { attributes: { exclude: ["engineState"] }, transaction: t });
  return i ? instanceView(i) : null;
}

/** Instances matching the filter, newest first; paging as findTasks: not a non-negative integer -> 400, maxResults cut to 10,000 (default 1,000). */
export async function findInstances(filter: InstanceFilter = {}): Promise<InstanceView[]> {
  const { limit, offset } = paging(filter);
  const rows = await EngineInstance.findAll({
    where: instanceWhere(filter),
    attributes: { exclude: ["engineState"] },
    order: [
      ["startedAt", "DESC"],
      ["id", "ASC"],
    ],
    offset,
    limit,
  });
  return rows.map((r) => instanceView(r));
}

/** The instance's history, oldest first (kept after the instance ends). */
export async function history(instanceId: string): Promise<HistoryEvent[]> {
  const rows = await EngineHistory.findAll({ where: { instanceId }, order: [["id", "ASC"]] });
  return rows.map((h) => ({
    id: Number(h.id),
    event: h.event,
    activityId: h.activityId,
    activityType: h.activityType,
    activityName: h.activityName,
    executionId: h.executionId,
    taskId: h.taskId,
    actor: h.actor,
    at: h.at,
    detail: parseJson<Record<string, unknown> | null>(h.detail, null),
  }));
}

/** Definitions without their XML, by key then newest version (only the latest per key when asked). */
export async function findDefinitions(
  filter: { key?: string; latestVersion?: boolean; id?: string; deploymentId?: string } = {},
): Promise<EngineDefinition[]> {
  const where: Record<string, unknown> = {};
  if (filter.key) where.key = filter.key;
  if (filter.id) where.id = filter.id;
  if (filter.deploymentId) where.deploymentId = filter.deploymentId;
  const rows = await EngineDefinition.findAll({
    where,
    attributes: { exclude: ["xml"] },
    order: [
      ["key", "ASC"],
      ["version", "DESC"],
    ],
  });
  if (!filter.latestVersion) return rows;
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.key) ? false : (seen.add(r.key), true)));
}

/** One definition with its XML: by id, or the latest version of a key; 404 when none. */
export async function getDefinitionXml(filter: { key?: string; id?: string }): Promise<EngineDefinition> {
  const def = filter.id
    ? await EngineDefinition.findByPk(filter.id)
    : await EngineDefinition.findOne({ where: { key: filter.key ?? "" }, order: [["version", "DESC"]] });
  if (!def) throw new NotFoundError(`找不到流程定义 ${filter.id ?? filter.key ?? ""}`);
  return def;
}
