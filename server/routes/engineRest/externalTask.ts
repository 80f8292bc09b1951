import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { ExternalTaskView } from "../../engine/index.js";
import { ValidationError } from "../../errors.js";
import { camundaDate, fromTyped, parseCamunda, qBool, requireEngineRole, toTyped, TypedVariables, user, declaredTypes } from "./common.js";
import { pagingFields } from "./paging.js";

/** Longest lock or retry timeout a worker may ask for (30 days, in ms): a larger one would be no date at all. */
const MAX_DURATION_MS = 30 * 24 * 60 * 60 * 1000;
const LockDuration = z.number().int().min(1).max(MAX_DURATION_MS);
/** Retries fit the INT column. */
const Retries = z.number().int().min(0).max(2_147_483_647);

const Fetch = z
  .object({
    workerId: z.string().min(1).max(255),
    maxTasks: z.number().int().min(0).max(1000).default(10),
    usePriority: z.boolean().optional(),
    asyncResponseTimeout: z.number().int().min(0).optional(),
    topics: z
      .array(
        z
          .object({
            topicName: z.string().min(1),
            lockDuration: LockDuration,
            variables: z.array(z.string()).optional().nullable(),
            businessKey: z.string().optional().nullable(),
            processDefinitionKey: z.string().optional().nullable(),
            processDefinitionId: z.string().optional().nullable(),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();

const MAX_LONG_POLL_MS = 20_000;

// Camunda's external task query parameters this runtime knows; filtered, paged and counted in SQL.
const ListQuery = z
  .object({
    externalTaskId: z.string().optional(),
    topicName: z.string().optional(),
    workerId: z.string().optional(),
    processInstanceId: z.string().optional(),
    activityId: z.string().optional(),
    locked: qBool,
    notLocked: qBool,
    withRetriesLeft: qBool,
    noRetriesLeft: qBool,
    ...pagingFields,
  })
  .loose();

function lockedDto(t: ExternalTaskView, withVariables = true) {
  return {
    activityId: t.activityId,
    activityInstanceId: `${t.activityId}:${t.executionId}`,
    errorMessage: t.errorMessage,
    errorDetails: t.errorDetails,
    executionId: t.executionId,
    id: t.id,
    lockExpirationTime: camundaDate(t.lockExpirationTime),
    processDefinitionId: t.processDefinitionId,
    processDefinitionKey: t.processDefinitionKey,
    processDefinitionVersionTag: null,
    processInstanceId: t.processInstanceId,
    retries: t.retries,
    suspended: false,
    workerId: t.workerId,
    topicName: t.topicName,
    tenantId: null,
    priority: t.priority,
    businessKey: t.businessKey,
    extensionProperties: {},
    ...(withVariables ? { variables: toTyped(t.variables, null, t.variableTypes) } : {}),
  };
}

/**
 * Camunda's external task API for workers (camunda-external-task-client-js works unmodified).
 * Workers authenticate with HTTP Basic as an account holding the worker role (or admin).
 */
export function externalTaskRoutes(ctx: AppContext): Router {
  const router = Router();
  // Workers are programs with their own "worker" account: they fetch and finish external tasks and nothing else.
  router.use("/external-task", requireEngineRole("worker"));

  router.post("/external-task/fetchAndLock", async (req, res) => {
    const body = parseCamunda(Fetch, req.body ?? {});
    const deadline = Date.now() + Math.min(body.asyncResponseTimeout ?? 0, MAX_LONG_POLL_MS);
    let closed = false;
    req.on("close", () => {
      closed = true;
    });
    for (;;) {
      if (closed) return; // the worker has gone: lock nothing for it
      const tasks = await ctx.engine.fetchAndLock({
        workerId: body.workerId,
        maxTasks: body.maxTasks,
        usePriority: body.usePriority,
        topics: body.topics,
      });
      if (tasks.length || Date.now() >= deadline || closed) {
        res.json(tasks.map((t) => lockedDto(t)));
        return;
      }
      // Long polling, as Camunda does with asyncResponseTimeout: look again shortly.
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  /** The list's filter: Camunda's query parameters; locked=true: held by a worker now; locked=false (or notLocked=true): the others. */
  const filterOf = (query: unknown) => {
    const { locked, notLocked, ...q } = parseCamunda(ListQuery, query);
    if (locked !== undefined && notLocked !== undefined && locked === notLocked) {
      throw new ValidationError("locked 与 notLocked 不能同时取相同的值 (locked and notLocked contradict each other)");
    }
    return { ...q, locked: locked ?? (notLocked === undefined ? undefined : !notLocked) };
  };
  router.get("/external-task", async (req, res) => {
    res.json((await ctx.engine.lists.externalTasks(filterOf(req.query))).map((t) => lockedDto(t, false)));
  });
  router.get("/external-task/count", async (req, res) => {
    // As in Camunda: firstResult / maxResults are checked but do not cut the count.
    res.json({ count: await ctx.engine.lists.countExternalTasks(filterOf(req.query)) });
  });

  router.post("/external-task/:id/complete", async (req, res) => {
    const body = parseCamunda(
      z
        .object({
          workerId: z.string().min(1),
          variables: TypedVariables.optional().nullable(),
          localVariables: TypedVariables.optional().nullable(),
        })
        .loose(),
      req.body ?? {},
    );
    await ctx.engine.completeExternalTask(req.params.id, {
      workerId: body.workerId,
      variables: fromTyped(body.variables),
      localVariables: fromTyped(body.localVariables),
      variableTypes: { ...declaredTypes(body.localVariables), ...declaredTypes(body.variables) },
    });
    res.status(204).end();
  });

  router.post("/external-task/:id/failure", async (req, res) => {
    const body = parseCamunda(
      z
        .object({
          workerId: z.string().min(1),
          errorMessage: z.string().optional().nullable(),
          errorDetails: z.string().optional().nullable(),
          retries: Retries.optional().nullable(),
          retryTimeout: z.number().int().min(0).max(MAX_DURATION_MS).optional().nullable(),
        })
        .loose(),
      req.body ?? {},
    );
    await ctx.engine.handleExternalFailure(req.params.id, body);
    res.status(204).end();
  });

  router.post("/external-task/:id/bpmnError", async (req, res) => {
    const body = parseCamunda(
      z
        .object({
          workerId: z.string().min(1),
          errorCode: z.string().min(1),
          errorMessage: z.string().optional().nullable(),
          variables: TypedVariables.optional().nullable(),
        })
        .loose(),
      req.body ?? {},
    );
    await ctx.engine.handleExternalBpmnError(req.params.id, {
      workerId: body.workerId,
      errorCode: body.errorCode,
      errorMessage: body.errorMessage ?? undefined,
      variables: fromTyped(body.variables),
      variableTypes: declaredTypes(body.variables),
    });
    res.status(204).end();
  });

  router.post("/external-task/:id/extendLock", async (req, res) => {
    const body = parseCamunda(z.object({ workerId: z.string().min(1), newDuration: LockDuration }).loose(), req.body ?? {});
    await ctx.engine.extendExternalLock(req.params.id, body);
    res.status(204).end();
  });

  router.post("/external-task/:id/unlock", async (req, res) => {
    await ctx.engine.unlockExternalTask(req.params.id);
    res.status(204).end();
  });

  router.put("/external-task/:id/retries", async (req, res) => {
    const body = parseCamunda(z.object({ retries: Retries }), req.body ?? {});
    await ctx.engine.setExternalTaskRetries(req.params.id, body.retries, user(req));
    res.status(204).end();
  });

  return router;
}
