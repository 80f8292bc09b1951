import type { Transaction } from "sequelize";
import { EngineHistory } from "../../db/models/engineModels.js";
import type { EngineContext } from "./context.js";

export interface HistoryRow {
  instanceId: string;
  event: string;
  activityId: string | null;
  activityType: string | null;
  activityName: string | null;
  executionId: string | null;
  taskId: string | null;
  actor: string | null;
  at: Date;
  detail: string | null;
}

export interface HistoryEntry {
  event: string;
  activityId?: string | null;
  activityType?: string | null;
  activityName?: string | null;
  executionId?: string | null;
  taskId?: string | null;
  actor?: string | null;
  detail?: unknown;
}

/** One history row at the given time (detail stored as JSON). */
export function historyRow(instanceId: string, at: Date, e: HistoryEntry): HistoryRow {
  return {
    instanceId,
    event: e.event,
    activityId: e.activityId ?? null,
    activityType: e.activityType ?? null,
    activityName: e.activityName ?? null,
    executionId: e.executionId ?? null,
    taskId: e.taskId ?? null,
    actor: e.actor ?? null,
    at,
    detail: e.detail === undefined ? null : JSON.stringify(e.detail),
  };
}

/** Largest variable.set detail stored whole, in UTF-8 bytes (the column is TEXT: 65,535 bytes on MySQL). */
export const VARIABLE_DETAIL_MAX_BYTES = 60_000;
/** Characters of a large value's JSON kept as its preview (at most 6 bytes each once escaped). */
export const VARIABLE_PREVIEW_CHARS = 2_000;

/**
 * The detail of a variable.set row, always valid JSON: { name, value } when it fits, else
 * { name, truncated: true, size (characters of the value's JSON), preview (its first characters) }.
 */
export function variableDetail(name: string, value: unknown): string {
  const json = JSON.stringify(value === undefined ? null : value);
  const full = `{"name":${JSON.stringify(name)},"value":${json}}`;
  if (Buffer.byteLength(full, "utf8") <= VARIABLE_DETAIL_MAX_BYTES) return full;
  return JSON.stringify({ name: name.slice(0, 1_000), truncated: true, size: json.length, preview: json.slice(0, VARIABLE_PREVIEW_CHARS) });
}

/** A history row stamped now, written later with the step's save. */
export function note(ctx: EngineContext, instanceId: string, e: HistoryEntry): HistoryRow {
  return historyRow(instanceId, ctx.now(), e);
}

/** Writes one history row now, in the transaction. */
export async function record(ctx: EngineContext, t: Transaction, instanceId: string, e: HistoryEntry): Promise<void> {
  await EngineHistory.create(note(ctx, instanceId, e), { transaction: t });
}
