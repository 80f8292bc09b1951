// The only module that touches bpmn-engine / bpmn-elements / bpmn-moddle: parsing, the engine's
// options (FEEL conditions, intercepted timers, services) and a small typed surface for the runtime.
import { createRequire } from "node:module";
import { EventEmitter } from "node:events";
import { Engine } from "bpmn-engine";
import * as elements from "bpmn-elements";
import { BpmnModdle } from "bpmn-moddle";
import Serializer, { TypeResolver } from "moddle-context-serializer";
import { evaluate as feelEvaluate } from "feelin";
import { safeExpressions } from "./expressions.js";

const require = createRequire(import.meta.url);
export const camundaSchema = require("camunda-bpmn-moddle/resources/camunda.json") as object;

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return */

/** Process variables as the engine sees them (JSON values). */
export type Variables = Record<string, unknown>;

/** Keys bpmn-elements writes into process variables by itself (the process's execute message); never real variables. */
const ENGINE_NOISE = new Set(["fields", "content", "properties"]);

export function cleanVariables(vars: Variables | undefined): Variables {
  const out: Variables = {};
  for (const [k, v] of Object.entries(vars ?? {})) if (!ENGINE_NOISE.has(k)) out[k] = v;
  return out;
}

export interface ParsedActivity {
  id: string;
  type: string;
  name: string | null;
  behaviour: Record<string, any>;
}

/** A parsed definition version: immutable, shared by every engine that runs an instance of it. */
export interface ParsedDefinition {
  sourceContext: unknown;
  processId: string;
  processName: string | null;
  activities: Map<string, ParsedActivity>;
  /** bpmn:Message id -> name and name -> id. */
  messageNames: Map<string, string>;
}

/** Parses BPMN XML into the moddle tree (for validation). */
export async function parseModdle(xml: string): Promise<{ rootElement: any; warnings: { message: string }[] }> {
  const moddle = new BpmnModdle({ camunda: camundaSchema });
  const result: any = await moddle.fromXML(xml);
  return { rootElement: result.rootElement, warnings: result.warnings ?? [] };
}

/** Parses once and returns what every engine for this definition version needs. */
export async function parseDefinition(xml: string, processId: string): Promise<ParsedDefinition> {
  const moddle = new BpmnModdle({ camunda: camundaSchema });
  const moddleContext: any = await moddle.fromXML(xml);
  const sourceContext: any = Serializer(moddleContext, TypeResolver(elements as any));
  const activities = new Map<string, ParsedActivity>();
  const messageNames = new Map<string, string>();
  for (const a of sourceContext.getActivities() as any[]) {
    activities.set(a.id, { id: a.id, type: a.type, name: a.name ?? a.behaviour?.name ?? null, behaviour: a.behaviour ?? {} });
  }
  for (const el of moddleContext.rootElement.rootElements ?? []) {
    if (el.$type === "bpmn:Message" && el.name) messageNames.set(el.id, el.name);
  }
  const proc = (moddleContext.rootElement.rootElements ?? []).find((e: any) => e.$type === "bpmn:Process" && e.id === processId);
  return { sourceContext, processId, processName: proc?.name ?? null, activities, messageNames };
}

// ---- Expressions ---------------------------------------------------------------------------
// `${...}` placeholders go through server/engine/expressions.ts only (own-property variable paths, no calls).

export { resolveTemplate } from "./expressions.js";

// ---- FEEL conditions ---------------------------------------------------------------------------

/**
 * A condition language that means FEEL: `feel`, or the language URIs of the DMN specifications (Camunda Modeler
 * writes https://www.omg.org/spec/DMN/20191111/FEEL/; older tools the 2015/2016 DMN and the FEEL/20140401 URIs).
 */
export function isFeelLanguage(language: string | undefined | null): boolean {
  if (!language) return false;
  const l = language.trim();
  return /^feel$/i.test(l) || /^https?:\/\/www\.omg\.org\/spec\/(DMN\/\d{8}\/FEEL|FEEL\/\d{8})\/?$/i.test(l);
}

/** Evaluates a FEEL expression against variables (feelin); throws on syntax errors. */
export function evaluateFeel(body: string, variables: Variables): unknown {
  const result: unknown = feelEvaluate(body.trim(), variables);
  if (result && typeof result === "object" && "value" in result) return result.value;
  return result;
}

