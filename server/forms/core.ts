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

export { formioProcess, formioProcessSync, interpolateErrors, jsonLogic, Processors, rules as clientRules, SERVER_RULES };
