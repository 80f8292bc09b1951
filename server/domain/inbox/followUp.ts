import type { CurrentUser } from "../../auth/currentUser.js";
import { ForbiddenError, ValidationError } from "../../errors.js";
import type { FlowDeps } from "../../flows/registry.js";
import { audit } from "../audit.js";
import { findVisibleTask } from "../tasks/completeTask.js";

/** "YYYY-MM-DD" (a day in China time) to the start of that day; empty clears; anything else is a 400. */
export function parseFollowUpDay(value: string | undefined): Date | null {
  const text = (value ?? "").trim();
  if (!text) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (!m || day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d)
    throw new ValidationError("跟进日期无效", [{ path: "followUp", message: "请按“年-月-日”选择跟进日期，例如 2026-12-31" }]);
  // Midnight in China (UTC+8).
  const at = new Date(day.getTime() - 8 * 3600_000);
  return at;
}

/**
 * 跟进日期 (Camunda's followUp): the day the holder of a task means to look at it again; the inbox shows it and filters
 * by it. Whoever may work the task sets it: its assignee, a candidate while nobody holds it, or an admin. Audited.
 */
export async function setTaskFollowUp(
  deps: Pick<FlowDeps, "db" | "engine">,
  input: { actor: CurrentUser; taskId: string; followUp: Date | null },
): Promise<void> {
  const task = await findVisibleTask(deps, input.actor, input.taskId);
  if (task.assignee && task.assignee !== input.actor.username && !input.actor.isAdmin)
    throw new ForbiddenError(`任务已由 ${task.assignee} 认领，只有办理人可以设置跟进日期`);
  await deps.db.transaction(async (t) => {
    await deps.db.sequelize.query("UPDATE engine_tasks SET follow_up_at = :at WHERE id = :id", {
      replacements: { at: input.followUp, id: task.id },
      transaction: t,
    });
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: input.followUp ? "task.follow_up_set" : "task.follow_up_cleared",
      entityType: "task",
      entityId: task.id,
      detail: { followUp: input.followUp?.toISOString() ?? null, businessKey: task.businessKey ?? null },
    });
  });
}