/** The engine's `scripts` option: FEEL for conditions; any other language fails loudly instead of counting as true. */
function feelScripts() {
  const scripts = new Map<string, { execute(scope: any, cb: (err: Error | null, value?: unknown) => void): void }>();
  return {
    register(activity: any) {
      const { id, type, behaviour } = activity;
      let language: string | undefined;
      let body: string | undefined;
      if (type === "bpmn:SequenceFlow") {
        if (!behaviour.conditionExpression) return undefined;
        language = behaviour.conditionExpression.language;
        body = behaviour.conditionExpression.body;
      } else {
        language = behaviour.scriptFormat;
        body = behaviour.script;
      }
      if (!language) return undefined;
      const script = isFeelLanguage(language)
        ? {
            execute(scope: any, cb: (err: Error | null, value?: unknown) => void) {
              try {
                cb(null, evaluateFeel(body ?? "", cleanVariables(scope.environment.variables)));
              } catch (err) {
                cb(err as Error);
              }
            },
          }
        : {
            execute(_scope: any, cb: (err: Error | null) => void) {
              cb(new Error(`<${id}> script language ${language} is not allowed`));
            },
          };
      scripts.set(id, script);
      return script;
    },
    getScript(_language: string, activity: any) {
      return scripts.get(activity.id);
    },
  };
}

// ---- Step budget -----------------------------------------------------------------------------------

/**
 * Element activations (an activity's execution, a multi-instance iteration) one engine step may run. A loop
 * without a wait state (task -> gateway -> task with a condition that stays true) ends here instead of running
 * until the stack overflows; the step is rolled back. An activation costs 1.2-1.9 ms of CPU on the 2-core build
 * machine (measured 2026-12-04), so a step at the bound costs about a second and holds SQLite's write queue that
 * long; the steps of the shipped processes run fewer than 10.
 */
export const ACTIVATIONS_PER_STEP = 500;

/**
 * Activations run in one event-loop turn: every so many the next one is deferred with setImmediate, so a step
 * never holds the loop for long (5-10 ms per slice measured, more while the garbage collector runs) and
 * bpmn-elements' synchronous message chain (about 1 KB of stack per activation; it overflows near 1,000) starts
 * again from an empty stack. Deferring changes only the order in which parallel paths advance (the engine tests
 * pass with a slice of 1).
 */
export const ACTIVATIONS_PER_SLICE = 5;

export interface StepLimits {
  /** Activations one step may run (ACTIVATIONS_PER_STEP). */
  activations: number;
  /** Activations per event-loop turn (ACTIVATIONS_PER_SLICE). */
  slice?: number;
}

/** Where a step ran out of its budget: the element activated most often lies on the loop. */
export interface ActivationLimitHit {
  limit: number;
  processId: string;
  processName: string | null;
  activityId: string;
  activityName: string | null;
}

/** Types whose execution may be deferred to the next event-loop turn without changing what the process does. */
const YIELDABLE =
  /^bpmn:(\w*Task|ExclusiveGateway|ParallelGateway|InclusiveGateway|ComplexGateway|SubProcess|AdHocSubProcess|Transaction|IntermediateThrowEvent)$/;

/**
 * Counts the activations of one step and paces them. It wraps each activity's behaviour (bpmn-elements calls
 * `new activity.Behaviour()` for every execution): a fresh execution or iteration is counted; past the bound it
 * is not run at all, so every path stops where it is and the engine is left waiting (then stopped and dropped);
 * every ACTIVATIONS_PER_SLICE-th is run from setImmediate. Boundary events, start events and the targets of an
 * event-based gateway are never deferred: they must be listening before the element they watch runs on.
 */
class StepBudget {
  count = 0;
  /** Deferred executions not run yet. */
  deferred = 0;
  /** Past the bound (or the step is over): nothing runs any more. */
  halted = false;
  exceeded = false;
  private sinceYield = 0;
  private readonly perActivity = new Map<string, number>();

  constructor(
    private readonly parsed: ParsedDefinition,
    private readonly limit: number,
    private readonly slice: number,
    private readonly onError: (err: Error) => void,
  ) {}

  /** The engine extension: wraps the activity's behaviour (returns no extension object). */
  readonly guard = (activity: any): undefined => {
    const Behaviour = activity.Behaviour;
    if (typeof Behaviour !== "function") return undefined;
    const mayYield = this.mayYield(activity);
    const admit = (id: string) => this.admit(id, mayYield);
    const defer = (run: () => void) => this.defer(run);
    activity.Behaviour = function GuardedBehaviour(act: any, context: any) {
      const inner = new Behaviour(act, context);
      const execute = inner.execute;
      if (typeof execute !== "function") return inner;
      inner.execute = function guardedExecute(executeMessage: any, ...rest: any[]) {
        // A recovered engine re-runs what was waiting: that is not new work.
        if (executeMessage?.fields?.redelivered) return execute.call(inner, executeMessage, ...rest);
        const verdict = admit(act.id);
        if (verdict === "halt") return undefined;
        if (verdict === "run") return execute.call(inner, executeMessage, ...rest);
        const executionId = act.executionId;
        defer(() => {
          // Discarded, stopped or entered anew meanwhile (an interrupting event, a terminate end): nothing to run.
          if (act.stopped || act.status !== "executing" || act.executionId !== executionId) return;
          // As bpmn-elements' own execution does: a behaviour that throws fails its activity.
          try {
            execute.call(inner, executeMessage, ...rest);
          } catch (error) {
            act.broker.publish("execution", "execute.error", { ...executeMessage.content, error });
          }
        });
        return undefined;
      };
      return inner;
    };
    return undefined;
  };

