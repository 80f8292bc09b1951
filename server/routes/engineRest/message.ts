import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { ForbiddenError } from "../../errors.js";
import { startRefusal } from "../../policies/processDefinition.js";
import { processInstancePolicy } from "../../policies/processInstance.js";
import { fromTyped, instanceDto, parseCamunda, requireEngineRole, toTyped, TypedVariables, user, declaredTypes } from "./common.js";

const Correlate = z
  .object({
    messageName: z.string().min(1).max(255),
    businessKey: z.string().max(255).optional().nullable(),
    processInstanceId: z.string().optional().nullable(),
    processVariables: TypedVariables.optional().nullable(),
    resultEnabled: z.boolean().optional(),
    variablesInResultEnabled: z.boolean().optional(),
  })
  .loose();

/**
 * POST message: correlates to the one instance waiting for it by message name and business key; with none waiting, a
 * message start event of that name starts an instance (resultType ProcessDefinition); neither -> 400.
 */
export function messageRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post("/message", requireEngineRole("reviewer", "dept_admin"), async (req, res) => {
    const body = parseCamunda(Correlate, req.body ?? {});
    const me = user(req);
    const { resultType, instance: inst } = await ctx.engine.correlateMessageWithResult({
      messageName: body.messageName,
      businessKey: body.businessKey ?? null,
      processInstanceId: body.processInstanceId ?? null,
      variables: fromTyped(body.processVariables),
      variableTypes: declaredTypes(body.processVariables),
      actor: me,
      // Instances the caller may not see are as if not waiting; a flow module's instance takes messages from its flow only.
      visible: (i) => processInstancePolicy.read(me, i),
      authorize: (i) => {
        const flow = ctx.flows.forProcess(i.definitionKey);
        if (flow) throw new ForbiddenError(`流程 ${i.definitionKey} 属于${flow.label}，不能通过 /engine-rest 发送消息：${flow.door}`);
      },
      // No instance waiting: a message start event starts one, under the same rules as process-definition/key/{key}/start.
      authorizeStart: (d) => {
        const flow = ctx.flows.forProcess(d.key);
        if (flow) throw new ForbiddenError(`流程 ${d.key} 属于${flow.label}，不能通过 /engine-rest 启动：${flow.door}`);
        const refusal = startRefusal(me, d);
        if (refusal) throw new ForbiddenError(refusal);
      },
      startDepartmentId: me.isAdmin ? null : me.departmentId,
    });
    if (!body.resultEnabled) {
      res.status(204).end();
      return;
    }
    res.json([
      {
        resultType,
        execution: null,
        processInstance: instanceDto(inst),
        ...(body.variablesInResultEnabled ? { variables: toTyped(inst.variables, null, inst.variableTypes) } : {}),
      },
    ]);
  });
  return router;
}
