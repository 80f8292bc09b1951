import type { Transaction } from "sequelize";
import type { LifecycleEvent } from "../types.js";
import type { EngineContext } from "./context.js";

/** Tells every lifecycle listener, in order, inside the step's transaction (a listener that throws fails the step). */
export async function emitLifecycle(ctx: EngineContext, event: LifecycleEvent, t: Transaction): Promise<void> {
  for (const listener of ctx.lifecycle) await listener(event, t);
}
