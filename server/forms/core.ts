// The one door to @formio/core: everything else in the server goes through server/forms.
import {
  DefaultEvaluator,
  Processors,
  interpolateErrors,
  process as formioProcess,
  processSync as formioProcessSync,
  registerEvaluator,
  rules,
  serverRules,
} from "@formio/core";

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

// Rules that would fetch from URLs or other resources are left out: such select sources are refused at save.
const SERVER_RULES = [...rules, ...serverRules].filter(
  (rule, i, all) =>
    rule.name !== "validateUrlSelectValue" &&
    rule.name !== "validateResourceSelectValue" &&
    all.findIndex((r) => r.name === rule.name) === i,
);

export { formioProcess, formioProcessSync, interpolateErrors, Processors, rules as clientRules, SERVER_RULES };
