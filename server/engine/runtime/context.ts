import { randomUUID } from "node:crypto";
import type { Transaction } from "sequelize";
import type { Clock } from "../../clock.js";
import type { Database } from "../../db/database.js";
import type { Logger } from "../../logger.js";
import { ACTIVATIONS_PER_SLICE, ACTIVATIONS_PER_STEP, type ParsedDefinition } from "../bpmn.js";
import type { LifecycleListener, ServiceHandler } from "../types.js";
import { BoundedCache } from "./boundedCache.js";

/** Parsed definition versions kept in memory (a running instance of an evicted version parses it again). */
export const PARSED_DEFINITION_CACHE_SIZE = 200;

export interface EngineRuntimeDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Bounds of one engine step (tests change them); defaults ACTIVATIONS_PER_STEP and ACTIVATIONS_PER_SLICE. */
  limits?: Partial<StepBounds>;
}

/** What one engine step may do at most. */
export interface StepBounds {
  /** Element activations per step (a loop without a wait state ends there and the step is rolled back). */
  activationsPerStep: number;
  /** Element activations per event-loop turn (the rest of the step runs in later turns). */
  activationsPerSlice: number;
}

/** Answers which of the given form keys name no form (deploy-time check). */
export type FormKeyCheck = (keys: string[], t?: Transaction) => Promise<string[]>;

/** A user task's form as its BPMN binds it (camunda:formKey is the latest binding; camunda:formRef names its binding). */
export interface FormBinding {
  key: string;
  binding: "latest" | "deployment" | "version";
  /** camunda:formRefVersion, for the version binding. */
  version: number | null;
  definitionId: string;
}

/** Answers the form revision a new user task is pinned to (null: no published revision to pin). */
export type FormRevisionPin = (binding: FormBinding, t: Transaction) => Promise<number | null>;

/** What every part of the runtime shares: the database, the clock, the logger, the caches and the service registry. */
export interface EngineContext {
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly nodeId: string;
  readonly parsedCache: Map<string, Promise<ParsedDefinition>>;
  readonly services: Map<string, ServiceHandler>;
  /** Told of every step and cancellation inside its transaction (the platform keeps its cases with them). */
  readonly lifecycle: LifecycleListener[];
  readonly limits: StepBounds;
  formKeyCheck: FormKeyCheck | undefined;
  formRevisionPin: FormRevisionPin | undefined;
  now(): Date;
  /** Runs fn in the caller's transaction when given, else in a new one. */
  tx<T>(t: Transaction | undefined, fn: (t: Transaction) => Promise<T>): Promise<T>;
  /** The row-lock suffix for a SELECT (SQLite serializes writers instead). */
  forUpdate(): string;
}

/** Builds the one shared context of a runtime (its node id names the job-worker owner). */
export function createEngineContext(deps: EngineRuntimeDeps): EngineContext {
  const { db, clock, logger } = deps;
  return {
    db,
    clock,
    logger,
    nodeId: `node-${randomUUID().slice(0, 8)}`,
    parsedCache: new BoundedCache(PARSED_DEFINITION_CACHE_SIZE),
    services: new Map(),
    lifecycle: [],
    limits: {
      activationsPerStep: deps.limits?.activationsPerStep ?? ACTIVATIONS_PER_STEP,
      activationsPerSlice: deps.limits?.activationsPerSlice ?? ACTIVATIONS_PER_SLICE,
    },
    formKeyCheck: undefined,
    formRevisionPin: undefined,
    now: () => clock.now(),
    tx: (t, fn) => (t ? fn(t) : db.transaction(fn)),
    forUpdate: () => (db.dialect === "mysql" ? " FOR UPDATE" : ""),
  };
}
