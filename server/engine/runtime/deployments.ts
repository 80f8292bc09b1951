import { createHash, randomUUID } from "node:crypto";
import { QueryTypes, type Transaction } from "sequelize";
import { EngineDefinition, EngineDeployment } from "../../db/models/engineModels.js";
import { audit } from "../../domain/audit.js";
import { NotFoundError, PayloadTooLargeError, ValidationError } from "../../errors.js";
import { parseDefinition, type ParsedDefinition } from "../bpmn.js";
import { actorName, type DeployInput, type DeployResult } from "../types.js";
import { MAX_BPMN_BYTES, validateBpmn, type Problem, type ValidatedProcess } from "../validate.js";
import type { EngineContext } from "./context.js";
import { BpmnValidationError } from "./errors.js";
import { messageStartConflicts } from "./messageStart.js";
import { scheduleTimerStarts } from "./timerStart.js";

/** Validates and stores BPMN files; the same process key gets the next version. Nothing is stored when any file is refused. */
export async function deploy(ctx: EngineContext, input: DeployInput, t?: Transaction): Promise<DeployResult> {
  if (!input.files.length) throw new ValidationError("部署中没有 BPMN 文件", [{ path: "files", message: "请至少上传一个 .bpmn 文件" }]);
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const processes: {
    key: string;
    name: string | null;
    file: string;
    xml: string;
    hash: string;
    messageStarts?: ValidatedProcess["messageStarts"];
  }[] = [];
  const known = new Set(ctx.services.keys());
  for (const file of input.files) {
    if (Buffer.byteLength(file.xml, "utf8") > MAX_BPMN_BYTES) {
      throw new PayloadTooLargeError(`文件 ${file.name} 超过 ${MAX_BPMN_BYTES / 1024 / 1024} MB 的限制`);
    }
    const result = await validateBpmn(file.name, file.xml, known);
    errors.push(...result.errors);
    if (ctx.formKeyCheck && result.formKeys?.length && !result.errors.length) {
      const missing = new Set(await ctx.formKeyCheck([...new Set(result.formKeys.map((f) => f.key))], t));
      for (const f of result.formKeys) {
        if (missing.has(f.key)) {
          errors.push({
            path: f.path,
            element: f.element,
            rule: "form-key",
            message: `${f.type === "bpmn:StartEvent" ? "开始事件" : "用户任务"}“${f.name ?? f.element}”（${f.element}）引用的表单 ${f.key} 不存在，请先在表单管理中创建该表单 (camunda:formKey names no form)`,
          });
        }
      }
    }
    warnings.push(...result.warnings);
    for (const p of result.processes) {
      processes.push({ ...p, file: file.name, xml: file.xml, hash: xmlHash(file.xml) });
    }
  }
  const keys = processes.map((p) => p.key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) errors.push({ path: dup, element: dup, rule: "duplicate-key", message: `同一次部署中流程 ${dup} 出现了多次` });
  if (errors.length) throw new BpmnValidationError(errors, warnings);
  return ctx.tx(t, async (t) => {
    if (input.authorize) {
      const owners = [];
      for (const p of processes) {
        const [latest] = await ctx.db.sequelize.query<{ department_id: number | null }>(
          "SELECT d.department_id FROM engine_definitions f JOIN engine_deployments d ON d.id = f.deployment_id WHERE f.key = :key ORDER BY f.version DESC LIMIT 1",
          { replacements: { key: p.key }, type: QueryTypes.SELECT, transaction: t },
        );
        owners.push({ key: p.key, ownerDepartmentId: latest ? latest.department_id : undefined });
      }
      input.authorize(owners);
    }
    const conflicts = await messageStartConflicts(ctx, processes, t);
    if (conflicts.length) throw new BpmnValidationError(conflicts, warnings);
    const at = ctx.now();
    const deploymentId = randomUUID();
    const deployed: DeployResult["deployedProcessDefinitions"] = [];
    let deploymentCreated = false;
    const createDeployment = async () => {
      await EngineDeployment.create(
        {
          id: deploymentId,
          name: input.name,
          source: input.source ?? null,
          tenantId: input.tenantId ?? null,
          actor: actorName(input.actor),
          departmentId: input.departmentId ?? null,
          deployedAt: at,
        },
        { transaction: t },
      );
      deploymentCreated = true;
    };
    for (const p of processes) {
      const latest = await latestVersion(ctx, p.key, t, true);
      if (input.changedOnly && latest && latest.xml_hash === p.hash) continue;
      if (!deploymentCreated) await createDeployment();
      const version = (latest?.version ?? 0) + 1;
      // Camunda's id (key:version:uuid) when it fits the 64-character id columns, else a bare id as Camunda falls back to.
      const composite = `${p.key}:${version}:${randomUUID()}`;
      const id = composite.length <= 64 ? composite : randomUUID();
      await EngineDefinition.create(
        { id, deploymentId, key: p.key, version, name: p.name, resourceName: p.file, xml: p.xml, xmlHash: p.hash, deployedAt: at },
        { transaction: t },
      );
      deployed.push({ id, key: p.key, version, name: p.name, resource: p.file, deploymentId });
      // Camunda: the key's timer start jobs are replaced by this version's.
      const timers = /timerEventDefinition/i.test(p.xml) ? await parsedDefinition(ctx, id, t) : null;
      await scheduleTimerStarts(ctx, { id, key: p.key }, timers, t);
    }
    // Camunda answers an unchanged deploy-changed-only request with an empty deployment; record it too.
    if (!deploymentCreated) await createDeployment();
    await audit(ctx.db, t, {
      actor: actorName(input.actor),
      action: "process.deployed",
      entityType: "deployment",
      entityId: deploymentId,
      detail: { name: input.name, definitions: deployed.map((d) => ({ key: d.key, version: d.version })), warnings: warnings.length },
      at,
    });
    return {
      id: deploymentId,
      name: input.name,
      source: input.source ?? null,
      tenantId: input.tenantId ?? null,
      deploymentTime: at,
      deployedProcessDefinitions: deployed,
      warnings,
    };
  });
}

