import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Transaction } from "sequelize";
import { EngineDefinition } from "../../db/models/EngineDefinition.js";
import { ValidationError } from "../../errors.js";
import { ROOT_DIR } from "../../paths.js";
import type { EnginePort } from "../commitments/enginePort.js";

export const PROCESSES_DIR = path.join(ROOT_DIR, "processes");

/**
 * Deploys processes/<key>.bpmn when it changed since the last deployment (boot and first publish); returns its
 * definition id. An unchanged file deploys nothing and records nothing (no empty deployment at every restart).
 */
export async function deployShippedProcess(engine: EnginePort, key: string, t?: Transaction): Promise<string | null> {
  const file = path.join(PROCESSES_DIR, `${key}.bpmn`);
  if (!existsSync(file)) return null;
  const xml = readFileSync(file, "utf8");
  const unchanged = await engine.unchangedLatestVersion(key, xml, t);
  if (unchanged) return unchanged;
  const result = await engine.deploy({ name: key, files: [{ name: `${key}.bpmn`, xml }], actor: "system", changedOnly: true }, t);
  const deployed = result.deployedProcessDefinitions.find((d) => d.key === key);
  return deployed?.id ?? (await latestProcessDefinitionId(key, t));
}

/** The id of the newest deployed version of a process key, or null. */
export async function latestProcessDefinitionId(key: string, t?: Transaction): Promise<string | null> {
  const row = await EngineDefinition.findOne({ where: { key }, order: [["version", "DESC"]], attributes: ["id"], transaction: t });
  return row?.id ?? null;
}

/** The definition a published item pins: the newest version of its process, deploying the shipped file if none exists. */
export async function resolveProcessDefinition(engine: EnginePort, key: string, t?: Transaction): Promise<string> {
  const id = (await latestProcessDefinitionId(key, t)) ?? (await deployShippedProcess(engine, key, t));
  if (!id) throw new ValidationError("流程未部署", [{ path: "processKey", message: `找不到流程“${key}”，请先部署该流程` }]);
  return id;
}
