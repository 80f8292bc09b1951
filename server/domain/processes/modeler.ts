// The browser modeler's server side (/admin/processes/new, /admin/processes/:key/edit): drafts per process key, the
// deployed versions of a key, the pickers' lists, and deploying a drawn diagram through the one deploy command.
import { Op, QueryTypes } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Database } from "../../db/database.js";
import { Department } from "../../db/models/Department.js";
import { EngineDefinition, EngineDeployment } from "../../db/models/engineModels.js";
import { Form } from "../../db/models/formModels.js";
import { Group } from "../../db/models/Group.js";
import { ProcessDraft } from "../../db/models/ProcessDraft.js";
import type { DeployResult, EngineRuntime } from "../../engine/index.js";
import { ConflictError, ForbiddenError, ValidationError } from "../../errors.js";
import type { FlowRegistry } from "../../flows/registry.js";
import { deployRefusal } from "../../policies/processDefinition.js";
import { audit } from "../audit.js";
import { deployProcesses } from "./deployProcesses.js";

/** A process key as BPMN writes a process id (an XML NCName without dots' surprises), at most 255 characters. */
export const PROCESS_KEY = /^[A-Za-z_][\w.-]{0,254}$/;

/** The id and name of the first executable process in a BPMN text, read without building the model (drafts only). */
export function executableProcessOf(xml: string): { id: string; name: string | null } | null {
  for (const m of xml.matchAll(/<(?:[\w-]+:)?process\b([^>]*)>/g)) {
    const attrs = m[1] ?? "";
    if (!/\bisExecutable\s*=\s*["']true["']/.test(attrs)) continue;
    const id = /\bid\s*=\s*["']([^"']*)["']/.exec(attrs)?.[1];
    if (!id) continue;
    const name = /\bname\s*=\s*["']([^"']*)["']/.exec(attrs)?.[1] ?? null;
    return { id, name: name ? decodeXmlText(name) : null };
  }
  return null;
}

function decodeXmlText(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, "&");
}

/** The department owning a key's latest version (null: the platform's), undefined for a key never deployed. */
export async function keyOwnerDepartment(key: string): Promise<number | null | undefined> {
  const latest = await EngineDefinition.findOne({ where: { key }, order: [["version", "DESC"]], attributes: ["deploymentId"] });
  if (!latest) return undefined;
  const deployment = await EngineDeployment.findByPk(latest.deploymentId, { attributes: ["departmentId"] });
  return deployment ? deployment.departmentId : undefined;
}

/**
 * Why the officer may not change this key's draft or deploy it, or null: the deploy rules of
 * policies/processDefinition.ts, and a draft of a key not deployed yet belongs to the department that saved it.
 */
export async function modelerRefusal(
  flows: FlowRegistry,
  actor: CurrentUser,
  key: string,
  draft: ProcessDraft | null,
): Promise<string | null> {
  const refusal = deployRefusal(actor, {
    key,
    ownerDepartmentId: await keyOwnerDepartment(key),
    flowLabel: flows.forProcess(key)?.label ?? null,
  });
  if (refusal) return refusal;
  if (!actor.isAdmin && draft && draft.departmentId !== null && draft.departmentId !== actor.departmentId) {
    return `流程 ${key} 的草稿由其他部门保存，您不能修改它：请换一个流程标识（process id）`;
  }
  return null;
}

export interface VersionSummary {
  id: string;
  version: number;
  name: string | null;
  deployedAt: Date;
  deployedBy: string | null;
}

/** Every deployed version of a key, newest first, without their XML. */
export async function keyVersions(key: string): Promise<VersionSummary[]> {
  const defs = await EngineDefinition.findAll({ where: { key }, attributes: { exclude: ["xml"] }, order: [["version", "DESC"]] });
  const deployments = defs.length ? await EngineDeployment.findAll({ where: { id: [...new Set(defs.map((d) => d.deploymentId))] } }) : [];
  const actor = new Map(deployments.map((d) => [d.id, d.actor]));
  return defs.map((d) => ({
    id: d.id,
    version: d.version,
    name: d.name,
    deployedAt: d.deployedAt instanceof Date ? d.deployedAt : new Date(String(d.deployedAt)),
    deployedBy: actor.get(d.deploymentId) ?? null,
  }));
}

/** The XML of one deployed version of a key (the latest when version is omitted), or null. */
export async function versionXml(key: string, version?: number): Promise<{ version: number; xml: string } | null> {
  const def = await EngineDefinition.findOne({
    where: version === undefined ? { key } : { key, version },
    order: [["version", "DESC"]],
    attributes: ["version", "xml"],
  });
  return def ? { version: def.version, xml: def.xml } : null;
}

export function findDraft(key: string): Promise<ProcessDraft | null> {
  return ProcessDraft.findOne({ where: { processKey: key } });
}

function assertDrawsKey(key: string, xml: string): { id: string; name: string | null } {
  const process = executableProcessOf(xml);
  if (!process) {
    throw new ValidationError("流程图中没有可执行的流程：请在流程的属性中勾选“可执行”", [
      { path: "xml", message: '没有 isExecutable="true" 的流程' },
    ]);
  }
  if (process.id !== key) {
    throw new ValidationError(`流程标识 ${process.id} 与正在编辑的流程 ${key} 不一致：请把流程标识改回 ${key}，或以新流程另存`, [
      { path: "xml", message: `流程标识应为 ${key}` },
    ]);
  }
  return process;
}

/** Saves (creates or replaces) the draft of a process key, audited in the same transaction. */
export async function saveProcessDraft(
  db: Database,
  input: { actor: CurrentUser; key: string; xml: string; now: Date },
): Promise<ProcessDraft> {
  const { actor, key, xml, now } = input;
  const process = assertDrawsKey(key, xml);
  return db.transaction(async (t) => {
    const existing = await ProcessDraft.findOne({ where: { processKey: key }, transaction: t, lock: t.LOCK.UPDATE });
    const fields = { name: process.name?.slice(0, 255) ?? null, xml, updatedBy: actor.username, departmentId: actor.departmentId };
    const draft = existing
      ? await existing.update({ ...fields, updatedAt: now }, { transaction: t })
      : await ProcessDraft.create({ processKey: key, ...fields, createdAt: now, updatedAt: now }, { transaction: t });
    await audit(db, t, {
      actor: actor.username,
      action: "process_draft.saved",
      entityType: "process_draft",
      entityId: key,
      detail: { bytes: Buffer.byteLength(xml, "utf8") },
      at: now,
    });
    return draft;
  });
}

/** Deletes the draft of a key (nothing when there is none), audited. */
export async function discardProcessDraft(db: Database, input: { actor: CurrentUser; key: string; now: Date }): Promise<boolean> {
  return db.transaction(async (t) => {
    const removed = await ProcessDraft.destroy({ where: { processKey: input.key }, transaction: t });
    if (removed) {
      await audit(db, t, {
        actor: input.actor.username,
        action: "process_draft.discarded",
        entityType: "process_draft",
        entityId: input.key,
        detail: {},
        at: input.now,
      });
    }
    return removed > 0;
  });
}

/**
 * Deploys the diagram drawn for a key through deployProcesses (the engine's checks, then the deploy policy), as the
 * console upload and /engine-rest/deployment/create do; a deployed draft is removed. Unchanged content gives no version.
 */
export async function deployDrawnProcess(
  deps: { db: Database; engine: EngineRuntime; flows: FlowRegistry },
  input: { actor: CurrentUser; key: string; xml: string; name?: string; now: Date },
): Promise<DeployResult> {
  const process = assertDrawsKey(input.key, input.xml);
  const result = await deployProcesses(deps, {
    name: input.name?.trim().slice(0, 255) || process.name || input.key,
    files: [{ name: `${input.key}.bpmn`, xml: input.xml }],
    actor: input.actor,
    changedOnly: true,
    source: "流程建模器",
  });
  const other = result.deployedProcessDefinitions.find((d) => d.key !== input.key);
  if (other) throw new ConflictError(`部署的流程标识 ${other.key} 与正在编辑的流程 ${input.key} 不一致`);
  await discardProcessDraft(deps.db, input);
  return result;
}

export interface ModelerOptions {
  /** Every form; revision is the published one (null: never published, not offered by the picker). */
  forms: { key: string; title: string; revision: number | null }[];
  groups: { id: string; name: string }[];
  users: { username: string; displayName: string; department: string | null }[];
  services: { name: string }[];
  topics: string[];
}

/**
 * What the modeler's pickers offer: published forms, candidate groups (every department has one), active staff
 * accounts, the internal services this node registered and the external-task topics already in use.
 */
export async function modelerOptions(db: Database, engine: EngineRuntime): Promise<ModelerOptions> {
  const [forms, groups, departments, users, topicRows, xmlTopics] = await Promise.all([
    Form.findAll({ attributes: ["key", "title", "publishedRevision"], order: [["key", "ASC"]] }),
    Group.findAll({ attributes: ["id", "name"], order: [["id", "ASC"]] }),
    Department.findAll({ attributes: ["id", "name"] }),
    db.sequelize.query<{ username: string; display_name: string; department_id: number | null }>(
      `SELECT DISTINCT u.username, u.display_name, u.department_id FROM users u JOIN user_roles r ON r.user_id = u.id
        WHERE u.active = :active AND r.role IN ('reviewer', 'dept_admin', 'admin') ORDER BY u.username`,
      { type: QueryTypes.SELECT, replacements: { active: true } },
    ),
    db.sequelize.query<{ topic: string }>("SELECT DISTINCT topic FROM engine_external_tasks", { type: QueryTypes.SELECT }),
    EngineDefinition.findAll({ attributes: ["xml"], where: { xml: { [Op.like]: "%camunda:topic%" } } }),
  ]);
  const departmentName = new Map(departments.map((d) => [d.id, d.name]));
  const topics = new Set(topicRows.map((r) => r.topic));
  for (const d of xmlTopics) for (const m of d.xml.matchAll(/camunda:topic\s*=\s*"([^"]+)"/g)) if (!m[1]!.includes("${")) topics.add(m[1]!);
  return {
    forms: forms.map((f) => ({ key: f.key, title: f.title, revision: f.publishedRevision })),
    groups: groups.map((g) => ({ id: g.id, name: g.name })),
    users: users.map((u) => ({
      username: u.username,
      displayName: u.display_name,
      department: departmentName.get(u.department_id ?? -1) ?? null,
    })),
    services: engine.services
      .names()
      .sort()
      .map((name) => ({ name })),
    topics: [...topics].sort(),
  };
}

/** Refuses with ForbiddenError when the officer may not change or deploy the key (modelerRefusal). */
export async function assertMayModel(flows: FlowRegistry, actor: CurrentUser, key: string, draft: ProcessDraft | null): Promise<void> {
  const refusal = await modelerRefusal(flows, actor, key, draft);
  if (refusal) throw new ForbiddenError(refusal);
}
