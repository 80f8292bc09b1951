// Read queries of the admin process console (部署、流程定义、流程实例). The runtime (server/engine) has no
// paginated, counted or grouped reads, so these are written here over its tables; they never write.
import { literal, Op, QueryTypes, type WhereOptions } from "sequelize";
import type { Database } from "../../db/database.js";
import {
  EngineDefinition,
  EngineDeployment,
  EngineExternalTask,
  EngineIncident,
  EngineInstance,
  EngineJob,
  EngineSubscription,
  EngineTask,
} from "../../db/models/engineModels.js";
import { likePattern, PAGE_SIZE, type Page } from "../search.js";

export interface DefinitionVersion {
  id: string;
  key: string;
  name: string | null;
  version: number;
  resourceName: string | null;
  deploymentId: string;
  deploymentName: string | null;
  deployedAt: Date;
  deployedBy: string | null;
  running: number;
  total: number;
}

export interface DefinitionGroup {
  key: string;
  name: string | null;
  latest: DefinitionVersion;
  versions: DefinitionVersion[];
  running: number;
  /** Open incidents of timer start jobs (they have no instance), and the newest version that has one. */
  timerStartFailures: number;
  timerStartFailureVersionId: string | null;
}

function toDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}

/** Instance counts per definition version: running (ACTIVE) and all. */
async function instanceCounts(db: Database, definitionIds?: string[]): Promise<Map<string, { running: number; total: number }>> {
  if (definitionIds && !definitionIds.length) return new Map();
  const where = definitionIds ? "WHERE definition_id IN (:ids)" : "";
  const rows = await db.sequelize.query<{ definition_id: string; running: number | string; total: number | string }>(
    `SELECT definition_id, SUM(CASE WHEN state = 'ACTIVE' THEN 1 ELSE 0 END) AS running, COUNT(*) AS total
       FROM engine_instances ${where} GROUP BY definition_id`,
    { type: QueryTypes.SELECT, replacements: { ids: definitionIds ?? [] } },
  );
  return new Map(rows.map((r) => [r.definition_id, { running: Number(r.running ?? 0), total: Number(r.total ?? 0) }]));
}

async function versionsOf(db: Database, where: WhereOptions<EngineDefinition>): Promise<DefinitionVersion[]> {
  const defs = await EngineDefinition.findAll({
    where,
    attributes: { exclude: ["xml"] },
    order: [
      ["key", "ASC"],
      ["version", "DESC"],
    ],
  });
  const deployments = defs.length ? await EngineDeployment.findAll({ where: { id: [...new Set(defs.map((d) => d.deploymentId))] } }) : [];
  const byId = new Map(deployments.map((d) => [d.id, d]));
  const counts = await instanceCounts(
    db,
    defs.map((d) => d.id),
  );
  return defs.map((d) => ({
    id: d.id,
    key: d.key,
    name: d.name,
    version: d.version,
    resourceName: d.resourceName,
    deploymentId: d.deploymentId,
    deploymentName: byId.get(d.deploymentId)?.name ?? null,
    deployedAt: toDate(d.deployedAt),
    deployedBy: byId.get(d.deploymentId)?.actor ?? null,
    running: counts.get(d.id)?.running ?? 0,
    total: counts.get(d.id)?.total ?? 0,
  }));
}

/** Every process key with its versions (newest first) and running instances. */
export async function listDefinitionGroups(db: Database): Promise<DefinitionGroup[]> {
  const versions = await versionsOf(db, {});
  const failures = await db.sequelize.query<{ definition_id: string; n: number | string }>(
    "SELECT definition_id, COUNT(*) AS n FROM engine_incidents WHERE instance_id IS NULL AND resolved_at IS NULL GROUP BY definition_id",
    { type: QueryTypes.SELECT },
  );
  const failuresOf = new Map(failures.map((f) => [f.definition_id, Number(f.n)]));
  const groups = new Map<string, DefinitionGroup>();
  for (const v of versions) {
    let g = groups.get(v.key);
    if (!g) {
      g = { key: v.key, name: v.name, latest: v, versions: [], running: 0, timerStartFailures: 0, timerStartFailureVersionId: null };
      groups.set(v.key, g);
    }
    g.versions.push(v);
    g.running += v.running;
    const failed = failuresOf.get(v.id) ?? 0;
    g.timerStartFailures += failed;
    if (failed && !g.timerStartFailureVersionId) g.timerStartFailureVersionId = v.id;
  }
  return [...groups.values()];
}

/** One version with its siblings (every version of the same key), or null. */
export async function findDefinitionVersion(
  db: Database,
  id: string,
): Promise<{ version: DefinitionVersion; siblings: DefinitionVersion[]; xml: string } | null> {
  const def = await EngineDefinition.findByPk(id);
  if (!def) return null;
  const siblings = await versionsOf(db, { key: def.key });
  const version = siblings.find((s) => s.id === id);
  if (!version) return null;
  return { version, siblings, xml: def.xml };
}

