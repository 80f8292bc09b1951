// The only module that touches bpmn-engine / bpmn-elements / bpmn-moddle: parsing, the engine's
// options (FEEL conditions, intercepted timers, services) and a small typed surface for the runtime.
import { createRequire } from "node:module";
import { EventEmitter } from "node:events";
import { Engine } from "bpmn-engine";
import * as elements from "bpmn-elements";
import { BpmnModdle } from "bpmn-moddle";
import Serializer, { TypeResolver } from "moddle-context-serializer";
import { evaluate as feelEvaluate } from "feelin";
import { ComputedExpression, resolveWith, safeExpressions } from "./expressions.js";
import { InvalidRequestError } from "./runtime/errors.js";

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
  /** Call activities by id: what they call and how variables pass in and out. */
  calls: Map<string, CallSpec>;
  /** camunda:inputOutput by activity id. */
  io: Map<string, { inputs: IoParameter[]; outputs: IoParameter[] }>;
}

/** One camunda:inputParameter / outputParameter: a text (literal or `${path}` template), a list, a map or a FEEL script. */
export type IoValue =
  | { kind: "text"; text: string }
  | { kind: "list"; items: IoValue[] }
  | { kind: "map"; entries: [string, IoValue][] }
  | { kind: "feel"; body: string };

export interface IoParameter {
  name: string;
  value: IoValue;
}

function ioValue(text: unknown, definition: any): IoValue {
  if (definition?.$type === "camunda:List") {
    return {
      kind: "list",
      items: ((definition.items ?? []) as any[]).map((item) => ioValue(item.value, item.$type === "camunda:Value" ? undefined : item)),
    };
  }
  if (definition?.$type === "camunda:Map") {
    return {
      kind: "map",
      entries: ((definition.entries ?? []) as any[]).map((e) => [String(e.key), ioValue(e.value, e.definition)] as [string, IoValue]),
    };
  }
  if (definition?.$type === "camunda:Script") return { kind: "feel", body: String(definition.value ?? "") };
  return { kind: "text", text: typeof text === "string" ? text : "" };
}

/** Evaluates a parameter value against variables: `${path}` resolved, other text as it is, FEEL evaluated. */
export function evaluateIo(value: IoValue, scope: Variables): unknown {
  switch (value.kind) {
    case "text":
      return resolveWith(value.text, scope);
    case "list":
      return value.items.map((v) => evaluateIo(v, scope));
    case "map":
      return Object.fromEntries(value.entries.map(([k, v]) => [k, evaluateIo(v, scope)]));
    case "feel":
      return evaluateFeel(value.body, scope) ?? null;
  }
}

function ioSpecs(moddleContext: any): Map<string, { inputs: IoParameter[]; outputs: IoParameter[] }> {
  const io = new Map<string, { inputs: IoParameter[]; outputs: IoParameter[] }>();
  for (const el of Object.values((moddleContext.elementsById ?? {}) as Record<string, any>)) {
    const spec = ((el?.extensionElements?.values ?? []) as any[]).find((v) => v.$type === "camunda:InputOutput");
    if (!spec) continue;
    const params = (list: any[] | undefined) => (list ?? []).map((p) => ({ name: String(p.name), value: ioValue(p.value, p.definition) }));
    io.set(el.id, { inputs: params(spec.inputParameters), outputs: params(spec.outputParameters) });
  }
  return io;
}

/** A camunda:in / camunda:out mapping: all variables, or one target from a source variable or a `${path}`. */
export interface VariableMapping {
  all?: boolean;
  source?: string;
  sourceExpression?: string;
  target?: string;
}

/** What a call activity calls (calledElement with Camunda's binding) and its variable mappings. */
export interface CallSpec {
  activityId: string;
  name: string | null;
  calledElement: string;
  binding: "latest" | "deployment" | "version";
  version: string | null;
  /** camunda:in businessKey: the expression (`#{execution.processBusinessKey}` passes the caller's), or null. */
  businessKey: string | null;
  ins: VariableMapping[];
  outs: VariableMapping[];
}

