import { Op, QueryTypes, type Transaction } from "sequelize";
import type { CurrentUser } from "../../auth/currentUser.js";
import type { Clock } from "../../clock.js";
import type { Config } from "../../config.js";
import type { Database } from "../../db/database.js";
import { UserMessage, type MessageKind } from "../../db/models/actionModels.js";
import { Case } from "../../db/models/Case.js";
import { EngineTask, EngineTaskCandidate } from "../../db/models/engineModels.js";
import type { LifecycleListener } from "../../engine/index.js";
import { NotFoundError } from "../../errors.js";
import { audit } from "../audit.js";

/** One message to one user, as the centre stores it and a sender receives it. */
export interface OutgoingMessage {
  recipient: string;
  kind: MessageKind;
  title: string;
  body?: string | null;
  link?: string | null;
  /** What it is about; a message with the same recipient and ref is not sent twice by the lifecycle notifier. */
  ref?: string | null;
}

/** A channel beside the in-app centre (SMS, mail): told after the message's transaction commits; failures are logged by it. */
export interface MessageSender {
  name: string;
  send(message: OutgoingMessage & { at: Date }): Promise<void>;
}

const senders = new Map<string, MessageSender>();
let enabled = new Set<string>();

/** Registers an SMS or mail channel; it receives messages only when its name is in the configuration's MESSAGE_SENDERS. */
export function registerMessageSender(sender: MessageSender): void {
  senders.set(sender.name, sender);
}

/** The channels this node sends through (MESSAGE_SENDERS; none by default: only the in-app centre). */
export function configureMessageSenders(config: Pick<Config, "messageSenders">): void {
  enabled = new Set(config.messageSenders);
}

/** Where a message about a case sends its recipient: the applicant's case page, or the staff's task page. */
export function caseLink(kase: Case | null, recipient: string, taskId?: string | null): string | null {
  if (kase && kase.startedBy === recipient && kase.businessKey) return `/my/cases/${encodeURIComponent(kase.businessKey)}`;
  return taskId ? `/tasks/${taskId}` : null;
}

/** Writes messages in the caller's transaction (the change they tell of and the message commit together); then the enabled senders. */
export async function notify(t: Transaction, messages: OutgoingMessage[], now: Date): Promise<void> {
  const rows = dedupe(messages).map((m) => ({
    recipient: m.recipient,
    kind: m.kind,
    title: m.title.slice(0, 255),
    body: m.body?.slice(0, 1000) ?? null,
    link: m.link?.slice(0, 255) ?? null,
    ref: m.ref?.slice(0, 128) ?? null,
    readAt: null,
    createdAt: now,
  }));
  if (!rows.length) return;
  await UserMessage.bulkCreate(rows, { transaction: t });
  const channels = [...senders.values()].filter((s) => enabled.has(s.name));
  if (!channels.length) return;
  t.afterCommit(() => {
    for (const channel of channels) for (const m of rows) void channel.send({ ...m, at: now }).catch(() => undefined);
  });
}