/** The department owning a definition's deployment (null: the platform's), or undefined for an unknown deployment. */
export async function deploymentDepartment(deploymentId: string): Promise<number | null | undefined> {
  const deployment = await EngineDeployment.findByPk(deploymentId, { attributes: ["departmentId"] });
  return deployment ? deployment.departmentId : undefined;
}

export async function definitionXml(id: string): Promise<string | null> {
  const def = await EngineDefinition.findByPk(id, { attributes: ["xml"] });
  return def?.xml ?? null;
}

export interface DeploymentRow {
  id: string;
  name: string | null;
  source: string | null;
  actor: string | null;
  deployedAt: Date;
  definitions: { id: string; key: string; version: number }[];
}

/** Deployments, newest first, one page (1-based), with the definitions each one created. */
export async function listDeployments(page = 1, pageSize = PAGE_SIZE): Promise<Page<DeploymentRow>> {
  const [total, rows] = await Promise.all([
    EngineDeployment.count(),
    EngineDeployment.findAll({
      order: [
        ["deployedAt", "DESC"],
        ["id", "ASC"],
      ],
      offset: (page - 1) * pageSize,
      limit: pageSize,
    }),
  ]);
  const defs = rows.length
    ? await EngineDefinition.findAll({
        where: { deploymentId: rows.map((r) => r.id) },
        attributes: ["id", "key", "version", "deploymentId"],
        order: [["key", "ASC"]],
      })
    : [];
  return {
    rows: rows.map((r) => ({
      id: r.id,
      name: r.name,
      source: r.source,
      actor: r.actor,
      deployedAt: toDate(r.deployedAt),
      definitions: defs.filter((d) => d.deploymentId === r.id).map((d) => ({ id: d.id, key: d.key, version: d.version })),
    })),
    total,
    page,
    pageSize,
  };
}

export async function definitionKeys(): Promise<string[]> {
  const rows = await EngineDefinition.findAll({ attributes: ["key"], group: ["key"], order: [["key", "ASC"]] });
  return rows.map((r) => r.key);
}

// ---- Instances -------------------------------------------------------------------------------------------------

export type InstanceStateFilter = "active" | "completed" | "cancelled" | "incident";

export interface InstanceFilter {
  key?: string;
  /** A business key or its beginning. */
  businessKey?: string;
  definitionId?: string;
  state?: InstanceStateFilter;
  /** Authorization (processInstancePolicy.visibleDepartments): only these departments' instances; undefined: all. */
  departmentIds?: number[];
  page: number;
  pageSize?: number;
}

export interface InstanceRow {
  id: string;
  definitionId: string;
  definitionKey: string;
  version: number | null;
  businessKey: string | null;
  state: string;
  startedAt: Date;
  endedAt: Date | null;
  startActor: string | null;
  endReason: string | null;
  incidents: number;
}

const OPEN_INCIDENTS = "(SELECT instance_id FROM engine_incidents WHERE resolved_at IS NULL)";

/** Instances, newest first, one page; 有事故 means an open incident whatever the state. */
export async function searchInstances(db: Database, filter: InstanceFilter): Promise<Page<InstanceRow>> {
  const pageSize = filter.pageSize ?? PAGE_SIZE;
  const and: unknown[] = [];
  if (filter.key) and.push({ definitionKey: filter.key });
  if (filter.definitionId) and.push({ definitionId: filter.definitionId });
  if (filter.businessKey)
    and.push(literal(`business_key LIKE ${db.sequelize.escape(likePattern(filter.businessKey, "prefix"))} ESCAPE '!'`));
  if (filter.state === "active") and.push({ state: "ACTIVE" });
  if (filter.state === "completed") and.push({ state: "COMPLETED" });
  if (filter.state === "cancelled") and.push({ state: "EXTERNALLY_TERMINATED" });
  if (filter.state === "incident") and.push({ id: { [Op.in]: literal(OPEN_INCIDENTS) } });
  if (filter.departmentIds) and.push({ departmentId: filter.departmentIds });
  const where = { [Op.and]: and } as WhereOptions<EngineInstance>;
  const total = await EngineInstance.count({ where });
  const rows = await EngineInstance.findAll({
    where,
    attributes: ["id", "definitionId", "definitionKey", "businessKey", "state", "startedAt", "endedAt", "startActor", "endReason"],
    order: [
      ["startedAt", "DESC"],
      ["id", "ASC"],
    ],
    offset: (filter.page - 1) * pageSize,
    limit: pageSize,
  });
  const ids = rows.map((r) => r.id);
  const incidents = ids.length
    ? await db.sequelize.query<{ instance_id: string; n: number | string }>(
        "SELECT instance_id, COUNT(*) AS n FROM engine_incidents WHERE resolved_at IS NULL AND instance_id IN (:ids) GROUP BY instance_id",
        { type: QueryTypes.SELECT, replacements: { ids } },
      )
    : [];
  const incidentCount = new Map(incidents.map((r) => [r.instance_id, Number(r.n)]));
  const defIds = [...new Set(rows.map((r) => r.definitionId))];
  const defs = defIds.length ? await EngineDefinition.findAll({ where: { id: defIds }, attributes: ["id", "version"] }) : [];
  const versionOf = new Map(defs.map((d) => [d.id, d.version]));
  return {
    rows: rows.map((r) => ({
      id: r.id,
      definitionId: r.definitionId,
      definitionKey: r.definitionKey,
      version: versionOf.get(r.definitionId) ?? null,
      businessKey: r.businessKey,
      state: r.state,
      startedAt: toDate(r.startedAt),
      endedAt: r.endedAt ? toDate(r.endedAt) : null,
      startActor: r.startActor,
      endReason: r.endReason,
      incidents: incidentCount.get(r.id) ?? 0,
    })),
    total,
    page: filter.page,
    pageSize,
  };
}

