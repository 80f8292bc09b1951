import type { Database } from "../../db/database.js";
import { Commitment } from "../../db/models/Commitment.js";
import { CatalogItemVersion } from "../../db/models/CatalogItemVersion.js";
import { ValidationError } from "../../errors.js";
import { audit } from "../audit.js";
import { addDays, chinaDay, chinaDayStart } from "../calendar/days.js";
import { loadWorkingCalendar } from "../calendar/workingDays.js";
import { recordBreachRecord } from "../credit/creditRecords.js";
import type { EnginePort, ServiceContext } from "./enginePort.js";
import { COMMITMENT_SERVICES, FULFILMENT_VALUES, type FulfilmentValue } from "./processContract.js";

const text = (v: unknown): string => (typeof v === "string" ? v.trim() : "");

async function loadCase(ctx: ServiceContext): Promise<Commitment> {
  const code = ctx.businessKey ?? text(ctx.variables.commitmentCode);
  const commitment = await Commitment.findOne({ where: { code }, transaction: ctx.t, lock: ctx.t.LOCK.UPDATE });
  if (!commitment) throw new Error(`no commitment ${code} for process instance ${ctx.instanceId}`);
  return commitment;
}

/**
 * Registers the internal services processes/commitment.bpmn calls (camunda:expression="${services.name}").
 * Each runs inside the instance's transaction and is idempotent: run twice, it changes nothing the second
 * time. Every status change is audited with the step's authenticated actor (the deciding officer), never with a
 * process variable a caller could set.
 */
export function registerCommitmentServices(engine: EnginePort, db: Database): void {
  /** 退回补正 and 不予受理 record the same things: the reviewer's decision, its comment and its time. */
  const recordReviewOutcome = (status: "退回补正" | "不予受理", action: string) => async (ctx: ServiceContext) => {
    const c = await loadCase(ctx);
    if (c.status === status) return;
    const now = ctx.clock.now();
    const actor = ctx.actor ?? "engine";
    await c.update(
      { status, decisionComment: text(ctx.variables.comment) || null, decidedBy: actor, decidedAt: now },
      { transaction: ctx.t },
    );
    await audit(db, ctx.t, { actor, action, entityType: "commitment", entityId: c.code, detail: { comment: c.decisionComment }, at: now });
  };
  engine.services.register(COMMITMENT_SERVICES.returned, recordReviewOutcome("退回补正", "commitment.returned"));
  engine.services.register(COMMITMENT_SERVICES.rejected, recordReviewOutcome("不予受理", "commitment.rejected"));

  engine.services.register(COMMITMENT_SERVICES.archive, async (ctx) => {
    const c = await loadCase(ctx);
    if (c.status === "监管中" && c.verificationDueAt) {
      const version = await CatalogItemVersion.findByPk(c.itemVersionId, { transaction: ctx.t });
      const calendar = await loadWorkingCalendar(ctx.t);
      return {
        verificationDueAt: c.verificationDueAt.toISOString(),
        verificationDeadline: calendar.workingDeadline(chinaDay(c.verificationDueAt), version?.reviewDays ?? 5).toISOString(),
      };
    }
    const now = ctx.clock.now();
    const version = await CatalogItemVersion.findByPk(c.itemVersionId, { transaction: ctx.t });
    if (!version) throw new Error(`commitment ${c.code} lost its item version`);
    // The verification window opens at the start of the day 核查时限 days after approval (China time);
    // the 核查 task is then due within the item's review time limit in working days.
    const dueDay = addDays(chinaDay(now), version.verificationDays);
    const verificationDueAt = chinaDayStart(dueDay);
    const calendar = await loadWorkingCalendar(ctx.t);
    const verificationDeadline = calendar.workingDeadline(dueDay, version.reviewDays);
    const actor = ctx.actor ?? "engine";
    await c.update(
      {
        status: "监管中",
        supervisionStatus: "监管中",
        verificationDueAt,
        decisionComment: text(ctx.variables.comment) || null,
        decidedBy: actor,
        decidedAt: now,
      },
      { transaction: ctx.t },
    );
    await audit(db, ctx.t, {
      actor,
      action: "commitment.approved",
      entityType: "commitment",
      entityId: c.code,
      detail: { verificationDueAt: verificationDueAt.toISOString(), comment: c.decisionComment },
      at: now,
    });
    return { verificationDueAt: verificationDueAt.toISOString(), verificationDeadline: verificationDeadline.toISOString() };
  });

  engine.services.register(COMMITMENT_SERVICES.fulfilled, async (ctx) => {
    const c = await loadCase(ctx);
    if (c.status === "监管完成") return;
    const now = ctx.clock.now();
    const actor = ctx.actor ?? "engine";
    await c.update(
      {
        status: "监管完成",
        supervisionStatus: "监管完成",
        fulfilmentStatus: "全部履行",
        fulfilmentDate: chinaDay(now),
        fulfilmentUnit: c.acceptingUnit,
        unfulfilledContent: null,
        liabilityContent: null,
      },
      { transaction: ctx.t },
    );
    await audit(db, ctx.t, {
      actor,
      action: "commitment.fulfilled",
      entityType: "commitment",
      entityId: c.code,
      detail: { fulfilmentStatus: "全部履行" },
      at: now,
    });
  });

  engine.services.register(COMMITMENT_SERVICES.breach, async (ctx) => {
    const c = await loadCase(ctx);
    const now = ctx.clock.now();
    const actor = ctx.actor ?? "engine";
    const value = text(ctx.variables.fulfilment) as FulfilmentValue;
    const fulfilmentStatus = value === "partial" || value === "none" ? FULFILMENT_VALUES[value] : null;
    const unfulfilledContent = text(ctx.variables.unfulfilledContent);
    const liabilityContent = text(ctx.variables.accountability);
    // DOMAIN.md: both contents are required unless 全部履行. A missing one is an incident for an admin, not a silent record.
    if (!fulfilmentStatus || !unfulfilledContent || !liabilityContent) {
      throw new ValidationError(`承诺 ${c.code} 的核查结果不完整：部分履行或全部未履行时必须填写未履行的承诺内容和违诺责任追究内容`);
    }
    if (c.status !== "监管完成") {
      await c.update(
        {
          status: "监管完成",
          supervisionStatus: "监管完成",
          fulfilmentStatus,
          fulfilmentDate: chinaDay(now),
          fulfilmentUnit: c.acceptingUnit,
          unfulfilledContent,
          liabilityContent,
        },
        { transaction: ctx.t },
      );
      await audit(db, ctx.t, {
        actor,
        action: "commitment.breached",
        entityType: "commitment",
        entityId: c.code,
        detail: { fulfilmentStatus, unfulfilledContent, liabilityContent },
        at: now,
      });
    }
    const record = await recordBreachRecord(db, ctx.t, {
      commitment: c,
      fulfilmentStatus,
      unfulfilledContent,
      liabilityContent,
      decidedBy: actor,
      at: now,
    });
    return { creditRecordId: record.id };
  });
}
