import type { CurrentUser } from "../../auth/currentUser.js";
import type { InstanceView, TaskView } from "../../engine/index.js";
import { ForbiddenError, NotFoundError, ValidationError } from "../../errors.js";
import { validateSubmission } from "../../forms/index.js";
import type { FlowDeps, FlowRegistry } from "../../flows/registry.js";
import { recordCaseForm } from "../cases/caseForms.js";
import { holdForSigners } from "../actions/holds.js";

export interface CompleteTaskDeps extends FlowDeps {
  flows: FlowRegistry;
}

export interface CompleteTaskInput {
  actor: CurrentUser;
  taskId: string;
  /** The filled task form (the page, /api) or the variables (/engine-rest): the same data either way. */
  data: Record<string, unknown>;
  /** Camunda types the caller declared (Date), kept for variables the form passes through. */
  variableTypes?: Record<string, string>;
  /** Set when a decision held for its after-signers (加签) completes the task now. */
  releasing?: boolean;
}

/** A task the user may see, or 404 (unknown and invisible alike). */
export async function findVisibleTask(deps: Pick<FlowDeps, "engine">, user: CurrentUser, taskId: string): Promise<TaskView> {
  const task = await deps.engine.getTask(taskId);
  if (!task || !deps.engine.mayRead(user, task))
    throw new NotFoundError(`找不到任务 ${taskId}（可能已经办结） (No matching task with id ${taskId})`);
  return task;
}

/**
 * Completes a user task: the one command behind the task page, /api and /engine-rest. A task of a flow module goes
 * to that flow's rule (its form, its decision checks, its records); a generic task is validated against its form
 * (camunda:formKey) and its data become process variables. The actor is the authenticated user, always.
 */
export async function completeUserTask(deps: CompleteTaskDeps, input: CompleteTaskInput): Promise<InstanceView | null> {
  const task = await findVisibleTask(deps, input.actor, input.taskId);
  if (!deps.engine.mayComplete(input.actor, task)) {
    throw new ForbiddenError(task.assignee ? `任务已由 ${task.assignee} 认领办理，您不能完成它` : "您不是此任务的候选人，不能完成它");
  }
  // 加签: refused while a before-signer has not decided; held while after-signers have not (domain/actions/holds.ts).
  if (await holdForSigners(deps, input, task)) return deps.engine.getInstance(task.processInstanceId);
  const flow = deps.flows.forProcess(task.processDefinitionKey);
  if (flow) {
    const rule = flow.tasks[task.taskDefinitionKey];
    if (!rule) throw new ForbiddenError(`任务「${task.name ?? task.taskDefinitionKey}」属于${flow.label}流程，只能由该流程办理`);
    await rule.complete(deps, { actor: input.actor, task, data: input.data });
    return deps.engine.getInstance(task.processInstanceId);
  }
  return deps.db.transaction(async (t) => {
    let variables = input.data;
    if (task.formKey) {
      const { data, revision } = await validateSubmission(
        deps.db,
        { formKey: task.formKey, revision: task.formRevision ?? undefined },
        input.data,
        { t, userId: input.actor.id },
      );
      const dropped = Object.keys(input.data).filter((k) => !(k in data));
      if (dropped.length) {
        throw new ValidationError(
          `任务表单 ${task.formKey}（第 ${task.formRevision ?? "最新"} 版）中没有可填写的字段 ${dropped.join("、")}`,
          dropped.map((k) => ({ path: k, message: "该字段不在任务表单中（或按条件隐藏），不能提交" })),
        );
      }
      variables = data;
      // The case keeps each form filled on it (shown read-only on the case and task pages).
      await recordCaseForm(deps.db, t, {
        instanceId: task.processInstanceId,
        formKey: task.formKey,
        formRevision: revision,
        data,
        actor: input.actor.username,
        step: task.name ?? task.taskDefinitionKey,
      });
    }
    return deps.engine.completeTask(task.id, { actor: input.actor, variables, variableTypes: input.variableTypes }, t);
  });
}