function callSpecs(moddleContext: any): Map<string, CallSpec> {
  const calls = new Map<string, CallSpec>();
  for (const el of Object.values((moddleContext.elementsById ?? {}) as Record<string, any>)) {
    if (el?.$type !== "bpmn:CallActivity") continue;
    const values: any[] = el.extensionElements?.values ?? [];
    const mapping = (m: any): VariableMapping => ({
      ...(m.variables === "all" ? { all: true } : {}),
      ...(m.source !== undefined ? { source: String(m.source) } : {}),
      ...(m.sourceExpression !== undefined ? { sourceExpression: String(m.sourceExpression) } : {}),
      ...(m.target !== undefined ? { target: String(m.target) } : {}),
    });
    const ins = values.filter((v) => v.$type === "camunda:In");
    const bk = ins.find((m) => m.businessKey !== undefined);
    const binding = el.calledElementBinding === "deployment" || el.calledElementBinding === "version" ? el.calledElementBinding : "latest";
    calls.set(el.id, {
      activityId: el.id,
      name: el.name ?? null,
      calledElement: String(el.calledElement ?? "").trim(),
      binding,
      version: el.calledElementVersion !== undefined ? String(el.calledElementVersion).trim() : null,
      businessKey: bk ? String(bk.businessKey) : null,
      ins: ins.filter((m) => m.businessKey === undefined).map(mapping),
      outs: values.filter((v) => v.$type === "camunda:Out").map(mapping),
    });
  }
  return calls;
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
  prepareLoops(moddleContext, activities);
  return {
    sourceContext,
    processId,
    processName: proc?.name ?? null,
    activities,
    messageNames,
    calls: callSpecs(moddleContext),
    io: ioSpecs(moddleContext),
  };
}

// ---- Multi-instance ------------------------------------------------------------------------------

/** Camunda's multi-instance variables of one instance (local to it: never process variables). */
export interface LoopLocals {
  nrOfInstances: number;
  nrOfCompletedInstances: number;
  nrOfActiveInstances: number;
  loopCounter: number;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "未设置";
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** camunda:collection: a `${path}` (or a bare variable name, as Camunda allows) that must hold a list. */
class LoopCollection extends ComputedExpression {
  constructor(
    private readonly label: string,
    private readonly template: string,
  ) {
    super();
  }

  evaluate(context: Parameters<ComputedExpression["evaluate"]>[0]): unknown {
    const value = resolveWith(this.template, context.environment?.variables, context);
    if (!Array.isArray(value)) {
      throw new InvalidRequestError(
        `多实例「${this.label}」的集合 ${this.template} 不是列表（现为 ${describeValue(value)}）：请在此之前把该变量设为列表，例如 ["reviewer","deptadmin"]`,
      );
    }
    return value;
  }
}

/**
 * completionCondition: FEEL (language="feel" or a FEEL URI; a body that is not a `${...}` is read as FEEL too, since
 * the properties panel writes no language) or a `${path}`. It sees the process variables plus nrOfInstances,
 * nrOfCompletedInstances, nrOfActiveInstances, loopCounter and the element variable of the instance that completed.
 */
class LoopCompletion extends ComputedExpression {
  constructor(
    private readonly body: string,
    private readonly feel: boolean,
    private readonly elementVariable: string | undefined,
  ) {
    super();
  }

  evaluate(context: Parameters<ComputedExpression["evaluate"]>[0]): unknown {
    const c = context.content ?? {};
    const output = Array.isArray(c.loopOutput) ? (c.loopOutput as unknown[]) : [];
    const completed = output.filter((x) => x !== undefined && x !== null).length;
    const total = Number(c.loopCardinality) || 0;
    const locals: Variables = {
      nrOfInstances: total,
      nrOfCompletedInstances: completed,
      nrOfActiveInstances: c.isSequential ? (completed < total ? 1 : 0) : Math.max(0, total - completed),
      loopCounter: c.index,
    };
    if (this.elementVariable && this.elementVariable in c) locals[this.elementVariable] = c[this.elementVariable];
    const variables = { ...cleanVariables(context.environment?.variables as Variables | undefined), ...locals };
    const value = this.feel ? evaluateFeel(this.body, variables) : resolveWith(this.body, variables, context);
    return value === true;
  }
}

/** A waiting activity's camunda:inputOutput inputs (its local variables) on top of the locals it has. */
function withIo(locals: Variables | undefined, api: any): Variables | undefined {
  const io = api?.content?.ioLocals as Variables | undefined;
  return io && Object.keys(io).length ? { ...locals, ...io } : locals;
}

/** Does a completion condition read as FEEL (else as a `${path}`)? */
export function completionIsFeel(language: string | undefined | null, body: string): boolean {
  return isFeelLanguage(language) || (!language && !/^\s*\$\{[^}]*\}\s*$/.test(body));
}

