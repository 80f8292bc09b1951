// Message start events, as in Camunda 7: a message correlated while no instance waits for it starts a new instance of
// the latest version of the key whose message start event has that name (the message start event's "subscription"
// belongs to the latest version; deploying a new version replaces it). Deploy refuses a name another key's latest
// version already starts with. Starting such a process through the API uses its message start event when it is the
// process's only start event (Camunda's initial activity); with several message start events the message must choose.
import { QueryTypes, type Transaction } from "sequelize";
import type { EngineRun, ParsedDefinition } from "../bpmn.js";
import type { Problem } from "../validate.js";
import { actorName, type StartInput } from "../types.js";
import type { EngineContext } from "./context.js";
import { parsedDefinition } from "./deployments.js";
import { InvalidRequestError } from "./errors.js";
import { note } from "./history.js";
import type { StepCollector } from "./stepCollector.js";

export interface MessageStart {
  activityId: string;
  messageId: string;
  messageName: string;
}

/** An activity as the serialized definition lists it (moddle-context-serializer). */
interface SourceActivity {
  id: string;
  type: string;
  parent?: { id?: string };
  behaviour?: { eventDefinitions?: { type: string; behaviour?: { messageRef?: { id?: string; name?: string } } }[] };
}

const cache = new WeakMap<ParsedDefinition, { messages: MessageStart[]; others: string[] }>();

/** The process's own start events: its message start events, and the ids of the other (none, timer) ones. */
export function startEventsOf(parsed: ParsedDefinition): { messages: MessageStart[]; others: string[] } {
  const cached = cache.get(parsed);
  if (cached) return cached;
  const messages: MessageStart[] = [];
  const others: string[] = [];
  for (const a of (parsed.sourceContext as { getActivities(): SourceActivity[] }).getActivities()) {
    if (a.type !== "bpmn:StartEvent" || a.parent?.id !== parsed.processId) continue;
    const refs = (a.behaviour?.eventDefinitions ?? []).filter((d) => d.type === "bpmn:MessageEventDefinition");
    if (!refs.length) others.push(a.id);
    for (const d of refs) {
      const ref = d.behaviour?.messageRef;
      const name = ref?.name ?? (ref?.id ? parsed.messageNames.get(ref.id) : undefined);
      if (ref?.id && name) messages.push({ activityId: a.id, messageId: ref.id, messageName: name });
    }
  }
  const result = { messages, others };
  cache.set(parsed, result);
  return result;
}

/**
 * Called by startProcess right after the engine started: runs the instance past the message start event it starts
 * from (the one the message named, or the process's only start event), discards the process's other message start
 * events (never started, so kept out of the history) and notes the message in the history.
 */
export async function passMessageStart(
  ctx: EngineContext,
  parsed: ParsedDefinition,
  run: EngineRun,
  collector: StepCollector,
  instanceId: string,
  input: StartInput,
): Promise<void> {
  const { messages, others } = startEventsOf(parsed);
  if (!messages.length) return;
  let chosen: MessageStart | undefined;
  if (input.messageStart) {
    chosen = messages.find((m) => m.activityId === input.messageStart!.activityId);
    if (!chosen) throw new InvalidRequestError(`流程 ${parsed.processId} 没有消息「${input.messageStart.messageName}」的消息开始事件`);
  } else if (!others.length) {
    if (messages.length > 1) {
      throw new InvalidRequestError(
        `流程 ${parsed.processId} 有 ${messages.length} 个消息开始事件、没有空开始事件：请通过 POST /engine-rest/message 发送其中一个消息来启动 (Cannot start process instance: process definition has no unique initial activity)`,
      );
    }
    chosen = messages[0];
  }
  if (chosen) {
    if (input.messageStart) {
      collector.notes.push(
        note(ctx, instanceId, {
          event: "message.received",
          activityId: chosen.activityId,
          actor: actorName(input.actor),
          detail: { messageName: chosen.messageName },
        }),
      );
    }
    run.signal({ id: chosen.messageId });
    await collector.settle(run);
  }
  const rest = new Set(messages.map((m) => m.activityId).filter((id) => id !== chosen?.activityId));
  if (!rest.size) return;
  run.discardWaiting(rest);
  await collector.settle(run);
  for (let i = collector.history.length - 1; i >= 0; i--) {
    if (rest.has(collector.history[i]!.activityId) && collector.history[i]!.event === "activity.start") collector.history.splice(i, 1);
  }
}

