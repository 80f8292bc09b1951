import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser, type CurrentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import type { Case } from "../../db/models/Case.js";
import type { Commitment } from "../../db/models/Commitment.js";
import { caseOfInstance, displayNames } from "../../domain/cases/queries.js";
import { listInbox, nearDueDeadline, type InboxPage } from "../../domain/inbox/listInbox.js";
import { VERIFICATION_TASK_ID } from "../../domain/commitments/processContract.js";
import { findVisibleCommitment, loadCommitmentDetail } from "../../domain/commitments/queries.js";
import { completeUserTask } from "../../domain/tasks/completeTask.js";
import { delegateTaskTo, listColleagues, resolveDelegatedTask, transferTask } from "../../domain/tasks/reassign.js";
import { remindersOf, urgeableTasks, urgeTask } from "../../domain/tasks/urgeTask.js";
import { copyCase } from "../../domain/cases/copyCase.js";
import { reviewerActionsPanel } from "../reviewerActions.js";
import { Department } from "../../db/models/Department.js";
import { INBOX_PAGE_SIZE, inboxFilterOptions, nextTaskId } from "../../domain/inbox/queries.js";
import { parseFollowUpDay, setTaskFollowUp } from "../../domain/inbox/followUp.js";
import { deleteInboxFilter, listSavedFilters, normalizeFilterQuery, saveInboxFilter } from "../../domain/inbox/savedFilters.js";
import { caseTimeline, subjectProfile } from "../../domain/portal/queries.js";
import { gradeOfSubjectRef } from "../../domain/grading/queries.js";
import { presentGrade } from "../../presenters/grading.js";
import type { TaskView } from "../../engine/index.js";
import { AppError, NotFoundError, nullWhenNotFound } from "../../errors.js";
import { getFormRevision } from "../../forms/index.js";
import { requireRole } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { presentCommitment } from "../../presenters/commitment.js";
import { presentFormForRenderer } from "../../presenters/form.js";
import { presentInboxRow, dueState } from "../../presenters/inbox.js";
import { presentPagination } from "../../presenters/pagination.js";
import { presentTimeline, STATUS_BADGES } from "../../presenters/portal.js";
import { setFlash, takeFlash } from "../admin/forms.js";
import { caseDiagramJson, caseFormJson, presentCaseBody } from "../cases/caseView.js";

/** The kinds of case the inbox filters by (a flow module's kind, or generic). */
const CASE_KINDS = [
  { kind: "commitment", label: "告知承诺" },
  { kind: "generic", label: "通用事项" },
] as const;