/** Multi-instance activities get their collection and completion condition as prepared expressions (parsed once). */
function prepareLoops(moddleContext: any, activities: Map<string, ParsedActivity>): void {
  for (const a of activities.values()) {
    const loop = a.behaviour.loopCharacteristics;
    if (loop?.type !== "bpmn:MultiInstanceLoopCharacteristics" || !loop.behaviour) continue;
    const lb = loop.behaviour;
    const label = a.name ?? a.id;
    if (typeof lb.collection === "string" && lb.collection.trim()) {
      const text = lb.collection.trim();
      lb.collection = new LoopCollection(label, text.includes("${") ? text : `\${${text}}`);
    }
    const el = moddleContext.elementsById?.[a.id];
    const cc = el?.loopCharacteristics?.completionCondition;
    const body =
      typeof cc?.body === "string" ? cc.body.trim() : typeof lb.completionCondition === "string" ? lb.completionCondition.trim() : "";
    if (body) lb.completionCondition = new LoopCompletion(body, completionIsFeel(cc?.language, body), lb.elementVariable);
    else delete lb.completionCondition;
  }
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
  /** Local variables of a multi-instance instance (element variable, loopCounter, nrOf...): task attributes see them. */
  locals?: Variables;
  /** One instance of a multi-instance activity. */
  multiInstance?: boolean;
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
  /** Nested waiting executions by execution id, as last listed by postponed() (signalled through their own API). */
  private readonly apis = new Map<string, any>();

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
            variables: { ...cleanVariables(env.variables), ...((executeMessage.content.ioLocals as Variables | undefined) ?? {}) },
            done: (err, output) => {
              if (err) return callback(err);
              if (output) Object.assign(env.variables, output);
              callback(null, output ?? {});
            },
          });
        };
      };
    };
    // camunda:inputOutput: inputs are evaluated when the activity is entered and ride on its messages (kept in the
    // engine state, so they survive a restart) as its local variables; outputs are evaluated when it ends and set
    // as variables of its scope (the process, or the sub-process it is in).
    const ioExtension = (activity: any) => {
      const spec = parsed.io.get(activity.id);
      if (!spec) return;
      activity.on("enter", () => {
        const scope = cleanVariables(activity.environment.variables);
        const locals: Variables = {};
        for (const p of spec.inputs) locals[p.name] = evaluateIo(p.value, { ...scope, ...locals });
        activity.broker.publish("format", "run.io.input", { ioLocals: locals });
      });
      if (!spec.outputs.length) return;
      activity.on("end", (api: any) => {
        const env = activity.environment;
        const scope = { ...cleanVariables(env.variables), ...((api.content?.ioLocals as Variables | undefined) ?? {}) };
        const out: Variables = {};
        for (const p of spec.outputs) out[p.name] = evaluateIo(p.value, { ...scope, ...out });
        Object.assign(env.variables, out);
      });
    };
    this.engine = new (Engine as any)({
      name,
      sourceContext: parsed.sourceContext,
      timers: this.timers,
      scripts: feelScripts(),
      expressions: safeExpressions(),
      extensions: { services: serviceExtension, io: ioExtension, budget: this.budget.guard },
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

  /** Process instance modification (runtime/modification.ts): runs an activity of the process anew, as if a flow reached it. */
  startActivity(id: string): boolean {
    const activity = this.process()?.getActivityById(id);
    if (!activity || activity.isRunning) return false;
    activity.run();
    return true;
  }

  /** Process instance modification: cancels one waiting activity by execution id (its outgoing paths are discarded, not taken). */
  cancelWaiting(executionId: string): boolean {
    const api = (this.execution?.getPostponed() ?? []).find((a: any) => a.executionId === executionId);
    if (!api) return false;
    api.discard();
    return true;
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

  /**
   * What waits now. Activities inside embedded sub-processes are listed by the sub-process; a multi-instance
   * activity is listed as its instances (each its own execution, with its element variable and loop counter in
   * `locals`), and the activities inside a multi-instance sub-process with the locals of their instance.
   */
  postponed(): PostponedActivity[] {
    if (!this.execution) return [];
    const list: { api: any; locals?: Variables; nested: boolean; multi?: boolean }[] = [];
    const visit = (apis: any[], locals: Variables | undefined, nested: boolean, depth: number) => {
      if (depth > 20) return;
      for (const api of apis) {
        const owner = api.owner ?? {};
        const activityExecution = owner.execution;
        const loop = owner.behaviour?.loopCharacteristics;
        if (loop?.type === "bpmn:MultiInstanceLoopCharacteristics" && typeof activityExecution?.getPostponed === "function") {
          const all: any[] = activityExecution.getPostponed();
          const elementVariable: string | undefined = loop.behaviour?.elementVariable;
          const iterations = all.filter((x) => x.id === api.id && x.executionId !== api.executionId && x.content?.isMultiInstance);
          const inner = all.filter((x) => x.id !== api.id);
          const total = Number(iterations[0]?.content?.loopCardinality ?? api.content?.loopCardinality) || iterations.length;
          const output: unknown[] = Array.isArray(api.content?.output) ? api.content.output : [];
          const completed = output.filter((x) => x !== undefined && x !== null).length;
          for (const it of iterations) {
            const c = it.content ?? {};
            const loopLocals: Variables = {
              ...locals,
              loopCounter: c.index,
              nrOfInstances: total,
              nrOfCompletedInstances: completed,
              nrOfActiveInstances: c.isSequential ? 1 : Math.max(0, total - completed),
            };
            if (elementVariable && elementVariable in c) loopLocals[elementVariable] = c[elementVariable];
            const mine = withIo(loopLocals, it);
            list.push({ api: it, locals: mine, nested: true, multi: true });
            if (owner.isSubProcess) {
              const own = inner.filter((x) => x.content?.parent?.executionId === it.executionId);
              visit(own, mine, true, depth + 1);
            }
          }
          continue;
        }
        const mine = withIo(locals, api);
        list.push({ api, locals: mine, nested });
        // A sub-process's input parameters are seen by the attributes of the tasks inside it.
        const source = activityExecution?.source;
        if (typeof source?.getPostponed === "function") visit(source.getPostponed(), mine, true, depth + 1);
      }
    };
    visit(this.execution.getPostponed(), undefined, false, 0);
    this.apis.clear();
    return list.map(({ api, locals, nested, multi }) => {
      const owner = api.owner ?? {};
      if (nested) this.apis.set(api.executionId, api);
      return {
        id: api.id,
        type: api.type ?? owner.type,
        executionId: api.executionId,
        name: owner.name ?? null,
        behaviour: owner.behaviour ?? {},
        eventDefinitions: (owner.behaviour?.eventDefinitions ?? []).map((e: any) => ({ type: e.type, behaviour: e.behaviour ?? {} })),
        ...(locals ? { locals } : {}),
        ...(multi ? { multiInstance: true } : {}),
      };
    });
  }

  /**
   * Signals one waiting execution: a multi-instance instance or an activity inside a sub-process through its own
   * API (the engine-wide signal reaches every execution of an activity id), anything else the engine-wide way.
   */
  signalExecution(payload: { id: string; executionId: string } & Record<string, unknown>): void {
    this.postponed();
    const api = this.apis.get(payload.executionId);
    if (api) api.signal(payload);
    else this.signal(payload);
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
