import { loadCurrentUser } from "../../auth/loadUser.js";
import type { CurrentUser } from "../../auth/currentUser.js";
import { TaskHeldDecision, TaskSigner, type SignMode } from "../../db/models/actionModels.js";
import type { TaskView } from "../../engine/index.js";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../errors.js";
import type { FlowDeps } from "../../flows/registry.js";
import { audit } from "../audit.js";
import { caseOfInstance } from "../cases/queries.js";
import { colleague } from "../tasks/reassign.js";
import { caseLink, notify } from "./messages.js";

export const MAX_SIGNERS = 10;

/** 待审批 (a before-signer has not decided), 审批通过中 (the assignee decided, after-signers have not), or null. */
export type SignState = "待审批" | "审批通过中" | null;

export async function signersOf(taskId: string): Promise<TaskSigner[]> {
  return TaskSigner.findAll({ where: { taskId }, order: [["id", "ASC"]] });
}

/** What the task waits for: its before-signers, or (once the assignee decided) its after-signers. */
export async function signStateOf(taskId: string): Promise<{ state: SignState; held: TaskHeldDecision | null; pending: TaskSigner[] }> {
  const [pending, held] = await Promise.all([
    TaskSigner.findAll({ where: { taskId, state: "pending" }, order: [["id", "ASC"]] }),
    TaskHeldDecision.findByPk(taskId),
  ]);
  if (pending.some((s) => s.mode === "before")) return { state: "待审批", held, pending };
  if (held) return { state: "审批通过中", held, pending };
  return { state: null, held, pending };
}

/** Only the one holding the task (its assignee; an admin) adds or removes signers, and not while it is delegated. */
function assertHolder(actor: CurrentUser, task: TaskView): void {
  if (task.delegationState === "PENDING") throw new ConflictError("任务正在委派办理中，交回后才能加签或减签", "task_delegation_pending");
  if (!actor.isAdmin && task.assignee !== actor.username) throw new ForbiddenError("只有任务的办理人可以加签或减签，请先认领任务");
}

/**
 * 加签: the task's assignee asks colleagues of its department to decide on the task, before it (前加签: the task shows
 * 待审批 and cannot be completed until they decide) or after it (后加签: its decision is held, 审批通过中, until they
 * decide). Each signer finds the request in the inbox. Audited with the assignee.
 */
export async function addSigners(
  deps: Pick<FlowDeps, "db" | "engine" | "clock">,
  input: { actor: CurrentUser; task: TaskView; users: string[]; mode: SignMode; note?: string },
): Promise<TaskSigner[]> {
  const { actor, task } = input;
  assertHolder(actor, task);
  const users = [...new Set(input.users.map((u) => u.trim()).filter(Boolean))];
  if (!users.length) throw new ValidationError("请选择加签人", [{ path: "users", message: "请选择至少一位本部门的同事" }]);
  const existing = await TaskSigner.findAll({ where: { taskId: task.id, state: "pending" } });
  if (existing.length + users.length > MAX_SIGNERS) {
    throw new ValidationError("加签人太多", [{ path: "users", message: `一个任务最多 ${MAX_SIGNERS} 位未审批的加签人` }]);
  }
  for (const u of users) {
    const user = await colleague(deps.db, actor, u, "users");
    if (existing.some((s) => s.signer === user.username)) {
      throw new ValidationError("已经加签过", [{ path: "users", message: `${user.displayName}（${u}）已是此任务的加签人` }]);
    }
  }
  if (input.mode === "before" && (await TaskHeldDecision.findByPk(task.id))) {
    throw new ConflictError("您已经作出决定，等待后加签人审批中，不能再前加签");
  }
  const note = input.note?.trim().slice(0, 500) || null;
  const now = deps.clock.now();
  const kase = await caseOfInstance(task.processInstanceId);
  const code = kase?.businessKey ?? task.processInstanceId;
  return deps.db.transaction(async (t) => {
    const rows: TaskSigner[] = [];
    for (const signer of users) {
      rows.push(
        await TaskSigner.create(
          {
            taskId: task.id,
            instanceId: task.processInstanceId,
            step: task.name,
            signer,
            mode: input.mode,
            state: "pending",
            addedBy: actor.username,
            note,
            opinion: null,
            decidedBy: null,
            decidedAt: null,
            createdAt: now,
          },
          { transaction: t },
        ),
      );
    }
    await audit(deps.db, t, {
      actor: actor.username,
      action: "task.signers_added",
      entityType: "task",
      entityId: task.id,
      detail: { case: code, step: task.name, mode: input.mode, users, note },
      at: now,
    });
    await notify(
      t,
      rows.map((r) => ({
        recipient: r.signer,
        kind: "sign" as const,
        title: `${actor.displayName} 请您${input.mode === "before" ? "先行" : ""}审批：${task.name ?? ""}（${code}）`,
        body: note,
        link: `/signs/${r.id}`,
        ref: `sign:${r.id}`,
      })),
      now,
    );
    return rows;
  });
}