  private mayYield(activity: any): boolean {
    if (!YIELDABLE.test(activity.type) || activity.behaviour?.attachedTo || activity.behaviour?.triggeredByEvent) return false;
    for (const flow of activity.inbound ?? []) {
      if (this.parsed.activities.get(flow.sourceId)?.type === "bpmn:EventBasedGateway") return false;
    }
    return true;
  }

  private admit(activityId: string, mayYield: boolean): "run" | "yield" | "halt" {
    if (this.halted) return "halt";
    this.count++;
    this.perActivity.set(activityId, (this.perActivity.get(activityId) ?? 0) + 1);
    if (this.count > this.limit) {
      this.exceeded = true;
      this.halted = true;
      return "halt";
    }
    if (!mayYield || ++this.sinceYield < this.slice) return "run";
    this.sinceYield = 0;
    return "yield";
  }

  private defer(run: () => void): void {
    this.deferred++;
    setImmediate(() => {
      this.deferred--;
      if (this.halted) return;
      try {
        run();
      } catch (err) {
        this.onError(err as Error);
      }
    });
  }

  hit(): ActivationLimitHit | null {
    if (!this.exceeded) return null;
    let activityId = "";
    let most = 0;
    for (const [id, n] of this.perActivity) {
      if (n > most) [activityId, most] = [id, n];
    }
    return {
      limit: this.limit,
      processId: this.parsed.processId,
      processName: this.parsed.processName,
      activityId,
      activityName: this.parsed.activities.get(activityId)?.name ?? null,
    };
  }
}

// ---- Engine per step -------------------------------------------------------------------------------

const silent = () => undefined;
const SILENT_LOGGER = { debug: silent, error: silent, warn: silent };
/**
 * bpmn-engine's default logger creates a `debug` instance (and a tty check) for every element of every
 * engine: about a millisecond per step. Failures reach us through the engine's 'error' event and every
 * step is in the instance's history, so the engine's own trace log is not kept.
 */
const silentEngineLogger = () => SILENT_LOGGER;

export interface TimerRef {
  owner: {
    id: string;
    executionId: string;
    timerType?: string;
    expireAt?: Date | string;
    timeout?: number;
    repeat?: number;
    timeDuration?: string;
    timeCycle?: string;
    timeDate?: string;
  };
  callback: (...args: unknown[]) => void;
  delay: number;
  args: unknown[];
}

export interface ServiceCall {
  activityId: string;
  executionId: string;
  behaviour: Record<string, any>;
  variables: Variables;
  /** Finish the service task: merge output into process variables first. */
  done(err: (Error & { code?: string }) | null, output?: Variables): void;
}

export interface PostponedActivity {
  id: string;
  type: string;
  executionId: string;
  name: string | null;
  behaviour: Record<string, any>;
  eventDefinitions: { type: string; behaviour: Record<string, any> }[];
}

export interface EngineEvents {
  onActivity(
    event: "start" | "end" | "wait" | "leave" | "discard",
    activity: { id: string; type: string; name: string | null; executionId: string; redelivered: boolean },
  ): void;
  onService(call: ServiceCall): void;
}

/** One bpmn-engine Engine for one step of one instance; dropped afterwards. */
export class EngineRun {
  readonly timers = new (elements as any).Timers({ setTimeout: () => null, clearTimeout: () => undefined });
  private readonly engine: any;
  private execution: any;
  ended = false;
  readonly errors: Error[] = [];
  readonly listener = new EventEmitter();
  private readonly budget: StepBudget;

