import type { Transaction } from "sequelize";
import { EngineInstance, EngineSubscription } from "../../db/models/engineModels.js";
import type { Variables } from "../bpmn.js";
import { actorName, type Actor, type InstanceView } from "../types.js";
import type { EngineContext } from "./context.js";
import { InvalidRequestError } from "./errors.js";
import { record } from "./history.js";
import { startProcess, step } from "./instances.js";
import { messageStartTarget } from "./messageStart.js";

export interface CorrelateInput {
  messageName: string;
  businessKey?: string | null;
  processInstanceId?: string | null;
  variables?: Variables;
  variableTypes?: Record<string, string>;
  actor: Actor;
  /** Authorization: only instances this answers true for are candidates (the others are as if not waiting). */
  visible?: (instance: { definitionKey: string; departmentId: number | null }) => boolean;
  /** Authorization of the one matched instance: throws to refuse (e.g. a flow module's process). */
  authorize?: (instance: { definitionKey: string; departmentId: number | null }) => void;
  /** Authorization of a start by a message start event (Camunda's CREATE_INSTANCE): throws to refuse. */
  authorizeStart?: (definition: { key: string; ownerDepartmentId: number | null }) => void;
  /** The owning department of an instance a message start event starts (see StartInput.departmentId). */
  startDepartmentId?: number | null;
}

/** What a correlation did (Camunda's MessageCorrelationResult): delivered to a waiting instance, or started one. */
export interface CorrelationResult {
  resultType: "Execution" | "ProcessDefinition";
  instance: InstanceView;
}

/** Delivers a message to the one instance waiting for it (by message name and business key); nothing waiting -> 400. */
export async function correlateMessage(ctx: EngineContext, input: CorrelateInput, t?: Transaction): Promise<InstanceView> {
  return (await correlateMessageWithResult(ctx, input, t)).instance;
}

/**
 * Delivers a message to the one instance waiting for it (by message name and business key); when none waits (and no
 * processInstanceId is given), starts an instance at the message start event of that name (latest version of its key,
 * Camunda's correlation to a start event); neither -> 400.
 */
export async function correlateMessageWithResult(ctx: EngineContext, input: CorrelateInput, t?: Transaction): Promise<CorrelationResult> {
  return ctx.tx(t, async (t) => {
    const where: Record<string, unknown> = { messageName: input.messageName };
    if (input.businessKey) where.businessKey = input.businessKey;
    if (input.processInstanceId) where.instanceId = input.processInstanceId;
    let subs = await EngineSubscription.findAll({ where, transaction: t });
    const checked = Boolean(input.visible ?? input.authorize);
    const owners = new Map(
      (
        await EngineInstance.findAll({
          where: { id: checked ? [...new Set(subs.map((s) => s.instanceId))] : [] },
          attributes: ["id", "definitionKey", "departmentId"],
          transaction: t,
        })
      ).map((i) => [i.id, { definitionKey: i.definitionKey, departmentId: i.departmentId ?? null }]),
    );
    if (input.visible) subs = subs.filter((s) => owners.has(s.instanceId) && input.visible!(owners.get(s.instanceId)!));
    const instances = [...new Set(subs.map((s) => s.instanceId))];
    if (!instances.length && !input.processInstanceId) {
      const target = await messageStartTarget(ctx, input.messageName, t);
      if (target) {
        input.authorizeStart?.({ key: target.definitionKey, ownerDepartmentId: target.ownerDepartmentId });
        const instance = await startProcess(
          ctx,
          {
            definitionId: target.definitionId,
            businessKey: input.businessKey ?? null,
            variables: input.variables,
            variableTypes: input.variableTypes,
            actor: input.actor,
            departmentId: input.startDepartmentId ?? null,
            messageStart: { activityId: target.start.activityId, messageName: input.messageName },
          },
          t,
        );
        return { resultType: "ProcessDefinition", instance };
      }
    }
    if (!instances.length) {
      throw new InvalidRequestError(
        `无法关联消息「${input.messageName}」：没有流程实例${input.businessKey ? `（业务键 ${input.businessKey}）` : ""}在等待此消息 (Cannot correlate message '${input.messageName}': No process definition or execution matches the parameters)`,
      );
    }
    if (instances.length > 1) {
      throw new InvalidRequestError(
        `无法关联消息「${input.messageName}」：有 ${instances.length} 个流程实例在等待，请指定业务键 (Cannot correlate message '${input.messageName}': ${instances.length} executions match the parameters)`,
      );
    }
    const sub = subs[0]!;
    input.authorize?.(owners.get(sub.instanceId) ?? { definitionKey: "", departmentId: null });
    const actor = actorName(input.actor);
    const { view } = await step(ctx, sub.instanceId, t, actor, async (run, collector, _row, parsed) => {
      const still = await EngineSubscription.findByPk(sub.id, { transaction: t });
      if (!still) throw new InvalidRequestError(`无法关联消息「${input.messageName}」：等待已结束`);
      run.assignVariables(input.variables);
      collector.declareTypes(input.variableTypes);
      const activity = parsed.activities.get(sub.activityId);
      const refs = [
        activity?.behaviour.messageRef,
        ...((activity?.behaviour.eventDefinitions ?? []) as { behaviour?: { messageRef?: { id?: string; name?: string } } }[]).map(
          (e) => e.behaviour?.messageRef,
        ),
      ];
      const ref = refs.find(
        (m: { id?: string; name?: string } | undefined) =>
          m && (m.name === input.messageName || parsed.messageNames.get(m.id ?? "") === input.messageName),
      ) as { id?: string } | undefined;
      await record(ctx, t, sub.instanceId, {
        event: "message.received",
        activityId: sub.activityId,
        actor,
        detail: { messageName: input.messageName },
      });
      run.signal({ id: ref?.id ?? sub.activityId, executionId: sub.executionId });
    });
    return { resultType: "Execution", instance: view };
  });
}