export interface WaitingElement {
  activityId: string;
  kind: "userTask" | "timer" | "externalTask" | "message";
  label: string;
  since: Date;
  detail: string | null;
}

/** What an instance waits on now: open tasks, timers, external tasks, message subscriptions. */
export async function waitingElements(instanceId: string): Promise<WaitingElement[]> {
  const [tasks, jobs, externals, subs] = await Promise.all([
    EngineTask.findAll({ where: { instanceId }, attributes: ["activityId", "name", "createdAt", "assignee"] }),
    EngineJob.findAll({ where: { instanceId }, attributes: ["activityId", "dueAt", "createdAt", "retries", "exceptionMessage"] }),
    EngineExternalTask.findAll({ where: { instanceId }, attributes: ["activityId", "topic", "createdAt", "workerId", "retries"] }),
    EngineSubscription.findAll({ where: { instanceId }, attributes: ["activityId", "messageName", "createdAt"] }),
  ]);
  return [
    ...tasks.map((x) => ({
      activityId: x.activityId,
      kind: "userTask" as const,
      label: x.name ?? x.activityId,
      since: toDate(x.createdAt),
      detail: x.assignee,
    })),
    ...jobs.map((x) => ({
      activityId: x.activityId,
      kind: "timer" as const,
      label: x.activityId,
      since: toDate(x.createdAt),
      detail: toDate(x.dueAt).toISOString(),
    })),
    ...externals.map((x) => ({
      activityId: x.activityId,
      kind: "externalTask" as const,
      label: x.topic,
      since: toDate(x.createdAt),
      detail: x.workerId,
    })),
    ...subs.map((x) => ({
      activityId: x.activityId,
      kind: "message" as const,
      label: x.messageName,
      since: toDate(x.createdAt),
      detail: null,
    })),
  ];
}

/** An open incident of the instance, or null (retry needs the incident to name what to retry). */
export async function findOpenIncident(instanceId: string, incidentId: string): Promise<EngineIncident | null> {
  return EngineIncident.findOne({ where: { id: incidentId, instanceId, resolvedAt: null } });
}

export interface TimerStartJobRow {
  id: string;
  activityId: string;
  dueAt: Date;
  /** What is left of a cycle (R<n>/<due>/<period>), or null for a single firing. */
  repeat: string | null;
  retries: number;
  exceptionMessage: string | null;
}

/**
 * A definition version's timer start schedule: its timer start jobs (soonest first; they belong to no instance) and
 * the open incidents of those jobs (no instance either, so the instance pages never show them).
 */
export async function timerStartSchedule(definitionId: string): Promise<{ jobs: TimerStartJobRow[]; incidents: EngineIncident[] }> {
  const [jobs, incidents] = await Promise.all([
    EngineJob.findAll({
      where: { definitionId, instanceId: null },
      order: [
        ["dueAt", "ASC"],
        ["id", "ASC"],
      ],
      limit: 100,
    }),
    EngineIncident.findAll({ where: { definitionId, instanceId: null, resolvedAt: null }, order: [["createdAt", "ASC"]], limit: 100 }),
  ]);
  return {
    jobs: jobs.map((j) => ({
      id: j.id,
      activityId: j.activityId,
      dueAt: toDate(j.dueAt),
      repeat: j.timerRepeat,
      retries: j.retries,
      exceptionMessage: j.exceptionMessage,
    })),
    incidents,
  };
}

/** An open incident of a definition version's timer start job, or null (the retry form names it). */
export async function findOpenDefinitionIncident(definitionId: string, incidentId: string): Promise<EngineIncident | null> {
  return EngineIncident.findOne({ where: { id: incidentId, definitionId, instanceId: null, resolvedAt: null } });
}
