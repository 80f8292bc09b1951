import type { Variables } from "../bpmn.js";

/**
 * Camunda types that JSON values cannot carry: a Date variable is kept as its ISO string, so the
 * instance remembers which names were declared Date (name -> "Date") and the API answers them as Date.
 */
export type VariableTypes = Record<string, string>;

/** The types a step leaves: declared ones win; a name whose value changed without a declaration, or is gone, loses its type. */
export function nextVariableTypes(previous: VariableTypes, declared: VariableTypes, before: Variables, after: Variables): VariableTypes {
  const out: VariableTypes = {};
  for (const [name, type] of Object.entries(previous)) {
    if (!(name in after) || typeof after[name] !== "string") continue;
    if (JSON.stringify(before[name]) !== JSON.stringify(after[name])) continue;
    out[name] = type;
  }
  for (const [name, type] of Object.entries(declared)) {
    if (name in after && typeof after[name] === "string") out[name] = type;
  }
  return out;
}