/** What a stored version's xml_hash is made of (deploy-changed-only compares it). */
function xmlHash(xml: string): string {
  return createHash("sha256").update(xml).digest("hex");
}

/** The newest version of a key, or undefined; `lock` takes it FOR UPDATE on MySQL (a deploy numbering the next one). */
async function latestVersion(
  ctx: EngineContext,
  key: string,
  t: Transaction | undefined,
  lock = false,
): Promise<{ id: string; version: number; xml_hash: string } | undefined> {
  // Raw SQL: on every start, and a model query costs SQLite an extra PRAGMA table_info round trip.
  const [row] = await ctx.db.sequelize.query<{ id: string; version: number; xml_hash: string }>(
    `SELECT id, version, xml_hash FROM engine_definitions WHERE \`key\` = :key ORDER BY version DESC LIMIT 1${lock ? ctx.forUpdate() : ""}`,
    { replacements: { key }, type: QueryTypes.SELECT, transaction: t },
  );
  return row;
}

/** The id of the key's newest version when its XML is exactly `xml` (nothing to deploy), else null. */
export async function unchangedLatestVersion(ctx: EngineContext, key: string, xml: string, t?: Transaction): Promise<string | null> {
  const latest = await latestVersion(ctx, key, t);
  return latest && latest.xml_hash === xmlHash(xml) ? latest.id : null;
}

/** The parsed definition, cached per definition id (a failed parse is not cached). */
export function parsedDefinition(ctx: EngineContext, definitionId: string, t?: Transaction): Promise<ParsedDefinition> {
  let p = ctx.parsedCache.get(definitionId);
  if (!p) {
    p = (async () => {
      const def = await EngineDefinition.findByPk(definitionId, { attributes: ["id", "key", "xml"], transaction: t });
      if (!def) throw new NotFoundError(`找不到流程定义 ${definitionId}`);
      return parseDefinition(def.xml, def.key);
    })();
    ctx.parsedCache.set(definitionId, p);
    p.catch(() => ctx.parsedCache.delete(definitionId));
  }
  return p;
}

/** The definition to start: by id, or the latest version of a key. */
export async function resolveDefinition(
  ctx: EngineContext,
  input: { key?: string; definitionId?: string },
  t: Transaction,
): Promise<{ id: string; key: string; version: number }> {
  if (input.definitionId) {
    const def = await EngineDefinition.findByPk(input.definitionId, { attributes: ["id", "key", "version"], transaction: t });
    if (!def) throw new NotFoundError(`找不到流程定义 ${input.definitionId}`);
    return { id: def.id, key: def.key, version: def.version };
  }
  if (!input.key) throw new ValidationError("必须指定流程定义的 key 或 id");
  const def = await latestVersion(ctx, input.key, t);
  if (!def) throw new NotFoundError(`找不到 key 为 ${input.key} 的流程定义`);
  return { id: def.id, key: input.key, version: Number(def.version) };
}
