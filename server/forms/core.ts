// The one door to @formio/core: everything else in the server goes through server/forms.
import {
  DefaultEvaluator,
  Processors,
  interpolateErrors,
  jsonLogic,
  process as formioProcess,
  processSync as formioProcessSync,
  registerEvaluator,
  rules,
  serverRules,
} from "@formio/core";
import { lockJsonLogic, type JsonLogicInstance } from "./jsonLogic.js";

/**
 * An evaluator that never runs form JavaScript. Forms with JavaScript are refused when saved; this is the
 * second line: should a string of code reach core anyway, it evaluates to nothing instead of running in
 * the server process. JSONLogic (objects) still works, and {{ data.x }} interpolation stays path-only.
 */
class NoEvalEvaluator extends DefaultEvaluator {
  constructor() {
    super({ noeval: true });
  }
  override evaluator(): () => undefined {
    return () => undefined;
  }
  /** JSONLogic (an object) is evaluated; a string of code evaluates to null without running. */
  override evaluate(func: unknown, ...rest: unknown[]): unknown {
    if (func !== null && typeof func === "object") return (super.evaluate as (...a: unknown[]) => unknown)(func, ...rest);
    return null;
  }
  override execute(): undefined {
    return undefined;
  }
}

registerEvaluator(new NoEvalEvaluator());

/**
 * The jsonLogic instance core's evaluator applies (the json-logic-js module @formio/core configures), locked to the
 * allowlist: core registers lodash functions as operators (`_invoke`, `_method`, ...) that call Function with a form's
 * strings. A form is refused at save when it uses one; this holds for a stored form that was never checked.
 */
export const JSONLOGIC_LOCK = lockJsonLogic(jsonLogic as JsonLogicInstance);

// Rules that would fetch from URLs or other resources are left out: such select sources are refused at save.
const SERVER_RULES = [...rules, ...serverRules].filter(
  (rule, i, all) =>
    rule.name !== "validateUrlSelectValue" &&
    rule.name !== "validateResourceSelectValue" &&
    all.findIndex((r) => r.name === rule.name) === i,
);

type Processor = (typeof Processors)[number];
type ProcessContext = { component?: { type?: string }; value?: unknown };

/** A radio left out of the data stays out: core's normalize would store String(undefined) ("undefined") or NaN. */
const absentRadio = (context: ProcessContext): boolean =>
  context.component?.type === "radio" && (context.value === undefined || context.value === null);

/**
 * Core's processors as the server runs them. Left out: serverOverride (a stored form's `serverOverride` would assign
 * any setting to its component on the server only, e.g. switch off onlyAvailableItems), and dereference and fetch
 * (they load resources and URLs, which forms may not name). normalize skips a radio that is not in the data.
 */
export const PROCESSORS: Processor[] = Processors.filter((p) => !["serverOverride", "dereference", "fetch"].includes(p.name)).map(
  (p): Processor => {
    if (p.name !== "normalize") return p;
    const { process, processSync } = p as { process: (c: never) => Promise<unknown>; processSync: (c: never) => unknown };
    return {
      ...p,
      process: (async (context: ProcessContext) => (absentRadio(context) ? undefined : process(context as never))) as never,
      processSync: ((context: ProcessContext) => (absentRadio(context) ? undefined : processSync(context as never))) as never,
    };
  },
);

export { formioProcess, formioProcessSync, interpolateErrors, jsonLogic, Processors, rules as clientRules, SERVER_RULES };
