// Limits on the variables that enter the engine. Every door (process start, task completion, message correlation,
// external task completion or BPMN error) passes its variables through checkVariables at the runtime facade, so a
// body that JSON.parse accepts (it is iterative) cannot reach the code that recurses on values: JSON.stringify in
// the step's save overflows the stack on a value nested a few thousand levels deep, which used to answer 500.
import { ValidationError } from "../errors.js";
import type { Variables } from "./bpmn.js";

/** Objects and arrays nested inside one variable's value at most (`{ "a": { "b": 1 } }` is 2 levels). */
export const MAX_VARIABLE_DEPTH = 64;

/** The variables one call may set, serialized as JSON (the HTTP body limit is 1 MB as well). */
export const MAX_VARIABLES_BYTES = 1024 * 1024;

/** An instance's variables after a step, serialized as JSON (stored twice: in the variables and in the engine state). */
export const MAX_INSTANCE_VARIABLES_BYTES = 4 * 1024 * 1024;

/** Objects and arrays one call's variables may hold in all: bounds the walk below whatever the input is. */
const MAX_NODES = 1_000_000;

const MB = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/**
 * How deeply `value` nests objects and arrays, counted without recursion; stops as soon as it passes `max`
 * (a cyclic value passes it too). Answers null when the walk visited more than `budget.nodes` containers.
 */
function depthOver(value: unknown, max: number, budget: { nodes: number }): boolean | null {
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 1 }];
  while (stack.length) {
    const { v, d } = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > max) return true;
    if (--budget.nodes < 0) return null;
    const children: unknown[] = Array.isArray(v) ? v : Object.values(v);
    for (const child of children) if (child !== null && typeof child === "object") stack.push({ v: child, d: d + 1 });
  }
  return false;
}

/** Refuses variables nested deeper than MAX_VARIABLE_DEPTH or larger than MAX_VARIABLES_BYTES in all (400, naming the variable). */
export function checkVariables(...sets: (Variables | null | undefined)[]): void {
  const budget = { nodes: MAX_NODES };
  let total = 0;
  let largest = { name: "", bytes: 0 };
  for (const vars of sets) {
    if (!vars) continue;
    for (const [name, value] of Object.entries(vars)) {
      const over = depthOver(value, MAX_VARIABLE_DEPTH, budget);
      if (over === null) throw tooLarge(name);
      if (over) {
        throw new ValidationError(`变量 ${name} 嵌套超过 ${MAX_VARIABLE_DEPTH} 层，请简化数据结构`, [
          { path: name, message: `嵌套超过 ${MAX_VARIABLE_DEPTH} 层` },
        ]);
      }
      // Nested 64 levels at most: serializing cannot overflow the stack any more.
      const json = JSON.stringify(value);
      const bytes = json === undefined ? 0 : Buffer.byteLength(json, "utf8");
      total += bytes;
      if (bytes > largest.bytes) largest = { name, bytes };
      if (total > MAX_VARIABLES_BYTES) throw tooLarge(largest.name);
    }
  }
}

function tooLarge(name: string): ValidationError {
  return new ValidationError(`变量 ${name} 的数据过大（一次提交的变量合计不能超过 ${MB(MAX_VARIABLES_BYTES)}），请精简后重试`, [
    { path: name, message: `超过 ${MB(MAX_VARIABLES_BYTES)}` },
  ]);
}

/** Refuses a step that would leave an instance with more than MAX_INSTANCE_VARIABLES_BYTES of variables (its JSON is given). */
export function checkInstanceVariablesSize(json: string): void {
  if (Buffer.byteLength(json, "utf8") <= MAX_INSTANCE_VARIABLES_BYTES) return;
  throw new ValidationError(`流程实例的变量合计超过 ${MB(MAX_INSTANCE_VARIABLES_BYTES)}，已回滚：请精简流程变量后重试`);
}