  constructor(
    private readonly parsed: ParsedDefinition,
    name: string,
    events: EngineEvents,
    limits: StepLimits = { activations: ACTIVATIONS_PER_STEP },
  ) {
    this.budget = new StepBudget(parsed, limits.activations, limits.slice ?? ACTIVATIONS_PER_SLICE, (err) => this.errors.push(err));
    const serviceExtension = (activity: any) => {
      if (!/^bpmn:(ServiceTask|SendTask|BusinessRuleTask)$/.test(activity.type)) return;
      const behaviour = activity.behaviour;
      behaviour.Service = function Service(this: any, act: any) {
        this.execute = (executeMessage: any, callback: (err: Error | null, output?: unknown) => void) => {
          const env = act.environment;
          events.onService({
            activityId: act.id,
            executionId: executeMessage.content.executionId,
            behaviour,
            variables: cleanVariables(env.variables),
            done: (err, output) => {
              if (err) return callback(err);
              if (output) Object.assign(env.variables, output);
              callback(null, output ?? {});
            },
          });
        };
      };
    };
    this.engine = new (Engine as any)({
      name,
      sourceContext: parsed.sourceContext,
      timers: this.timers,
      scripts: feelScripts(),
      expressions: safeExpressions(),
      extensions: { services: serviceExtension, budget: this.budget.guard },
      settings: { enableDummyService: false },
      Logger: silentEngineLogger,
    });
    this.engine.on("error", (err: Error) => this.errors.push(err));
    this.engine.on("end", () => {
      this.ended = true;
    });
    const forward = (event: "start" | "end" | "wait" | "leave" | "discard") => (api: any) => {
      if (api.type === "bpmn:Process" || api.type === "bpmn:SequenceFlow") return;
      events.onActivity(event, {
        id: api.id,
        type: api.type,
        name: api.name ?? api.owner?.name ?? null,
        executionId: api.executionId,
        redelivered: Boolean(api.fields?.redelivered),
      });
    };
    this.listener.on("activity.start", forward("start"));
    this.listener.on("activity.end", forward("end"));
    this.listener.on("activity.wait", forward("wait"));
    // An activity interrupted (a boundary event, a terminate end) leaves without ending: history records its end.
    this.listener.on("activity.leave", forward("leave"));
    this.listener.on("activity.discard", forward("discard"));
  }

  async start(variables: Variables): Promise<void> {
    this.execution = await this.engine.execute({ variables, listener: this.listener });
  }

  async resume(state: unknown): Promise<void> {
    this.engine.recover(state);
    this.execution = await this.engine.resume({ listener: this.listener });
  }

  private process(): any {
    const defs = this.execution?.definitions ?? [];
    for (const d of defs) {
      const p = d.getProcesses().find((x: any) => x.id === this.parsed.processId) ?? d.getProcesses()[0];
      if (p) return p;
    }
    return undefined;
  }

  variables(): Variables {
    return cleanVariables(this.process()?.environment?.variables);
  }

  /** Sets process variables (submitted task data, message payloads, external task results). */
  assignVariables(vars: Variables | undefined): void {
    if (!vars || !Object.keys(vars).length) return;
    const env = this.process()?.environment;
    if (env) Object.assign(env.variables, vars);
  }

  signal(payload: Record<string, unknown>): void {
    this.execution.signal(payload);
  }

  /** Discards the process's waiting activities with these ids (the start events an instance did not start from). */
  discardWaiting(ids: ReadonlySet<string>): void {
    for (const api of this.execution?.getPostponed() ?? []) if (ids.has(api.id)) api.discard();
  }

  /** Work deferred to a later event-loop turn is still to run (the step is not settled yet). */
  get busy(): boolean {
    return this.budget.deferred > 0;
  }

  /** Set when the step ran more activations than its bound allows: the engine stopped where it was. */
  limitExceeded(): ActivationLimitHit | null {
    return this.budget.hit();
  }

  /** Stops the engine after an aborted step (nothing of it is saved; the engine is dropped). */
  async halt(): Promise<void> {
    this.budget.halted = true;
    try {
      await this.engine.stop();
    } catch {
      // The step is rolled back whatever the engine says while stopping.
    }
  }

  get state(): string {
    return this.engine.state as string;
  }

  postponed(): PostponedActivity[] {
    if (!this.execution) return [];
    // Activities waiting inside embedded sub-processes are listed by the sub-process, not the process.
    const list: any[] = [];
    const collect = (apis: any[], depth: number) => {
      for (const api of apis) {
        list.push(api);
        const inner = api.owner?.execution?.source;
        if (depth < 20 && typeof inner?.getPostponed === "function") collect(inner.getPostponed(), depth + 1);
      }
    };
    collect(this.execution.getPostponed(), 0);
    return list.map((api) => {
      const owner = api.owner ?? {};
      return {
        id: api.id,
        type: api.type,
        executionId: api.executionId,
        name: owner.name ?? null,
        behaviour: owner.behaviour ?? {},
        eventDefinitions: (owner.behaviour?.eventDefinitions ?? []).map((e: any) => ({ type: e.type, behaviour: e.behaviour ?? {} })),
      };
    });
  }

  pendingTimers(): TimerRef[] {
    return this.timers.executing as TimerRef[];
  }

  async getState(): Promise<unknown> {
    const state: any = await this.engine.getState();
    for (const d of state.definitions ?? []) delete d.source;
    return state;
  }
}