function dedupe(messages: OutgoingMessage[]): OutgoingMessage[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    const k = `${m.recipient}\u0000${m.ref ?? m.title}`;
    if (!m.recipient || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Active users of the groups (a department's candidate group), at most 200. */
export async function usersOfGroups(db: Database, groups: string[], t: Transaction): Promise<string[]> {
  if (!groups.length) return [];
  const rows = await db.sequelize.query<{ username: string }>(
    `SELECT DISTINCT u.username FROM users u JOIN user_groups g ON g.user_id = u.id WHERE g.group_id IN (:groups) AND u.active = :yes ORDER BY u.username LIMIT 200`,
    { replacements: { groups, yes: true }, type: QueryTypes.SELECT, transaction: t },
  );
  return rows.map((r) => r.username);
}

/**
 * Tells people of what the engine did, inside the step's transaction: a new user task to its assignee (or its
 * candidates), a task handed to the applicant as a return (退回补正), and the outcome to the applicant when the case
 * ends or is terminated by someone else. Registered after the case recorder, so the case row exists.
 */
export function messageNotifier(db: Database, config: Pick<Config, "messageSenders">, clock: Clock): LifecycleListener {
  configureMessageSenders(config);
  return async (event, t) => {
    const now = clock.now();
    const kase = await Case.findOne({ where: { instanceId: event.instance.id }, transaction: t });
    const code = kase?.businessKey ?? event.instance.id;
    const title = kase?.title ?? "";
    if (event.type === "cancelled") {
      if (kase?.startedBy && event.actor !== kase.startedBy) {
        await notify(
          t,
          [
            {
              recipient: kase.startedBy,
              kind: "decision",
              title: `办件 ${code} 已终止`,
              body: `${title}：${event.reason}`,
              link: caseLink(kase, kase.startedBy),
              ref: `end:${event.instance.id}`,
            },
          ],
          now,
        );
      }
      return;
    }
    if (event.ended) {
      if (kase?.startedBy) {
        await notify(
          t,
          [
            {
              recipient: kase.startedBy,
              kind: "decision",
              title: `办件 ${code} 已办结`,
              body: `${title}：${kase.status}`,
              link: caseLink(kase, kase.startedBy),
              ref: `end:${event.instance.id}`,
            },
          ],
          now,
        );
      }
      return;
    }
    if (event.newTaskDue === undefined) return; // no user task created in this step
    const tasks = await EngineTask.findAll({ where: { instanceId: event.instance.id }, transaction: t });
    const refs = tasks.map((x) => `task:${x.id}`);
    const told = new Set((await UserMessage.findAll({ where: { ref: refs }, attributes: ["ref"], transaction: t })).map((m) => m.ref));
    const out: OutgoingMessage[] = [];
    for (const task of tasks) {
      const ref = `task:${task.id}`;
      if (told.has(ref)) continue;
      const step = task.name ?? task.activityId;
      let recipients: string[];
      if (task.assignee) recipients = [task.assignee];
      else {
        const candidates = await EngineTaskCandidate.findAll({ where: { taskId: task.id }, transaction: t });
        const groups = candidates.filter((c) => c.kind === "group").map((c) => c.value);
        recipients = [...candidates.filter((c) => c.kind === "user").map((c) => c.value), ...(await usersOfGroups(db, groups, t))];
      }
      for (const recipient of recipients) {
        const toApplicant = !!kase?.startedBy && recipient === kase.startedBy;
        out.push({
          recipient,
          kind: toApplicant ? "return" : "task",
          title: toApplicant ? `办件 ${code} 需要您办理：${step}` : `新的待办任务：${step}（${code}）`,
          body: title,
          link: caseLink(kase, recipient, task.id),
          ref,
        });
      }
    }
    await notify(t, out, now);
  };
}

export interface MessagePage {
  rows: UserMessage[];
  total: number;
  unread: number;
  page: number;
  pageSize: number;
}

/** The user's messages, newest first; `unread` filters to the unread ones. */
export async function listMessages(
  user: CurrentUser,
  filter: { unread?: boolean; page?: number; pageSize?: number },
): Promise<MessagePage> {
  const page = Math.max(1, filter.page ?? 1);
  const pageSize = Math.min(100, Math.max(1, filter.pageSize ?? 20));
  const where = { recipient: user.username, ...(filter.unread ? { readAt: { [Op.is]: null } } : {}) };
  const [{ rows, count }, unread] = await Promise.all([
    UserMessage.findAndCountAll({
      where,
      order: [["id", "DESC"]],
      limit: pageSize,
      offset: (page - 1) * pageSize,
    }),
    unreadCount(user.username),
  ]);
  return { rows, total: count, unread, page, pageSize };
}

/** Unread messages of a user (the bell in the navigation). */
export function unreadCount(username: string): Promise<number> {
  return UserMessage.count({ where: { recipient: username, readAt: { [Op.is]: null } } });
}

/** Marks one of the user's messages read and answers it (404 for another's). */
export async function markMessageRead(db: Database, user: CurrentUser, id: number, now: Date): Promise<UserMessage> {
  const message = Number.isSafeInteger(id) ? await UserMessage.findOne({ where: { id, recipient: user.username } }) : null;
  if (!message) throw new NotFoundError("找不到该消息");
  if (!message.readAt) await db.transaction((t) => message.update({ readAt: now }, { transaction: t }));
  return message;
}

/** Marks every unread message of the user read (audited: how many). */
export async function markAllRead(db: Database, user: CurrentUser, now: Date): Promise<number> {
  return db.transaction(async (t) => {
    const [n] = await UserMessage.update(
      { readAt: now },
      { where: { recipient: user.username, readAt: { [Op.is]: null } }, transaction: t },
    );
    if (n) {
      await audit(db, t, {
        actor: user.username,
        action: "message.read_all",
        entityType: "user",
        entityId: user.username,
        detail: { count: n },
        at: now,
      });
    }
    return n;
  });
}

/** Who holds an open task: its assignee, else its candidate users and the members of its candidate groups. */
export async function holdersOfTask(db: Database, task: { id: string; assignee: string | null }, t: Transaction): Promise<string[]> {
  if (task.assignee) return [task.assignee];
  const candidates = await EngineTaskCandidate.findAll({ where: { taskId: task.id }, transaction: t });
  const groups = candidates.filter((c) => c.kind === "group").map((c) => c.value);
  return [...new Set([...candidates.filter((c) => c.kind === "user").map((c) => c.value), ...(await usersOfGroups(db, groups, t))])];
}
