import { ForbiddenError } from "../errors.js";

/** Throws ForbiddenError (403) unless the policy allowed the action. */
export function authorize(allowed: boolean, message?: string): asserts allowed {
  if (!allowed) throw new ForbiddenError(message);
}