/** 减签: the assignee removes an added signer who has not decided yet; with the last after-signer gone a held decision goes on. */
export async function removeSigner(
  deps: Pick<FlowDeps, "db" | "engine" | "clock"> & { release: ReleaseHeld },
  input: { actor: CurrentUser; task: TaskView; signerId: number },
): Promise<TaskSigner> {
  assertHolder(input.actor, input.task);
  const row = Number.isSafeInteger(input.signerId)
    ? await TaskSigner.findOne({ where: { id: input.signerId, taskId: input.task.id } })
    : null;
  if (!row) throw new NotFoundError("找不到该加签人");
  if (row.state !== "pending") throw new ConflictError("该加签人已经审批，不能减签");
  const now = deps.clock.now();
  await deps.db.transaction(async (t) => {
    await row.update({ state: "removed", decidedBy: input.actor.username, decidedAt: now }, { transaction: t });
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "task.signer_removed",
      entityType: "task",
      entityId: input.task.id,
      detail: { signer: row.signer, mode: row.mode, step: row.step },
      at: now,
    });
  });
  await deps.release(input.task.id);
  return row;
}

/** Completes a task whose held decision no longer waits for anyone (the completion command, as its assignee). */
export type ReleaseHeld = (taskId: string) => Promise<void>;

/** A signer's request as the signer may see it; 404 for anyone else. */
export async function findMySignRequest(user: CurrentUser, id: number): Promise<TaskSigner> {
  const row = Number.isSafeInteger(id) ? await TaskSigner.findByPk(id) : null;
  if (!row || (row.signer !== user.username && !user.isAdmin)) throw new NotFoundError("找不到该加签审批");
  return row;
}

/** Why the signer may not decide now, or null. */
export async function decideRefusal(row: TaskSigner): Promise<string | null> {
  if (row.state !== "pending") return row.state === "removed" ? "您已被减签，无需审批" : "您已经审批过了";
  if (row.mode === "after" && !(await TaskHeldDecision.findByPk(row.taskId))) return "办理人尚未作出决定，作出决定后请您审批";
  return null;
}

/**
 * The added signer's decision (同意 / 不同意) with an opinion: on the case timeline, audited with the signer. When the
 * last after-signer has decided, the assignee's held decision completes the task and the process moves on.
 */
export async function decideSign(
  deps: Pick<FlowDeps, "db" | "engine" | "clock"> & { release: ReleaseHeld },
  input: { actor: CurrentUser; signerId: number; approve: boolean; opinion?: string },
): Promise<TaskSigner> {
  const row = await findMySignRequest(input.actor, input.signerId);
  if (row.signer !== input.actor.username) throw new ForbiddenError("只有加签人本人可以审批");
  const refusal = await decideRefusal(row);
  if (refusal) throw new ConflictError(refusal, "sign_not_pending");
  const task = await deps.engine.getTask(row.taskId);
  if (!task) throw new ConflictError("任务已经办结，无需审批", "sign_not_pending");
  const opinion = input.opinion?.trim() ?? "";
  if (!input.approve && opinion.length < 2) {
    throw new ValidationError("请填写意见", [{ path: "opinion", message: "不同意时请写明意见（至少 2 个字）" }]);
  }
  if (opinion.length > 1000) throw new ValidationError("意见太长", [{ path: "opinion", message: "意见最多 1000 字" }]);
  const now = deps.clock.now();
  const kase = await caseOfInstance(row.instanceId);
  await deps.db.transaction(async (t) => {
    await row.update(
      { state: input.approve ? "approved" : "rejected", opinion: opinion || null, decidedBy: input.actor.username, decidedAt: now },
      { transaction: t },
    );
    await audit(deps.db, t, {
      actor: input.actor.username,
      action: "task.signed",
      entityType: "task",
      entityId: row.taskId,
      detail: {
        case: kase?.businessKey ?? row.instanceId,
        step: row.step,
        mode: row.mode,
        approve: input.approve,
        opinion: opinion || null,
      },
      at: now,
    });
    const holder = task.assignee ?? row.addedBy;
    await notify(
      t,
      [
        {
          recipient: holder,
          kind: "sign",
          title: `${input.actor.displayName} ${input.approve ? "同意" : "不同意"}：${row.step ?? ""}（${kase?.businessKey ?? ""}）`,
          body: opinion || null,
          link: caseLink(kase, holder, row.taskId),
          ref: `signed:${row.id}`,
        },
      ],
      now,
    );
  });
  await deps.release(row.taskId);
  return row;
}

/** Marks the task's open signers removed when the task goes away another way (退回): nobody is left asked to sign a gone task. */
export async function dropOpenSigners(taskId: string, actor: string, now: Date, t: import("sequelize").Transaction): Promise<void> {
  await TaskSigner.update({ state: "removed", decidedBy: actor, decidedAt: now }, { where: { taskId, state: "pending" }, transaction: t });
  await TaskHeldDecision.destroy({ where: { taskId }, transaction: t });
}

/** The user's pending sign requests (the inbox's 加签待审批), newest first. */
export async function mySignRequests(user: CurrentUser, limit = 50): Promise<TaskSigner[]> {
  return TaskSigner.findAll({ where: { signer: user.username, state: "pending" }, order: [["id", "DESC"]], limit });
}

/** Loads the user who holds a task's decision (the release completes as that user). */
export async function holderOf(deps: Pick<FlowDeps, "db">, username: string): Promise<CurrentUser | undefined> {
  return loadCurrentUser(deps.db.sequelize, { username });
}