/** A latest definition version whose message start event has the name, with its deployment's department (authorization). */
export interface MessageStartTarget {
  definitionId: string;
  definitionKey: string;
  ownerDepartmentId: number | null;
  start: MessageStart;
}

/** The latest versions of every key that start with a message (their XML names a messageEventDefinition). */
async function latestWithMessageStarts(ctx: EngineContext, t: Transaction): Promise<MessageStartTarget[]> {
  const rows = await ctx.db.sequelize.query<{ id: string; key: string; department_id: number | null }>(
    "SELECT f.id, f.`key`, d.department_id FROM engine_definitions f JOIN engine_deployments d ON d.id = f.deployment_id " +
      "WHERE f.xml LIKE '%messageEventDefinition%' AND f.version = (SELECT MAX(g.version) FROM engine_definitions g WHERE g.`key` = f.`key`)",
    { type: QueryTypes.SELECT, transaction: t },
  );
  const out: MessageStartTarget[] = [];
  for (const row of rows) {
    const { messages } = startEventsOf(await parsedDefinition(ctx, row.id, t));
    for (const start of messages) {
      out.push({ definitionId: row.id, definitionKey: row.key, ownerDepartmentId: row.department_id ?? null, start });
    }
  }
  return out;
}

/** The one latest definition version a message starts (undefined: none); two keys with the name -> 400. */
export async function messageStartTarget(ctx: EngineContext, messageName: string, t: Transaction): Promise<MessageStartTarget | undefined> {
  const found = (await latestWithMessageStarts(ctx, t)).filter((x) => x.start.messageName === messageName);
  if (found.length > 1) {
    throw new InvalidRequestError(
      `无法关联消息「${messageName}」：有 ${found.length} 个流程以此消息开始（${found.map((f) => f.definitionKey).join("、")}） (Cannot correlate message '${messageName}': ${found.length} process definitions match the parameters)`,
    );
  }
  return found[0];
}

/**
 * Deploy's check (Camunda: "there already is a message event subscription for the message with name …"): a message
 * start name may start one key only, judged against the latest versions of the other keys and the deployment's own.
 */
export async function messageStartConflicts(
  ctx: EngineContext,
  processes: { key: string; file: string; messageStarts?: { name: string; element: string; path: string }[] }[],
  t: Transaction,
): Promise<Problem[]> {
  if (!processes.some((p) => p.messageStarts?.length)) return [];
  const owners = new Map<string, string>();
  for (const x of await latestWithMessageStarts(ctx, t)) owners.set(x.start.messageName, x.definitionKey);
  const deploying = new Set(processes.map((p) => p.key));
  // The keys deployed now replace their own earlier names.
  for (const [name, key] of owners) if (deploying.has(key)) owners.delete(name);
  const problems: Problem[] = [];
  for (const p of processes) {
    for (const m of p.messageStarts ?? []) {
      const owner = owners.get(m.name);
      if (owner && owner !== p.key) {
        problems.push({
          path: m.path,
          element: m.element,
          rule: "message-start-event",
          message: `元素 ${m.element}：消息名称「${m.name}」已被流程 ${owner} 的消息开始事件使用，消息开始事件的名称在所有流程中必须唯一：请换一个消息名称 (there already is a message event subscription for the message with name '${m.name}')`,
        });
      } else owners.set(m.name, p.key);
    }
  }
  return problems;
}