const InboxQuery = z.object({
  kind: z.enum(["commitment", "generic"]).optional().catch(undefined),
  scope: z.enum(["all", "mine", "group"]).optional().catch(undefined),
  status: z.enum(["assigned", "unassigned"]).optional().catch(undefined),
  overdue: z.enum(["1"]).optional().catch(undefined),
  followUp: z.enum(["due"]).optional().catch(undefined),
  item: z.string().max(64).optional().catch(undefined),
  department: z.string().max(32).optional().catch(undefined),
  sort: z.enum(["due", "created"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
const CompleteBody = z.object({ data: z.record(z.string(), z.unknown(), { error: "data 应为表单数据对象" }) });
const ReturnTo = z.object({ returnTo: z.string().max(500).optional() });
const SaveFilterBody = z.object({ name: z.string().max(200).default(""), query: z.string().max(2000).default("") });
const FilterIdParam = z.object({ id: z.coerce.number().int().min(1) });
const FollowUpBody = z.object({ followUp: z.string().max(32).optional() });

/** The inbox's right-hand pane (wide screens) loads task pages in an iframe: the page without navigation, framed by this origin only. */
function inPane(req: Request): boolean {
  return req.query.pane === "1" || req.get("sec-fetch-dest") === "iframe";
}

function allowFramingBySelf(res: Response): void {
  const csp = res.getHeader("Content-Security-Policy");
  if (typeof csp === "string") res.setHeader("Content-Security-Policy", csp.replace("frame-ancestors 'none'", "frame-ancestors 'self'"));
}

interface VisibleTask {
  task: TaskView;
  kase: Case;
  /** The commitment, for a task of the commitment flow. */
  commitment: Commitment | null;
}

/** A task the user may see, with its case; 404 when either is missing or not visible (existence does not leak). */
async function findVisibleTask(ctx: AppContext, user: CurrentUser, id: string): Promise<VisibleTask> {
  const task = id.length <= 64 ? await ctx.engine.getTask(id) : null;
  if (!task || !ctx.engine.mayRead(user, task)) throw new NotFoundError("找不到该任务（可能已经办结）");
  const kase = await caseOfInstance(task.processInstanceId);
  if (!kase) throw new NotFoundError("找不到该任务（可能已经办结）");
  if (kase.kind !== "commitment") return { task, kase, commitment: null };
  const commitment = task.businessKey ? await findVisibleCommitment(user, task.businessKey).catch(nullWhenNotFound) : null;
  if (!commitment) throw new NotFoundError("找不到该任务（可能已经办结）");
  return { task, kase, commitment };
}

const VersionParam = z.object({ version: z.coerce.number().int().min(1).max(100_000) });
const ReassignBody = z.object({ to: z.string().max(64).default(""), reason: z.string().max(2000).optional() });
const CopyBody = z.object({
  users: z.string().max(2000).default(""),
  groups: z.union([z.string().max(64), z.array(z.string().max(64)).max(50)]).optional(),
  note: z.string().max(2000).optional(),
});
const UrgeBody = z.object({ message: z.string().max(2000).optional() });
const ResolveBody = z.object({ opinion: z.string().max(2000).optional() });

/** Who holds the task for the task page's 转办 / 委派 / 交回 panel. */
async function taskPeople(ctx: AppContext, user: CurrentUser, task: TaskView, kase: Case) {
  const reminders = await remindersOf({ taskId: task.id });
  const canUrge = task.assignee !== user.username && (await urgeableTasks(ctx, user, kase)).some((t) => t.id === task.id);
  const delegatedToMe = task.delegationState === "PENDING" && task.assignee === user.username;
  const delegatedByMe = task.delegationState === "PENDING" && task.owner === user.username;
  const canReassign = task.delegationState !== "PENDING" && (task.assignee === user.username || (user.isAdmin && !!task.assignee));
  const names = await displayNames([task.assignee, task.owner]);
  return {
    assigneeName: task.assignee ? (names.get(task.assignee) ?? task.assignee) : null,
    delegatedToMe,
    delegatedByMe,
    owner: task.owner ? (names.get(task.owner) ?? task.owner) : null,
    canReassign,
    colleagues: canReassign ? await listColleagues(ctx.db, user) : [],
    departments: (await Department.findAll({ order: [["id", "ASC"]], attributes: ["code", "name"] })).map((d) => ({
      code: d.code,
      name: d.name,
    })),
    canUrge,
    actions: await reviewerActionsPanel(ctx, user, task),
    reminders: reminders.map((r) => ({ by: r.sentBy, message: r.message, at: r.createdAt.toISOString() })),
  };
}

/** A local path to come back to after a one-click action (never another site). */
function safeReturn(req: Request): string {
  const { returnTo } = parse(ReturnTo, req.body ?? {});
  return returnTo && /^\/tasks(\/|\?|$)/.test(returnTo) && !returnTo.startsWith("//") ? returnTo : "/tasks";
}

/** A tab's count as shown: the number, or "1000+" where the inbox stopped counting. */
function countLabel(page: InboxPage, k: keyof InboxPage["more"]): number | string {
  const n = k === "total" ? page.total : (page.counts[k] ?? 0);
  return page.more[k] ? `${page.countCap}+` : n;
}

/**
 * The reviewer inbox (待办任务) and the task page: one-click claim / unclaim, and the decision form that
 * completes the task through the commitment commands, then goes on to the next task.
 */
export function taskRoutes(ctx: AppContext): Router {
  const router = Router();
  const staff = requireRole("reviewer", "dept_admin");

  router.get("/tasks", staff, async (req, res) => {
    const user = currentUser(req);
    const q = parse(InboxQuery, req.query);
    const now = ctx.clock.now();
    if (inPane(req)) {
      // An action inside the pane came back to the list (转办, 交回): the pane says what happened, the list reloads itself.
      allowFramingBySelf(res);
      return res.render("tasks/pane-done", { title: "待办任务", layout: "pane", flash: takeFlash(req) });
    }
    const [page, options, saved, colleagues] = await Promise.all([
      listInbox(
        ctx.db,
        user,
        {
          kind: q.kind,
          scope: q.scope,
          claimed: q.status,
          overdue: q.overdue === "1",
          followUp: q.followUp,
          item: q.item,
          department: q.department,
          sort: q.sort ?? "due",
          // By deadline, soonest first; by creation, newest first.
          order: q.sort === "created" ? "desc" : "asc",
          page: q.page,
          pageSize: INBOX_PAGE_SIZE,
          withGroupCount: true,
        },
        now,
      ),
      inboxFilterOptions(ctx.db, user),
      listSavedFilters(ctx.db, user),
      listColleagues(ctx.db, user),
    ]);
    const filters = {
      kind: q.kind,
      scope: q.scope,
      status: q.status,
      overdue: q.overdue,
      followUp: q.followUp,
      item: q.item,
      department: q.department,
      sort: q.sort,
    };
    const query = normalizeFilterQuery(new URLSearchParams(Object.entries(filters).filter(([, v]) => v) as [string, string][]).toString());
    // Above the count cap the total is a lower bound: keep a link to the page after this one.
    const total = page.more.total ? Math.max(page.total, page.page * page.pageSize + 1) : page.total;
    const here = presentPagination({ ...page, total }, "/tasks", filters);
    const link = (extra: Record<string, string | undefined>) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) params.set(k, v);
      const s = params.toString();
      return s ? `/tasks?${s}` : "/tasks";
    };
    const currentUrl = req.originalUrl.startsWith("/tasks") ? req.originalUrl : "/tasks";
    res.render("tasks/inbox", {
      title: "待办任务",
      flash: takeFlash(req),
      rows: page.rows.map((r) => presentInboxRow(r, user, ctx.clock.now())),
      savedFilters: saved.map((f) => ({ ...f, href: `/tasks?${f.query}`, active: f.query === query })),
      filterQuery: query,
      colleagues,
      total: countLabel(page, "total"),
      counts: {
        all: countLabel(page, "all"),
        mine: countLabel(page, "mine"),
        group: countLabel(page, "group"),
        overdue: countLabel(page, "overdue"),
      },
      tabs: [
        {
          label: "全部",
          count: countLabel(page, "all"),
          href: link({ scope: undefined, overdue: undefined }),
          active: !q.scope && !q.overdue,
        },
        {
          label: "我的任务",
          count: countLabel(page, "mine"),
          href: link({ scope: "mine", overdue: undefined }),
          active: q.scope === "mine" && !q.overdue,
        },
        {
          label: "本组任务",
          count: countLabel(page, "group"),
          href: link({ scope: "group", overdue: undefined }),
          active: q.scope === "group" && !q.overdue,
        },
        {
          label: "已逾期",
          count: countLabel(page, "overdue"),
          href: link({ scope: undefined, overdue: "1" }),
          active: q.overdue === "1",
          danger: true,
        },
      ],
      filter: { ...filters, overdue: q.overdue === "1", followUp: q.followUp === "due" },
      filtered: Object.values(filters).some(Boolean),
      kinds: CASE_KINDS.map((k) => ({ ...k, selected: k.kind === q.kind })),
      items: options.items.map((i) => ({ ...i, selected: i.code === q.item })),
      departments: options.departments.map((d) => ({ ...d, selected: d.code === q.department })),
      sortDueHref: link({ sort: undefined, page: undefined }),
      sortCreatedHref: link({ sort: "created", page: undefined }),
      pagination: page.more.total
        ? { ...here, total: countLabel(page, "total"), to: (page.page - 1) * page.pageSize + page.rows.length }
        : here,
      returnTo: currentUrl,
    });
  });

  router.post("/tasks/:id/claim", staff, async (req, res) => {
    const user = currentUser(req);
    const { task } = await findVisibleTask(ctx, user, String(req.params.id));
    const back = safeReturn(req);
    try {
      await ctx.engine.claimTask(task.id, user);
      setFlash(req, "success", `已认领任务“${task.name ?? task.taskDefinitionKey}”（${task.businessKey ?? ""}）`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      setFlash(req, "warning", err.message);
    }
    res.redirect(303, back);
  });

  router.post("/tasks/:id/unclaim", staff, async (req, res) => {
    const user = currentUser(req);
    const { task } = await findVisibleTask(ctx, user, String(req.params.id));
    const back = safeReturn(req);
    try {
      await ctx.engine.unclaimTask(task.id, user);
      setFlash(req, "info", `已退回任务“${task.name ?? task.taskDefinitionKey}”（${task.businessKey ?? ""}），本组其他人员可以认领`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      setFlash(req, "warning", err.message);
    }
    res.redirect(303, back);
  });

  /** 保存筛选: the current inbox filter under a name, for this user. */
  router.post("/tasks/filters", staff, async (req, res) => {
    const user = currentUser(req);
    const body = parse(SaveFilterBody, req.body ?? {});
    const query = normalizeFilterQuery(body.query);
    try {
      const saved = await saveInboxFilter(ctx.db, user, body, ctx.clock.now());
      setFlash(req, "success", `已保存筛选“${saved.name}”`);
      res.redirect(303, `/tasks?${saved.query}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      setFlash(req, "warning", err.details?.[0]?.message ?? err.message);
      res.redirect(303, query ? `/tasks?${query}` : "/tasks");
    }
  });

  router.post("/tasks/filters/:id/delete", staff, async (req, res) => {
    const user = currentUser(req);
    const removed = await deleteInboxFilter(ctx.db, user, parse(FilterIdParam, req.params).id);
    setFlash(req, "info", `已删除筛选“${removed.name}”`);
    res.redirect(303, "/tasks");
  });

  /** 跟进日期 of a task (Camunda's followUp); an empty date clears it. */
  router.post("/tasks/:id/follow-up", staff, async (req, res) => {
    const user = currentUser(req);
    const { task } = await findVisibleTask(ctx, user, String(req.params.id));
    const back = safeReturn(req);
    try {
      const day = parse(FollowUpBody, req.body ?? {}).followUp?.trim();
      const followUp = parseFollowUpDay(day);
      await setTaskFollowUp(ctx, { actor: user, taskId: task.id, followUp });
      setFlash(req, "success", followUp ? `已将“${task.name ?? task.taskDefinitionKey}”的跟进日期设为 ${day}` : "已清除跟进日期");
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      setFlash(req, "warning", err.details?.[0]?.message ?? err.message);
    }
    res.redirect(303, back);
  });

  router.get("/tasks/:id", staff, async (req, res) => {
    const pane = inPane(req);
    if (pane) allowFramingBySelf(res);
    const user = currentUser(req);
    const { task, kase, commitment } = await findVisibleTask(ctx, user, String(req.params.id));
    const now = ctx.clock.now();
    const mayWork = user.isAdmin || (task.assignee ? task.assignee === user.username : true);
    if (!commitment) {
      // A task of any other flow: the case, its filled forms read-only, the diagram, the history, and the task's form.
      const [body, near, people] = await Promise.all([
        presentCaseBody(ctx, kase, {
          form: (v) => `/tasks/${task.id}/case-forms/${v}.json`,
          diagram: `/tasks/${task.id}/diagram.json`,
        }),
        nearDueDeadline(now),
        taskPeople(ctx, user, task, kase),
      ]);
      const state = dueState(task.due, now, near);
      return res.render("tasks/generic", {
        ...(pane ? { layout: "pane" } : {}),
        title: `${task.name ?? "任务"} ${body.header.code}`,
        flash: takeFlash(req),
        task: {
          id: task.id,
          name: task.name ?? task.taskDefinitionKey,
          assignee: task.assignee,
          assigneeName: people.assigneeName,
          mine: task.assignee === user.username,
          due: task.due?.toISOString() ?? null,
          overdue: state === "overdue",
          nearDue: state === "near",
        },
        ...body,
        decisionRenderer:
          mayWork && task.formKey
            ? {
                formUrl: `/tasks/${task.id}/form.json`,
                submitUrl: `/tasks/${task.id}/complete`,
                submission: "{}",
                readOnly: false,
                mode: "decision",
              }
            : null,
        completeWithoutForm: mayWork && !task.formKey,
        people,
        creditGrade: presentGrade(await gradeOfSubjectRef(kase.subjectCode)),
        returnTo: `/tasks/${task.id}`,
      });
    }
    const [detail, timeline, profile, near, people] = await Promise.all([
      loadCommitmentDetail(ctx.engine, commitment),
      caseTimeline(ctx.db, commitment),
      subjectProfile(commitment.subjectId, commitment.code),
      nearDueDeadline(now),
      taskPeople(ctx, user, task, kase),
    ]);
    const view = presentCommitment(detail, user);
    const state = dueState(task.due, now, near);
    res.render("tasks/show", {
      ...(pane ? { layout: "pane" } : {}),
      title: `${task.name ?? "任务"} ${commitment.code}`,
      flash: takeFlash(req),
      task: {
        id: task.id,
        name: task.name,
        kind: task.taskDefinitionKey === VERIFICATION_TASK_ID ? "verification" : "review",
        assignee: task.assignee,
        assigneeName: people.assigneeName,
        mine: task.assignee === user.username,
        created: task.created.toISOString(),
        due: task.due?.toISOString() ?? null,
        overdue: state === "overdue",
        nearDue: state === "near",
      },
      c: view,
      badge: STATUS_BADGES[commitment.status] ?? "secondary",
      timeline: presentTimeline(timeline),
      creditGrade: presentGrade(await gradeOfSubjectRef(commitment.subjectId)),
      profile: {
        commitments: profile.commitments.map((x) => ({ ...x, badge: STATUS_BADGES[x.status] ?? "secondary" })),
        records: profile.records.map((r) => ({
          type: r.recordType,
          severity: r.severity,
          title: r.title,
          decidedOn: r.decidedOn,
          isPublic: !!r.isPublic,
          repaired: !!r.repaired,
          sourceUnit: r.sourceUnit,
        })),
      },
      submissionRenderer: { formUrl: `/tasks/${task.id}/case-form.json`, submission: JSON.stringify(view.data), readOnly: true },
      decisionRenderer: mayWork
        ? {
            formUrl: `/tasks/${task.id}/form.json`,
            submitUrl: `/tasks/${task.id}/complete`,
            submission: "{}",
            readOnly: false,
            mode: "decision",
          }
        : null,
      people,
      returnTo: `/tasks/${task.id}`,
    });
  });

  /** 转办 and 委派 from the task page (plain form posts): the commands /api and /engine-rest use too. */
  for (const [path, command, done] of [
    ["transfer", transferTask, "已转办给"],
    ["delegate", delegateTaskTo, "已委派给"],
  ] as const) {
    router.post(`/tasks/:id/${path}`, staff, async (req, res) => {
      const user = currentUser(req);
      const { task } = await findVisibleTask(ctx, user, String(req.params.id));
      const body = parse(ReassignBody, req.body ?? {});
      try {
        const after = await command(ctx, { actor: user, taskId: task.id, to: body.to, reason: body.reason });
        setFlash(req, "success", `${done} ${after.assignee}：“${task.name ?? task.taskDefinitionKey}”（${task.businessKey ?? ""}）`);
        res.redirect(303, path === "transfer" ? "/tasks" : `/tasks/${task.id}`);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        setFlash(req, "warning", err.details?.[0]?.message ?? err.message);
        res.redirect(303, `/tasks/${task.id}`);
      }
    });
  }

  /** 催办 by a supervisor (the department's dept_admin) from the task page. */
  router.post("/tasks/:id/urge", staff, async (req, res) => {
    const user = currentUser(req);
    const { task } = await findVisibleTask(ctx, user, String(req.params.id));
    const { message } = parse(UrgeBody, req.body ?? {});
    try {
      await urgeTask(ctx, { actor: user, taskId: task.id, message });
      setFlash(req, "success", `已催办“${task.name ?? task.taskDefinitionKey}”（${task.assignee ?? "待认领"}）`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      setFlash(req, "warning", err.message);
    }
    res.redirect(303, `/tasks/${task.id}`);
  });

  /** 抄送 from the task page: users by username (comma separated) and departments' groups. */
  router.post("/tasks/:id/copy", staff, async (req, res) => {
    const user = currentUser(req);
    const { task } = await findVisibleTask(ctx, user, String(req.params.id));
    const body = parse(CopyBody, req.body ?? {});
    const groups = typeof body.groups === "string" ? [body.groups] : (body.groups ?? []);
    try {
      const rows = await copyCase(ctx, { actor: user, taskId: task.id, users: body.users.split(/[,，\s]+/), groups, note: body.note });
      setFlash(req, "success", `已抄送 ${rows.map((r) => r.toValue).join("、")}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      setFlash(req, "warning", err.details?.[0]?.message ?? err.message);
    }
    res.redirect(303, `/tasks/${task.id}`);
  });

  /** The delegate hands the task back to its owner with an opinion. */
  router.post("/tasks/:id/resolve", staff, async (req, res) => {
    const user = currentUser(req);
    const { task } = await findVisibleTask(ctx, user, String(req.params.id));
    const { opinion } = parse(ResolveBody, req.body ?? {});
    const after = await resolveDelegatedTask(ctx, { actor: user, taskId: task.id, opinion });
    setFlash(
      req,
      "success",
      `已办理完毕，交回 ${after.assignee ?? ""}：“${task.name ?? task.taskDefinitionKey}”（${task.businessKey ?? ""}）`,
    );
    res.redirect(303, "/tasks");
  });

  /** The case's form revision (the submission is shown read-only with it). */
  router.get("/tasks/:id/case-form.json", staff, async (req, res) => {
    const { commitment } = await findVisibleTask(ctx, currentUser(req), String(req.params.id));
    if (!commitment) throw new NotFoundError("该任务不属于告知承诺办件");
    const form = await getFormRevision(ctx.db, commitment.formKey, commitment.formRevision);
    res.json({ data: presentFormForRenderer(form) });
  });

  /** One of the forms filled on the case of a task (any flow but commitments), read-only. */
  router.get("/tasks/:id/case-forms/:version.json", staff, async (req, res) => {
    const { kase } = await findVisibleTask(ctx, currentUser(req), String(req.params.id));
    res.json(await caseFormJson(ctx, kase, parse(VersionParam, req.params).version));
  });

  /** The case's diagram with its done and current steps. */
  router.get("/tasks/:id/diagram.json", staff, async (req, res) => {
    const { kase } = await findVisibleTask(ctx, currentUser(req), String(req.params.id));
    res.json(await caseDiagramJson(ctx, kase));
  });

  /** The task's decision form: the revision pinned when the task was created. */
  router.get("/tasks/:id/form.json", staff, async (req, res) => {
    const { task } = await findVisibleTask(ctx, currentUser(req), String(req.params.id));
    if (!task.formKey) throw new NotFoundError("该任务没有表单");
    const form = await getFormRevision(ctx.db, task.formKey, task.formRevision ?? undefined);
    res.json({ data: presentFormForRenderer(form) });
  });

  /** Completes the task through the one completion command (comment required to reject or return), then points to the next task. */
  router.post("/tasks/:id/complete", staff, async (req, res) => {
    const user = currentUser(req);
    const { task, kase, commitment } = await findVisibleTask(ctx, user, String(req.params.id));
    // A task without a form is completed by a plain HTML form post (no data); a form's data comes as JSON.
    const plainPost = !task.formKey && !!req.is("application/x-www-form-urlencoded");
    const { data } = plainPost ? { data: {} } : parse(CompleteBody, req.body);
    // As Camunda Tasklist: a candidate submitting an unclaimed task claims it first (the page says so beside the form).
    if (!task.assignee && !user.isAdmin) await ctx.engine.claimTask(task.id, user);
    // The one completion command (as /engine-rest): a flow module's rules decide and record; a generic task maps its form.
    await completeUserTask(ctx, { actor: user, taskId: task.id, data });
    const next = await nextTaskId(ctx.db, user, ctx.clock.now(), task.id);
    const more = next ? "已为您打开下一个任务。" : "没有更多待办任务了。";
    const redirect = next ? `/tasks/${next}` : "/tasks";
    if (!commitment) {
      const after = await kase.reload();
      setFlash(
        req,
        "success",
        `已提交“${task.name ?? task.taskDefinitionKey}”：${after.businessKey ?? after.instanceId}（${after.title}），办件状态：${after.status}。${more}`,
      );
      if (plainPost) return res.redirect(303, redirect);
      return res.json({ data: { code: after.businessKey, status: after.status }, redirect });
    }
    const done = await commitment.reload();
    setFlash(req, "success", `已办结：${commitment.code}（${commitment.subjectName}），案件状态：${done.status}。${more}`);
    res.json({ data: { code: done.code, status: done.status }, redirect });
  });

  return router;
}
