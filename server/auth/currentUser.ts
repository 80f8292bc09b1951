import type { Request } from "express";
import { AuthenticationError } from "../errors.js";
import type { Role } from "../db/models/UserRole.js";

/** What every request knows about its caller; loaded once per request from the database. */
export interface CurrentUser {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
  /** Candidate-group ids (department codes and any other groups). */
  groups: string[];
  departmentId: number | null;
  departmentName: string | null;
  /** Ids of the credit subjects this applicant acts for. */
  subjectIds: number[];
  isAdmin: boolean;
}

export function hasRole(user: CurrentUser, ...roles: Role[]): boolean {
  return user.isAdmin || roles.some((r) => user.roles.includes(r));
}

/** The logged-in user of this request, or AuthenticationError (401 / back to login). */
export function currentUser(req: Request): CurrentUser {
  const user = req.user as CurrentUser | undefined;
  if (!user) throw new AuthenticationError();
  return user;
}

export function optionalUser(req: Request): CurrentUser | undefined {
  return req.user as CurrentUser | undefined;
}
