import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { returnTask } from "../../domain/actions/returnTask.js";
import { InvalidRequestError } from "../../engine/index.js";
import { parseCamunda, requireEngineRole, user } from "./common.js";

const Instruction = z
  .object({
    type: z.enum(["cancel", "startBeforeActivity", "startAfterActivity", "startTransition"]),
    activityId: z.string().max(255).optional(),
    activityInstanceId: z.string().max(255).optional(),
  })
  .loose();
const Modification = z
  .object({
    instructions: z.array(Instruction).min(1).max(10),
    annotation: z.string().max(2000).optional(),
    skipCustomListeners: z.boolean().optional(),
    skipIoMappings: z.boolean().optional(),
  })
  .loose();

/**
 * POST /engine-rest/process-instance/{id}/modification, Camunda's shape, for 退回: one `cancel` of the waiting user task
 * (its activityId, or the task id as activityInstanceId) and one `startBeforeActivity` of an earlier user task completed
 * on the path. The same command as the task page's 退回 (domain/actions/returnTask.ts): the same policy and audit.
 */
export function modificationRoutes(ctx: AppContext): Router {
  const router = Router();

  router.post("/process-instance/:id/modification", requireEngineRole("reviewer", "dept_admin"), async (req, res) => {
    const body = parseCamunda(Modification, req.body ?? {});
    const cancels = body.instructions.filter((i) => i.type === "cancel");
    const starts = body.instructions.filter((i) => i.type === "startBeforeActivity");
    if (cancels.length !== 1 || starts.length !== 1 || body.instructions.length !== 2 || !starts[0]!.activityId) {
      throw new InvalidRequestError(
        "只支持一条 cancel 加一条 startBeforeActivity 指令（退回到已办理过的用户任务） (exactly one cancel and one startBeforeActivity instruction are supported)",
      );
    }
    const instanceId = String(req.params.id);
    const cancel = cancels[0]!;
    const tasks = await ctx.engine.findTasks({ processInstanceId: instanceId, visibleTo: user(req) });
    const task = tasks.find(
      (t) => t.id === cancel.activityInstanceId || (!!cancel.activityId && t.taskDefinitionKey === cancel.activityId),
    );
    if (!task)
      throw new InvalidRequestError(
        `流程实例 ${instanceId} 中没有可取消的用户任务 ${cancel.activityId ?? cancel.activityInstanceId ?? ""}`,
      );
    await returnTask(ctx, {
      actor: user(req),
      taskId: task.id,
      to: starts[0]!.activityId,
      reason: body.annotation,
      reasonRequired: false,
    });
    res.status(204).end();
  });

  return router;
}
